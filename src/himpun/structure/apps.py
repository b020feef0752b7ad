from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StructureConfig(AppConfig):
    name = "himpun.structure"
    label = "structure"
    verbose_name = _("Struktur organisasi")

    def ready(self) -> None:
        # Registers screens, tabs and the employer and workplace importers.
        from himpun.structure import importer, screens  # noqa: F401
