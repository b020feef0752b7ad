"""Results against targets (Janji Kinerja), rolled up the tree.

Every unit shares the organisation's indicators and has its own targets. A unit's result
includes its whole subtree; its target is its own or the sum of its children's. Computed
results are read from the unit counters kept up the tree (new members, contacts moved forward,
dues paid) or from small tables (units formed, workplaces), never by scanning members — except
density, which counts active members per workplace with one aggregate (see docs/performance.md).
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from himpun.core.scoping import subtree_q
from himpun.dues.services import PAID_KEY
from himpun.members.choices import Status
from himpun.members.models import Member
from himpun.members.services import join_key
from himpun.organizing.choices import SEED_INDICATORS, PeriodKind, Source, TargetMode
from himpun.organizing.contacts import forward_key
from himpun.organizing.models import Indicator, ManualResult, Target
from himpun.structure.models import OrgUnit, UnitCounter, Workplace
from himpun.structure.services import MEMBERS

#: Results that accumulate over the period (pro-rated to judge "on track"); the others are
#: levels (a count or a rate at the time of reading).
FLOWS = {Source.JOINS, Source.UNITS, Source.CONTACTS, Source.MANUAL}
#: Results whose parent value is the sum of its children's; the others are ratios.
ADDITIVE = FLOWS | {Source.ACTIVE}

HUNDRED = Decimal(100)
ONE_PLACE = Decimal("0.1")


class Progress:
    """How a result stands against its target."""

    REACHED = "tercapai"
    ON_TRACK = "sesuai"
    BEHIND = "tertinggal"
    NOT_STARTED = "belum_mulai"
    NO_TARGET = "tanpa_target"


def status_label(code: str) -> str:
    return {
        Progress.REACHED: _("Tercapai"),
        Progress.ON_TRACK: _("Sesuai jalur"),
        Progress.BEHIND: _("Tertinggal"),
        Progress.NOT_STARTED: _("Belum mulai"),
        Progress.NO_TARGET: _("Tanpa target"),
    }[code]


# --- periods ----------------------------------------------------------------------------------


def period_bounds(kind: str, year: int, number: int = 1) -> tuple[datetime.date, datetime.date]:
    """First and last day of a year, semester (1–2) or quarter (1–4)."""
    months = {PeriodKind.YEAR: 12, PeriodKind.SEMESTER: 6, PeriodKind.QUARTER: 3}.get(kind)
    if months is None:
        raise ValidationError({"period_kind": _("Jenis periode tidak dikenal.")})
    count = 12 // months
    if not 1 <= number <= count:
        raise ValidationError(
            {
                "number": _("Periode ke-%(n)s tidak ada; pilih 1 sampai %(max)s.")
                % {"n": number, "max": count}
            }
        )
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Tahun di luar jangkauan.")})
    first = (number - 1) * months + 1
    last = first + months - 1
    return (
        datetime.date(year, first, 1),
        datetime.date(year, last, calendar.monthrange(year, last)[1]),
    )


def month_starts(starts_on: datetime.date, ends_on: datetime.date) -> list[datetime.date]:
    """The first day of every month the period touches (results are counted by whole months)."""
    out, month = [], starts_on.replace(day=1)
    while month <= ends_on:
        out.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return out


def elapsed_fraction(
    starts_on: datetime.date, ends_on: datetime.date, today: datetime.date
) -> Decimal:
    days = (ends_on - starts_on).days + 1
    done = min(max((today - starts_on).days + 1, 0), days)
    return Decimal(done) / Decimal(days)


# --- indicators -------------------------------------------------------------------------------


def indicators_ensure(organisation: OrgUnit) -> None:
    """The seeded indicators, for an organisation that has none yet."""
    if Indicator.objects.filter(organisation=organisation).exists():
        return
    # Two first visits at once: the second one's rows collide on the code and are skipped.
    Indicator.objects.bulk_create(
        (
            Indicator(organisation=organisation, code=code, name=name, source=source, order=i)
            for i, (code, name, source) in enumerate(SEED_INDICATORS)
        ),
        ignore_conflicts=True,
    )


def is_percent(indicator: Indicator) -> bool:
    return indicator.source in (Source.DENSITY, Source.DUES_RATE)


# --- results ----------------------------------------------------------------------------------


@dataclass
class Result:
    unit: OrgUnit
    indicator: Indicator
    target: Decimal | None
    result: Decimal | None
    expected: Decimal | None
    forecast: Decimal | None
    status: str
    #: How the target was set: own, the sum of the children's, or None (no target).
    target_mode: str | None = None

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def percent(self) -> Decimal | None:
        if self.target in (None, 0) or self.result is None:
            return None
        return (self.result * HUNDRED / self.target).quantize(ONE_PLACE, ROUND_HALF_UP)

    def as_json(self) -> dict[str, Any]:
        def s(x: Decimal | None) -> str | None:
            return None if x is None else str(x)

        return {
            "indicator": self.indicator.name,
            "indicator_code": self.indicator.code,
            "percent_unit": is_percent(self.indicator),
            "unit": self.unit.name,
            "unit_code": self.unit.code,
            "target": s(self.target),
            "target_mode": self.target_mode,
            "result": s(self.result),
            "expected": s(self.expected),
            "forecast": s(self.forecast),
            "percent": s(self.percent),
            "status": self.status,
            "status_label": self.status_label,
        }


def _counter_sums(units: list[OrgUnit], keys: list[str]) -> dict[int, int]:
    """Per unit, the sum of the subtree totals of `keys`: one query."""
    out: dict[int, int] = dict.fromkeys((u.pk for u in units), 0)
    rows = (
        UnitCounter.objects.filter(unit_id__in=out, key__in=keys)
        .values("unit_id")
        .annotate(s=Sum("total"))
    )
    for r in rows:
        out[r["unit_id"]] = r["s"] or 0
    return out


def _bucket(units: list[OrgUnit], pairs: Iterable[tuple[str, Decimal | int]]) -> dict[int, Decimal]:
    """Add each (path, value) to every unit of `units` whose subtree holds that path."""
    out = {u.pk: Decimal(0) for u in units}
    by_path = sorted(((u.path, u.pk) for u in units), key=lambda x: len(x[0]))
    for path, value in pairs:
        for prefix, pk in by_path:
            if path.startswith(prefix):
                out[pk] += Decimal(value)
    return out


def _roots(units: list[OrgUnit]) -> list[OrgUnit]:
    """The units of `units` not inside another one (usually the one parent)."""
    ordered = sorted(units, key=lambda u: len(u.path))
    roots: list[OrgUnit] = []
    for u in ordered:
        if not any(u.path.startswith(r.path) for r in roots):
            roots.append(u)
    return roots


def _subtrees(units: list[OrgUnit], field: str) -> Any:
    from functools import reduce
    from operator import or_

    return reduce(or_, (subtree_q(field, r.path) for r in _roots(units)))


def computed_results(
    *,
    units: list[OrgUnit],
    indicator: Indicator,
    starts_on: datetime.date,
    ends_on: datetime.date,
    today: datetime.date | None = None,
) -> dict[int, Decimal | None]:
    """The result of `indicator` for each unit (its whole subtree) in the period (a rate
    over the months up to `today` when given)."""
    months = month_starts(starts_on, ends_on)
    source = indicator.source
    if source == Source.JOINS:
        sums = _counter_sums(units, [join_key(m) for m in months])
        return {k: Decimal(v) for k, v in sums.items()}
    if source == Source.CONTACTS:
        sums = _counter_sums(units, [forward_key(m) for m in months])
        return {k: Decimal(v) for k, v in sums.items()}
    if source == Source.ACTIVE:
        sums = _counter_sums(units, [MEMBERS])
        return {k: Decimal(v) for k, v in sums.items()}
    if source == Source.DUES_RATE:
        # A rate of the months gone by: in March, 12 months of dues are not yet owed.
        if today is not None:
            months = [m for m in months if m <= today]
        if not months:
            return dict.fromkeys((u.pk for u in units), None)
        paid = _counter_sums(units, [PAID_KEY.format(m) for m in months])
        members = _counter_sums(units, [MEMBERS])
        return {
            u.pk: (
                (Decimal(paid[u.pk]) * HUNDRED / (members[u.pk] * len(months))).quantize(
                    ONE_PLACE, ROUND_HALF_UP
                )
                if members[u.pk]
                else None
            )
            for u in units
        }
    if source == Source.UNITS:
        start = timezone.make_aware(datetime.datetime.combine(starts_on, datetime.time.min))
        end = timezone.make_aware(datetime.datetime.combine(ends_on, datetime.time.max))
        formed = OrgUnit._base_manager.filter(
            _subtrees(units, "path"), created_at__range=(start, end)
        ).values_list("path", flat=True)
        # A unit does not count itself as formed under itself.
        out = _bucket(units, ((p, 1) for p in formed))
        for u in units:
            if starts_on <= timezone.localdate(u.created_at) <= ends_on:
                out[u.pk] -= 1
        return dict(out)
    if source == Source.MANUAL:
        rows = (
            ManualResult.objects.filter(
                _subtrees(units, "unit__path"), indicator=indicator, on__range=(starts_on, ends_on)
            )
            .values("unit__path")
            .annotate(s=Sum("value"))
            .values_list("unit__path", "s")
        )
        return dict(_bucket(units, rows))
    if source == Source.DENSITY:
        places = list(
            Workplace.objects.filter(
                _subtrees(units, "unit__path"), archived_at__isnull=True, headcount__gt=0
            ).values_list("pk", "unit__path", "headcount")
        )
        heads = _bucket(units, ((p, h) for _pk, p, h in places))
        path_of = {pk: p for pk, p, _h in places}
        counted = (
            Member.objects.filter(
                workplace_id__in=path_of, status=Status.ACTIVE, archived_at__isnull=True
            )
            .values("workplace_id")
            .annotate(n=Count("id"))
            .values_list("workplace_id", "n")
        )
        members = _bucket(units, ((path_of[w], n) for w, n in counted))
        return {
            u.pk: (
                (members[u.pk] * HUNDRED / heads[u.pk]).quantize(ONE_PLACE, ROUND_HALF_UP)
                if heads[u.pk]
                else None
            )
            for u in units
        }
    raise ValueError(source)


def effective_targets(
    *,
    units: list[OrgUnit],
    indicator: Indicator,
    starts_on: datetime.date,
    ends_on: datetime.date,
) -> dict[int, tuple[Decimal | None, str | None]]:
    """Each unit's target for exactly this period: its own, or (mode "sum") the sum of the
    effective targets of the units directly below it that have one. One query."""
    targets = list(
        Target.objects.filter(
            _subtrees(units, "unit__path"),
            indicator=indicator,
            starts_on=starts_on,
            ends_on=ends_on,
            # An archived unit's target no longer counts in its parent's sum.
            unit__archived_at__isnull=True,
        ).values_list("unit_id", "unit__path", "unit__parent_id", "mode", "value")
    )
    by_unit = {t[0]: t for t in targets}
    children: dict[int, list[int]] = defaultdict(list)
    for unit_id, _path, parent_id, _mode, _value in targets:
        children[parent_id].append(unit_id)
    memo: dict[int, Decimal | None] = {}

    def value(unit_id: int) -> Decimal | None:
        if unit_id in memo:
            return memo[unit_id]
        _id, _path, _parent, mode, own = by_unit[unit_id]
        if mode == TargetMode.SUM:
            parts = [v for c in children.get(unit_id, []) if (v := value(c)) is not None]
            memo[unit_id] = sum(parts, Decimal(0)) if parts else None
        else:
            memo[unit_id] = own
        return memo[unit_id]

    out: dict[int, tuple[Decimal | None, str | None]] = {}
    for u in units:
        if u.pk in by_unit:
            out[u.pk] = (value(u.pk), by_unit[u.pk][3])
        else:
            out[u.pk] = (None, None)
    return out


def judge(
    *,
    flow: bool,
    target: Decimal | None,
    result: Decimal | None,
    starts_on: datetime.date,
    ends_on: datetime.date,
    today: datetime.date,
) -> tuple[str, Decimal | None, Decimal | None]:
    """Status, expected-by-today and forecast for one result (of an indicator, or a
    campaign's goal). Flows are pro-rated over the period (linear: a target of 651 in a year
    expects 325.5 by the end of June); levels are compared with the target as they stand."""
    fraction = elapsed_fraction(starts_on, ends_on, today)
    forecast = None
    if flow and result is not None and fraction > 0:
        forecast = (result / fraction).quantize(ONE_PLACE, ROUND_HALF_UP)
    if target is None:
        return Progress.NO_TARGET, None, forecast
    expected = (target * fraction).quantize(ONE_PLACE, ROUND_HALF_UP) if flow else target
    if result is not None and result >= target:
        return Progress.REACHED, expected, forecast
    if today < starts_on:
        return Progress.NOT_STARTED, expected, forecast
    if flow and result is not None and result >= expected:
        return Progress.ON_TRACK, expected, forecast
    return Progress.BEHIND, expected, forecast


def results_for(
    *,
    units: list[OrgUnit],
    indicators: list[Indicator],
    starts_on: datetime.date,
    ends_on: datetime.date,
    today: datetime.date | None = None,
) -> dict[tuple[int, int], Result]:
    """Result per (unit, indicator): a few queries per indicator, whatever the number of
    units or members."""
    today = today or timezone.localdate()
    out: dict[tuple[int, int], Result] = {}
    if not units:
        return out
    for ind in indicators:
        results = computed_results(
            units=units, indicator=ind, starts_on=starts_on, ends_on=ends_on, today=today
        )
        targets = effective_targets(
            units=units, indicator=ind, starts_on=starts_on, ends_on=ends_on
        )
        for u in units:
            target, mode = targets[u.pk]
            result = results[u.pk]
            status, expected, forecast = judge(
                flow=ind.source in FLOWS,
                target=target,
                result=result,
                starts_on=starts_on,
                ends_on=ends_on,
                today=today,
            )
            out[(u.pk, ind.pk)] = Result(
                unit=u,
                indicator=ind,
                target=target,
                result=result,
                expected=expected,
                forecast=forecast,
                status=status,
                target_mode=mode,
            )
    return out


def organisation_indicators(unit: OrgUnit) -> list[Indicator]:
    organisation = OrgUnit._base_manager.get(pk=unit.organisation_id or unit.pk)
    indicators_ensure(organisation)
    return list(
        Indicator.objects.filter(organisation=organisation, archived_at__isnull=True).order_by(
            "order", "name"
        )
    )


def unit_results(
    *,
    unit: OrgUnit,
    starts_on: datetime.date,
    ends_on: datetime.date,
    today: datetime.date | None = None,
) -> list[Result]:
    """One result per indicator of the unit's organisation, rolled up over its subtree."""
    indicators = organisation_indicators(unit)
    table = results_for(
        units=[unit], indicators=indicators, starts_on=starts_on, ends_on=ends_on, today=today
    )
    return [table[(unit.pk, i.pk)] for i in indicators]


