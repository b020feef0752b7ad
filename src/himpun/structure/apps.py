from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StructureConfig(AppConfig):
    name = "himpun.structure"
    label = "structure"
    verbose_name = _("Struktur organisasi")

    def ready(self) -> None:
        from himpun.structure import screens  # noqa: F401  registers screens and tabs
