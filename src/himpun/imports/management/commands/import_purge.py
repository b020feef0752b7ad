"""`himpun import_purge`: delete old import files and their rows' cells (for cron; every
import run in the worker does it too)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from himpun.core.commands import HimpunCommand
from himpun.imports.services import import_jobs_purge


class Command(HimpunCommand):
    help = gettext_lazy(
        "Hapus berkas impor, isi baris bermasalahnya dan catatan kerjanya setelah masa simpan "
        "(HIMPUN_IMPORT_RETENTION_DAYS hari sejak terakhir dikerjakan)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        purged = import_jobs_purge()
        days = settings.HIMPUN_IMPORT_RETENTION_DAYS
        self.stdout.write(
            _("%(n)s impor yang terakhir dikerjakan lebih dari %(days)s hari lalu dibersihkan.")
            % {"n": purged, "days": days}
        )
