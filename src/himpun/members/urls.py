from django.urls import path

from himpun.members import views

app_name = "members"

urlpatterns = [path("anggota/<int:pk>/ubah-status/", views.status_change, name="status")]
