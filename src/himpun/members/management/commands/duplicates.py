"""`himpun duplicates [--org CODE]`: scan organisations for duplicate members and queue them."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from himpun.core.commands import HimpunCommand
from himpun.members.duplicates import duplicates_scan
from himpun.structure.models import OrgUnit


class Command(HimpunCommand):
    help = gettext_lazy("Cari kemungkinan duplikat anggota dan masukkan ke antrean pemeriksaan.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--org", help=gettext_lazy("kode organisasi (bawaan: semua)"))

    def handle(self, *args: Any, org: str | None = None, **options: Any) -> None:
        tops = OrgUnit._base_manager.filter(parent__isnull=True)
        if org:
            tops = tops.filter(code__iexact=org)
            if not tops.exists():
                raise CommandError(_("Organisasi %(code)s tidak ditemukan.") % {"code": org})
        for top in tops.order_by("code"):
            started = time.perf_counter()
            new = duplicates_scan(organisation=top)
            self.stdout.write(
                _("%(code)s: %(n)s pasangan baru (%(s).1f detik)")
                % {"code": top.code, "n": new, "s": time.perf_counter() - started}
            )
