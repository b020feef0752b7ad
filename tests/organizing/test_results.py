"""Results against targets: periods, roll-up over hypothesis-generated trees, targets that
are the sum of the children's, and the on-track judgement."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from himpun.members.services import join_key
from himpun.organizing.choices import PeriodKind, Source, TargetMode
from himpun.organizing.models import Indicator, ManualResult, Target
from himpun.organizing.results import (
    Progress,
    children_results,
    indicators_ensure,
    judge,
    monthly_progress,
    period_bounds,
    results_for,
    unit_results,
)
from himpun.structure.models import Employer, OrgUnit, Workplace
from himpun.structure.services import unit_counts_adjust
from tests import factories
from tests.structure.test_tree import organisation_for_hypothesis

D = datetime.date


def test_period_bounds():
    assert period_bounds(PeriodKind.YEAR, 2026, 1) == (D(2026, 1, 1), D(2026, 12, 31))
    assert period_bounds(PeriodKind.SEMESTER, 2026, 1) == (D(2026, 1, 1), D(2026, 6, 30))
    assert period_bounds(PeriodKind.SEMESTER, 2026, 2) == (D(2026, 7, 1), D(2026, 12, 31))
    assert period_bounds(PeriodKind.QUARTER, 2028, 1) == (D(2028, 1, 1), D(2028, 3, 31))
    assert period_bounds(PeriodKind.QUARTER, 2026, 4) == (D(2026, 10, 1), D(2026, 12, 31))
    with pytest.raises(ValidationError) as e:
        period_bounds(PeriodKind.SEMESTER, 2026, 3)
    assert "1 sampai 2" in str(e.value)
    with pytest.raises(ValidationError):
        period_bounds(PeriodKind.QUARTER, 2026, 0)


def _indicator(org: OrgUnit, source: str) -> Indicator:
    indicators_ensure(org)
    if source == Source.MANUAL:
        return Indicator.objects.create(organisation=org, code="aksi", name="Aksi", source=source)
    return Indicator.objects.get(organisation=org, source=source)


def _tree(shape: list[int]) -> list[OrgUnit]:
    org = organisation_for_hypothesis()
    units = [org]
    for pick in shape:
        units.append(factories.unit(units[pick % len(units)], kind_index=1))
    return [OrgUnit.objects.get(pk=u.pk) for u in units]


def _leaves(units: list[OrgUnit]) -> list[OrgUnit]:
    parents = {u.parent_id for u in units}
    return [u for u in units if u.pk not in parents]


TREE = st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=20)
HYPO = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@HYPO
@given(
    shape=TREE,
    joins=st.lists(
        st.tuples(st.integers(0, 40), st.integers(0, 11), st.integers(1, 9)), max_size=30
    ),
)
def test_new_members_of_the_root_are_the_sum_over_its_units(db, shape, joins):
    """New members are counted where members are (any unit, not only leaves); every unit's
    result is the sum over its subtree, so the root's is the sum of all."""
    units = _tree(shape)
    deltas: dict[tuple[str, str], int] = {}
    per_unit: dict[int, int] = {}
    for pick, month, n in joins:
        u = units[pick % len(units)]
        key = (u.path, join_key(D(2026, month + 1, 1)))
        deltas[key] = deltas.get(key, 0) + n
        per_unit[u.pk] = per_unit.get(u.pk, 0) + n
    unit_counts_adjust(deltas=deltas)
    indicator = _indicator(units[0], Source.JOINS)
    table = results_for(
        units=units, indicators=[indicator], starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31)
    )
    for u in units:
        expected = sum(n for pk, n in per_unit.items() if _under(units, pk, u))
        assert table[(u.pk, indicator.pk)].result == expected
    assert table[(units[0].pk, indicator.pk)].result == sum(per_unit.values())
    # With members only at leaves, the root's result is exactly the sum over the leaves.
    leaves = _leaves(units)
    assert table[(units[0].pk, indicator.pk)].result == sum(
        table[(leaf.pk, indicator.pk)].result for leaf in leaves
    ) + sum(n for pk, n in per_unit.items() if pk not in {x.pk for x in leaves})


def _under(units: list[OrgUnit], pk: int, ancestor: OrgUnit) -> bool:
    unit = next(u for u in units if u.pk == pk)
    return unit.path.startswith(ancestor.path)


