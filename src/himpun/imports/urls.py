from django.urls import path

from himpun.imports import views

app_name = "imports"

urlpatterns = [
    path("impor/", views.job_list, name="list"),
    path("impor/baru/<slug:kind>/", views.job_new, name="new"),
    path("impor/<int:pk>/", views.job_detail, name="job"),
    path("impor/<int:pk>/kemajuan/", views.job_progress, name="progress"),
    path("impor/<int:pk>/duplikat/", views.job_duplicates, name="duplicates"),
    path("impor/<int:pk>/mulai/", views.job_start, name="start"),
    path("impor/<int:pk>/baris-bermasalah.xlsx", views.job_report, name="report"),
]
