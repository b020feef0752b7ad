"""Workplaces and the PKB thresholds of UU 13/2003: the rules at their exact edges, PKB dates,
the workplace screens (list columns from one aggregate, detail tab, sections), the unit's
density page (scoped, sorted, charted) and its XLSX export."""

from __future__ import annotations

import datetime
import io
import json
import re
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from himpun.core.models import ExportRecord
from himpun.core.registry import registry
from himpun.core.services import object_create
from himpun.members.choices import Status
from himpun.members.services import member_register
from himpun.structure import bargaining as b
from himpun.structure.forms import WorkplaceForm
from himpun.structure.models import Employer, OrgUnit, Workplace, WorkplaceSection
from tests import factories

D = datetime.date


def status(members, headcount, unions=1):
    return b.bargaining_status(members=members, headcount=headcount, unions_present=unions)


# -- the thresholds ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("members", "headcount", "unions", "code"),
    [
        # a sole union: more than 50% negotiates alone (Art 119(1)); exactly 50% needs a vote
        (51, 100, 1, b.MAJORITY),
        (50, 100, 1, b.VOTE),
        (5001, 10001, 1, b.MAJORITY),  # 50.005%
        (5000, 10001, 1, b.VOTE),  # 49.995%
        (5000, 9999, 1, b.MAJORITY),  # 50.005%
        (5000, 10000, 1, b.VOTE),  # 50.000%
        (51, 101, 1, b.MAJORITY),  # 50.49%: 51 × 2 > 101
        (1, 100, 1, b.VOTE),  # no 10% rule for a sole union
        (0, 100, 1, b.VOTE),
        # several unions: at least 10% joins the team, more than 50% leads (Art 120, MK 115)
        (10, 100, 2, b.TEAM),
        (9, 100, 2, b.BELOW),
        (1000, 10000, 3, b.TEAM),  # exactly 10%
        (1000, 10001, 3, b.BELOW),  # 9.999…%
        (1001, 10001, 3, b.TEAM),  # 10.009%
        (999, 10000, 2, b.BELOW),  # 9.99%
        (50, 100, 2, b.TEAM),  # exactly 50% is not a majority
        (5001, 10001, 2, b.MAJORITY),  # 50.005%
        (51, 100, 4, b.MAJORITY),
    ],
)
def test_threshold_codes_at_and_around_10_and_50_percent(members, headcount, unions, code):
    assert status(members, headcount, unions).code == code


def test_density_is_rounded_down_so_a_shown_10_percent_really_is_10():
    assert status(999, 10000, 2).density == Decimal("9.9")  # 9.99% does not show as 10.0
    assert status(1000, 10000, 2).density == Decimal("10.0")
    assert status(5001, 10001).density == Decimal("50.0")  # a majority nonetheless
    assert status(2, 3).density == Decimal("66.6")
    assert status(1, 3).density == Decimal("33.3")


def test_labels_cite_the_articles():
    assert "Pasal 119 ayat 1" in status(51, 100).explanation
    assert "Pasal 119 ayat 2" in status(50, 100).explanation
    team = status(10, 100, 2)
    assert "Pasal 120" in team.explanation
    assert "115/PUU-VII/2009" in team.explanation
    assert "3 serikat" in team.explanation
    assert "10%" in status(9, 100, 2).label


def test_members_still_needed_for_the_next_threshold():
    st_ = status(9, 100, 2)
    assert (st_.short_of_team, st_.short_of_majority) == (1, 42)
    st_ = status(10, 101, 2)  # 10% of 101 is 10.1: an 11th member is needed
    assert st_.code == b.BELOW
    assert st_.short_of_team == 1
    assert status(51, 100).short_of_majority == 0
    assert status(50, 100).short_of_majority == 1
    assert status(50, 100).short_of_team is None  # no team for a sole union


@pytest.mark.parametrize("headcount", [None, 0])
def test_unknown_headcount(headcount):
    st_ = status(7, headcount, 2)
    assert st_.code == b.UNKNOWN
    assert st_.label == "Jumlah pekerja belum diisi"
    assert st_.density is None
    assert st_.short_of_majority is None


