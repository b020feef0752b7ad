"""Writes on the organisation tree: create, move, counters. Each in one transaction."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext as _

from himpun.core.lookups import pg_array
from himpun.core.scoping import ancestor_ids, segment, subtree_q
from himpun.core.services import audit_record, object_create, snapshot
from himpun.structure.models import LevelKind, OrgUnit, UnitCounter

MEMBERS = "members"


def unit_check_placement(*, parent: OrgUnit | None, kind: LevelKind | None) -> None:
    """A unit's kind must be one its organisation allows under the parent's kind."""
    if parent is None:
        return
    if kind is None:
        raise ValidationError({"kind": _("Pilih jenis unit.")})
    if kind.organisation_id != parent.organisation_id:
        raise ValidationError({"kind": _("Jenis ini milik organisasi lain.")})
    if parent.kind_id and not kind.parents.filter(pk=parent.kind_id).exists():
        raise ValidationError(
            {
                "kind": _("%(kind)s tidak boleh berada di bawah %(parent_kind)s.")
                % {"kind": kind, "parent_kind": parent.kind}
            }
        )


def unit_check_code(*, organisation_id: int | None, code: str, exclude_pk: int | None) -> None:
    clash = OrgUnit._base_manager.filter(organisation_id=organisation_id, code=code)
    if organisation_id is None:
        clash = OrgUnit._base_manager.filter(parent__isnull=True, code=code)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError(
            {"code": _("Kode %(code)s sudah dipakai di organisasi ini.") % {"code": code}}
        )


@transaction.atomic
def unit_create(
    *,
    actor: Any,
    parent: OrgUnit | None,
    kind: LevelKind | None,
    code: str,
    name: str,
    batch: Any = None,
    **fields: Any,
) -> OrgUnit:
    """Create a unit under `parent` (or a new top organisation when parent is None)."""
    if parent is not None and parent.archived_at is not None:
        raise ValidationError({"parent": _("Unit induk sudah diarsipkan.")})
    unit_check_placement(parent=parent, kind=kind)
    unit_check_code(
        organisation_id=parent.organisation_id if parent else None, code=code, exclude_pk=None
    )
    unit = OrgUnit(
        parent=parent,
        kind=kind,
        code=code,
        name=name,
        organisation_id=parent.organisation_id if parent else None,
        path=f"tmp{uuid.uuid4().hex}",
        depth=parent.depth + 1 if parent else 0,
        **fields,
    )
    unit.save()
    unit.path = (parent.path if parent else "") + segment(unit.pk)
    if parent is None:
        unit.organisation_id = unit.pk
    OrgUnit._base_manager.filter(pk=unit.pk).update(
        path=unit.path, organisation_id=unit.organisation_id
    )
    audit_record(actor=actor, action="create", instance=unit, changes=snapshot(unit), batch=batch)
    return unit


@transaction.atomic
def unit_move(*, actor: Any, unit: OrgUnit, new_parent: OrgUnit) -> OrgUnit:
    """Move `unit` and its subtree under `new_parent`: paths rewritten in one UPDATE,
    counters taken from the old ancestors and given to the new ones."""
    unit = OrgUnit._base_manager.select_for_update().get(pk=unit.pk)
    new_parent = OrgUnit._base_manager.get(pk=new_parent.pk)
    if unit.parent_id is None:
        raise ValidationError(_("Organisasi puncak tidak dapat dipindahkan."))
    if new_parent.path.startswith(unit.path):
        raise ValidationError(
            {"parent": _("Unit tidak dapat dipindahkan ke dalam dirinya sendiri atau turunannya.")}
        )
    if new_parent.organisation_id != unit.organisation_id:
        raise ValidationError({"parent": _("Unit hanya dapat dipindahkan di dalam organisasinya.")})
    if new_parent.archived_at is not None:
        raise ValidationError({"parent": _("Unit induk sudah diarsipkan.")})
    if new_parent.pk == unit.parent_id:
        return unit
    unit_check_placement(parent=new_parent, kind=unit.kind)

    old_path, new_path = unit.path, new_parent.path + segment(unit.pk)
    old_parent_id = unit.parent_id
    totals = dict(UnitCounter.objects.filter(unit=unit).values_list("key", "total"))
    for key, total in totals.items():
        _add(ancestor_ids(old_path)[:-1], key, -total, direct=False)
        _add(ancestor_ids(new_parent.path), key, total, direct=False)
    depth_shift = new_parent.depth + 1 - unit.depth
    OrgUnit._base_manager.filter(subtree_q("path", old_path)).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1, Length("path"))),
        depth=F("depth") + depth_shift,
    )
    OrgUnit._base_manager.filter(pk=unit.pk).update(parent=new_parent, version=F("version") + 1)
    unit.refresh_from_db()
    audit_record(
        actor=actor,
        action="move",
        instance=unit,
        changes={"parent_id": [old_parent_id, new_parent.pk], "path": [old_path, new_path]},
    )
    return unit


def _add(unit_ids: list[int], key: str, delta: int, *, direct: bool) -> None:
    if not unit_ids or not delta:
        return
    UnitCounter.objects.bulk_create(
        [UnitCounter(unit_id=i, key=key) for i in unit_ids], ignore_conflicts=True
    )
    UnitCounter.objects.filter(unit_id__in=unit_ids, key=key).update(total=F("total") + delta)
    if direct:
        UnitCounter.objects.filter(unit_id=unit_ids[-1], key=key).update(direct=F("direct") + delta)


def unit_count_adjust(*, unit: OrgUnit, key: str, delta: int) -> None:
    """Add `delta` to `key` at `unit` and to the totals of all its ancestors (three queries,
    whatever the depth).

    The ancestors are read off `unit.path`: pass a unit loaded after any move."""
    _add(ancestor_ids(unit.path), key, delta, direct=True)


def unit_counts_adjust(*, deltas: dict[tuple[str, str], int]) -> None:
    """Apply many adjustments at once: {(unit_path, key): delta}. For batches (imports)."""
    per_unit: dict[tuple[int, str], list[int]] = {}
    for (path, key), delta in deltas.items():
        ids = ancestor_ids(path)
        for i in ids:
            per_unit.setdefault((i, key), [0, 0])[1] += delta
        per_unit[(ids[-1], key)][0] += delta
    if not per_unit:
        return
    table = UnitCounter._meta.db_table
    if connection.vendor == "postgresql":
        # (a counter whose changes cancel out is still created, as below)
        rows = sorted((i, k, d, t) for (i, k), (d, t) in per_unit.items())
        # One upsert per 10,000 counters, the columns as four arrays: moving 400,000
        # members between statuses in 100,000 units touches 300,000 counters (18 s as an
        # INSERT of the missing ones and an UPDATE per 500). Sorted, so two imports lock
        # counters in the same order.
        for start in range(0, len(rows), 10_000):
            part = rows[start : start + 10_000]
            with connection.cursor() as cur:
                cur.execute(
                    f"INSERT INTO {table} (unit_id, key, direct, total) "  # noqa: S608
                    "SELECT * FROM unnest(%s::bigint[], %s::text[], %s::bigint[], %s::bigint[]) "
                    "ON CONFLICT (unit_id, key) DO UPDATE SET "
                    f"direct = {table}.direct + EXCLUDED.direct, "
                    f"total = {table}.total + EXCLUDED.total",
                    [pg_array(column) for column in zip(*part, strict=True)],
                )
        return
    UnitCounter.objects.bulk_create(
        [UnitCounter(unit_id=i, key=k) for (i, k) in per_unit],
        ignore_conflicts=True,
        batch_size=1000,
    )
    rows = sorted((i, k, d, t) for (i, k), (d, t) in per_unit.items() if d or t)
    # One statement per 500 counters instead of one per counter: an import batch touches
    # every ancestor of every unit it fills.
    for start in range(0, len(rows), 500):
        part = rows[start : start + 500]
        values = ", ".join(["(%s, %s, %s, %s)"] * len(part))
        with connection.cursor() as cur:
            cur.execute(
                f"WITH v(unit_id, key, d, t) AS (VALUES {values}) "  # noqa: S608  no user text
                f"UPDATE {table} SET direct = direct + v.d, total = total + v.t "
                f"FROM v WHERE {table}.unit_id = v.unit_id AND {table}.key = v.key",
                [x for r in part for x in r],
            )


def unit_counts_rebuild(*, organisation_id: int, key: str, direct: dict[int, int]) -> None:
    """Rebuild `key` for every unit of one organisation from per-unit `direct` counts (a
    repair tool, and the reference the incremental counters are tested against). Other
    organisations' counters are not touched."""
    totals: dict[int, int] = {}
    paths = dict(
        OrgUnit._base_manager.filter(organisation_id=organisation_id).values_list("pk", "path")
    )
    for unit_id, n in direct.items():
        for i in ancestor_ids(paths[unit_id]):
            totals[i] = totals.get(i, 0) + n
    UnitCounter.objects.filter(key=key, unit__organisation_id=organisation_id).delete()
    UnitCounter.objects.bulk_create(
        [
            UnitCounter(unit_id=i, key=key, direct=direct.get(i, 0), total=t)
            for i, t in totals.items()
        ],
        batch_size=1000,
    )


def organisation_create(*, actor: Any, code: str, name: str, kind_names: list[str]) -> OrgUnit:
    """A new top organisation with its level kinds, each allowed under the previous one."""
    with transaction.atomic():
        org = unit_create(actor=actor, parent=None, kind=None, code=code, name=name)
        previous = None
        for order, kind_name in enumerate(kind_names):
            kind = object_create(
                actor=actor,
                instance=LevelKind(
                    organisation=org, name=kind_name, code=_slug(kind_name), order=order
                ),
            )
            if previous is not None:
                kind.parents.add(previous)
            else:
                OrgUnit._base_manager.filter(pk=org.pk).update(kind=kind)
                org.kind = kind
            previous = kind
        return org


def _slug(text: str) -> str:
    from django.utils.text import slugify

    return slugify(text)[:30] or "jenis"
