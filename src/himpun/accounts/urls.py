from django.contrib.auth import views as auth_views
from django.urls import path

from himpun.accounts import views

app_name = "accounts"

urlpatterns = [
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("kata-sandi/", views.PasswordChangeView.as_view(), name="password_change"),
    path("bahasa/", views.set_language, name="set_language"),
    path("unit/", views.switch_unit, name="switch_unit"),
]
