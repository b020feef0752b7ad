"""Evaluations and their follow-up plans: periods, freezing results on close, closed
evaluations refusing edits, the action status flow, overdue items, sector evaluations."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from himpun.core.models import AuditEntry
from himpun.core.services import EditConflict
from himpun.organizing.choices import ActionStatus, PeriodKind, Source
from himpun.organizing.evaluations import (
    action_item_create,
    action_item_status,
    action_item_update,
    display_rows,
    evaluation_close,
    evaluation_create,
    evaluation_live_results,
    evaluation_results,
    evaluation_update,
    open_actions,
    overdue_actions,
    period_label,
)
from himpun.organizing.models import ActionItem, Evaluation, Indicator, ManualResult, Target
from himpun.organizing.results import indicators_ensure
from himpun.structure.models import OrgUnit, Sector
from tests import factories

D = datetime.date


def manual_indicator(org) -> Indicator:
    indicators_ensure(org)
    return Indicator.objects.create(
        organisation=org, code="aksi", name="Aksi lapangan", source=Source.MANUAL, order=99
    )


def evaluation(unit, **kw) -> Evaluation:
    fields = {
        "title": "Evaluasi semester 1",
        "period_kind": PeriodKind.SEMESTER,
        "year": 2026,
        "number": 1,
    }
    fields.update(kw)
    return evaluation_create(actor=None, unit=unit, **fields)


def audits(obj, action: str) -> int:
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk), action=action
    ).count()


def row(results, code):
    return next(r for r in results if r["indicator_code"] == code)


# --- periods ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "number", "starts", "ends", "label"),
    [
        (PeriodKind.YEAR, 1, D(2026, 1, 1), D(2026, 12, 31), "2026"),
        (PeriodKind.SEMESTER, 1, D(2026, 1, 1), D(2026, 6, 30), "Semester 1 2026"),
        (PeriodKind.SEMESTER, 2, D(2026, 7, 1), D(2026, 12, 31), "Semester 2 2026"),
        (PeriodKind.QUARTER, 3, D(2026, 7, 1), D(2026, 9, 30), "Triwulan 3 2026"),
    ],
)
def test_period_is_derived_from_kind_year_number(world, kind, number, starts, ends, label):
    ev = evaluation(world.a, period_kind=kind, number=number)
    ev.refresh_from_db()
    assert (ev.starts_on, ev.ends_on) == (starts, ends)
    assert period_label(ev) == label
    assert audits(ev, "create") == 1


@pytest.mark.parametrize(("kind", "number"), [(PeriodKind.SEMESTER, 3), (PeriodKind.QUARTER, 5)])
def test_a_period_that_does_not_exist_is_refused_and_nothing_is_written(world, kind, number):
    with pytest.raises(ValidationError) as exc:
        evaluation(world.a, period_kind=kind, number=number)
    assert "tidak ada" in str(exc.value)
    assert not Evaluation.objects.exists()


def test_update_moves_the_period_bounds_and_is_audited(world):
    ev = evaluation(world.a)
    ev = evaluation_update(
        actor=world.admin1, evaluation=ev, expected_version=ev.version, number=2, title="Smt 2"
    )
    stored = Evaluation.objects.get(pk=ev.pk)
    assert (stored.starts_on, stored.ends_on) == (D(2026, 7, 1), D(2026, 12, 31))
    assert stored.title == "Smt 2"
    assert stored.version == 2
    entry = AuditEntry.objects.get(object_id=str(ev.pk), action="update")
    assert entry.changes["starts_on"] == ["2026-01-01", "2026-07-01"]
    with pytest.raises(EditConflict):
        evaluation_update(actor=None, evaluation=ev, expected_version=1, title="Basi")


def test_a_sector_of_another_organisation_is_refused(world):
    other = Sector.objects.create(organisation=world.org2, name="Semen", code="semen")
    with pytest.raises(ValidationError):
        evaluation(world.a, sector=other)


# --- closing ----------------------------------------------------------------------------------


def test_close_freezes_results_and_later_data_does_not_change_them(world):
    org = world.org1
    ind = manual_indicator(org)
    Target.objects.create(
        unit=world.a,
        indicator=ind,
        period_kind=PeriodKind.SEMESTER,
        year=2026,
        number=1,
        starts_on=D(2026, 1, 1),
        ends_on=D(2026, 6, 30),
        value=Decimal(10),
    )
    ManualResult.objects.create(unit=world.a, indicator=ind, on=D(2026, 3, 31), value=4)
    ev = evaluation(world.a)
    live = row(evaluation_live_results(ev, today=D(2026, 6, 30)), "aksi")
    assert (Decimal(live["target"]), Decimal(live["result"])) == (10, 4)
    assert live["status"] == "tertinggal"

    closed = evaluation_close(actor=world.admin1, evaluation=ev, today=D(2026, 6, 30))
    assert closed.closed_at is not None
    stored = Evaluation.objects.get(pk=ev.pk)
    frozen = row(stored.results, "aksi")
    assert Decimal(frozen["result"]) == 4
    assert Decimal(frozen["percent"]) == 40
    assert {r["indicator_code"] for r in stored.results} >= {"anggota-baru", "aksi"}

    # more results entered afterwards: the live figures move, the closed evaluation's do not
    ManualResult.objects.create(unit=world.a, indicator=ind, on=D(2026, 5, 31), value=7)
    assert (
        Decimal(row(evaluation_live_results(stored, today=D(2026, 6, 30)), "aksi")["result"]) == 11
    )
    assert Decimal(row(evaluation_results(stored), "aksi")["result"]) == 4
    shown = row(display_rows(evaluation_results(stored)), "aksi")
    assert (shown["result_text"], shown["percent_text"], shown["bar"]) == ("4", "40", 40)
    entry = AuditEntry.objects.get(object_id=str(ev.pk), action="update")
    assert list(entry.changes) == ["closed_at"]

    with pytest.raises(ValidationError, match="sudah ditutup"):
        evaluation_close(actor=None, evaluation=stored)


def test_a_closed_evaluation_refuses_edits_but_its_plan_still_moves(world):
    ev = evaluation(world.a)
    item = action_item_create(
        actor=None, evaluation=ev, title="Kunjungan", owner="Sari", due_on=D(2026, 8, 1)
    )
    ev = evaluation_close(actor=None, evaluation=ev)
    with pytest.raises(ValidationError) as exc:
        evaluation_update(actor=None, evaluation=ev, expected_version=ev.version, title="Lain")
    assert "sudah ditutup" in str(exc.value)
    assert "Rencana tindak lanjutnya tetap dapat diperbarui" in str(exc.value)
    assert Evaluation.objects.get(pk=ev.pk).title == "Evaluasi semester 1"
    action_item_status(actor=None, item=item, status=ActionStatus.DONE, on=D(2026, 7, 20))
    assert ActionItem.objects.get(pk=item.pk).status == ActionStatus.DONE
    # a new item can still be added to a closed evaluation's plan
    action_item_create(actor=None, evaluation=ev, title="Rapat", owner="Budi", due_on=D(2026, 9, 1))
    assert ev.actions.count() == 2


def test_sector_evaluation_sums_the_sectors_units_in_the_subtree(world):
    """KSPI's garment sector across federations: the confederation owns the evaluation, the
    results are those of its garment units only."""
    org = world.org1
    ind = manual_indicator(org)
    garmen = Sector.objects.create(organisation=org, name="Garmen", code="garmen")
    world.a.sector = garmen
    world.a.save(update_fields=["sector"])
    for unit, value in ((world.a, 5), (world.b, 100)):
        ManualResult.objects.create(unit=unit, indicator=ind, on=D(2026, 2, 1), value=value)
        Target.objects.create(
            unit=unit,
            indicator=ind,
            period_kind=PeriodKind.SEMESTER,
            year=2026,
            number=1,
            starts_on=D(2026, 1, 1),
            ends_on=D(2026, 6, 30),
            value=Decimal(10),
        )
    ev = evaluation(org, sector=garmen)
    results = evaluation_live_results(ev, today=D(2026, 6, 30))
    aksi = row(results, "aksi")
    assert (Decimal(aksi["result"]), Decimal(aksi["target"])) == (5, 10)
    assert aksi["unit_code"] == org.code
    # a sector unit below without a target of its own: its branch's target counts
    a1 = factories.unit(world.a, "A1")
    world.a.refresh_from_db()
    Target.objects.filter(unit=world.a).update(unit=a1)
    OrgUnit.objects.filter(pk=a1.pk).update(sector=garmen)
    aksi = row(evaluation_live_results(ev, today=D(2026, 6, 30)), "aksi")
    assert (Decimal(aksi["result"]), Decimal(aksi["target"])) == (5, 10)
    # ratios cannot be summed from the units' percentages: left empty
    assert row(results, "kepadatan")["result"] is None
    # the unit evaluation of the whole organisation counts both
    whole = row(evaluation_live_results(evaluation(org), today=D(2026, 6, 30)), "aksi")
    assert Decimal(whole["result"]) == 105


# --- the follow-up plan -----------------------------------------------------------------------


def test_action_status_flow_sets_and_clears_done_on(world):
    ev = evaluation(world.a)
    item = action_item_create(
        actor=world.admin1,
        evaluation=ev,
        title="Pelatihan kader",
        owner="Nur",
        due_on=D(2026, 9, 1),
    )
    assert (item.unit, item.status, item.done_on) == (world.a, ActionStatus.PLANNED, None)
    item = action_item_status(actor=world.admin1, item=item, status=ActionStatus.ONGOING)
    assert item.done_on is None
    item = action_item_status(
        actor=world.admin1, item=item, status=ActionStatus.DONE, on=D(2026, 8, 20)
    )
    assert ActionItem.objects.get(pk=item.pk).done_on == D(2026, 8, 20)
    item = action_item_status(actor=world.admin1, item=item, status=ActionStatus.ONGOING)
    stored = ActionItem.objects.get(pk=item.pk)
    assert (stored.status, stored.done_on, stored.version) == ("berjalan", None, 4)
    assert audits(item, "update") == 3
    # the same status again changes nothing and records nothing
    action_item_status(actor=None, item=item, status=ActionStatus.ONGOING)
    assert audits(item, "update") == 3
    with pytest.raises(ValidationError):
        action_item_status(actor=None, item=item, status="hilang")


def test_action_item_unit_must_be_inside_the_evaluations_unit(world):
    ev = evaluation(world.a)
    with pytest.raises(ValidationError):
        action_item_create(
            actor=None, evaluation=ev, unit=world.b, title="X", owner="Y", due_on=D(2026, 9, 1)
        )
    item = action_item_create(actor=None, evaluation=ev, title="X", owner="Y", due_on=D(2026, 9, 1))
    with pytest.raises(ValidationError):
        action_item_update(actor=None, item=item, expected_version=1, unit=world.b)
    item = action_item_update(
        actor=None, item=item, expected_version=1, status=ActionStatus.DONE, owner="Z"
    )
    assert ActionItem.objects.get(pk=item.pk).done_on is not None
    # a stand-alone item needs a unit
    with pytest.raises(ValidationError):
        action_item_create(actor=None, title="X", owner="Y", due_on=D(2026, 9, 1))


def test_overdue_list_is_open_items_due_before_today_in_the_subtree(world):
    today = D(2026, 7, 15)
    a1 = world.a

    def item(unit, title, due, status=ActionStatus.PLANNED):
        return action_item_create(
            actor=None, unit=unit, title=title, owner="Sari", due_on=due, status=status
        )

    late = item(a1, "Terlambat", D(2026, 7, 14))
    item(a1, "Hari ini", today)  # due today is not overdue yet
    item(a1, "Besok", D(2026, 7, 16))
    item(a1, "Sudah selesai", D(2026, 6, 1), ActionStatus.DONE)
    item(a1, "Dibatalkan", D(2026, 6, 1), ActionStatus.CANCELLED)
    ongoing = item(a1, "Berjalan lama", D(2026, 5, 1), ActionStatus.ONGOING)
    item(world.b, "Unit lain", D(2026, 5, 1))
    item(world.c, "Organisasi lain", D(2026, 5, 1))

    assert [i.title for i in overdue_actions(world.a, today)] == [ongoing.title, late.title]
    assert set(overdue_actions(world.org1, today).values_list("title", flat=True)) == {
        "Terlambat",
        "Berjalan lama",
        "Unit lain",
    }
    assert [i.title for i in open_actions(world.a)] == [
        "Berjalan lama",
        "Terlambat",
        "Hari ini",
        "Besok",
    ]
