from django.contrib import admin
from django.urls import include, path

from himpun.core import views as core_views
from himpun.core.registry import registry

handler403 = core_views.error_403
handler404 = core_views.error_404
handler500 = core_views.error_500

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("akun/", include("himpun.accounts.urls")),
    path("", include("himpun.structure.urls")),
    path("", include("himpun.members.urls")),
    path("", include("himpun.imports.urls")),
    path("", include("himpun.dues.urls")),
    path("", include("himpun.organizing.urls")),
    path("", include("himpun.core.urls")),
    path("admin/", admin.site.urls),
    *registry.urls(),
]
