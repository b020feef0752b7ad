"""`himpun import members FILE --unit CODE`: the bulk import from the command line.

The same engine as the web pages, run in this process with a progress bar. Importing a file
that an earlier, interrupted run of the same file into the same unit left unfinished resumes
that run from its last committed batch.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from himpun.accounts.models import User
from himpun.core import exports
from himpun.core.commands import HimpunCommand
from himpun.imports.engine import IMPORTERS, import_job_run
from himpun.imports.models import ImportJob, JobState
from himpun.imports.readers import file_sha256
from himpun.imports.reports import issues_xlsx
from himpun.imports.services import import_job_create, import_job_map
from himpun.structure.models import OrgUnit


class Bar:
    """A one-line progress bar on stderr (a plain line per update when not a terminal)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.started = time.perf_counter()
        self.tty = sys.stderr.isatty()
        self.last = -1.0

    def __call__(self, job: ImportJob) -> None:
        now = time.perf_counter()
        if not self.tty and now - self.last < 2 and job.active:
            return
        self.last = now
        total = job.rows_total or 0
        done = job.rows_done
        ratio = done / total if total else 0
        width = 30
        filled = int(width * min(1, ratio))
        rate = done / max(now - self.started, 1e-6)
        text = f"{self.label} [{'#' * filled}{'.' * (width - filled)}] {ratio:4.0%} " + _(
            "%(done)s/%(total)s baris · %(rate)s baris/detik"
        ) % {
            "done": f"{done:,}".replace(",", "."),
            "total": f"{total:,}".replace(",", "."),
            "rate": f"{rate:,.0f}".replace(",", "."),
        }
        sys.stderr.write(("\r" if self.tty else "") + text + ("" if self.tty else "\n"))
        sys.stderr.flush()

    def close(self) -> None:
        if self.tty:
            sys.stderr.write("\n")


