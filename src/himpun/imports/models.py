"""Bulk import jobs: the uploaded file, its column mapping, progress, counts and row issues."""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from himpun.core.models import BaseModel


def import_path(instance: models.Model, filename: str) -> str:
    # Member files are personal data: a random name, never the uploaded one (it may hold a name).
    return f"imports/{uuid.uuid4().hex}"


class ImportTemplate(BaseModel):
    """A saved column mapping a unit reuses for files laid out the same way."""

    unit = models.ForeignKey(
        "structure.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="import_templates",
    )
    kind = models.CharField(_("jenis data"), max_length=30)
    name = models.CharField(_("nama templat"), max_length=80)
    #: normalised header text → field name ("" for a column left out)
    columns = models.JSONField(_("kolom"), default=dict)

    class Meta(BaseModel.Meta):
        verbose_name = _("templat impor")
        verbose_name_plural = _("templat impor")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "name"], name="import_template_name")
        ]

    def __str__(self) -> str:
        return self.name


class JobState(models.TextChoices):
    UPLOADED = "uploaded", pgettext_lazy("import", "menunggu pemetaan")
    CHECKING = "checking", pgettext_lazy("import", "sedang diperiksa")
    CHECKED = "checked", pgettext_lazy("import", "siap diimpor")
    QUEUED = "queued", pgettext_lazy("import", "dalam antrean")
    RUNNING = "running", pgettext_lazy("import", "sedang diimpor")
    DONE = "done", pgettext_lazy("import", "selesai")
    FAILED = "failed", pgettext_lazy("import", "gagal")


