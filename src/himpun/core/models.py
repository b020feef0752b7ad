"""Base model, audit log and export records."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from himpun.core.querysets import RestrictedQuerySet


class BaseModel(models.Model):
    """A domain row: belongs to an org unit, versioned for optimistic locking, audited."""

    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)
    version = models.PositiveIntegerField(_("versi"), default=1, editable=False)

    objects = RestrictedQuerySet.as_manager()

    #: Lookup from this model to the path of the unit that owns a row.
    scope_path_field = "unit__path"
    #: Configuration owned by a whole organisation (see querysets.scope_filter).
    scope_organisation_wide = False

    class Meta:
        abstract = True
        default_permissions = ("add", "change", "delete", "view", "export")

    def get_absolute_url(self) -> str:
        meta = self._meta
        return reverse(f"{meta.app_label}_{meta.model_name}_detail", args=[self.pk])


class AuditEntry(models.Model):
    """One recorded change: who did what to which object, with the values before and after."""

    class Action(models.TextChoices):
        CREATE = "create", _("dibuat")
        UPDATE = "update", _("diubah")
        DELETE = "delete", _("dihapus")
        ARCHIVE = "archive", _("diarsipkan")
        RESTORE = "restore", _("dipulihkan")
        MOVE = "move", _("dipindahkan")
        MERGE = "merge", _("digabung")

    at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pelaku"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("nama pelaku"), max_length=150, blank=True)
    action = models.CharField(_("tindakan"), max_length=16, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("objek"), max_length=200)
    object_version = models.PositiveIntegerField(null=True, blank=True)
    #: {"field": [before, after]} for updates; {"field": value} snapshots for create/delete.
    changes = models.JSONField(_("perubahan"), default=dict)
    #: Shared by every entry one bulk operation wrote.
    batch = models.UUIDField(_("kelompok"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("catatan audit")
        verbose_name_plural = _("catatan audit")
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"


class ExportRecord(models.Model):
    """One export of data: who, when, which model and filter, how many rows."""

    at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("pengguna"), on_delete=models.PROTECT
    )
    model = models.CharField(_("data"), max_length=100)
    file_format = models.CharField(_("format"), max_length=8)
    query = models.TextField(_("filter"), blank=True)
    unit_path = models.CharField(max_length=255, blank=True)
    row_count = models.PositiveIntegerField(_("jumlah baris"))

    class Meta:
        verbose_name = _("catatan ekspor")
        verbose_name_plural = _("catatan ekspor")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.model} {self.row_count}"


def new_batch() -> uuid.UUID:
    return uuid.uuid4()