def children_results(
    *,
    user: Any,
    unit: OrgUnit,
    indicator: Indicator,
    starts_on: datetime.date,
    ends_on: datetime.date,
    today: datetime.date | None = None,
) -> tuple[Result, list[Result]]:
    """The unit's result and those of the units directly below it that `user` may see."""
    children = list(
        OrgUnit.objects.restrict(user)
        .filter(parent=unit, archived_at__isnull=True)
        .order_by("name")
    )
    table = results_for(
        units=[unit, *children],
        indicators=[indicator],
        starts_on=starts_on,
        ends_on=ends_on,
        today=today,
    )
    return table[(unit.pk, indicator.pk)], [table[(c.pk, indicator.pk)] for c in children]


def monthly_progress(
    *,
    units: list[OrgUnit],
    indicator: Indicator,
    starts_on: datetime.date,
    ends_on: datetime.date,
    today: datetime.date | None = None,
) -> tuple[list[datetime.date], dict[int, list[Decimal | None]]] | None:
    """Cumulative result per month for flows (None for months still to come), per unit;
    None for levels, which Himpun does not keep month by month."""
    if indicator.source not in FLOWS:
        return None
    today = today or timezone.localdate()
    months = month_starts(starts_on, ends_on)
    series: dict[int, list[Decimal | None]] = {u.pk: [] for u in units}
    running = {u.pk: Decimal(0) for u in units}
    per_month: list[dict[int, Decimal | None]] = []
    if indicator.source in (Source.JOINS, Source.CONTACTS):
        key = join_key if indicator.source == Source.JOINS else forward_key
        keys = {key(m): m for m in months}
        values: dict[tuple[int, datetime.date], int] = {}
        for unit_id, k, total in UnitCounter.objects.filter(
            unit_id__in=running, key__in=keys
        ).values_list("unit_id", "key", "total"):
            values[(unit_id, keys[k])] = total
        per_month = [{u.pk: Decimal(values.get((u.pk, m), 0)) for u in units} for m in months]
    else:
        for m in months:
            last = min(
                (m + datetime.timedelta(days=32)).replace(day=1),
                ends_on + datetime.timedelta(days=1),
            )
            per_month.append(
                computed_results(
                    units=units,
                    indicator=indicator,
                    starts_on=max(m, starts_on),
                    ends_on=last - datetime.timedelta(days=1),
                )
            )
    for m, values_m in zip(months, per_month, strict=True):
        for u in units:
            if m > today:
                series[u.pk].append(None)
                continue
            running[u.pk] += values_m[u.pk] or 0
            series[u.pk].append(running[u.pk])
    return months, series
