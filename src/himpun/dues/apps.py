from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuesConfig(AppConfig):
    name = "himpun.dues"
    label = "dues"
    verbose_name = _("Iuran dan keuangan")

    def ready(self) -> None:
        from himpun.dues.models import MemberDues, Payment
        from himpun.dues.services import dues_accounts_merge
        from himpun.members.duplicates import merge_registry

        # A merged duplicate's payments belong to the surviving record (the one column of a
        # payment that may change; see the append-only trigger), whose dues account is then
        # rebuilt from them.
        merge_registry.register(Payment, "member")
        merge_registry.skip(MemberDues, "member")
        merge_registry.after_merge(dues_accounts_merge)
        from himpun.dues import (
            importer,  # noqa: F401  registers the check-off importer
            policy_screens,  # noqa: F401  registers the rules' screens
            screens,  # noqa: F401  the member's Iuran tab and the menu link
        )
