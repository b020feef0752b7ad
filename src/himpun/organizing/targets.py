"""Writing targets and manual results (Janji Kinerja): one target per unit, indicator and
period, never two whose periods overlap; a coordinator's form that sets the targets of every
unit directly below at once; results typed in for the indicators Himpun cannot compute.

Reading results against targets is in `results.py`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from himpun.core.querysets import may
from himpun.core.services import audit_record, diff, snapshot, version_check
from himpun.organizing.choices import PeriodKind, Source, TargetMode
from himpun.organizing.models import Indicator, ManualResult, Target
from himpun.organizing.results import HUNDRED, is_percent, period_bounds
from himpun.structure.models import OrgUnit

#: Fields a target's writer sets (the period's first and last day are derived from them).
TARGET_FIELDS = (
    "unit",
    "indicator",
    "period_kind",
    "year",
    "number",
    "starts_on",
    "ends_on",
    "mode",
    "value",
    "note",
)


def _organisation_id(unit: OrgUnit) -> int:
    return unit.organisation_id or unit.pk


def _check(*, actor: Any, target: Target, stored: Target | None) -> dict[str, list[str]]:
    """Every reason to refuse `target` (empty when it may be saved). Sets the derived fields."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, text: str) -> None:
        errors.setdefault(field, []).append(text)

    unit, indicator = target.unit, target.indicator
    action = "add" if stored is None else "change"
    if not may(actor, Target, action, unit.path) or (
        stored is not None and not may(actor, Target, "change", stored.unit.path)
    ):
        refuse("unit", _("Anda tidak berhak menetapkan target untuk %(unit)s.") % {"unit": unit})
    if indicator.organisation_id != _organisation_id(unit):
        refuse(
            "indicator",
            _("Indikator %(ind)s milik organisasi lain.") % {"ind": indicator.name},
        )
    if target.period_kind == PeriodKind.YEAR and not target.number:
        target.number = 1
    try:
        target.starts_on, target.ends_on = period_bounds(
            target.period_kind, target.year or 0, target.number or 0
        )
    except ValidationError as exc:
        for field, texts in exc.message_dict.items():
            errors.setdefault(field, []).extend(texts)
    if target.mode == TargetMode.SUM:
        # The sum is read from the children's targets, never stored.
        target.value = None
    elif target.mode == TargetMode.OWN:
        if target.value is None:
            refuse("value", _("Isi angka target, atau pilih jumlah target unit di bawahnya."))
        elif target.value < 0:
            refuse("value", _("Target tidak boleh negatif."))
        elif is_percent(indicator) and target.value > HUNDRED:
            refuse("value", _("Target indikator persen paling besar 100."))
    else:
        refuse("mode", _("Cara menetapkan target tidak dikenal."))
    if "period_kind" not in errors and "number" not in errors and "year" not in errors:
        clash = (
            Target.objects.filter(
                unit_id=unit.pk,
                indicator_id=indicator.pk,
                starts_on__lte=target.ends_on,
                ends_on__gte=target.starts_on,
            )
            .exclude(pk=target.pk)
            .first()
        )
        if clash is not None:
            refuse(
                "period_kind",
                _(
                    "Periode ini bertumpang tindih dengan target %(period)s yang sudah ada "
                    "untuk %(unit)s (%(ind)s). Ubah target itu, atau hapus dulu."
                )
                % {"period": clash.period_label, "unit": unit.name, "ind": indicator.name},
            )
    return errors


@transaction.atomic
def target_save(*, actor: Any, target: Target, expected_version: int | None = None) -> Target:
    """Create or change one target. Refused with field messages, nothing written: a unit the
    actor may not set targets at, an indicator of another organisation, no value for an own
    target, a negative value, more than 100 for a percent, or a period overlapping another
    target of the same unit and indicator (a year and a semester of that year overlap)."""
    # Targets of one unit are written one at a time, so two overlapping ones cannot both
    # pass the check.
    OrgUnit._base_manager.select_for_update().filter(pk=target.unit_id).first()
    stored = None
    if target.pk is not None:
        stored = Target._base_manager.select_for_update().select_related("unit").get(pk=target.pk)
        if expected_version is not None:
            version_check(stored, expected_version)
    errors = _check(actor=actor, target=target, stored=stored)
    if errors:
        raise ValidationError(errors)
    if stored is None:
        target.save()
        audit_record(actor=actor, action="create", instance=target, changes=snapshot(target))
        return target
    changes = diff(snapshot(stored), snapshot(target))
    target.version = stored.version + 1
    target.updated_at = timezone.now()
    target.save(update_fields=[*TARGET_FIELDS, "version", "updated_at"])
    if changes:
        audit_record(actor=actor, action="update", instance=target, changes=changes)
    return target


def period_targets(
    *, units: list[OrgUnit], indicator: Indicator, starts_on: datetime.date, ends_on: datetime.date
) -> dict[int, Target]:
    """The target of exactly this period of each unit that has one (one query)."""
    return {
        t.unit_id: t
        for t in Target.objects.filter(
            unit__in=units, indicator=indicator, starts_on=starts_on, ends_on=ends_on
        )
    }


