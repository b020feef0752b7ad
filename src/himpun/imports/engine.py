"""The bulk import engine: one loop for every kind of data, importers registered per kind.

A job streams its file (readers.open_table), maps columns to fields, and hands batches of
rows to the kind's importer, which validates them, matches them to existing records by their
natural keys and writes them set-based. Each batch commits together with the job's counts and
the last row it reached, so a killed import resumes from its last committed batch and still
ends with exact counts. A dry run goes through the same code without writing anything.

An importer may hand a batch's writes back to the engine (`BatchResult.write`) instead of
doing them while it reads. One that says its reading needs nothing the earlier batches'
writes change (`Importer.pipelined`: what it needs of them it keeps in its context) is, on
PostgreSQL, written in a second connection by a writer thread while the main thread reads
and matches the next batch: the database and Python then work at the same time instead of
taking turns. Each batch is still one transaction with the job's counts and last row, and
batches commit in file order, one at a time; a failed write stops the run, which resumes
after the last committed batch like any other.
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.db.models.functions import Lower, Upper
from django.utils import timezone
from django.utils.translation import gettext as _

from himpun.imports.mapping import Field
from himpun.imports.models import ImportIssue, ImportJob, IssueLevel, JobState
from himpun.imports.readers import MAX_CELL, ImportFileError, Table, Truncated, open_table
from himpun.structure.models import OrgUnit

BATCH = 5000
#: Warnings kept per job: enough to act on, without a million rows of "gender taken from NIK".
MAX_WARNINGS = 5000


@dataclass
class Row:
    """One data row: its number as the user sees it in the spreadsheet, the raw cells, and the
    raw text of each mapped field."""

    number: int
    cells: list[str]
    values: dict[str, str]


@dataclass
class BatchResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    #: (row, level, message)
    issues: list[tuple[Row, str, str]] = field(default_factory=list)
    #: The batch's writes, when the importer hands them back instead of doing them in
    #: `process` (the engine runs them in the batch's transaction).
    write: Callable[[], None] | None = None

    def error(self, row: Row, message: str) -> None:
        self.failed += 1
        self.issues.append((row, IssueLevel.ERROR, message))

    def warn(self, row: Row, message: str) -> None:
        self.issues.append((row, IssueLevel.WARNING, message))


class Importer:
    """What one kind of data needs from the engine. Subclasses register with `register`."""

    kind: ClassVar[str]
    label: ClassVar[Any]
    fields: ClassVar[Sequence[Field]]
    #: the model whose "add" permission at the job's unit allows the import
    model: ClassVar[type[models.Model]]

    #: Extra fields of the upload form for the per-job options (name → form field); their
    #: values reach `options_clean`.
    option_fields: ClassVar[dict[str, Any]] = {}

    #: `process` reads nothing that the writes of earlier batches of the same run change
    #: (what it needs of them, such as the records it has already matched, it keeps in its
    #: context) and hands its writes back as `BatchResult.write`. On PostgreSQL the engine
    #: then writes batch N in a second connection while it reads batch N+1.
    pipelined: ClassVar[bool] = False

    #: Where the possible duplicates a finished import put in a review queue are reviewed
    #: (a URL name; its `finish` starts the check, which fills `ImportJob.duplicates`).
    duplicates_url: ClassVar[str] = ""

    def options_clean(self, options: dict[str, Any], *, unit: OrgUnit) -> dict[str, Any]:
        """The per-job options this kind needs besides the file (JSON-ready), or a
        ValidationError. Most kinds take none."""
        if any(v not in (None, "") for v in options.values()):
            raise ValidationError(_("Jenis impor ini tidak memakai pilihan tambahan."))
        return {}

    def begin(self, job: ImportJob, *, dry_run: bool) -> Any:
        """State kept across the batches of one run (caches, rows seen)."""
        return None

    def process(self, ctx: Any, rows: list[Row], *, dry_run: bool) -> BatchResult:
        raise NotImplementedError

    def finish(self, ctx: Any, *, dry_run: bool) -> list[str]:
        """After the last row: what the person importing must know about the file as a whole
        (shown as the job's message)."""
        return []


@dataclass(frozen=True)
class UnitRef:
    """A unit named in a file, as the importers need it."""

    id: int
    path: str
    code: str
    archived: bool


def units_by_reference(
    organisation_id: int, refs: set[str], may_add: Callable[[str], bool]
) -> dict[str, UnitRef | str]:
    """Each unit named in a file (by code, else by name, case ignored) within one
    organisation, in one query: the unit, or the message for a row that names it."""
    if not refs:
        return {}
    rows = (
        OrgUnit._base_manager.filter(organisation_id=organisation_id)
        .annotate(ucode=Upper("code"), lname=Lower("name"))
        .filter(Q(ucode__in={r.upper() for r in refs}) | Q(lname__in={r.lower() for r in refs}))
        .values_list("id", "path", "code", "name", "archived_at")
    )
    by_code: dict[str, UnitRef] = {}
    by_name: dict[str, list[UnitRef]] = {}
    for pk, path, code, name, archived in rows:
        unit = UnitRef(pk, path, code, archived is not None)
        by_code[code.upper()] = unit
        by_name.setdefault(name.lower(), []).append(unit)
    found: dict[str, UnitRef | str] = {}
    for r in refs:
        matches = [by_code[r.upper()]] if r.upper() in by_code else by_name.get(r.lower(), [])
        if not matches:
            found[r] = _("Unit “%(unit)s” tidak ditemukan di organisasi ini.") % {"unit": r}
        elif len(matches) > 1:
            found[r] = _("Ada beberapa unit bernama “%(unit)s”; tulis kode unitnya.") % {"unit": r}
        elif not may_add(matches[0].path):
            found[r] = _(
                "Unit “%(unit)s” di luar wewenang Anda; data tidak dapat diimpor ke sana."
            ) % {"unit": r}
        elif matches[0].archived:
            found[r] = _("Unit “%(unit)s” sudah diarsipkan.") % {"unit": r}
        else:
            found[r] = matches[0]
    return found


IMPORTERS: dict[str, Importer] = {}


def register(importer: type[Importer]) -> type[Importer]:
    IMPORTERS[importer.kind] = importer()
    return importer


def importer_for(kind: str) -> Importer:
    return IMPORTERS[kind]


def batched(
    rows: Iterator[tuple[int, list[str]]], size: int
) -> Iterator[list[tuple[int, list[str]]]]:
    while chunk := list(itertools.islice(rows, size)):
        yield chunk


def count_rows(table: Table, path: str) -> int:
    """Rows to expect, for the progress bar: an upper bound that the end of the run corrects.
    A CSV's lines are counted on the raw bytes (a quoted line break overcounts); a
    spreadsheet states its dimension."""
    if table.format == "csv":
        lines = 0
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                lines += block.count(b"\n")
            fh.seek(max(0, fh.tell() - 1))
            if fh.read(1) not in (b"\n", b""):
                lines += 1
        return max(0, lines - table.header_row)
    if table.row_count_hint is not None:  # a spreadsheet's own dimension: no second pass
        return table.row_count_hint
    return sum(1 for _ in table.rows())


Progress = Callable[[ImportJob], None]


def import_job_run(
    *,
    job: ImportJob,
    dry_run: bool = False,
    progress: Progress | None = None,
    batch_size: int = BATCH,
    after_batch: Callable[[int], None] | None = None,
) -> ImportJob:
    """Run (or resume) `job`: a dry run from the top, a real run from its last committed row."""
    importer = importer_for(job.kind)
    path = job.file.path
    try:
        table = open_table(path, job.filename)
    except ImportFileError as exc:
        return _fail(job, str(exc))
    now = timezone.now()
    if dry_run:
        ImportIssue.objects.filter(job=job, dry_run=True).delete()
        start = 0
        # a dry run's counts are the preview (a real run counts on the job, per batch)
        counts: dict[str, int] | None = dict.fromkeys(
            ("created", "updated", "unchanged", "failed", "warned"), 0
        )
        ImportJob.objects.filter(pk=job.pk).update(
            state=JobState.CHECKING, rows_done=0, heartbeat_at=now, message=""
        )
    else:
        counts = None
        start = job.last_row
        ImportJob.objects.filter(pk=job.pk).update(
            state=JobState.RUNNING,
            started_at=job.started_at or now,
            heartbeat_at=now,
            message="",
            # from the top: the rows a dry run went through are not this run's
            **({} if start else {"rows_done": 0}),
        )
    if job.rows_total is None:
        job.rows_total = count_rows(table, path)
        ImportJob.objects.filter(pk=job.pk).update(rows_total=job.rows_total)
    job.refresh_from_db()
    if progress:
        progress(job)

    columns = [(i, name) for i, name in enumerate(job.mapping) if name]
    ctx = importer.begin(job, dry_run=dry_run)
    warnings_kept = ImportIssue.objects.filter(
        job=job, dry_run=dry_run, level=IssueLevel.WARNING
    ).count()
    done = job.rows_done if not dry_run else 0
    # Pipelined only outside a transaction: a test (or a caller) that wraps the run in one
    # must see every write on its own connection.
    writer = (
        _Writer()
        if importer.pipelined
        and not dry_run
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
        else None
    )
    try:
        for number, chunk in enumerate(batched(table.rows(), batch_size)):
            rows = [
                Row(n, cells, {name: cells[i] for i, name in columns if i < len(cells)})
                for n, cells in chunk
                if n > start
            ]
            if not rows:
                continue
            cut = [r for r in rows if Truncated in map(type, r.values.values())]
            if cut:
                cut_ids = {id(r) for r in cut}
                rows = [r for r in rows if id(r) not in cut_ids]
            if writer is None:
                with transaction.atomic():
                    result = importer.process(ctx, rows, dry_run=dry_run) if rows else BatchResult()
                    if result.write is not None:
                        result.write()
                    _cut_report(importer, result, cut)
                    issues, warned, warnings_kept = _issues(job, dry_run, result, warnings_kept)
                    done += len(rows) + len(cut)
                    _batch_commit(job, dry_run, result, issues, warned, done, counts, chunk)
                _batch_after(job, number, after_batch, progress)
                continue
            # pipelined: read and match here, write (and commit) in the writer's connection
            result = importer.process(ctx, rows, dry_run=dry_run) if rows else BatchResult()
            _cut_report(importer, result, cut)
            issues, warned, warnings_kept = _issues(job, dry_run, result, warnings_kept)
            done += len(rows) + len(cut)
            writer.submit(
                _pipelined_batch(
                    job, result, issues, warned, done, chunk, number, after_batch, progress
                )
            )
    finally:
        if writer is not None:
            writer.close()

    message = "\n".join(importer.finish(ctx, dry_run=dry_run))
    finished = timezone.now()
    if dry_run:
        ImportJob.objects.filter(pk=job.pk).update(
            message=message,
            state=JobState.CHECKED,
            checked=True,
            preview=counts,
            rows_total=done,
            rows_done=done,
            heartbeat_at=finished,
        )
    else:
        ImportJob.objects.filter(pk=job.pk).update(
            message=message,
            state=JobState.DONE,
            rows_total=done,
            finished_at=finished,
            heartbeat_at=finished,
        )
    job.refresh_from_db()
    if progress:
        progress(job)
    return job


def _cut_report(importer: Importer, result: BatchResult, cut: list[Row]) -> None:
    """Rows with a cell past the size limit: one error each, naming the columns."""
    for row in cut:
        labels = {f.name: str(f.label) for f in importer.fields}
        names = [labels.get(k, k) for k, v in row.values.items() if isinstance(v, Truncated)]
        result.error(
            row,
            _("Isi kolom %(columns)s terlalu panjang (lebih dari %(max)s huruf).")
            % {"columns": ", ".join(names), "max": f"{MAX_CELL:,}".replace(",", ".")},
        )


def _issues(
    job: ImportJob, dry_run: bool, result: BatchResult, warnings_kept: int
) -> tuple[list[ImportIssue], int, int]:
    """The batch's issues to store (warnings only up to MAX_WARNINGS per job), the number of
    rows warned, and the warnings kept so far."""
    issues = []
    warned = 0
    for row, level, message in result.issues:
        if level == IssueLevel.WARNING:
            warned += 1
            if warnings_kept >= MAX_WARNINGS:
                continue
            warnings_kept += 1
        issues.append(
            ImportIssue(
                job=job,
                dry_run=dry_run,
                row=row.number,
                level=level,
                message=message[:2000],
                values=row.cells,
            )
        )
    return issues, warned, warnings_kept


def _batch_commit(
    job: ImportJob,
    dry_run: bool,
    result: BatchResult,
    issues: list[ImportIssue],
    warned: int,
    done: int,
    counts: dict[str, int] | None,
    chunk: list[tuple[int, list[str]]],
) -> None:
    """The batch's issues and the job's counts and last row, in the batch's transaction."""
    ImportIssue.objects.bulk_create(issues, batch_size=1000)
    if dry_run:
        assert counts is not None
        for key in ("created", "updated", "unchanged", "failed"):
            counts[key] += getattr(result, key)
        counts["warned"] += warned
        ImportJob.objects.filter(pk=job.pk).update(rows_done=done, heartbeat_at=timezone.now())
    else:
        ImportJob.objects.filter(pk=job.pk).update(
            rows_done=done,
            last_row=chunk[-1][0],
            created=F("created") + result.created,
            updated=F("updated") + result.updated,
            unchanged=F("unchanged") + result.unchanged,
            failed=F("failed") + result.failed,
            warned=F("warned") + warned,
            heartbeat_at=timezone.now(),
        )


def _batch_after(
    job: ImportJob,
    number: int,
    after_batch: Callable[[int], None] | None,
    progress: Progress | None,
) -> None:
    if after_batch:
        after_batch(number)
    if progress:
        job.refresh_from_db()
        progress(job)


def _pipelined_batch(
    job: ImportJob,
    result: BatchResult,
    issues: list[ImportIssue],
    warned: int,
    done: int,
    chunk: list[tuple[int, list[str]]],
    number: int,
    after_batch: Callable[[int], None] | None,
    progress: Progress | None,
) -> Callable[[], None]:
    """What the writer thread does for one batch: its writes, issues and the job's counts
    in one transaction, then the callbacks."""

    def run() -> None:
        with transaction.atomic():
            if result.write is not None:
                result.write()
            _batch_commit(job, False, result, issues, warned, done, None, chunk)
        _batch_after(job, number, after_batch, progress)

    return run


class _Writer:
    """One thread with its own database connection that runs the batches' writes in the
    order they come, at most one waiting behind the one being written (so the main thread
    reads at most two batches ahead, and memory holds three batches at most). The first failure
    stops it: later batches are not written, and the main thread gets the exception at its
    next hand-over or at the end."""

    def __init__(self) -> None:
        self._queue: queue.Queue[Callable[[], None] | None] = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="himpun-import-writer")
        self._thread.start()

    def _run(self) -> None:
        from django.db import connections

        try:
            while (work := self._queue.get()) is not None:
                if self._error is None:
                    try:
                        work()
                    except BaseException as exc:
                        self._error = exc
        finally:
            connections.close_all()  # this thread's own connections

    def submit(self, work: Callable[[], None]) -> None:
        if self._error is not None:
            self.close()
        self._queue.put(work)

    def close(self) -> None:
        """Wait for the batches handed over; raise the writer's failure, if any."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error


def _fail(job: ImportJob, message: str) -> ImportJob:
    ImportJob.objects.filter(pk=job.pk).update(
        state=JobState.FAILED, message=message, heartbeat_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def mapping_problems(kind: str, mapping: list[str]) -> list[str]:
    """What is wrong with a mapping: a required field without a column, a field twice."""
    fields = importer_for(kind).fields
    by_name = {f.name: f for f in fields}
    chosen = [m for m in mapping if m]
    problems = [
        _("Kolom untuk “%(field)s” wajib dipilih.") % {"field": f.label}
        for f in fields
        if f.required and f.name not in chosen
    ]
    for name in sorted({m for m in chosen if chosen.count(m) > 1}):
        label = by_name[name].label if name in by_name else name
        problems.append(_("“%(field)s” dipilih untuk lebih dari satu kolom.") % {"field": label})
    problems += [
        _("Kolom tujuan “%(field)s” tidak dikenal.") % {"field": m}
        for m in chosen
        if m not in by_name
    ]
    return problems