class ImportJob(BaseModel):
    """One import of one file into one unit's subtree: who, when, the file's hash, the mapping,
    and the counts. Batches commit as they go; `last_row` is where a killed job resumes."""

    kind = models.CharField(_("jenis data"), max_length=30)
    unit = models.ForeignKey(
        "structure.OrgUnit",
        verbose_name=_("unit tujuan"),
        on_delete=models.PROTECT,
        related_name="import_jobs",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pengimpor"),
        on_delete=models.PROTECT,
        related_name="import_jobs",
    )
    file = models.FileField(upload_to=import_path, editable=False)
    filename = models.CharField(_("nama berkas"), max_length=200)
    file_sha256 = models.CharField(_("sidik berkas (SHA-256)"), max_length=64, db_index=True)
    file_size = models.PositiveBigIntegerField(_("ukuran berkas"), default=0)
    file_format = models.CharField(_("format"), max_length=8, blank=True)
    header = models.JSONField(_("kepala kolom"), default=list)
    #: field name per column, in file order; "" leaves a column out
    mapping = models.JSONField(_("pemetaan kolom"), default=list)
    #: what this kind of import needs besides the file (a check-off's month and declared
    #: total), as the importer's `options_clean` accepted them
    options = models.JSONField(_("pilihan impor"), default=dict, blank=True)
    state = models.CharField(
        _("keadaan"), max_length=10, choices=JobState.choices, default=JobState.UPLOADED
    )
    checked = models.BooleanField(_("sudah diuji coba"), default=False)
    rows_total = models.PositiveIntegerField(_("jumlah baris"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("baris diproses"), default=0)
    last_row = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(_("baru"), default=0)
    updated = models.PositiveIntegerField(_("diperbarui"), default=0)
    unchanged = models.PositiveIntegerField(_("tidak berubah"), default=0)
    failed = models.PositiveIntegerField(_("gagal"), default=0)
    warned = models.PositiveIntegerField(_("dengan peringatan"), default=0)
    #: pairs of possible duplicates the import put in the review queue: a member import's
    #: members are checked after it, in the background (None until then, and for other kinds)
    duplicates = models.PositiveIntegerField(_("kemungkinan duplikat"), null=True, blank=True)
    #: what the dry run found: {"created": n, "updated": n, …}
    preview = models.JSONField(_("hasil uji coba"), default=dict, blank=True)
    message = models.TextField(_("pesan"), blank=True)
    started_at = models.DateTimeField(_("mulai"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    batch = models.UUIDField(default=uuid.uuid4, editable=False)
    #: when the uploaded file, its rows' cells and the run's bookkeeping were deleted
    #: (`import_jobs_purge`); the job stays as the record of the import
    purged_at = models.DateTimeField(_("berkas dihapus"), null=True, blank=True)

    class Meta(BaseModel.Meta):
        verbose_name = _("impor")
        verbose_name_plural = _("impor")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["unit", "kind", "file_sha256"])]

    def __str__(self) -> str:
        return (
            f"{self.filename} ({self.created_at:%d-%m-%Y %H:%M})"
            if self.created_at
            else self.filename
        )

    def get_absolute_url(self) -> str:
        return reverse("imports:job", args=[self.pk])

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.state == JobState.DONE else 0
        return min(100, round(100 * self.rows_done / self.rows_total))

    @property
    def mappable(self) -> bool:
        """The column mapping may still change: nothing of the file has been written yet."""
        return (
            self.state in {JobState.UPLOADED, JobState.CHECKED, JobState.FAILED}
            and not self.last_row
            and not self.purged_at
        )

    @property
    def active(self) -> bool:
        return self.state in {JobState.CHECKING, JobState.QUEUED, JobState.RUNNING}


class IssueLevel(models.TextChoices):
    ERROR = "error", _("galat")
    WARNING = "warning", _("peringatan")


class ImportIssue(models.Model):
    """A row of an import that failed (not imported) or went in with something to check."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="issues")
    dry_run = models.BooleanField(default=False)
    row = models.PositiveIntegerField(_("baris"))
    level = models.CharField(_("jenis"), max_length=8, choices=IssueLevel.choices)
    message = models.TextField(_("alasan"))
    #: the row as it was in the file, so the error report can be fixed and uploaded again
    values = models.JSONField(default=list)

    class Meta:
        verbose_name = _("catatan baris impor")
        verbose_name_plural = _("catatan baris impor")
        ordering = ["row", "id"]
        indexes = [models.Index(fields=["job", "dry_run", "level", "row"])]

    def __str__(self) -> str:
        return f"{self.row}: {self.message}"


class ImportSeen(models.Model):
    """What an import run has already met in its file, and the row where: each member it has
    created or updated (a dry run: would), by the member's id; and in a dry run, which
    creates nothing, the natural keys of the rows it would create, as `seen_key` hashes them.
    A later row of the same file with the same person is a duplicate inside the file,
    reported against that row. Kept in the database rather than the run's memory (flat
    memory, whatever the file's size), written with each batch (a resumed import still knows
    the rows before it), and removed when the run ends; a dry run's also when the next dry
    run of the job starts. Bookkeeping of a job: it holds no member's data (a NIK, a phone
    or a row's values only as hashes keyed with a secret that dies with the dry run). A
    finished member import keeps its rows for the duplicate check that follows it, which
    removes them."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="+")
    dry_run = models.BooleanField(default=False)
    #: a member's id (> 0), or a natural key's hash (< 0; `seen_key`). No foreign key: a row
    #: per member written, checked by nobody, gone with the job.
    key = models.BigIntegerField()
    row = models.PositiveIntegerField()
    #: a dry run's row to be created: a keyed hash of each of its values (4 bytes a field,
    #: `members.importer._fields`), so that a later row of the same person is compared with
    #: it field by field, as the real run compares it with the member created
    fields = models.BinaryField(null=True)

    class Meta:
        default_permissions = ()
        indexes = [models.Index(fields=["job", "dry_run", "key"], name="importseen_key")]

    def __str__(self) -> str:
        return f"{self.key}: {self.row}"


def seen_key(secret: bytes, kind: str, value: str) -> int:
    """A natural key ("nik", "3275…") as `ImportSeen.key`: 63 bits of its BLAKE2b hash keyed
    with the run's `secret`, made negative so it never equals a member's id. The secret lives
    only in the dry run's memory: without it a stored hash cannot be matched to a NIK or phone
    by trying them all. The odds that two of a million-row file's keys share a hash are below
    one in a million; the cost would be one row the dry run's preview reports as a duplicate."""
    digest = hashlib.blake2b(f"{kind}\x1f{value}".encode(), digest_size=8, key=secret).digest()
    return -1 - (int.from_bytes(digest) >> 1)
