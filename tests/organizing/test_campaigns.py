"""Campaigns: progress against hand-built data, recording activities (and refusing bad ones),
the form's checks on workplaces, organisers and dates, scoping, and the XLSX of progress."""

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
from himpun.core.registry import registry
from himpun.members.choices import Status
from himpun.members.models import Member
from himpun.members.services import member_register
from himpun.organizing.campaigns import (
    campaign_activity_record,
    campaign_progress,
    campaign_save,
)
from himpun.organizing.models import Campaign, CampaignActivity, Contact, Stage
from himpun.organizing.results import Progress
from himpun.structure.models import Employer, OrgUnit, Sector, Workplace
from tests import factories

D = datetime.date
START, END = D(2026, 1, 1), D(2026, 4, 10)  # 100 days
MIDWAY = D(2026, 2, 19)  # day 50: half the goals are expected


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def _member(unit, name, joined, *, workplace=None, status=Status.ACTIVE, **fields):
    return member_register(
        actor=None,
        unit=unit,
        full_name=name,
        gender="P",
        status=status,
        on=joined,
        joined_on=joined if status != Status.APPLICANT else None,
        workplace=workplace,
        **fields,
    )


@pytest.fixture
def places(world):
    """Workplaces under A (two) and B (one)."""
    employer = Employer.objects.create(unit=world.a, name="PT Sinar Jahit")
    other = Employer.objects.create(unit=world.b, name="PT Lain")
    return {
        "p1": Workplace.objects.create(
            unit=world.a, employer=employer, name="Pabrik 1", headcount=40, region_code="32.16.01"
        ),
        "p2": Workplace.objects.create(
            unit=world.a, employer=employer, name="Pabrik 2", headcount=60, region_code="32.17.01"
        ),
        "pb": Workplace.objects.create(
            unit=world.b, employer=other, name="Gudang B", headcount=10, region_code="32.16.01"
        ),
    }


@pytest.fixture
def members(world, places):
    """Who joined when and where (see each line)."""
    p1, p2, pb = places["p1"], places["p2"], places["pb"]
    for i in range(3):  # counted: at the target, inside the period
        _member(world.a, f"Baru {i}", D(2026, 1, 10 + i), workplace=p1)
    _member(world.a, "Lama", D(2025, 11, 1), workplace=p1)  # before: active, not new
    _member(world.a, "Sesudah", D(2026, 4, 11), workplace=p1)  # after the period
    _member(world.a, "Calon", D(2026, 1, 20), workplace=p1, status=Status.APPLICANT)
    gone = _member(world.a, "Diarsipkan", D(2026, 1, 20), workplace=p1)
    Member._base_manager.filter(pk=gone.pk).update(archived_at=timezone.now())
    _member(world.a, "Pabrik Dua", D(2026, 2, 1), workplace=p2)  # not a target workplace
    _member(world.b, "Di B", D(2026, 2, 1), workplace=pb)  # outside A's subtree
    left = _member(world.a, "Keluar", D(2026, 1, 5), workplace=p1)  # joined, left since
    from himpun.members.services import member_status_change

    member_status_change(actor=None, member=left, status=Status.LEFT, on=D(2026, 2, 1))


def _campaign(world, **fields) -> Campaign:
    fields.setdefault("unit", world.a)
    fields.setdefault("name", "Kampanye Pabrik 1")
    fields.setdefault("starts_on", START)
    fields.setdefault("ends_on", END)
    workplaces = fields.pop("workplaces", [])
    return campaign_save(
        actor=world.admin1, campaign=Campaign(**fields), workplaces=workplaces, organisers=[]
    )


# --- progress ---------------------------------------------------------------------------------


