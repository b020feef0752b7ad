from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "himpun.core"
    label = "core"
    verbose_name = _("Inti")

    def ready(self) -> None:
        from himpun.core import (  # noqa: F401
            checks,  # registers system checks
            lookups,  # registers field__any
        )