@HYPO
@given(
    shape=TREE, entries=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 500)), max_size=20)
)
def test_manual_results_roll_up_as_the_sum_over_leaves(db, shape, entries):
    units = _tree(shape)
    leaves = _leaves(units)
    indicator = _indicator(units[0], Source.MANUAL)
    for pick, value in entries:
        ManualResult.objects.create(
            unit=leaves[pick % len(leaves)], indicator=indicator, on=D(2026, 3, 1), value=value
        )
    # Outside the period: never counted.
    ManualResult.objects.create(unit=leaves[0], indicator=indicator, on=D(2025, 12, 31), value=7)
    table = results_for(
        units=units, indicators=[indicator], starts_on=D(2026, 1, 1), ends_on=D(2026, 6, 30)
    )
    assert table[(units[0].pk, indicator.pk)].result == sum(v for _p, v in entries)
    assert table[(units[0].pk, indicator.pk)].result == sum(
        table[(leaf.pk, indicator.pk)].result for leaf in leaves
    )


@HYPO
@given(shape=TREE, values=st.lists(st.integers(0, 1000), min_size=1, max_size=40))
def test_a_target_that_is_the_sum_of_the_childrens_adds_up_to_the_leaves(db, shape, values):
    """Leaves set their own targets; every unit above says "the sum of my children's"; the
    root's target is then the sum over the leaves, at any depth."""
    units = _tree(shape)
    leaves = {u.pk for u in _leaves(units)}
    indicator = _indicator(units[0], Source.JOINS)
    start, end = period_bounds(PeriodKind.YEAR, 2026, 1)
    own = {}
    for i, u in enumerate(units):
        leaf = u.pk in leaves
        own[u.pk] = values[i % len(values)] if leaf else None
        Target.objects.create(
            unit=u,
            indicator=indicator,
            period_kind=PeriodKind.YEAR,
            year=2026,
            starts_on=start,
            ends_on=end,
            mode=TargetMode.OWN if leaf else TargetMode.SUM,
            value=own[u.pk],
        )
    table = results_for(units=units, indicators=[indicator], starts_on=start, ends_on=end)
    root = table[(units[0].pk, indicator.pk)]
    assert root.target == sum(v for v in own.values() if v is not None)
    assert root.target_mode == TargetMode.SUM


def test_seed_004_a_region_of_three_federations_targets_651(db):
    """The Lampung training: three federations together target 651 new members in a year.
    The region's target is their sum; results come from the join counters month by month."""
    org = factories.org("KSBSI", kinds=("Konfederasi", "Korwil", "Federasi"))
    region = factories.unit(org, "LPG")
    feds = [factories.unit(region, code) for code in ("KAMIPARHO", "HUKATAN", "NIKEUBA")]
    indicator = _indicator(org, Source.JOINS)
    start, end = period_bounds(PeriodKind.YEAR, 2026, 1)
    for unit, mode, value in [
        (region, TargetMode.SUM, None),
        (feds[0], TargetMode.OWN, 300),
        (feds[1], TargetMode.OWN, 200),
        (feds[2], TargetMode.OWN, 151),
    ]:
        Target.objects.create(
            unit=unit,
            indicator=indicator,
            period_kind=PeriodKind.YEAR,
            year=2026,
            starts_on=start,
            ends_on=end,
            mode=mode,
            value=value,
        )
    # Joins per month January–June: 30, 20 and 10 a month.
    deltas = {}
    for month in range(1, 7):
        for fed, n in zip(feds, (30, 20, 10), strict=True):
            fed.refresh_from_db()
            deltas[(fed.path, join_key(D(2026, month, 1)))] = n
    unit_counts_adjust(deltas=deltas)
    superuser = factories.UserFactory(is_superuser=True)
    today = D(2026, 6, 30)
    parent, children = children_results(
        user=superuser,
        unit=OrgUnit.objects.get(pk=region.pk),
        indicator=indicator,
        starts_on=start,
        ends_on=end,
        today=today,
    )
    assert parent.target == 651
    assert parent.result == 360
    assert [c.target for c in children] == [200, 300, 151]  # ordered by name: HUKATAN first
    by_code = {c.unit.code: c for c in children}
    # Half the year gone (181 of 365 days): 300 × 181/365 = 148.8 expected; 180 done.
    assert by_code["KAMIPARHO"].expected == Decimal("148.8")
    assert by_code["KAMIPARHO"].status == Progress.ON_TRACK
    assert by_code["NIKEUBA"].result == 60
    assert by_code["NIKEUBA"].status == Progress.BEHIND
    assert by_code["HUKATAN"].percent == Decimal("60.0")
    # Forecast: 360 in 181 days → 726 by year end.
    assert parent.forecast == Decimal("726.0")
    months, series = monthly_progress(
        units=[region], indicator=indicator, starts_on=start, ends_on=end, today=today
    )
    assert len(months) == 12
    assert series[region.pk][:6] == [60, 120, 180, 240, 300, 360]
    assert series[region.pk][6:] == [None] * 6