def test_progress_at_target_workplaces(world, places, members):
    c = _campaign(
        world, workplaces=[places["p1"]], goal_members=8, goal_units=2, goal_density=Decimal(20)
    )
    # units formed: one under A in the period (counts), one before, one under B
    for parent, day in ((world.a, D(2026, 1, 15)), (world.a, D(2025, 12, 1)), (world.b, START)):
        u = factories.unit(parent)
        OrgUnit._base_manager.filter(pk=u.pk).update(created_at=_aware(day))
    org = world.org1
    stages = [
        Stage.objects.create(organisation=org, name=n, code=c_, order=i, is_member=i == 2)
        for i, (c_, n) in enumerate(
            (("info", "Informasi"), ("kp", "Kontak poin"), ("agt", "Anggota"))
        )
    ]
    for stage, n in ((stages[0], 2), (stages[1], 1)):
        for i in range(n):
            Contact.objects.create(
                unit=world.a, full_name=f"K{stage.code}{i}", stage=stage, campaign=c
            )
    Contact.objects.create(unit=world.a, full_name="Tanpa kampanye", stage=stages[0])
    for kind, count in (("kunjungan", 3), ("kunjungan", 2), ("selebaran", 100)):
        campaign_activity_record(
            actor=world.admin1, campaign=c, on=D(2026, 1, 20), kind=kind, count=count
        )

    with CaptureQueriesContext(connection) as queries:
        p = campaign_progress(Campaign.objects.get(pk=c.pk), today=MIDWAY)
    assert len(queries) <= 9  # a handful of aggregates, whatever the number of members

    new = p.goal("members")
    # Baru 0-2 and Keluar joined at Pabrik 1 in the period (left since, still a recruit);
    # not Lama (before), Sesudah (after), Calon, the archived one, Pabrik 2 or B.
    assert new.result == 4
    assert new.goal == 8
    assert new.expected == Decimal("4.0")
    assert new.percent == Decimal("50.0")
    assert new.status == Progress.ON_TRACK
    assert new.on_track
    units = p.goal("units")
    assert units.result == 1
    assert units.expected == Decimal("1.0")
    assert units.on_track
    density = p.goal("density")
    # active at Pabrik 1: Baru 0-2, Lama, Sesudah = 5 of 40
    assert density.result == Decimal("12.5")
    assert density.expected == Decimal("10.0")
    assert density.on_track
    assert [(w.name, w.headcount, w.active, w.new) for w in p.workplaces] == [
        ("Pabrik 1 (PT Sinar Jahit)", 40, 5, 4)
    ]
    assert p.stages == [("Informasi", 2, False), ("Kontak poin", 1, False), ("Anggota", 0, True)]
    assert p.contacts_total == 3
    totals = {code: (times, total) for code, _label, times, total in p.activities}
    assert totals["kunjungan"] == (2, 5)
    assert totals["selebaran"] == (1, 100)
    assert totals["pertemuan"] == (0, 0)
    assert p.elapsed_days == 50
    assert p.total_days == 100


def test_progress_without_targets_counts_the_subtree(world, places, members):
    c = _campaign(world, goal_members=10, goal_density=Decimal(50))
    p = campaign_progress(c, today=END + datetime.timedelta(days=1))
    # Pabrik 1's four recruits and Pabrik 2's one, not B's
    assert p.goal("members").result == 5
    assert p.goal("members").status == Progress.BEHIND
    assert p.goal("members").on_track is False
    # every workplace of A: (5 + 1) active of 40 + 60
    assert p.goal("density").result == Decimal("6.0")
    assert p.goal("units").status == Progress.NO_TARGET
    assert p.goal("units").on_track is None
    assert p.workplaces == []


def test_progress_by_region_and_sector(world, places, members):
    by_region = _campaign(world, unit=world.org1, name="Wilayah", region_code="32.16")
    # workplaces in 32.16: Pabrik 1 (A) and Gudang B; not Pabrik 2 (32.17)
    assert campaign_progress(by_region, today=MIDWAY).goal("members").result == 5
    sector = Sector.objects.create(organisation=world.org1, name="Garmen", code="garmen")
    OrgUnit._base_manager.filter(pk=world.b.pk).update(sector=sector)
    by_sector = _campaign(world, unit=world.org1, name="Sektor", sector=sector)
    assert campaign_progress(by_sector, today=MIDWAY).goal("members").result == 1  # B's one


def test_progress_before_the_start_is_not_started(world):
    c = _campaign(world, goal_members=5)
    p = campaign_progress(c, today=START - datetime.timedelta(days=3))
    assert p.goal("members").status == Progress.NOT_STARTED
    assert p.goal("members").expected == 0
    assert p.elapsed_days == 0


# --- activities -------------------------------------------------------------------------------


def test_activity_is_recorded_and_audited(world):
    c = _campaign(world)
    a = campaign_activity_record(
        actor=world.admin_a, campaign=c, on=START, kind="pertemuan", count=12, note="Rapat shift 2"
    )
    assert a.actor == world.admin_a
    assert a.count == 12
    assert AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(CampaignActivity),
        object_id=str(a.pk),
        action="create",
        actor=world.admin_a,
    ).exists()


