from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "himpun.members"
    label = "members"
    verbose_name = _("Anggota")

    def ready(self) -> None:
        from himpun.members import screens  # noqa: F401  registers screens and tabs