def test_more_members_than_workers_warns_but_still_judges():
    st_ = status(120, 100)
    assert st_.code == b.MAJORITY
    assert st_.density == Decimal("120.0")
    assert "120" in st_.warning
    assert "100" in st_.warning
    assert status(100, 100).warning == ""


@given(
    members=st.integers(min_value=0, max_value=20000),
    headcount=st.integers(min_value=1, max_value=20000),
    unions=st.integers(min_value=1, max_value=5),
)
def test_codes_agree_with_exact_fractions(members, headcount, unions):
    share = Fraction(members, headcount)
    st_ = status(members, headcount, unions)
    if share > Fraction(1, 2):
        assert st_.code == b.MAJORITY
    elif unions == 1:
        assert st_.code == b.VOTE
    elif share >= Fraction(1, 10):
        assert st_.code == b.TEAM
    else:
        assert st_.code == b.BELOW
    assert st_.density == Decimal(int(share * 1000)) / 10
    assert (members + st_.short_of_majority) * 2 > headcount
    assert st_.short_of_majority == 0 or (members + st_.short_of_majority - 1) * 2 <= headcount


# -- PKB dates --------------------------------------------------------------------------------

TODAY = D(2026, 5, 1)


@pytest.mark.parametrize(
    ("expires", "code", "days"),
    [
        (TODAY + datetime.timedelta(days=91), b.IN_FORCE, 91),
        (TODAY + datetime.timedelta(days=90), b.ENDING, 90),
        (TODAY, b.ENDING, 0),  # its last day
        (TODAY - datetime.timedelta(days=1), b.ENDED, -1),
    ],
)
def test_pkb_state_at_the_90_day_boundary(expires, code, days):
    state = b.pkb_state(D(2025, 1, 1), expires, TODAY)
    assert (state.code, state.days_left, state.expires_on) == (code, days, expires)
    assert state.alert == (code != b.IN_FORCE)


def test_pkb_state_without_dates_and_with_only_a_signing_date():
    assert b.pkb_state(None, None, TODAY).code == b.NONE
    state = b.pkb_state(D(2024, 6, 1), None, TODAY)  # runs 2 years: to 1 June 2026
    assert state.expires_on == D(2026, 6, 1)
    assert state.code == b.ENDING
    assert b.pkb_default_expiry(D(2024, 2, 29)) == D(2026, 2, 28)


def test_pkb_dates_check():
    b.pkb_dates_check(signed_on=D(2025, 1, 1), expires_on=D(2028, 1, 1))  # 2 + 1 years
    with pytest.raises(Exception, match="harus sesudah"):
        b.pkb_dates_check(signed_on=D(2025, 1, 1), expires_on=D(2025, 1, 1))
    with pytest.raises(Exception, match="paling lambat berakhir 01/01/2028"):
        b.pkb_dates_check(signed_on=D(2025, 1, 1), expires_on=D(2028, 1, 2))


def _form(w, **data):
    employer = Employer.objects.first() or Employer.objects.create(unit=w.a, name="PT Form")
    base = {"unit": w.a.pk, "employer": employer.pk, "name": "Pabrik", "unions_present": 1}
    return WorkplaceForm({**base, **data}, user=w.admin1)


def test_form_pkb_validation_and_default_expiry(world):
    form = _form(world, pkb_signed_on="2025-03-01", pkb_expires_on="2025-02-01")
    assert not form.is_valid()
    assert form.errors["pkb_expires_on"] == [
        "Tanggal berakhir PKB harus sesudah tanggal penandatanganan."
    ]
    form = _form(world, pkb_signed_on="2025-03-01", pkb_expires_on="2028-03-02")
    assert not form.is_valid()
    assert "Pasal 123" in form.errors["pkb_expires_on"][0]
    form = _form(world, pkb_signed_on="2025-03-01", pkb_expires_on="2028-03-01")
    assert form.is_valid(), form.errors
    form = _form(world, pkb_signed_on="2025-03-01")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["pkb_expires_on"] == D(2027, 3, 1)
    form = _form(world, unions_present=0)
    assert not form.is_valid()
    assert "serikat kita sendiri" in form.errors["unions_present"][0]


# -- screens ----------------------------------------------------------------------------------