@pytest.mark.parametrize(
    ("on", "count", "field", "text"),
    [
        (START - datetime.timedelta(days=1), 1, "on", "di dalam masa kampanye, 01/01/2026"),
        (END + datetime.timedelta(days=1), 1, "on", "sampai 10/04/2026"),
        (START, 0, "count", "paling sedikit 1"),
    ],
)
def test_bad_activity_is_refused_and_nothing_written(world, on, count, field, text):
    c = _campaign(world)
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        campaign_activity_record(
            actor=world.admin1, campaign=c, on=on, kind="kunjungan", count=count
        )
    assert text in " ".join(exc.value.message_dict[field])
    assert not CampaignActivity.objects.exists()
    assert AuditEntry.objects.count() == audits


def _add_url(c: Campaign) -> str:
    from django.urls import reverse

    return reverse("organizing:campaign_activity_add", args=[c.pk])


def test_activity_form_on_the_campaign_page(client, world):
    c = _campaign(world)
    client.force_login(world.admin_a)
    tab = registry.for_model(Campaign).url("tab", c.pk, tab="kegiatan")
    assert "data-activity-form" in client.get(tab).content.decode()
    data = {"on": "2026-02-01", "kind": "kunjungan", "count": "7", "note": "Gerbang pagi"}
    response = client.post(_add_url(c), data)
    assert response.status_code == 302
    assert response["Location"] == tab
    assert CampaignActivity.objects.get().note == "Gerbang pagi"
    html = client.get(tab).content.decode()
    assert "Gerbang pagi" in html
    assert "data-activity-log" in html

    bad = client.post(_add_url(c), {**data, "on": "2026-05-01", "count": "0", "note": "Salah"})
    html = bad.content.decode()
    assert bad.status_code == 200
    assert "Tanggal harus di dalam masa kampanye, 01/01/2026 sampai 10/04/2026." in html
    assert "Jumlah paling sedikit 1." in html
    assert 'value="Salah"' in html  # the input is kept
    assert CampaignActivity.objects.count() == 1


def test_activity_form_out_of_scope_or_without_right_answers_404(client, world):
    at_b = _campaign(world, unit=world.b, name="Kampanye B")
    data = {"on": "2026-02-01", "kind": "kunjungan", "count": "1"}
    client.force_login(world.admin_a)
    assert client.post(_add_url(at_b), data).status_code == 404
    viewer = factories.UserFactory()
    factories.grant(viewer, "Pengamat", world.b)
    client.force_login(viewer)
    assert client.get(registry.for_model(Campaign).url("detail", at_b.pk)).status_code == 200
    assert client.post(_add_url(at_b), data).status_code == 404
    tab = client.get(registry.for_model(Campaign).url("tab", at_b.pk, tab="kegiatan"))
    assert "data-activity-form" not in tab.content.decode()
    assert not CampaignActivity.objects.exists()


def test_activities_of_other_units_answer_404(client, world):
    at_b = _campaign(world, unit=world.b, name="Kampanye B")
    a = campaign_activity_record(
        actor=world.admin1, campaign=at_b, on=START, kind="kunjungan", count=1
    )
    client.force_login(world.admin_a)
    s = registry.for_model(CampaignActivity)
    assert client.get(s.url("detail", a.pk)).status_code == 404
    assert client.post(s.url("delete", a.pk), {"mode": "delete"}).status_code == 404
    assert CampaignActivity.objects.filter(pk=a.pk).exists()


# --- the form ---------------------------------------------------------------------------------


def _form_data(world, **extra):
    return {
        "unit": world.a.pk,
        "name": "Kampanye Uji",
        "starts_on": "2026-01-01",
        "ends_on": "2026-06-30",
        **extra,
    }


