from django.urls import path

from himpun.structure import density_views, views

app_name = "structure"

urlpatterns = [
    path("struktur/", views.tree, name="tree"),
    path("struktur/pohon/<int:pk>/", views.tree_children, name="tree_children"),
    path("struktur/unit/<int:pk>/pindah/", views.move, name="move"),
    path("wilayah/pilih/", views.region_picker, name="region_picker"),
    path("struktur/kepadatan/", density_views.density_home, name="density_home"),
    path("struktur/kepadatan/<int:pk>/", density_views.density, name="density"),
    path(
        "struktur/kepadatan/<int:pk>/ekspor.xlsx",
        density_views.density_export,
        name="density_export",
    ),
]
