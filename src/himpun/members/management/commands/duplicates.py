"""`himpun duplicates [--org CODE]`: scan organisations for duplicate members and queue them."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from himpun.members.duplicates import duplicates_scan
from himpun.structure.models import OrgUnit


class Command(BaseCommand):
    help = "Cari kemungkinan duplikat anggota dan masukkan ke antrean pemeriksaan."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--org", help="kode organisasi (bawaan: semua organisasi)")

    def handle(self, *args: Any, org: str | None = None, **options: Any) -> None:
        tops = OrgUnit._base_manager.filter(parent__isnull=True)
        if org:
            tops = tops.filter(code__iexact=org)
            if not tops.exists():
                raise CommandError(f"Organisasi {org} tidak ditemukan.")
        for top in tops.order_by("code"):
            started = time.perf_counter()
            new = duplicates_scan(organisation=top)
            seconds = time.perf_counter() - started
            self.stdout.write(f"{top.code}: {new} pasangan baru ({seconds:.1f} detik)")
