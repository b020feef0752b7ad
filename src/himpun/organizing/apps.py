from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizingConfig(AppConfig):
    name = "himpun.organizing"
    label = "organizing"
    verbose_name = _("Pengorganisasian")

    def ready(self) -> None:
        from himpun.members.duplicates import merge_registry
        from himpun.organizing.models import Contact

        # A contact converted into (or known by) a merged duplicate points at the survivor.
        merge_registry.register(Contact, "member")
        merge_registry.register(Contact, "known_by")
        from himpun.organizing import (  # noqa: F401  each registers its screens and tabs
            campaign_screens,
            channel_views,
            contact_screens,
            evaluation_screens,
            target_screens,
        )
