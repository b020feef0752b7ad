"""Import jobs: create from an upload, map columns (and remember the mapping), check, run."""

from __future__ import annotations

import datetime
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from himpun.core.querysets import may
from himpun.imports.engine import importer_for, mapping_problems
from himpun.imports.mapping import guess_mapping, normalise_header
from himpun.imports.models import ImportIssue, ImportJob, ImportSeen, ImportTemplate, JobState
from himpun.imports.readers import ImportFileError, file_sha256, open_table
from himpun.structure.models import OrgUnit

MAX_UPLOAD = 300 * 1024 * 1024
#: A job whose worker has not reported for this long is considered dead (and may resume).
STALE_AFTER = datetime.timedelta(minutes=2)


@transaction.atomic
def import_job_create(
    *,
    actor: Any,
    kind: str,
    unit: OrgUnit,
    upload: IO[bytes],
    filename: str,
    options: dict[str, Any] | None = None,
) -> ImportJob:
    """Store the uploaded file as a job, read its header and guess the column mapping (from a
    template saved for the same header, else from the header texts). `options` are what the
    kind needs besides the file (a check-off's month), checked by its importer."""
    importer = importer_for(kind)
    if not may(actor, importer.model, "add", unit.path):
        raise PermissionDenied
    cleaned = importer.options_clean(options or {}, unit=unit)
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD:
        raise ValidationError(_("Berkas terlalu besar (maksimal 300 MB)."))
    job = ImportJob(
        kind=kind,
        unit=unit,
        user=actor,
        filename=(filename or "berkas")[:200],
        options=cleaned,
    )
    job.file.save("upload", File(upload), save=False)
    job.file_size = job.file.size  # as stored: a file from the command line has no .size
    job.file_sha256 = file_sha256(job.file.path)
    try:
        table = open_table(job.file.path, job.filename)
    except ImportFileError as exc:
        job.file.delete(save=False)
        raise ValidationError(str(exc)) from exc
    job.file_format = table.format
    job.header = table.header
    job.mapping = mapping_for(kind=kind, unit=unit, header=table.header)
    job.save()
    return job


def mapping_for(*, kind: str, unit: OrgUnit, header: list[str]) -> list[str]:
    """The mapping of a saved template of this unit or one above it that knows every column
    of `header`, else a guess from the header texts."""
    normalised = [normalise_header(h) for h in header]
    ancestors = [unit.path[:i] for i in range(8, len(unit.path) + 1, 8)]
    templates = ImportTemplate.objects.filter(kind=kind, unit__path__in=ancestors).order_by(
        "-unit__depth", "-updated_at"
    )
    for template in templates:
        if all(h in template.columns for h in normalised if h):
            return [template.columns.get(h, "") if h else "" for h in normalised]
    fields = importer_for(kind).fields
    return [m or "" for m in guess_mapping(header, fields)]


@transaction.atomic
def import_job_map(
    *, actor: Any, job: ImportJob, mapping: list[str], template_name: str = ""
) -> ImportJob:
    """Set the column mapping (the dry run has to be repeated); optionally save it as a
    template of the job's unit."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if not job.mappable:
        raise ValidationError(_("Impor ini sudah berjalan; pemetaan tidak dapat diubah lagi."))
    mapping = [m or "" for m in mapping][: len(job.header)]
    mapping += [""] * (len(job.header) - len(mapping))
    problems = mapping_problems(job.kind, mapping)
    if problems:
        raise ValidationError(problems)
    job.mapping = mapping
    job.state = JobState.UPLOADED
    job.checked = False
    job.preview = {}
    job.rows_done = 0
    job.save(update_fields=["mapping", "state", "checked", "preview", "rows_done", "updated_at"])
    if template_name:
        columns = {normalise_header(h): m for h, m in zip(job.header, mapping, strict=True) if h}
        ImportTemplate.objects.update_or_create(
            unit=job.unit, kind=job.kind, name=template_name[:80], defaults={"columns": columns}
        )
    return job


def import_job_start(*, actor: Any, job: ImportJob, dry_run: bool) -> ImportJob:
    """Queue a check (dry run) or the import itself as a background task."""
    from himpun.imports.tasks import import_run

    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.active and not import_job_stale(job):
            raise ValidationError(_("Impor ini sedang berjalan."))
        if job.state == JobState.DONE:
            raise ValidationError(_("Impor ini sudah selesai."))
        if job.purged_at:
            raise ValidationError(
                _("Berkas impor ini sudah dihapus karena lama tidak dikerjakan; unggah lagi.")
            )
        if not dry_run and not job.checked and not job.last_row:
            raise ValidationError(_("Jalankan uji coba dulu, lalu periksa hasilnya."))
        problems = mapping_problems(job.kind, job.mapping)
        if problems:
            raise ValidationError(problems)
        job.state = JobState.CHECKING if dry_run else JobState.QUEUED
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["state", "heartbeat_at", "updated_at"])
    transaction.on_commit(lambda: import_run.enqueue(job_id=job.pk, dry_run=dry_run))
    return job


def import_job_stale(job: ImportJob) -> bool:
    """A job left running by a worker that died (killed, machine restarted)."""
    return bool(job.active and job.heartbeat_at and timezone.now() - job.heartbeat_at > STALE_AFTER)


def import_jobs_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete what an import keeps of its file once it is no longer needed: the uploaded
    file, the cells of its reported rows (`ImportIssue.values`) and the run's bookkeeping
    (`ImportSeen`), `HIMPUN_IMPORT_RETENTION_DAYS` after the job was last worked on (its
    heartbeat: the end of a run, the last batch of one that died). A member file holds NIKs,
    phones and birth dates of thousands of people; kept forever on the server it would be
    one more copy to lose. The job stays as the record of the import: who, when, the file's
    name and hash, the mapping, the counts, and each reported row's number and reason.
    A job not finished by then can no longer go on; its file must be uploaded again.
    Returns the number of jobs purged."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.HIMPUN_IMPORT_RETENTION_DAYS)
    jobs = ImportJob.objects.filter(purged_at__isnull=True).annotate(
        touched=Coalesce("heartbeat_at", "created_at")
    )
    storage = ImportJob._meta.get_field("file").storage
    purged = 0
    for job in jobs.filter(touched__lt=cutoff).order_by("pk").iterator(chunk_size=100):
        with transaction.atomic():
            ImportIssue.objects.filter(job=job).update(values=[])
            ImportSeen.objects.filter(job=job).delete()
            # a run that died that long ago will not go on
            state = JobState.FAILED if job.active else job.state
            ImportJob.objects.filter(pk=job.pk).update(purged_at=now, file="", state=state)
            if job.file.name:
                transaction.on_commit(lambda name=job.file.name: storage.delete(name))
        purged += 1
    return purged
