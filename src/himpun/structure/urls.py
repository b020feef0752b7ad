from django.urls import path

from himpun.structure import views

app_name = "structure"

urlpatterns = [
    path("struktur/", views.tree, name="tree"),
    path("struktur/pohon/<int:pk>/", views.tree_children, name="tree_children"),
    path("struktur/unit/<int:pk>/pindah/", views.move, name="move"),
    path("wilayah/pilih/", views.region_picker, name="region_picker"),
]