def _place(unit, name, headcount, *, unions=1, signed=None, expires=None, employer=None):
    employer = employer or Employer.objects.create(unit=unit, name=f"PT {name}")
    return object_create(
        actor=None,
        instance=Workplace(
            unit=unit,
            employer=employer,
            name=name,
            headcount=headcount,
            unions_present=unions,
            pkb_signed_on=signed,
            pkb_expires_on=expires,
        ),
    )


def _members(unit, place, n, *, status=Status.ACTIVE, **fields):
    for i in range(n):
        member_register(
            actor=None,
            unit=unit,
            full_name=f"Pekerja {place.pk}-{i} {fields}",
            gender="L",
            status=status,
            on=D(2025, 1, 1),
            joined_on=D(2025, 1, 1),
            workplace=place,
            **fields,
        )


def test_list_shows_members_density_status_and_pkb_alert(client, world):
    today = timezone.localdate()
    place = _place(world.a, "Pabrik Ambang", 20, unions=2, expires=today + datetime.timedelta(30))
    _members(world.a, place, 2)  # exactly 10%
    _members(world.a, place, 3, status=Status.APPLICANT)  # applicants do not count
    client.force_login(world.admin1)
    html = client.get(reverse("structure_workplace_list")).content.decode()
    assert re.search(r"data-members[^>]*>2<", html)
    assert "10,0%" in html
    assert f'data-status="{b.TEAM}"' in html
    assert f'data-pkb="{b.ENDING}"' in html
    assert "data-density-link" in html


