"""Generic writes with audit: create, update (optimistic locking), delete, archive.

Domain services call these (or `audit_record`) so that every change leaves a record.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F, ProtectedError, RestrictedError
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from himpun.core.models import AuditEntry, BaseModel

SKIP_FIELDS = {"created_at", "updated_at", "version"}


class EditConflict(Exception):
    """Someone else saved the object after the editor loaded it."""

    def __init__(self, current: BaseModel, since: list[AuditEntry]):
        super().__init__("edit conflict")
        self.current = current
        self.since = since


class DeleteRefused(Exception):
    """The object has history (rows that depend on it): archive it instead."""


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, memoryview | bytes):
        return "<binary>"
    if isinstance(value, FieldFile):
        return value.name or ""  # a stored file: its (random) name, never its content
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    return {
        f.attname: jsonable(getattr(instance, f.attname))
        for f in instance._meta.concrete_fields
        if not f.primary_key and f.name not in SKIP_FIELDS
    }


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def audit_record(
    *,
    actor: Any,
    action: str,
    instance: models.Model,
    changes: dict[str, Any],
    batch: uuid.UUID | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or "",
        action=action,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        object_version=getattr(instance, "version", None),
        changes=changes,
        batch=batch,
    )


@transaction.atomic
def object_create(*, actor: Any, instance: BaseModel, batch: uuid.UUID | None = None) -> BaseModel:
    instance.save()
    audit_record(
        actor=actor, action="create", instance=instance, changes=snapshot(instance), batch=batch
    )
    return instance


@transaction.atomic
def version_check(stored: BaseModel, expected_version: int) -> None:
    """Raise EditConflict, with the changes made since, if `stored` (locked) moved on from
    `expected_version`: the one optimistic-locking check of every service that edits."""
    if stored.version != expected_version:
        since = list(
            AuditEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(type(stored)),
                object_id=str(stored.pk),
                object_version__gt=expected_version,
            ).order_by("at", "id")
        )
        raise EditConflict(stored, since)


def object_update(
    *, actor: Any, instance: BaseModel, expected_version: int, batch: uuid.UUID | None = None
) -> BaseModel:
    """Save `instance` only if nobody saved it since `expected_version`; audit the difference."""
    model = type(instance)
    stored = model._base_manager.select_for_update().get(pk=instance.pk)
    version_check(stored, expected_version)
    before = snapshot(stored)
    # Only what a form may change: derived columns (a unit's path, archived_at) are written
    # by their own services and must not be overwritten by a concurrent edit.
    values = {
        f.attname: getattr(instance, f.attname)
        for f in model._meta.concrete_fields
        if f.editable and not f.primary_key and f.name not in SKIP_FIELDS
    }
    after = {**before, **{k: jsonable(v) for k, v in values.items()}}
    changes = diff(before, after)
    model._base_manager.filter(pk=instance.pk).update(
        **values, version=F("version") + 1, updated_at=timezone.now()
    )
    instance.version = expected_version + 1
    if changes:
        audit_record(actor=actor, action="update", instance=instance, changes=changes, batch=batch)
    return instance


@transaction.atomic
def object_delete(*, actor: Any, instance: BaseModel, batch: uuid.UUID | None = None) -> None:
    before = snapshot(instance)
    pk = instance.pk
    try:
        with transaction.atomic():
            instance.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise DeleteRefused(
            _("%(obj)s sudah memiliki riwayat atau data terkait, jadi tidak dapat dihapus.")
            % {"obj": instance}
        ) from exc
    instance.pk = pk
    audit_record(actor=actor, action="delete", instance=instance, changes=before, batch=batch)


@transaction.atomic
def object_archive(
    *, actor: Any, instance: BaseModel, archive: bool = True, batch: uuid.UUID | None = None
) -> BaseModel:
    """Archive (or restore) a row: it leaves lists and pickers but keeps its history."""
    model = type(instance)
    when = timezone.now() if archive else None
    model._base_manager.filter(pk=instance.pk).update(
        archived_at=when, version=F("version") + 1, updated_at=timezone.now()
    )
    instance.archived_at = when  # type: ignore[attr-defined]
    instance.version += 1
    audit_record(
        actor=actor,
        action="archive" if archive else "restore",
        instance=instance,
        changes={"archived_at": jsonable(when)},
        batch=batch,
    )
    return instance
