"""Targets (Janji Kinerja): the services that write them and the target table that reads them,
on the seed 004 example — a region (Korwil) whose three federations together commit to 651
new members in a year."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from python_calamine import CalamineWorkbook

from himpun.core.models import AuditEntry, ExportRecord
from himpun.core.services import EditConflict, object_archive
from himpun.members.services import join_key, member_register
from himpun.organizing import target_views
from himpun.organizing.choices import PeriodKind, Source, TargetMode
from himpun.organizing.models import Indicator, ManualResult, Target
from himpun.organizing.results import Progress, children_results, indicators_ensure
from himpun.organizing.targets import manual_result_record, target_save, targets_set_children
from himpun.structure.models import OrgUnit
from himpun.structure.services import unit_counts_adjust
from tests import factories

D = datetime.date
YEAR = (D(2026, 1, 1), D(2026, 12, 31))
JUNE_END = D(2026, 6, 30)


class Region:
    pass


@pytest.fixture
def region(db):
    """KSBSI → Korwil DKI → three federations (and a PUK under the first); a coordinator
    at the Korwil, a secretary of one federation, an outsider in another region."""
    r = Region()
    r.org = factories.org("KSB", kinds=("Konfederasi", "Korwil", "Federasi", "PUK"))
    r.korwil = factories.unit(r.org, "DKI")
    r.other = factories.unit(r.org, "JABAR")
    r.f1 = factories.unit(r.korwil, "F-KAMI")
    r.f2 = factories.unit(r.korwil, "F-HUK")
    r.f3 = factories.unit(r.korwil, "F-NIK")
    r.puk = factories.unit(r.f1, "PUK-1")
    for name in ("korwil", "other", "f1", "f2", "f3", "puk"):
        setattr(r, name, OrgUnit.objects.get(pk=getattr(r, name).pk))
    indicators_ensure(r.org)
    r.joins = Indicator.objects.get(organisation=r.org, source=Source.JOINS)
    r.density = Indicator.objects.get(organisation=r.org, source=Source.DENSITY)
    r.coordinator = factories.UserFactory(username="korwil")
    factories.grant(r.coordinator, "Sekretaris", r.korwil)
    r.fed = factories.UserFactory(username="federasi")
    factories.grant(r.fed, "Sekretaris", r.f2)
    r.observer = factories.UserFactory(username="pengamat")
    factories.grant(r.observer, "Pengamat", r.korwil)
    return r


def year_target(unit, indicator, value, mode=TargetMode.OWN, **kw) -> Target:
    return Target(
        unit=unit,
        indicator=indicator,
        period_kind=kw.pop("period_kind", PeriodKind.YEAR),
        year=kw.pop("year", 2026),
        number=kw.pop("number", 1),
        mode=mode,
        value=None if value is None else Decimal(value),
        **kw,
    )


def split_651(r) -> None:
    targets_set_children(
        actor=r.coordinator,
        unit=r.korwil,
        indicator=r.joins,
        period_kind=PeriodKind.YEAR,
        year=2026,
        number=1,
        values={r.f1.pk: Decimal(250), r.f2.pk: Decimal(221), r.f3.pk: Decimal(180)},
        parent_mode=TargetMode.SUM,
    )


def joins(r, per_unit_month: dict[tuple[OrgUnit, int], int]) -> None:
    unit_counts_adjust(
        deltas={
            (u.path, join_key(D(2026, month, 1))): n for (u, month), n in per_unit_month.items()
        }
    )


# --- target_save ------------------------------------------------------------------------------


def test_a_target_gets_its_period_and_is_audited(region):
    r = region
    t = target_save(
        actor=r.coordinator,
        target=year_target(r.f1, r.joins, 100, period_kind=PeriodKind.SEMESTER, number=2),
    )
    assert (t.starts_on, t.ends_on) == (D(2026, 7, 1), D(2026, 12, 31))
    entry = AuditEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Target), object_id=str(t.pk)
    )
    assert entry.action == "create"
    assert entry.actor == r.coordinator


def test_overlapping_periods_are_refused_naming_the_existing_target(region):
    r = region
    target_save(actor=r.coordinator, target=year_target(r.f1, r.joins, 250))
    before = Target.objects.count()
    with pytest.raises(ValidationError) as e:
        target_save(
            actor=r.coordinator,
            target=year_target(r.f1, r.joins, 100, period_kind=PeriodKind.SEMESTER, number=1),
        )
    assert "period_kind" in e.value.message_dict
    assert "target 2026 yang sudah ada" in str(e.value)
    assert Target.objects.count() == before
    # Another indicator, another unit, another year: no overlap.
    target_save(actor=r.coordinator, target=year_target(r.f2, r.joins, 100))
    target_save(actor=r.coordinator, target=year_target(r.f1, r.density, 30))
    target_save(actor=r.coordinator, target=year_target(r.f1, r.joins, 300, year=2027))
    # Quarter 3 inside an existing semester 2 of another unit: overlap too.
    target_save(
        actor=r.coordinator,
        target=year_target(r.f3, r.joins, 90, period_kind=PeriodKind.SEMESTER, number=2),
    )
    with pytest.raises(ValidationError, match="Semester 2 2026"):
        target_save(
            actor=r.coordinator,
            target=year_target(r.f3, r.joins, 40, period_kind=PeriodKind.QUARTER, number=3),
        )
    q2 = target_save(
        actor=r.coordinator,
        target=year_target(r.f3, r.joins, 40, period_kind=PeriodKind.QUARTER, number=2),
    )
    assert q2.pk


def test_a_unit_out_of_scope_is_refused(region):
    r = region
    with pytest.raises(ValidationError) as e:
        target_save(actor=r.coordinator, target=year_target(r.other, r.joins, 10))
    assert "unit" in e.value.message_dict
    with pytest.raises(ValidationError):  # a federation cannot set its sibling's target
        target_save(actor=r.fed, target=year_target(r.f1, r.joins, 10))
    with pytest.raises(ValidationError):  # an observer sees but does not set
        target_save(actor=r.observer, target=year_target(r.f1, r.joins, 10))
    assert not Target.objects.exists()
    assert target_save(actor=r.fed, target=year_target(r.f2, r.joins, 10)).pk


def test_bad_values_and_foreign_indicators_are_refused(region, world):
    r = region
    cases = [
        (year_target(r.f1, r.joins, None), "value"),
        (year_target(r.f1, r.joins, -5), "value"),
        (year_target(r.f1, r.density, "100.5"), "value"),
        (year_target(r.f1, r.joins, 5, period_kind=PeriodKind.QUARTER, number=5), "number"),
    ]
    indicators_ensure(world.org2)
    foreign = Indicator.objects.filter(organisation=world.org2).first()
    cases.append((year_target(r.f1, foreign, 5), "indicator"))
    for target, field in cases:
        with pytest.raises(ValidationError) as e:
            target_save(actor=r.coordinator, target=target)
        assert field in e.value.message_dict, (field, e.value)
    assert not Target.objects.exists()
    assert target_save(actor=r.coordinator, target=year_target(r.f1, r.density, 100)).pk


def test_editing_keeps_the_period_derived_and_refuses_a_stale_version(region):
    r = region
    t = target_save(actor=r.coordinator, target=year_target(r.f1, r.joins, 250))
    stale = t.version
    t.period_kind, t.number = PeriodKind.SEMESTER, 1
    t = target_save(actor=r.coordinator, target=t, expected_version=stale)
    t.refresh_from_db()
    assert (t.starts_on, t.ends_on, t.version) == (D(2026, 1, 1), D(2026, 6, 30), stale + 1)
    change = AuditEntry.objects.get(object_id=str(t.pk), action="update")
    assert change.changes["ends_on"] == ["2026-12-31", "2026-06-30"]
    t.value = Decimal(1)
    with pytest.raises(EditConflict):
        target_save(actor=r.coordinator, target=t, expected_version=stale)


def test_a_sum_target_without_children_targets_is_no_target(region, client):
    r = region
    target_save(actor=r.coordinator, target=year_target(r.korwil, r.joins, "99", TargetMode.SUM))
    stored = Target.objects.get(unit=r.korwil)
    assert stored.value is None  # the sum is computed, never stored
    mine, _children = children_results(
        user=r.coordinator, unit=r.korwil, indicator=r.joins, starts_on=YEAR[0], ends_on=YEAR[1]
    )
    assert mine.target is None
    assert mine.target_mode == TargetMode.SUM
    assert mine.status == Progress.NO_TARGET
    client.force_login(r.coordinator)
    html = client.get(f"/organisasi/target/{r.korwil.pk}/?periode=tahun-2026").content.decode()
    assert 'data-target><span class="text-body-secondary">—</span>' in html
    assert "Tanpa target" in html


# --- manual results ---------------------------------------------------------------------------


def test_manual_results_only_for_manual_indicators(region):
    r = region
    with pytest.raises(ValidationError) as e:
        manual_result_record(
            actor=r.coordinator, unit=r.f1, indicator=r.joins, on=D(2025, 3, 1), value=Decimal(3)
        )
    assert "dihitung otomatis" in str(e.value)
    action = Indicator.objects.create(
        organisation=r.org, code="aksi", name="Aksi", source=Source.MANUAL
    )
    with pytest.raises(ValidationError) as e:
        manual_result_record(
            actor=r.coordinator, unit=r.other, indicator=action, on=D(2025, 3, 1), value=1
        )
    assert "unit" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        manual_result_record(
            actor=r.coordinator,
            unit=r.f1,
            indicator=action,
            on=timezone.localdate() + datetime.timedelta(days=2),
            value=1,
        )
    assert "on" in e.value.message_dict
    assert not ManualResult.objects.exists()
    done = manual_result_record(
        actor=r.coordinator, unit=r.f1, indicator=action, on=D(2025, 3, 1), value=Decimal(3)
    )
    assert done.entered_by == r.coordinator


def test_an_indicators_source_stays_once_targets_use_it(region, client):
    r = region
    admin = factories.UserFactory(username="admin-org")
    factories.grant(admin, "Admin", r.org)
    client.force_login(admin)
    url = f"/organisasi/indikator/{r.joins.pk}/ubah/"
    data = {
        "organisation": r.org.pk,
        "name": r.joins.name,
        "code": r.joins.code,
        "source": Source.MANUAL,
        "order": 0,
        "_version": r.joins.version,
    }
    target_save(actor=r.coordinator, target=year_target(r.f1, r.joins, 10))
    response = client.post(url, data)
    assert response.status_code == 200
    assert "sudah dipakai target" in response.content.decode()
    r.joins.refresh_from_db()
    assert r.joins.source == Source.JOINS
    response = client.post(url, {**data, "source": Source.JOINS, "name": "Anggota baru (JK)"})
    assert response.status_code == 302


# --- the coordinator's form -------------------------------------------------------------------


def test_the_651_split_makes_the_region_target_their_sum(region):
    r = region
    split_651(r)
    mine, children = children_results(
        user=r.coordinator, unit=r.korwil, indicator=r.joins, starts_on=YEAR[0], ends_on=YEAR[1]
    )
    assert mine.target == 651
    assert mine.target_mode == TargetMode.SUM
    assert [c.target for c in children] == [221, 250, 180]  # by name: HUK, KAMI, NIK
    assert [c.unit.code for c in children] == ["F-HUK", "F-KAMI", "F-NIK"]
    # A second save with the same values writes nothing new.
    count = AuditEntry.objects.count()
    split_651(r)
    assert AuditEntry.objects.count() == count
    # A blank leaves a target as it is; a changed value changes it (and the sum).
    targets_set_children(
        actor=r.coordinator,
        unit=r.korwil,
        indicator=r.joins,
        period_kind=PeriodKind.YEAR,
        year=2026,
        number=1,
        values={r.f1.pk: None, r.f2.pk: Decimal(230), r.f3.pk: None},
        parent_mode=TargetMode.SUM,
    )
    mine, _children = children_results(
        user=r.coordinator, unit=r.korwil, indicator=r.joins, starts_on=YEAR[0], ends_on=YEAR[1]
    )
    assert mine.target == 660


def test_the_split_is_all_or_nothing(region):
    r = region
    # The third federation already has a first-semester target: a year target overlaps it.
    target_save(
        actor=r.coordinator,
        target=year_target(r.f3, r.joins, 90, period_kind=PeriodKind.SEMESTER, number=1),
    )
    before = set(Target.objects.values_list("pk", "value"))
    with pytest.raises(ValidationError) as e:
        split_651(r)
    assert list(e.value.message_dict) == [f"unit_{r.f3.pk}"]
    assert "Semester 1 2026" in str(e.value)
    assert set(Target.objects.values_list("pk", "value")) == before
    with pytest.raises(ValidationError) as e:
        targets_set_children(
            actor=r.coordinator,
            unit=r.korwil,
            indicator=r.joins,
            period_kind=PeriodKind.YEAR,
            year=2026,
            number=1,
            values={r.f1.pk: Decimal(10), r.other.pk: Decimal(5)},  # not a child
            parent_mode=TargetMode.SUM,
        )
    assert set(Target.objects.values_list("pk", "value")) == before
    with pytest.raises(ValidationError):  # the federation may not set the region's target
        targets_set_children(
            actor=r.fed,
            unit=r.korwil,
            indicator=r.joins,
            period_kind=PeriodKind.YEAR,
            year=2026,
            number=1,
            values={},
            parent_mode=TargetMode.SUM,
        )
    assert set(Target.objects.values_list("pk", "value")) == before


def test_the_split_through_the_form(region, client):
    r = region
    client.force_login(r.coordinator)
    url = f"/organisasi/target/{r.korwil.pk}/atur/?indikator={r.joins.pk}&periode=tahun-2026"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'name="unit_{r.f1.pk}"' in html
    assert "form-control-lg" in html
    bad = client.post(
        url, {"parent_mode": "jumlah", f"unit_{r.f1.pk}": "-3", f"unit_{r.f2.pk}": "221"}
    )
    assert bad.status_code == 200
    assert "invalid-feedback" in bad.content.decode()
    assert not Target.objects.exists()
    done = client.post(
        url,
        {
            "parent_mode": "jumlah",
            f"unit_{r.f1.pk}": "250",
            f"unit_{r.f2.pk}": "221",
            f"unit_{r.f3.pk}": "180",
        },
    )
    assert done.status_code == 302
    assert Target.objects.get(unit=r.korwil).mode == TargetMode.SUM
    assert sum(t.value for t in Target.objects.exclude(unit=r.korwil)) == 651
    # The form shows the values set, and an own target for the region is possible too.
    assert 'value="250"' in client.get(url).content.decode()
    client.post(url, {"parent_mode": "sendiri", "parent_value": "700"})
    assert Target.objects.get(unit=r.korwil).value == 700
    # Who may only look gets no form.
    client.force_login(r.observer)
    assert client.get(url).status_code == 404


# --- the table --------------------------------------------------------------------------------


def test_the_table_numbers_and_statuses_at_the_end_of_june(region, client, monkeypatch):
    r = region
    split_651(r)
    joins(r, {(r.puk, 2): 90, (r.f1, 5): 60, (r.f2, 3): 60, (r.f3, 1): 150, (r.f3, 6): 50})
    mine, children = children_results(
        user=r.coordinator,
        unit=r.korwil,
        indicator=r.joins,
        starts_on=YEAR[0],
        ends_on=YEAR[1],
        today=JUNE_END,
    )
    by_code = {c.unit.code: c for c in children}
    # 181 of 365 days gone: a target of 250 expects 124 by today.
    kami, huk, nik = by_code["F-KAMI"], by_code["F-HUK"], by_code["F-NIK"]
    assert (kami.result, kami.expected, kami.status) == (150, Decimal("124.0"), Progress.ON_TRACK)
    assert (huk.result, huk.status) == (60, Progress.BEHIND)
    assert (nik.result, nik.status, nik.percent) == (200, Progress.REACHED, Decimal("111.1"))
    assert (mine.result, mine.target, mine.expected) == (410, 651, Decimal("322.8"))
    assert mine.status == Progress.ON_TRACK
    assert mine.forecast == Decimal("826.8")
    # The page, with the date fixed.
    monkeypatch.setattr(target_views, "today", lambda: JUNE_END)
    client.force_login(r.coordinator)
    response = client.get(
        f"/organisasi/target/{r.korwil.pk}/?indikator={r.joins.pk}&periode=tahun-2026"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Σ</span> 651" in html
    for code, status in (
        ("F-KAMI", "Sesuai jalur"),
        ("F-HUK", "Tertinggal"),
        ("F-NIK", "Tercapai"),
    ):
        row = html.split(f'data-unit="{code}"')[1].split("</tr>")[0]
        assert status in row
    assert f"/organisasi/target/{r.f1.pk}/?indikator={r.joins.pk}&amp;periode=tahun-2026" in html
    assert "111,1%" in html  # Indonesian decimal comma
    chart = response.context["chart"]
    assert chart["target"] == 651.0
    assert chart["series"][0]["data"][:7] == [150, 240, 300, 300, 360, 410, None]
    assert [m["result"] for m in response.context["months"]][5] == 410


def test_real_members_count_as_new_members(region, client, monkeypatch):
    r = region
    split_651(r)
    for i in range(3):
        member_register(actor=None, unit=r.puk, full_name=f"Buruh {i}", on=D(2026, 4, 2))
    member_register(actor=None, unit=r.f3, full_name="Buruh lain", on=D(2026, 5, 20))
    monkeypatch.setattr(target_views, "today", lambda: JUNE_END)
    client.force_login(r.coordinator)
    response = client.get(f"/organisasi/target/{r.korwil.pk}/?indikator={r.joins.pk}")
    results = {c.unit.code: c.result for c in response.context["children"]}
    assert results == {"F-HUK": 0, "F-KAMI": 3, "F-NIK": 1}
    assert response.context["mine"].result == 4


def test_scoping_of_the_table(region, client, world):
    r = region
    split_651(r)
    object_archive(actor=None, instance=r.f3)
    client.force_login(r.fed)
    assert client.get(f"/organisasi/target/{r.korwil.pk}/").status_code == 404
    assert client.get(f"/organisasi/target/{r.f1.pk}/").status_code == 404
    assert client.get(f"/organisasi/target/{r.f2.pk}/").status_code == 200
    assert client.get(f"/organisasi/target/{r.korwil.pk}/unduh.xlsx").status_code == 404
    client.force_login(world.nobody)
    assert client.get(f"/organisasi/target/{r.f2.pk}/").status_code == 404
    assert client.get("/organisasi/target/").status_code == 404
    client.force_login(r.coordinator)
    html = client.get(f"/organisasi/target/{r.korwil.pk}/").content.decode()
    assert "F-KAMI" in html
    assert "JABAR" not in html
    assert 'data-unit="F-NIK"' not in html  # archived units are not rows
    assert client.get(f"/organisasi/target/{r.other.pk}/").status_code == 404


def test_the_table_query_count_does_not_grow_with_children(region, client):
    r = region
    split_651(r)
    client.force_login(r.coordinator)
    url = f"/organisasi/target/{r.korwil.pk}/?indikator={r.joins.pk}"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(8):
        factories.unit(r.korwil, f"F-X{i}")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_xlsx_export_is_read_back_and_recorded(region, client, monkeypatch):
    r = region
    split_651(r)
    joins(r, {(r.f1, 2): 130, (r.f2, 3): 40})
    monkeypatch.setattr(target_views, "today", lambda: JUNE_END)
    client.force_login(r.coordinator)
    response = client.get(
        f"/organisasi/target/{r.korwil.pk}/unduh.xlsx?indikator={r.joins.pk}&periode=tahun-2026"
    )
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[2][:3] == ["Unit", "Kode", "Target"]
    table = {row[1]: row for row in rows[3:]}
    assert table["DKI"][2] == 651
    assert table["DKI"][4] == 170
    assert table["F-KAMI"][2] == 250
    assert table["F-KAMI"][8] == "Sesuai jalur"
    months = book.get_sheet_by_index(1).to_python()
    assert len(months) == 13
    assert months[3][1] == 170
    assert months[12][1] == ""
    record = ExportRecord.objects.get()
    assert (record.user, record.model, record.row_count) == (r.coordinator, "organizing.target", 4)
    assert record.unit_path == r.korwil.path
    client.force_login(r.observer)  # Pengamat: looks, does not export
    url = f"/organisasi/target/{r.korwil.pk}/unduh.xlsx"
    assert client.get(url).status_code == 404


def test_the_tab_and_the_menu_entry(region, client):
    r = region
    split_651(r)
    client.force_login(r.coordinator)
    home = client.get("/organisasi/target/")
    assert home.status_code == 302
    assert home["Location"] == f"/struktur/unit/{r.korwil.pk}/target/"
    tab = client.get(home["Location"] + "?periode=tahun-2026").content.decode()
    assert 'data-indicator="anggota-baru"' in tab
    assert "Σ 651" in tab
    assert f"/organisasi/target/{r.korwil.pk}/?indikator={r.joins.pk}" in tab
    client.force_login(r.fed)
    assert client.get("/organisasi/target/")["Location"] == f"/struktur/unit/{r.f2.pk}/target/"


def test_the_dues_rate_counts_only_the_months_gone_by(region):
    """In March a year's collection rate is over January to March, not over twelve months."""
    r = region
    rate = Indicator.objects.get(organisation=r.org, source=Source.DUES_RATE)
    unit_counts_adjust(
        deltas={
            (r.f1.path, "members"): 10,
            (r.f1.path, "dues.paid.2026-01"): 10,
            (r.f1.path, "dues.paid.2026-02"): 10,
            (r.f1.path, "dues.paid.2026-03"): 5,
        }
    )
    target_save(actor=r.coordinator, target=year_target(r.f1, rate, 80))
    mine, _children = children_results(
        user=r.coordinator,
        unit=r.f1,
        indicator=rate,
        starts_on=YEAR[0],
        ends_on=YEAR[1],
        today=D(2026, 3, 31),
    )
    assert mine.result == Decimal("83.3")
    assert mine.status == Progress.REACHED
    before, _children = children_results(
        user=r.coordinator,
        unit=r.f1,
        indicator=rate,
        starts_on=YEAR[0],
        ends_on=YEAR[1],
        today=D(2025, 12, 31),
    )
    assert before.result is None
    assert before.status == Progress.NOT_STARTED
