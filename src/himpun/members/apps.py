from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "himpun.members"
    label = "members"
    verbose_name = _("Anggota")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from himpun.members.search import search_triggers_ensure

        post_migrate.connect(search_triggers_ensure, sender=self)
        # Registers screens, tabs and the member importer.
        from himpun.members import card_views, importer, join_views, screens  # noqa: F401