def test_judge_boundaries():
    start, end = D(2026, 1, 1), D(2026, 12, 31)
    assert (
        judge(
            flow=True,
            target=Decimal(100),
            result=Decimal(100),
            starts_on=start,
            ends_on=end,
            today=D(2026, 2, 1),
        )[0]
        == Progress.REACHED
    )
    assert (
        judge(
            flow=True,
            target=Decimal(100),
            result=Decimal(0),
            starts_on=start,
            ends_on=end,
            today=D(2025, 12, 1),
        )[0]
        == Progress.NOT_STARTED
    )
    assert (
        judge(
            flow=True,
            target=None,
            result=Decimal(5),
            starts_on=start,
            ends_on=end,
            today=D(2026, 2, 1),
        )[0]
        == Progress.NO_TARGET
    )
    # At the end of the period, the expected value is the whole target.
    status, expected, _f = judge(
        flow=True,
        target=Decimal(100),
        result=Decimal(99),
        starts_on=start,
        ends_on=end,
        today=D(2026, 12, 31),
    )
    assert (status, expected) == (Progress.BEHIND, Decimal(100))
    # A level (active members) is not pro-rated.
    status, expected, forecast = judge(
        flow=False,
        target=Decimal(50),
        result=Decimal(40),
        starts_on=start,
        ends_on=end,
        today=D(2026, 2, 1),
    )
    assert (status, expected, forecast) == (Progress.BEHIND, Decimal(50), None)


def test_density_and_units_formed_and_active_members(world):
    from himpun.members.services import member_register

    org = world.org1
    employer = Employer.objects.create(unit=world.a, name="PT Maju")
    plant = Workplace.objects.create(unit=world.a, employer=employer, name="Pabrik 1", headcount=40)
    Workplace.objects.create(unit=world.b, employer=employer, name="Gudang", headcount=60)
    for i in range(6):
        member_register(
            actor=None, unit=world.a, full_name=f"Anggota {i}", gender="L", workplace=plant
        )
    indicators = {s: _indicator(org, s) for s in (Source.DENSITY, Source.ACTIVE, Source.UNITS)}
    year = D.today().year
    start, end = period_bounds(PeriodKind.YEAR, year, 1)
    units = [OrgUnit.objects.get(pk=u.pk) for u in (org, world.a, world.b)]
    table = results_for(
        units=units, indicators=list(indicators.values()), starts_on=start, ends_on=end
    )
    density = indicators[Source.DENSITY].pk
    assert table[(world.a.pk, density)].result == Decimal("15.0")  # 6 of 40
    assert table[(world.b.pk, density)].result == Decimal("0.0")
    assert table[(org.pk, density)].result == Decimal("6.0")  # 6 of 100: a ratio, not a sum
    assert table[(org.pk, indicators[Source.ACTIVE].pk)].result == 6
    # A and B were formed this year under the organisation; a unit never counts itself.
    assert table[(org.pk, indicators[Source.UNITS].pk)].result == 2
    assert table[(world.a.pk, indicators[Source.UNITS].pk)].result == 0


def test_unit_results_give_one_row_per_indicator_and_query_little(
    world, django_assert_max_num_queries
):
    org = OrgUnit.objects.get(pk=world.org1.pk)
    indicators_ensure(org)
    start, end = period_bounds(PeriodKind.YEAR, 2026, 1)
    with django_assert_max_num_queries(25):
        rows = unit_results(unit=org, starts_on=start, ends_on=end, today=D(2026, 5, 1))
    assert [r.indicator.code for r in rows] == [
        "anggota-baru",
        "anggota-aktif",
        "kepadatan",
        "iuran",
        "unit-baru",
        "kontak-maju",
    ]
    assert all(r.status == Progress.NO_TARGET for r in rows)
    assert rows[0].as_json()["status_label"] == "Tanpa target"


def test_an_archived_units_target_leaves_its_parents_sum(world):
    from django.utils import timezone

    org = OrgUnit.objects.get(pk=world.org1.pk)
    indicator = _indicator(org, Source.JOINS)
    start, end = period_bounds(PeriodKind.YEAR, 2026, 1)
    for unit, mode, value in [
        (org, TargetMode.SUM, None),
        (world.a, "sendiri", 40),
        (world.b, "sendiri", 60),
    ]:
        Target.objects.create(
            unit=unit,
            indicator=indicator,
            period_kind=PeriodKind.YEAR,
            year=2026,
            starts_on=start,
            ends_on=end,
            mode=mode,
            value=value,
        )
    table = results_for(units=[org], indicators=[indicator], starts_on=start, ends_on=end)
    assert table[(org.pk, indicator.pk)].target == 100
    OrgUnit._base_manager.filter(pk=world.b.pk).update(archived_at=timezone.now())
    table = results_for(units=[org], indicators=[indicator], starts_on=start, ends_on=end)
    assert table[(org.pk, indicator.pk)].target == 40
