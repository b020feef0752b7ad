from django.urls import path

from himpun.members import card_views, join_views, views

app_name = "members"

urlpatterns = [
    path("anggota/<int:pk>/ubah-status/", views.status_change, name="status"),
    *card_views.urlpatterns,
    *join_views.urlpatterns,
]
