"""`himpun generate`: build a synthetic confederation for benchmarks, optionally with a messy
member file to import (see himpun.demo.synthetic and himpun.demo.messy)."""

import sys
import time
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from himpun.core.commands import HimpunCommand
from himpun.demo.messy import messy_file
from himpun.demo.synthetic import SIZES, generate
from himpun.structure.models import OrgUnit

PHASES = {
    "units": gettext_lazy("unit"),
    "members": gettext_lazy("anggota"),
    "history": gettext_lazy("riwayat status"),
    "counters": gettext_lazy("penghitung unit"),
    "analyze": gettext_lazy("statistik"),
    "commit": gettext_lazy("simpan"),
}
WHAT = {
    "units": gettext_lazy("unit"),
    "sectors": gettext_lazy("sektor"),
    "employers": gettext_lazy("perusahaan"),
    "members": gettext_lazy("anggota"),
    "sequences": gettext_lazy("urutan nomor"),
    "status_changes": gettext_lazy("perubahan status"),
    "counters": gettext_lazy("penghitung"),
}


def _n(n: int) -> str:
    return f"{n:,}".replace(",", ".")


class Command(HimpunCommand):
    help = gettext_lazy(
        "Buat konfederasi sintetis (ukuran: XS 2 rb, S 10 rb, M 1 jt, L 5 jt anggota) lewat "
        "jalur cepat, dan bila diminta berkas anggota berantakan untuk benchmark impor."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=list(SIZES), default="S")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--code", default="", help=gettext_lazy("kode organisasi (bawaan: SYN<ukuran>)")
        )
        parser.add_argument(
            "--messy", metavar="PATH", help=gettext_lazy("tulis juga berkas anggota berantakan")
        )
        parser.add_argument("--messy-rows", type=int, default=10_000)
        parser.add_argument(
            "--format",
            choices=["csv", "xlsx"],
            help=gettext_lazy("format berkas berantakan (bawaan: dari PATH)"),
        )
        parser.add_argument(
            "--delimiter", default=",", help=gettext_lazy('pemisah CSV, misalnya ";"')
        )
        parser.add_argument(
            "--against-db",
            type=int,
            default=None,
            help=gettext_lazy(
                "baris yang mengulang anggota yang dibuat (bawaan: separuh dari duplikat 5%%)"
            ),
        )

    def handle(self, *args, **options):
        size = options["size"]
        code = options["code"] or f"SYN{size}"
        if OrgUnit._base_manager.filter(parent__isnull=True, code__iexact=code).exists():
            raise CommandError(
                _(
                    "Organisasi %(code)s sudah ada; tidak ada yang diubah. "
                    "Pilih kode lain dengan --code."
                )
                % {"code": code}
            )
        path = Path(options["messy"]) if options["messy"] else None
        fmt = options["format"] or (path.suffix.lstrip(".").lower() if path else "csv")
        if path and fmt not in ("csv", "xlsx"):
            raise CommandError(_("Format berkas: csv atau xlsx (pakai --format)."))

        spec = SIZES[size]
        self.stdout.write(
            _("Membuat konfederasi sintetis %(code)s ukuran %(size)s: %(n)s anggota …")
            % {"code": code, "size": size, "n": _n(spec.members)}
        )

        def progress(phase: str, seconds: float, made: dict[str, int]) -> None:
            what = ", ".join(f"{_n(n)} {WHAT.get(k, k)}" for k, n in made.items())
            label = str(PHASES.get(phase, phase))
            sys.stderr.write(f"  {label:<16} {seconds:8.1f} s  {what}\n")
            sys.stderr.flush()

        started = time.perf_counter()
        data = generate(size=size, seed=options["seed"], code=code, progress=progress)
        took = time.perf_counter() - started
        self.stdout.write(
            _(
                "Selesai dalam %(s).1f detik: %(units)s unit, %(employers)s perusahaan, "
                "%(members)s anggota, %(history)s riwayat status, %(counters)s penghitung unit."
            )
            % {
                "s": took,
                "units": _n(data.units),
                "employers": _n(data.employers),
                "members": _n(data.members),
                "history": _n(data.history),
                "counters": _n(data.counters),
            }
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
            _(
                "Berkas %(path)s (%(fmt)s) dalam %(s).1f detik: %(rows)s baris — %(new)s baru, "
                "%(in_file)s duplikat di berkas, %(in_db)s sudah ada di basis data, "
                "%(invalid)s tidak sah."
            )
            % {
                "path": path,
                "fmt": fmt,
                "s": took,
                "rows": _n(counts["rows"]),
                "new": _n(counts["new"]),
                "in_file": _n(counts["duplicates_in_file"]),
                "in_db": _n(counts["duplicates_in_db"]),
                "invalid": _n(counts["invalid"]),
            }
        )