class Command(HimpunCommand):
    help = gettext_lazy("Impor berkas CSV/XLSX/ODS (misalnya anggota) ke sebuah unit.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "kind", choices=sorted(IMPORTERS), help=gettext_lazy("jenis data, misalnya members")
        )
        parser.add_argument("file", help=gettext_lazy("berkas CSV, XLSX atau ODS"))
        parser.add_argument(
            "--unit", required=True, help=gettext_lazy("kode unit tujuan (ORG:KODE bila ganda)")
        )
        parser.add_argument(
            "--user", help=gettext_lazy("nama pengguna yang mengimpor (bawaan: superuser)")
        )
        parser.add_argument(
            "--check", action="store_true", help=gettext_lazy("hanya uji coba, tanpa menyimpan")
        )
        parser.add_argument(
            "--report", help=gettext_lazy("tulis baris bermasalah ke berkas XLSX ini")
        )
        parser.add_argument(
            "--batch", type=int, default=5000, help=gettext_lazy("baris per transaksi")
        )
        # Options of some kinds (check-off: `iuran FILE --month 2026-10 --total 123456789`).
        parser.add_argument(
            "--month", help=gettext_lazy("bulan iuran, misalnya 2026-10 (impor iuran)")
        )
        parser.add_argument(
            "--total", help=gettext_lazy("total setoran menurut perusahaan (impor iuran)")
        )
        parser.add_argument("--employer", help=gettext_lazy("perusahaan penyetor (impor iuran)"))

    def handle(self, *args: Any, **o: Any) -> None:
        path = Path(o["file"])
        if not path.is_file():
            raise CommandError(_("Berkas %(path)s tidak ada.") % {"path": path})
        unit = self._unit(o["unit"])
        user = self._user(o["user"])
        kind = o["kind"]
        sha = file_sha256(path)
        job = (
            ImportJob.objects.filter(
                kind=kind,
                unit=unit,
                file_sha256=sha,
                last_row__gt=0,
                finished_at__isnull=True,
                purged_at__isnull=True,
            )
            .exclude(state=JobState.DONE)
            .order_by("-created_at")
            .first()
        )
        if job and not o["check"]:
            self.stderr.write(
                _("Melanjutkan impor #%(job)s setelah baris %(row)s.")
                % {"job": job.pk, "row": job.last_row}
            )
        else:
            try:
                with path.open("rb") as fh:
                    job = import_job_create(
                        actor=user,
                        kind=kind,
                        unit=unit,
                        upload=fh,
                        filename=path.name,
                        options={k: o[k] for k in ("month", "total", "employer") if o[k]},
                    )
                job = import_job_map(actor=user, job=job, mapping=job.mapping)
            except PermissionDenied as exc:
                raise CommandError(
                    _("%(user)s tidak berhak mengimpor ke %(unit)s.") % {"user": user, "unit": unit}
                ) from exc
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            shown = ", ".join(
                f"{h or '?'} → {m}" for h, m in zip(job.header, job.mapping, strict=True) if m
            )
            self.stderr.write(_("Impor #%(job)s: %(mapping)s") % {"job": job.pk, "mapping": shown})
        bar = Bar(_("Uji coba") if o["check"] else _("Impor"))
        started = time.perf_counter()
        job = import_job_run(job=job, dry_run=o["check"], progress=bar, batch_size=o["batch"])
        bar.close()
        seconds = time.perf_counter() - started
        if job.state == JobState.FAILED:
            raise CommandError(job.message)
        counts = (
            job.preview
            if o["check"]
            else {
                "created": job.created,
                "updated": job.updated,
                "unchanged": job.unchanged,
                "failed": job.failed,
                "warned": job.warned,
            }
        )
        if job.message:
            self.stderr.write(job.message)
        if not o["check"] and IMPORTERS[kind].duplicates_url:
            self.stderr.write(
                _("Kemungkinan duplikat sedang diperiksa di latar belakang (worker).")
                if job.duplicates is None
                else _(
                    "%(n)s pasangan kemungkinan duplikat baru masuk antrean pemeriksaan "
                    "(Anggota → Kemungkinan duplikat)."
                )
                % {"n": job.duplicates}
            )
        self.stdout.write(
            _(
                "%(rows)s baris dalam %(s).1f detik: %(created)s baru, %(updated)s diperbarui, "
                "%(unchanged)s tidak berubah, %(failed)s gagal, %(warned)s dengan peringatan."
            )
            % {**counts, "rows": job.rows_total, "s": seconds}
        )
        if o["report"]:
            with open(o["report"], "wb") as out:
                rows = issues_xlsx(job, dry_run=o["check"], out=out)
            # the rows' own cells are member data: recorded like the page's download
            exports.export_record(
                user=user,
                model="imports.importissue",
                file_format="xlsx",
                query=f"job={job.pk}&dry_run={int(o['check'])}",
                unit_path=job.unit.path,
                row_count=rows,
            )
            self.stdout.write(
                _("%(n)s baris bermasalah ditulis ke %(path)s.") % {"n": rows, "path": o["report"]}
            )

    def _unit(self, code: str) -> OrgUnit:
        qs = OrgUnit._base_manager.filter(archived_at__isnull=True)
        if ":" in code:
            org, code = code.split(":", 1)
            qs = qs.filter(organisation__code__iexact=org)
        found = list(qs.filter(code__iexact=code)[:2])
        if len(found) != 1:
            raise CommandError(
                _("Unit %(code)s tidak ditemukan.") % {"code": code}
                if not found
                else _("Kode %(code)s ganda; tulis ORG:%(code)s.") % {"code": code}
            )
        return found[0]

    def _user(self, username: str | None) -> User:
        qs = User.objects.filter(is_active=True)
        user = (
            qs.filter(username=username).first()
            if username
            else qs.filter(is_superuser=True).order_by("pk").first()
        )
        if user is None:
            raise CommandError(
                _("Pengguna %(name)s tidak ada.") % {"name": username}
                if username
                else _("Sebutkan --user NAMA.")
            )
        return user
