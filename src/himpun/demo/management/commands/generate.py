"""`himpun generate`: build a synthetic confederation for benchmarks, optionally with a messy
member file to import (see himpun.demo.synthetic and himpun.demo.messy)."""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from himpun.demo.messy import messy_file
from himpun.demo.synthetic import SIZES, generate
from himpun.structure.models import OrgUnit

PHASES = {
    "units": "unit",
    "members": "anggota",
    "history": "riwayat status",
    "counters": "penghitung unit",
    "analyze": "statistik",
    "commit": "simpan",
}
WHAT = {
    "units": "unit",
    "sectors": "sektor",
    "employers": "perusahaan",
    "members": "anggota",
    "sequences": "urutan nomor",
    "status_changes": "perubahan status",
    "counters": "penghitung",
}


def _n(n: int) -> str:
    return f"{n:,}".replace(",", ".")


class Command(BaseCommand):
    help = (
        "Build a synthetic confederation (sizes: XS 2k, S 10k, M 1M, L 5M members) through "
        "the fast path, and optionally a messy member file for the import benchmark."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=list(SIZES), default="S")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--code", default="", help="organisation code (default SYN<size>)")
        parser.add_argument("--messy", metavar="PATH", help="also write a messy member file")
        parser.add_argument("--messy-rows", type=int, default=10_000)
        parser.add_argument(
            "--format", choices=["csv", "xlsx"], help="messy file format (default: from PATH)"
        )
        parser.add_argument("--delimiter", default=",", help='CSV delimiter, e.g. ";"')
        parser.add_argument(
            "--against-db",
            type=int,
            default=None,
            help="rows repeating generated members (default: half of the 5%% duplicates)",
        )

    def handle(self, *args, **options):
        size = options["size"]
        code = options["code"] or f"SYN{size}"
        if OrgUnit._base_manager.filter(parent__isnull=True, code__iexact=code).exists():
            raise CommandError(
                f"Organisasi {code} sudah ada; tidak ada yang diubah. "
                "Pilih kode lain dengan --code."
            )
        path = Path(options["messy"]) if options["messy"] else None
        fmt = options["format"] or (path.suffix.lstrip(".").lower() if path else "csv")
        if path and fmt not in ("csv", "xlsx"):
            raise CommandError("Format berkas: csv atau xlsx (pakai --format).")

        spec = SIZES[size]
        self.stdout.write(
            f"Membuat konfederasi sintetis {code} ukuran {size}: {_n(spec.members)} anggota …"
        )

        def progress(phase: str, seconds: float, made: dict[str, int]) -> None:
            what = ", ".join(f"{_n(n)} {WHAT.get(k, k)}" for k, n in made.items())
            label = PHASES.get(phase, phase)
            sys.stderr.write(f"  {label:<16} {seconds:8.1f} dtk  {what}\n")
            sys.stderr.flush()

        started = time.perf_counter()
        data = generate(size=size, seed=options["seed"], code=code, progress=progress)
        took = time.perf_counter() - started
        self.stdout.write(
            f"Selesai dalam {took:.1f} detik: {_n(data.units)} unit, {_n(data.employers)} "
            f"perusahaan, {_n(data.members)} anggota, {_n(data.history)} riwayat status, "
            f"{_n(data.counters)} penghitung unit."
        )
        if path is None:
            return
        rows = options["messy_rows"]
        against = options["against_db"]
        if against is None:
            against = rows // 40
        started = time.perf_counter()
        counts = messy_file(
            path,
            rows=rows,
            seed=options["seed"],
            organisation=data.organisation,
            fmt=fmt,
            against_db=against,
            delimiter=options["delimiter"],
        )
        took = time.perf_counter() - started
        self.stdout.write(
            f"Berkas {path} ({fmt}) dalam {took:.1f} detik: {_n(counts['rows'])} baris — "
            f"{_n(counts['new'])} baru, {_n(counts['duplicates_in_file'])} duplikat di berkas, "
            f"{_n(counts['duplicates_in_db'])} sudah ada di basis data, "
            f"{_n(counts['invalid'])} tidak sah."
        )
