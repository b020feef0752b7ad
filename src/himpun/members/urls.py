from django.urls import path

from himpun.members import card_views, join_views, views

app_name = "members"

urlpatterns = [
    path("anggota/<int:pk>/ubah-status/", views.status_change, name="status"),
    path("anggota/<int:pk>/mutasi/minta/", views.transfer_request, name="transfer_request"),
    path("anggota/mutasi/<int:pk>/putuskan/", views.transfer_decide, name="transfer_decide"),
    *card_views.urlpatterns,
    *join_views.urlpatterns,
]