def test_list_counts_members_in_one_query_however_many_rows(client, world):
    client.force_login(world.admin1)
    for i in range(2):
        _members(world.a, _place(world.a, f"Sedikit {i}", 10), 1)
    client.get(reverse("structure_workplace_list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("structure_workplace_list"))
    for i in range(12):
        _members(world.a, _place(world.a, f"Banyak {i}", 10), 1)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("structure_workplace_list"))
    assert len(many) == len(few)
    grouped = [q for q in many.captured_queries if "members_member" in q["sql"]]
    assert len(grouped) == 1
    assert "GROUP BY" in grouped[0]["sql"]


def test_pkb_filter_selects_the_next_90_days(client, world):
    today = timezone.localdate()
    _place(world.a, "Tepat 90 Hari", 10, expires=today + datetime.timedelta(90))
    _place(world.a, "Masih 91 Hari", 10, expires=today + datetime.timedelta(91))
    _place(world.a, "Sudah Lewat", 10, expires=today - datetime.timedelta(1))
    signed = b.add_years(today, -2) + datetime.timedelta(10)  # ends in 10 days, 2 years on
    _place(world.a, "Hanya Tanggal Tanda Tangan", 10, signed=signed)
    client.force_login(world.admin1)
    url = reverse("structure_workplace_list")
    html = client.get(url, {"pkb": "segera"}).content.decode()
    assert "Tepat 90 Hari" in html
    assert "Hanya Tanggal Tanda Tangan" in html
    assert "Masih 91 Hari" not in html
    assert "Sudah Lewat" not in html
    html = client.get(url, {"pkb": "berakhir"}).content.decode()
    assert "Sudah Lewat" in html
    assert "Tepat 90 Hari" not in html
    assert "PKB berakhir dalam 90 hari" in client.get(url).content.decode()


def test_create_defaults_the_expiry_to_two_years(client, world):
    employer = Employer.objects.create(unit=world.a, name="PT Baru")
    client.force_login(world.admin1)
    response = client.post(
        reverse("structure_workplace_add"),
        {
            "unit": world.a.pk,
            "employer": employer.pk,
            "name": "Pabrik Baru",
            "headcount": 80,
            "unions_present": 1,
            "pkb_signed_on": "2025-07-01",
        },
    )
    assert response.status_code == 302
    assert Workplace.objects.get(name="Pabrik Baru").pkb_expires_on == D(2027, 7, 1)


def test_headcount_below_members_is_saved_with_a_warning(client, world):
    place = _place(world.a, "Pabrik Kecil", 10)
    _members(world.a, place, 3)
    client.force_login(world.admin1)
    response = client.post(
        reverse("structure_workplace_edit", args=[place.pk]),
        {
            "unit": world.a.pk,
            "employer": place.employer_id,
            "name": place.name,
            "headcount": 2,
            "unions_present": 1,
            "_version": place.version,
        },
        follow=True,
    )
    html = response.content.decode()
    assert "lebih kecil dari jumlah anggota aktif" in html
    place.refresh_from_db()
    assert place.headcount == 2
    tab = client.get(reverse("structure_workplace_tab", args=[place.pk, "kepadatan"]))
    assert "data-warning" in tab.content.decode()


def test_detail_tab_shows_status_pkb_and_sections_with_their_members(client, world):
    today = timezone.localdate()
    place = _place(world.a, "Pabrik Seksi", 100, expires=today + datetime.timedelta(45))
    for dept, shift, n in (("Produksi", "", 30), ("Produksi", "Shift 1", 20), ("Gudang", "", 10)):
        WorkplaceSection.objects.create(workplace=place, department=dept, shift=shift, headcount=n)
    _members(world.a, place, 4, department=" produksi", shift="SHIFT 1")
    _members(world.a, place, 3, department="Produksi", shift="Shift 2")
    _members(world.a, place, 2, department="Gudang")
    _members(world.a, place, 1, department="Kantor")
    rows = b.members_by_section(place.pk, list(place.sections.all()))
    got = {(r.section.department, r.section.shift) if r.section else None: r.members for r in rows}
    assert got == {("Gudang", ""): 2, ("Produksi", ""): 3, ("Produksi", "Shift 1"): 4, None: 1}
    client.force_login(world.admin1)
    html = client.get(reverse("structure_workplace_tab", args=[place.pk, "kepadatan"])).content
    html = html.decode()
    assert f'data-bargaining="{b.VOTE}"' in html
    assert "10,0%" in html  # 10 of 100
    assert "Perlu 41 anggota aktif lagi" in html
    assert f'data-pkb="{b.ENDING}"' in html
    assert "PKB berakhir dalam 45 hari" in html
    add = reverse("structure_workplacesection_add") + f"?workplace={place.pk}"
    assert add in html
    assert "Anggota di luar bagian yang tercatat" in html
    form = client.get(add).content.decode()
    assert f'<option value="{place.pk}" selected>' in form


def test_section_needs_a_department_or_shift_and_warns_over_headcount(client, world):
    place = _place(world.a, "Pabrik Bagian", 50)
    WorkplaceSection.objects.create(workplace=place, department="Produksi", headcount=40)
    client.force_login(world.admin1)
    url = reverse("structure_workplacesection_add")
    response = client.post(url, {"workplace": place.pk, "headcount": 5})
    assert "Isi bagian/departemen, shift, atau keduanya." in response.content.decode()
    response = client.post(
        url, {"workplace": place.pk, "department": "Gudang", "headcount": 20}, follow=True
    )
    assert "melebihi jumlah pekerja tempat kerja (50)" in response.content.decode()
    assert place.sections.count() == 2


def test_sections_have_no_menu_entry():
    assert registry.for_model(WorkplaceSection).menu_group == ""


# -- the unit's density page --------------------------------------------------------------------


@pytest.fixture
def places(world):
    today = timezone.localdate()
    sub = factories.unit(world.a, "A1")
    p = {
        "high": _place(sub, "Pabrik Tinggi", 10),
        "team": _place(world.a, "Pabrik Tim", 20, unions=2, expires=today + datetime.timedelta(20)),
        "low": _place(world.a, "Pabrik Rendah", 100, unions=3),
        "blank": _place(world.a, "Pabrik Tanpa Angka", None),
        "b": _place(world.b, "Pabrik Saudara", 10),
        "c": _place(world.c, "Pabrik Organisasi Lain", 10),
    }
    _members(sub, p["high"], 6)  # 60%
    _members(world.a, p["team"], 2)  # 10%
    _members(world.a, p["low"], 1)  # 1%
    _members(world.b, p["b"], 9)
    return p


def test_density_page_sorted_with_chart_table_and_pkb_alerts(client, world, places):
    client.force_login(world.admin_a)
    response = client.get(reverse("structure:density", args=[world.a.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    order = [int(x) for x in re.findall(r'data-workplace="(\d+)"', html)]
    assert order == [places[k].pk for k in ("high", "team", "low", "blank")]
    assert "Pabrik Saudara" not in html
    assert "Pabrik Organisasi Lain" not in html
    chart = json.loads(re.search(r'id="density-data"[^>]*>(.*?)</script>', html).group(1))
    assert chart["values"] == [60.0, 10.0, 1.0, None]
    assert chart["tones"] == ["success", "primary", "danger", "secondary"]
    assert "data-pkb-ending" in html
    assert "20 hari lagi" in html
    assert re.search(r"data-ending[^>]*>1<", html)
    low_first = client.get(reverse("structure:density", args=[world.a.pk]), {"urut": "terendah"})
    order = [int(x) for x in re.findall(r'data-workplace="(\d+)"', low_first.content.decode())]
    assert order == [places[k].pk for k in ("low", "team", "high", "blank")]


def test_density_page_is_scoped(client, world, places):
    url = reverse("structure:density", args=[world.b.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(world.admin_a)
    assert client.get(url).status_code == 404  # a sibling
    assert client.get(reverse("structure:density", args=[world.c.pk])).status_code == 404
    assert client.get(reverse("structure:density_export", args=[world.b.pk])).status_code == 404
    client.force_login(world.nobody)
    assert client.get(reverse("structure:density", args=[world.a.pk])).status_code == 404
    assert client.get(reverse("structure:density_home")).status_code == 404
    client.force_login(world.admin1)
    html = client.get(reverse("structure:density", args=[world.org1.pk])).content.decode()
    assert "Pabrik Saudara" in html
    assert "Pabrik Organisasi Lain" not in html


def test_density_home_opens_the_only_top_unit(client, world, places):
    client.force_login(world.admin_a)
    response = client.get(reverse("structure:density_home"))
    assert response["Location"] == reverse("structure:density", args=[world.a.pk])


def test_xlsx_export_is_scoped_and_recorded(client, world, places):
    client.force_login(world.admin_a)
    response = client.get(reverse("structure:density_export", args=[world.a.pk]))
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[0][:7] == [
        "Nama lokasi",
        "Perusahaan",
        "Kode unit",
        "Jumlah pekerja",
        "Jumlah serikat",
        "Anggota aktif",
        "Kepadatan (%)",
    ]
    body = rows[1:]
    assert [r[0] for r in body] == [
        "Pabrik Tinggi",
        "Pabrik Tim",
        "Pabrik Rendah",
        "Pabrik Tanpa Angka",
    ]
    assert body[0][2] == "A1"
    assert body[0][5] == 6
    assert body[0][6] == 60.0
    assert body[1][7] == "Ikut tim perunding (≥ 10%)"
    assert body[3][7] == "Jumlah pekerja belum diisi"
    record = ExportRecord.objects.get()
    assert (record.user, record.model, record.file_format) == (
        world.admin_a,
        "structure.workplace-density",
        "xlsx",
    )
    assert record.unit_path == world.a.path
    assert record.row_count == 4


def test_export_needs_the_export_right(client, world, places):
    treasurer = factories.UserFactory(username="bendahara")
    factories.grant(treasurer, "Bendahara", world.a)  # sees workplaces, may not export them
    client.force_login(treasurer)
    assert client.get(reverse("structure:density", args=[world.a.pk])).status_code == 200
    assert client.get(reverse("structure:density_export", args=[world.a.pk])).status_code == 404
    assert not ExportRecord.objects.exists()


def test_unit_tab_links_the_density_page_and_lists_ending_pkbs(client, world, places):
    client.force_login(world.admin_a)
    url = reverse("structure_orgunit_tab", args=[world.a.pk, "tempat-kerja"])
    html = client.get(url).content.decode()
    assert reverse("structure:density", args=[world.a.pk]) in html
    assert "Pabrik Tim" in html
    assert "20 hari lagi" in html
    unit = OrgUnit.objects.get(code="A1")
    assert (
        "Tidak ada PKB yang berakhir"
        in client.get(
            reverse("structure_orgunit_tab", args=[unit.pk, "tempat-kerja"])
        ).content.decode()
    )
