"""Evaluations (seed 001): a semester or quarter review of a unit's or a sector's organising
that pulls results against targets, records obstacles, good practices and case studies, and
hands out a follow-up plan (rencana tindak lanjut) of action items.

An evaluation's results are live until it is closed; closing freezes them (`results`), and
a closed evaluation is no longer edited — its action items still move, since the plan is
carried out after the meeting.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from himpun.core.scoping import minimal_paths, subtree_q
from himpun.core.services import audit_record, diff, jsonable, snapshot, version_check
from himpun.organizing.choices import OPEN_ACTIONS, ActionStatus, PeriodKind
from himpun.organizing.models import ActionItem, Evaluation
from himpun.structure.models import OrgUnit, Sector

#: Fields a person edits on an evaluation (the period bounds are derived from them).
EVALUATION_FIELDS = (
    "unit",
    "sector",
    "title",
    "period_kind",
    "year",
    "number",
    "held_on",
    "facilitator",
    "obstacles",
    "good_practices",
    "case_studies",
)
ACTION_FIELDS = ("unit", "evaluation", "title", "owner", "due_on", "status", "done_on", "note")


# --- periods ----------------------------------------------------------------------------------


def period_label(obj: Any) -> str:
    """ "Semester 1 2026", "Triwulan 3 2026" or "2026"."""
    if obj.period_kind == PeriodKind.YEAR:
        return str(obj.year)
    return f"{PeriodKind(obj.period_kind).label} {obj.number} {obj.year}"


def _bounds(period_kind: str, year: int, number: int) -> tuple[datetime.date, datetime.date]:
    from himpun.organizing.results import period_bounds

    return period_bounds(period_kind, int(year), int(number or 1))


def _check_sector(unit: OrgUnit, sector: Sector | None) -> None:
    if sector is not None and sector.organisation_id != (unit.organisation_id or unit.pk):
        raise ValidationError(
            {"sector": _("Sektor ini milik organisasi lain; pilih sektor organisasi unit ini.")}
        )


def _save(
    *,
    actor: Any,
    model: type,
    stored: Any,
    values: dict[str, Any],
    batch: uuid.UUID | None = None,
) -> Any:
    """Write `values` on the locked row `stored`, bump its version and audit the difference."""
    before = snapshot(stored)
    for name, value in values.items():
        setattr(stored, name, value)
    changes = diff(before, snapshot(stored))
    if not changes:
        return stored
    now = timezone.now()
    attnames = [stored._meta.get_field(k).attname for k in values]
    columns = {a: getattr(stored, a) for a in attnames}
    model._base_manager.filter(pk=stored.pk).update(
        **columns, version=F("version") + 1, updated_at=now
    )
    stored.version += 1
    stored.updated_at = now
    audit_record(actor=actor, action="update", instance=stored, changes=changes, batch=batch)
    return stored


# --- evaluations ------------------------------------------------------------------------------


@transaction.atomic
def evaluation_create(
    *,
    actor: Any,
    unit: OrgUnit,
    title: str,
    period_kind: str,
    year: int,
    number: int = 1,
    sector: Sector | None = None,
    held_on: datetime.date | None = None,
    facilitator: str = "",
    obstacles: str = "",
    good_practices: str = "",
    case_studies: str = "",
    batch: uuid.UUID | None = None,
) -> Evaluation:
    """A new, open evaluation of `unit` (or of `sector` across the unit's subtree)."""
    starts_on, ends_on = _bounds(period_kind, year, number)
    _check_sector(unit, sector)
    evaluation = Evaluation.objects.create(
        unit=unit,
        sector=sector,
        title=title,
        period_kind=period_kind,
        year=year,
        number=number,
        starts_on=starts_on,
        ends_on=ends_on,
        held_on=held_on,
        facilitator=facilitator,
        obstacles=obstacles,
        good_practices=good_practices,
        case_studies=case_studies,
    )
    audit_record(
        actor=actor, action="create", instance=evaluation, changes=snapshot(evaluation), batch=batch
    )
    return evaluation


def closed_message() -> str:
    return _(
        "Evaluasi ini sudah ditutup, jadi isinya tidak dapat diubah lagi. "
        "Rencana tindak lanjutnya tetap dapat diperbarui."
    )


@transaction.atomic
def evaluation_update(
    *,
    actor: Any,
    evaluation: Evaluation,
    expected_version: int,
    batch: uuid.UUID | None = None,
    **fields: Any,
) -> Evaluation:
    """Change an open evaluation (the period bounds follow the period); a closed one refuses."""
    unknown = set(fields) - set(EVALUATION_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    stored = Evaluation._base_manager.select_for_update().get(pk=evaluation.pk)
    if stored.closed_at is not None:
        raise ValidationError(closed_message())
    version_check(stored, expected_version)
    merged = {name: fields.get(name, getattr(stored, name)) for name in EVALUATION_FIELDS}
    starts_on, ends_on = _bounds(merged["period_kind"], merged["year"], merged["number"])
    _check_sector(merged["unit"], merged["sector"])
    return _save(
        actor=actor,
        model=Evaluation,
        stored=stored,
        values={**fields, "starts_on": starts_on, "ends_on": ends_on},
        batch=batch,
    )


def _sector_results(
    *,
    unit: OrgUnit,
    sector: Sector,
    starts_on: datetime.date,
    ends_on: datetime.date,
    today: datetime.date,
) -> list[Any]:
    """Results of the sector's units inside `unit`'s subtree, summed (reported as `unit`'s).

    Results are those of the topmost sector units (a sector unit inside another already
    counts in its parent's subtree). The target is the sum of the targets of the topmost
    sector units that have one (a federation of the sector without a target of its own
    leaves its branches' targets to count). Sums are exact for additive indicators (new
    members, active members, units formed, contacts moved forward, manual counts). Ratios
    (density, dues rate) cannot be summed from the units' percentages, so they are left
    empty here: the unit pages show them.
    """
    from himpun.organizing.results import (
        ADDITIVE,
        FLOWS,
        Result,
        effective_targets,
        judge,
        organisation_indicators,
        results_for,
    )

    units = sorted(
        OrgUnit.objects.filter(
            subtree_q("path", unit.path), sector=sector, archived_at__isnull=True
        ).only("pk", "path", "parent_id", "created_at"),
        key=lambda u: u.path,
    )
    roots = set(minimal_paths([u.path for u in units]))
    top = [u for u in units if u.path in roots]
    indicators = organisation_indicators(unit)
    additive = [i for i in indicators if i.source in ADDITIVE]
    table = results_for(
        units=top, indicators=additive, starts_on=starts_on, ends_on=ends_on, today=today
    )
    out = []
    for ind in indicators:
        target = result = None
        if ind.source in ADDITIVE and units:
            result = sum((table[(u.pk, ind.pk)].result or Decimal(0) for u in top), Decimal(0))
            targets = effective_targets(
                units=units, indicator=ind, starts_on=starts_on, ends_on=ends_on
            )
            # Sorted by path, a subtree is contiguous: a unit lies inside a counted one
            # exactly when it lies inside the last one counted.
            last = None
            for u in units:
                value = targets[u.pk][0]
                if value is None or (last is not None and u.path.startswith(last)):
                    continue
                last = u.path
                target = (target or Decimal(0)) + value
        elif ind.source in ADDITIVE:
            result = Decimal(0)
        status, expected, forecast = judge(
            flow=ind.source in FLOWS,
            target=target,
            result=result,
            starts_on=starts_on,
            ends_on=ends_on,
            today=today,
        )
        out.append(
            Result(
                unit=unit,
                indicator=ind,
                target=target,
                result=result,
                expected=expected,
                forecast=forecast,
                status=status,
                target_mode="sektor" if target is not None else None,
            )
        )
    return out


def evaluation_live_results(
    evaluation: Evaluation, today: datetime.date | None = None
) -> list[dict[str, Any]]:
    """Results against targets for the evaluation's period, computed now (JSON-able)."""
    from himpun.organizing.results import unit_results

    today = today or timezone.localdate()
    if evaluation.sector_id:
        rows = _sector_results(
            unit=evaluation.unit,
            sector=evaluation.sector,
            starts_on=evaluation.starts_on,
            ends_on=evaluation.ends_on,
            today=today,
        )
    else:
        rows = unit_results(
            unit=evaluation.unit,
            starts_on=evaluation.starts_on,
            ends_on=evaluation.ends_on,
            today=today,
        )
    return [r.as_json() for r in rows]


def evaluation_results(evaluation: Evaluation) -> list[dict[str, Any]]:
    """The frozen results of a closed evaluation, else the live ones."""
    if evaluation.closed_at is not None:
        return list(evaluation.results or [])
    return evaluation_live_results(evaluation)


@transaction.atomic
def evaluation_close(
    *, actor: Any, evaluation: Evaluation, today: datetime.date | None = None
) -> Evaluation:
    """Freeze the results against targets and close the evaluation to edits."""
    stored = Evaluation._base_manager.select_for_update().get(pk=evaluation.pk)
    if stored.closed_at is not None:
        raise ValidationError(_("Evaluasi ini sudah ditutup."))
    results = evaluation_live_results(stored, today=today)
    now = timezone.now()
    Evaluation._base_manager.filter(pk=stored.pk).update(
        results=results, closed_at=now, version=F("version") + 1, updated_at=now
    )
    stored.results, stored.closed_at = results, now
    stored.version += 1
    audit_record(
        actor=actor,
        action="update",
        instance=stored,
        changes={"closed_at": [None, jsonable(now)]},
    )
    return stored


# --- action items (the follow-up plan) --------------------------------------------------------


def _check_action(unit: OrgUnit, evaluation: Evaluation | None) -> None:
    if evaluation is not None and not unit.path.startswith(evaluation.unit.path):
        raise ValidationError(
            {
                "unit": _("Unit pelaksana harus %(unit)s atau unit di bawahnya.")
                % {"unit": evaluation.unit}
            }
        )


def _done_on(status: str, done_on: datetime.date | None) -> datetime.date | None:
    if status == ActionStatus.DONE:
        return done_on or timezone.localdate()
    return None


@transaction.atomic
def action_item_create(
    *,
    actor: Any,
    title: str,
    owner: str,
    due_on: datetime.date,
    unit: OrgUnit | None = None,
    evaluation: Evaluation | None = None,
    status: str = ActionStatus.PLANNED,
    done_on: datetime.date | None = None,
    note: str = "",
    batch: uuid.UUID | None = None,
) -> ActionItem:
    """One line of a follow-up plan; with an evaluation, the unit defaults to its unit."""
    if unit is None:
        if evaluation is None:
            raise ValidationError({"unit": _("Pilih unit pelaksana.")})
        unit = evaluation.unit
    _check_action(unit, evaluation)
    item = ActionItem.objects.create(
        unit=unit,
        evaluation=evaluation,
        title=title,
        owner=owner,
        due_on=due_on,
        status=status,
        done_on=_done_on(status, done_on),
        note=note,
    )
    audit_record(actor=actor, action="create", instance=item, changes=snapshot(item), batch=batch)
    return item


@transaction.atomic
def action_item_update(
    *,
    actor: Any,
    item: ActionItem,
    expected_version: int,
    batch: uuid.UUID | None = None,
    **fields: Any,
) -> ActionItem:
    """Change an action item (also of a closed evaluation: the plan goes on after it)."""
    unknown = set(fields) - set(ACTION_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    stored = ActionItem._base_manager.select_for_update().get(pk=item.pk)
    version_check(stored, expected_version)
    merged = {name: fields.get(name, getattr(stored, name)) for name in ACTION_FIELDS}
    _check_action(merged["unit"], merged["evaluation"])
    fields["done_on"] = _done_on(merged["status"], merged["done_on"])
    return _save(actor=actor, model=ActionItem, stored=stored, values=fields, batch=batch)


@transaction.atomic
def action_item_status(
    *,
    actor: Any,
    item: ActionItem,
    status: str,
    on: datetime.date | None = None,
) -> ActionItem:
    """Move an action item: done records the day it was done; leaving done forgets it."""
    if status not in ActionStatus.values:
        raise ValidationError({"status": _("Status tidak dikenal.")})
    stored = ActionItem._base_manager.select_for_update().get(pk=item.pk)
    if stored.status == status:
        return stored
    return _save(
        actor=actor,
        model=ActionItem,
        stored=stored,
        values={"status": status, "done_on": _done_on(status, on)},
    )


def open_actions(unit: OrgUnit, qs: QuerySet | None = None) -> QuerySet:
    """Planned and ongoing action items of the unit's subtree, the earliest due (so the
    overdue ones) first."""
    qs = ActionItem.objects.all() if qs is None else qs
    return qs.filter(
        subtree_q("unit__path", unit.path), status__in=OPEN_ACTIONS, archived_at__isnull=True
    ).order_by("due_on", "id")


def overdue_actions(
    unit: OrgUnit, today: datetime.date | None = None, qs: QuerySet | None = None
) -> QuerySet:
    """Open action items of the unit's subtree whose due date has passed (due today is not
    overdue yet)."""
    today = today or timezone.localdate()
    return open_actions(unit, qs).filter(due_on__lt=today)


def is_overdue(item: ActionItem, today: datetime.date | None = None) -> bool:
    return item.status in OPEN_ACTIONS and item.due_on < (today or timezone.localdate())


# --- display ----------------------------------------------------------------------------------


def number(value: str | None) -> str:
    """ "651.00" → "651", "12.50" → "12,5" (Indonesian separators); None → "—"."""
    if value in (None, ""):
        return "—"
    d = Decimal(value)
    places = 0 if d == d.to_integral_value() else 1
    return number_format(d, decimal_pos=places, force_grouping=True)


def display_rows(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Result dicts (live or frozen) with formatted numbers and a bar width for the page."""
    from himpun.organizing.results import status_label

    out = []
    for r in results:
        percent = Decimal(r["percent"]) if r.get("percent") not in (None, "") else None
        suffix = " %" if r.get("percent_unit") else ""
        out.append(
            {
                **r,
                # the label in today's language, not the closer's
                "status_label": status_label(r["status"]),
                "target_text": number(r.get("target")) + (suffix if r.get("target") else ""),
                "result_text": number(r.get("result")) + (suffix if r.get("result") else ""),
                "expected_text": number(r.get("expected")),
                "forecast_text": number(r.get("forecast")),
                "percent_text": number(r.get("percent")),
                "bar": 0 if percent is None else max(0, min(100, int(percent))),
            }
        )
    return out
