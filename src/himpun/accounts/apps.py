from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "himpun.accounts"
    label = "accounts"
    verbose_name = _("Akun dan peran")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from himpun.accounts import screens  # noqa: F401  registers screens
        from himpun.accounts.services import roles_sync_on_migrate

        post_migrate.connect(roles_sync_on_migrate, sender=self)
