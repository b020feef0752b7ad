from django.urls import path

from himpun.members import card_views, join_views, views

app_name = "members"

urlpatterns = [
    path("anggota/<int:pk>/ubah-status/", views.status_change, name="status"),
    path("anggota/<int:pk>/mutasi/minta/", views.transfer_request, name="transfer_request"),
    path("anggota/mutasi/<int:pk>/putuskan/", views.transfer_decide, name="transfer_decide"),
    path("anggota/duplikat/", views.duplicate_list, name="duplicates"),
    path("anggota/duplikat/<int:pk>/", views.duplicate_review, name="duplicate_review"),
    *card_views.urlpatterns,
    *join_views.urlpatterns,
]