def test_form_refuses_workplace_outside_the_subtree(client, world, places):
    client.force_login(world.admin1)
    add = registry.for_model(Campaign).url("add")
    response = client.post(add, _form_data(world, workplaces=[places["p1"].pk, places["pb"].pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tempat kerja berikut tidak berada di bawah Unit A: Gudang B." in html
    assert not Campaign.objects.exists()
    ok = client.post(add, _form_data(world, workplaces=[places["p1"].pk]))
    assert ok.status_code == 302
    assert list(Campaign.objects.get().workplaces.all()) == [places["p1"]]


def test_form_offers_only_visible_workplaces(client, world, places):
    client.force_login(world.admin_a)
    response = client.post(
        registry.for_model(Campaign).url("add"), _form_data(world, workplaces=[places["pb"].pk])
    )
    assert response.status_code == 200
    assert "workplaces" in response.context["form"].errors  # not a valid choice for A's admin
    assert not Campaign.objects.exists()


def test_form_refuses_end_before_start_and_outside_organisers(client, world):
    outsider = factories.UserFactory(username="di_b")
    factories.grant(outsider, "Organiser", world.b)
    client.force_login(world.admin1)
    response = client.post(
        registry.for_model(Campaign).url("add"),
        _form_data(world, ends_on="2025-12-31", organisers=[outsider.pk, world.admin_a.pk]),
    )
    html = response.content.decode()
    assert "Tanggal selesai tidak boleh sebelum tanggal mulai." in html
    assert "tidak memegang peran di Unit A, di bawahnya, atau di atasnya." in html
    assert not Campaign.objects.exists()
    # the organisation's admin (above A) and A's admin (at A) may organise A's campaign
    ok = client.post(
        registry.for_model(Campaign).url("add"),
        _form_data(world, organisers=[world.admin1.pk, world.admin_a.pk]),
    )
    assert ok.status_code == 302
    assert set(Campaign.objects.get().organisers.all()) == {world.admin1, world.admin_a}


def test_changing_workplaces_and_organisers_is_audited(world, places):
    c = _campaign(world, workplaces=[places["p1"]])
    c = campaign_save(
        actor=world.admin1,
        campaign=c,
        workplaces=[places["p1"], places["p2"]],
        organisers=[world.admin_a],
        expected_version=c.version,
    )
    entry = AuditEntry.objects.filter(object_id=str(c.pk), action="update").latest("id")
    assert entry.changes["workplaces"][1] == (
        "Pabrik 1 (PT Sinar Jahit), Pabrik 2 (PT Sinar Jahit)"
    )
    assert entry.changes["organisers"][0] is None
    # The history tab names the lists by their labels, not by their field names.
    from himpun.core.views import describe

    labels = [label for d in describe(Campaign, [entry]) for label, _b, _a in d["changes"]]
    assert "tempat kerja sasaran" in labels
    assert "workplaces" not in labels


# --- pages and export -------------------------------------------------------------------------


def test_progress_tab_shows_the_figures(client, world, places, members):
    c = _campaign(world, workplaces=[places["p1"]], goal_members=8, goal_density=Decimal(20))
    client.force_login(world.admin1)
    html = client.get(
        registry.for_model(Campaign).url("tab", c.pk, tab="kemajuan")
    ).content.decode()
    assert 'data-goal="members"' in html
    assert "campaign-chart" in html
    assert "Pabrik 1 (PT Sinar Jahit)" in html
    assert "data-export" in html


def test_progress_xlsx_is_read_back_and_recorded(client, world, places, members):
    from django.urls import reverse

    c = _campaign(world, workplaces=[places["p1"]], goal_members=8)
    client.force_login(world.admin1)
    response = client.get(reverse("organizing:campaign_progress_export", args=[c.pk]))
    assert response.status_code == 200
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert rows[0][:4] == ["Bagian", "Ukuran", "Target", "Hasil"]
    members_row = next(r for r in rows if r[1] == "Anggota baru")
    assert members_row[2] == 8
    assert members_row[3] == 4
    place = next(r for r in rows if r[1] == "Pabrik 1 (PT Sinar Jahit)")
    assert place[2] == 40
    assert place[3] == 5
    assert place[5] == 12.5
    record = ExportRecord.objects.get()
    assert record.model == "organizing.campaign.progress"
    assert record.file_format == "xlsx"
    assert record.user == world.admin1
    assert record.row_count == len(rows) - 1
    assert record.unit_path == world.a.path


def test_progress_xlsx_out_of_scope_or_without_export_right_answers_404(client, world):
    from django.urls import reverse

    at_b = _campaign(world, unit=world.b, name="Kampanye B")
    url = reverse("organizing:campaign_progress_export", args=[at_b.pk])
    client.force_login(world.admin_a)
    assert client.get(url).status_code == 404
    viewer = factories.UserFactory()
    factories.grant(viewer, "Pengamat", world.b)
    client.force_login(viewer)
    assert client.get(url).status_code == 404
    assert not ExportRecord.objects.exists()
