"""`himpun join_counters [--org CODE]`: recompute the joins counters from the members table."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from himpun.members.services import member_join_counters_rebuild
from himpun.structure.models import OrgUnit


class Command(BaseCommand):
    help = (
        "Hitung ulang penghitung anggota bergabung per bulan dan jalur (joins.*) dari data "
        "anggota. Alat perbaikan: penghitung ini biasanya dijaga otomatis."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--org", help="kode organisasi (bawaan: semua organisasi)")

    def handle(self, *args: Any, org: str | None = None, **options: Any) -> None:
        organisation_id = None
        if org:
            top = OrgUnit._base_manager.filter(parent__isnull=True, code__iexact=org).first()
            if top is None:
                raise CommandError(f"Organisasi {org} tidak ditemukan.")
            organisation_id = top.pk
        started = time.perf_counter()
        n = member_join_counters_rebuild(organisation_id=organisation_id)
        seconds = time.perf_counter() - started
        self.stdout.write(f"{n} penghitung ditulis ({seconds:.1f} detik)")
