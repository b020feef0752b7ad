"""`himpun join_counters [--org CODE]`: recompute the joins counters from the members table."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from himpun.core.commands import HimpunCommand
from himpun.members.services import member_join_counters_rebuild
from himpun.structure.models import OrgUnit


class Command(HimpunCommand):
    help = gettext_lazy(
        "Hitung ulang penghitung anggota bergabung per bulan dan jalur (joins.*) dari data "
        "anggota. Alat perbaikan: penghitung ini biasanya dijaga otomatis."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--org", help=gettext_lazy("kode organisasi (bawaan: semua)"))

    def handle(self, *args: Any, org: str | None = None, **options: Any) -> None:
        organisation_id = None
        if org:
            top = OrgUnit._base_manager.filter(parent__isnull=True, code__iexact=org).first()
            if top is None:
                raise CommandError(_("Organisasi %(code)s tidak ditemukan.") % {"code": org})
            organisation_id = top.pk
        started = time.perf_counter()
        n = member_join_counters_rebuild(organisation_id=organisation_id)
        self.stdout.write(
            _("%(n)s penghitung ditulis (%(s).1f detik)")
            % {"n": n, "s": time.perf_counter() - started}
        )