@transaction.atomic
def targets_set_children(
    *,
    actor: Any,
    unit: OrgUnit,
    indicator: Indicator,
    period_kind: str,
    year: int,
    number: int,
    values: dict[int, Decimal | None],
    parent_mode: str,
    parent_value: Decimal | None = None,
) -> list[Target]:
    """The coordinator's form (seed 004): the targets of the units directly below `unit`
    typed in one go, and `unit`'s own target the sum of theirs (`parent_mode` "jumlah") or
    its own (`parent_value`; left as it is when None).

    A blank value (None) leaves that unit's target as it is: the form shows the current
    values, a unit whose own target is the sum of its children's shows none, and a target is
    removed from the list of targets, not by emptying a box. All or nothing: any refusal
    raises one ValidationError keyed "unit_<id>" (or "parent") and writes nothing.
    Returns the targets written."""
    children = {
        c.pk: c
        for c in OrgUnit.objects.restrict(actor).filter(parent=unit, archived_at__isnull=True)
    }
    errors: dict[str, list[str]] = {}
    unknown = [pk for pk in values if pk not in children]
    if unknown:
        errors["__all__"] = [_("Unit yang dipilih bukan unit langsung di bawah %s.") % unit]
    try:
        starts_on, ends_on = period_bounds(period_kind, year, number)
    except ValidationError as exc:
        raise ValidationError({"__all__": exc.messages}) from exc
    existing = period_targets(
        units=[unit, *children.values()], indicator=indicator, starts_on=starts_on, ends_on=ends_on
    )
    written: list[Target] = []

    def save(key: str, target: Target) -> None:
        try:
            written.append(target_save(actor=actor, target=target))
        except ValidationError as exc:
            errors.setdefault(key, []).extend(exc.messages)

    for pk, value in values.items():
        if pk not in children or value is None:
            continue
        target = existing.get(pk)
        if target is not None and target.mode == TargetMode.OWN and target.value == value:
            continue  # unchanged: no write, no audit entry
        if target is None:
            target = Target(
                unit=children[pk],
                indicator=indicator,
                period_kind=period_kind,
                year=year,
                number=number,
            )
        target.mode, target.value = TargetMode.OWN, value
        save(f"unit_{pk}", target)
    mine = existing.get(unit.pk)
    if parent_mode == TargetMode.SUM:
        if mine is None or mine.mode != TargetMode.SUM:
            mine = mine or Target(
                unit=unit, indicator=indicator, period_kind=period_kind, year=year, number=number
            )
            mine.mode, mine.value = TargetMode.SUM, None
            save("parent", mine)
    elif parent_mode == TargetMode.OWN:
        if parent_value is not None and (
            mine is None or mine.mode != TargetMode.OWN or mine.value != parent_value
        ):
            mine = mine or Target(
                unit=unit, indicator=indicator, period_kind=period_kind, year=year, number=number
            )
            mine.mode, mine.value = TargetMode.OWN, parent_value
            save("parent", mine)
        elif parent_value is None and mine is not None and mine.mode == TargetMode.SUM:
            errors.setdefault("parent", []).append(
                _("Isi target sendiri untuk %(unit)s, atau biarkan sebagai jumlah.")
                % {"unit": unit.name}
            )
    else:
        errors.setdefault("parent", []).append(_("Cara menetapkan target tidak dikenal."))
    if errors:
        raise ValidationError(errors)
    return written


@transaction.atomic
def manual_result_record(
    *,
    actor: Any,
    unit: OrgUnit,
    indicator: Indicator,
    on: datetime.date,
    value: Decimal,
    note: str = "",
) -> ManualResult:
    """A result typed in for a manual indicator, with who typed it."""
    errors: dict[str, list[str]] = {}
    if not may(actor, ManualResult, "add", unit.path):
        errors["unit"] = [_("Anda tidak berhak mencatat hasil untuk %(unit)s.") % {"unit": unit}]
    if indicator.source != Source.MANUAL:
        errors["indicator"] = [
            _("Hasil %(ind)s dihitung otomatis dari data; tidak dapat diisi manual.")
            % {"ind": indicator.name}
        ]
    elif indicator.organisation_id != _organisation_id(unit):
        errors["indicator"] = [
            _("Indikator %(ind)s milik organisasi lain.") % {"ind": indicator.name}
        ]
    if value is None or value < 0:
        errors["value"] = [_("Hasil tidak boleh kosong atau negatif.")]
    if on > timezone.localdate():
        errors["on"] = [_("Tanggal tidak boleh di masa depan.")]
    if errors:
        raise ValidationError(errors)
    result = ManualResult(
        unit=unit,
        indicator=indicator,
        on=on,
        value=value,
        note=note,
        entered_by=actor if getattr(actor, "pk", None) else None,
    )
    result.save()
    audit_record(actor=actor, action="create", instance=result, changes=snapshot(result))
    return result


@transaction.atomic
def indicator_update(*, actor: Any, indicator: Indicator, expected_version: int) -> Indicator:
    """Change an indicator; its source stays once targets use it (the targets were set for
    what it measured: a new measure is a new indicator)."""
    from himpun.core.services import object_update

    stored = Indicator._base_manager.get(pk=indicator.pk)
    if stored.source != indicator.source and Target.objects.filter(indicator=stored).exists():
        raise ValidationError(
            {
                "source": _(
                    "Sumber hasil tidak dapat diubah karena indikator ini sudah dipakai target. "
                    "Buat indikator baru untuk ukuran yang lain."
                )
            }
        )
    return object_update(actor=actor, instance=indicator, expected_version=expected_version)
