from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "himpun.imports"
    label = "imports"
    verbose_name = _("Impor data")

    def ready(self) -> None:
        # Registers the job screens.
        from himpun.imports import screens  # noqa: F401
