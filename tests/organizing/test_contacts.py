"""Contacts: stage moves (forward counted up the tree, backward recorded), assessments
(1–5 only, nothing written otherwise), conversion into a member (everything kept, once),
scoping of the pages, the wall chart's counts and the funnel's XLSX."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from python_calamine import CalamineWorkbook

from himpun.core.models import AuditEntry, ExportRecord
from himpun.members.choices import Status
from himpun.members.models import Member
from himpun.members.services import member_register
from himpun.organizing import contacts
from himpun.organizing.models import Contact, ContactChange, Stage
from himpun.structure.models import Employer, OrgUnit, UnitCounter, Workplace, WorkplaceSection
from tests import factories

D = datetime.date


def counter(unit: OrgUnit, key: str) -> tuple[int, int]:
    row = UnitCounter.objects.filter(unit=unit, key=key).first()
    return (row.direct, row.total) if row else (0, 0)


def stage(unit: OrgUnit, code: str) -> Stage:
    contacts.stages_ensure(unit)
    return Stage.objects.get(organisation_id=unit.organisation_id or unit.pk, code=code)


def new_contact(unit, name="Rina Buruh", **fields) -> Contact:
    return contacts.contact_create(actor=None, contact=Contact(unit=unit, full_name=name, **fields))


@pytest.fixture
def place(world):
    employer = Employer.objects.create(unit=world.a, name="PT Sinar Jahit")
    return Workplace.objects.create(
        unit=world.a, employer=employer, name="Pabrik Jahit", headcount=50
    )


# --- stages --------------------------------------------------------------------------------


def test_stages_are_seeded_once_per_organisation(world):
    contacts.stages_ensure(world.a)
    contacts.stages_ensure(world.org1)
    codes = list(
        Stage.objects.filter(organisation=world.org1)
        .order_by("order")
        .values_list("code", flat=True)
    )
    assert codes == ["informasi", "kontak-poin", "pendidikan", "anggota"]
    assert Stage.objects.get(organisation=world.org1, code="anggota").is_member
    assert not Stage.objects.filter(organisation=world.org2).exists()


def test_a_new_contact_starts_at_the_first_stage_with_history(world):
    c = new_contact(world.a, assessment=3)
    assert c.stage.code == "informasi"
    (change,) = ContactChange.objects.filter(contact=c)
    assert change.stage == c.stage
    assert change.assessment == 3
    assert change.direction == 0
    assert AuditEntry.objects.filter(object_id=str(c.pk), action="create").exists()


def test_a_stage_of_another_organisation_or_the_member_stage_is_refused(world):
    other = stage(world.c, "pendidikan")
    with pytest.raises(ValidationError):
        new_contact(world.a, stage=other)
    c = new_contact(world.a)
    with pytest.raises(ValidationError):
        contacts.contact_stage_change(actor=world.admin1, contact=c, stage=other)
    with pytest.raises(ValidationError, match="Jadikan anggota"):
        contacts.contact_stage_change(
            actor=world.admin1, contact=c, stage=stage(world.a, "anggota")
        )
    assert ContactChange.objects.filter(contact=c).count() == 1


# --- moves and counters --------------------------------------------------------------------


def test_forward_moves_are_counted_up_the_tree_backward_moves_only_recorded(world):
    c = new_contact(world.a)
    on = D(2026, 3, 5)
    key = "contacts.forward.2026-03"
    contacts.contact_stage_change(
        actor=world.admin1, contact=c, stage=stage(world.a, "kontak-poin"), on=on, note="rapat"
    )
    assert counter(world.a, key) == (1, 1)
    assert counter(world.org1, key) == (0, 1)
    contacts.contact_stage_change(
        actor=world.admin1, contact=c, stage=stage(world.a, "pendidikan"), on=on
    )
    assert counter(world.a, key) == (2, 2)
    contacts.contact_stage_change(
        actor=world.admin1, contact=c, stage=stage(world.a, "informasi"), on=on, note="mundur"
    )
    assert counter(world.a, key) == (2, 2)  # a backward move is not counted
    assert counter(world.org1, key) == (0, 2)
    directions = list(
        ContactChange.objects.filter(contact=c).order_by("id").values_list("direction", "note")
    )
    assert directions == [(0, "Kontak dicatat"), (1, "rapat"), (1, ""), (-1, "mundur")]
    c.refresh_from_db()
    assert c.stage.code == "informasi"
    assert c.version == 4
    updates = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Contact),
        object_id=str(c.pk),
        action="update",
    )
    assert updates.count() == 3
    # the same stage again says so and writes nothing
    with pytest.raises(ValidationError):
        contacts.contact_stage_change(actor=world.admin1, contact=c, stage=c.stage)
    assert ContactChange.objects.filter(contact=c).count() == 4


def test_a_move_in_the_future_is_refused(world):
    c = new_contact(world.a)
    with pytest.raises(ValidationError):
        contacts.contact_stage_change(
            actor=world.admin1,
            contact=c,
            stage=stage(world.a, "kontak-poin"),
            on=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert not UnitCounter.objects.filter(key__startswith="contacts.forward").exists()


def test_the_edit_form_records_stage_and_assessment_changes(client, world):
    c = new_contact(world.a, assessment=3)
    client.force_login(world.admin1)
    url = f"/organisasi/kontak/{c.pk}/ubah/"
    data = {
        "unit": world.a.pk,
        "full_name": c.full_name,
        "stage": stage(world.a, "pendidikan").pk,
        "assessment": "2",
        "_version": c.version,
    }
    assert client.post(url, data).status_code == 302
    last = ContactChange.objects.filter(contact=c).latest("id")
    assert (last.stage.code, last.assessment, last.direction) == ("pendidikan", 2, 1)
    month = f"contacts.forward.{timezone.localdate():%Y-%m}"
    assert counter(world.a, month) == (1, 1)


# --- assessments ---------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [0, 6, -1, "x", "2.5", None])
def test_an_assessment_outside_one_to_five_is_refused_and_nothing_written(world, bad):
    c = new_contact(world.a)
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        contacts.contact_assess(actor=world.admin1, contact=c, assessment=bad)
    assert "1 sampai 5" in str(exc.value)
    c.refresh_from_db()
    assert c.assessment is None
    assert c.version == 1
    assert ContactChange.objects.filter(contact=c).count() == 1
    assert AuditEntry.objects.count() == audits


def test_assessments_are_kept_as_history(world):
    c = new_contact(world.a)
    contacts.contact_assess(actor=world.admin1, contact=c, assessment=4, on=D(2026, 1, 2))
    contacts.contact_assess(actor=world.admin1, contact=c, assessment="2", note="ikut rapat")
    c.refresh_from_db()
    assert c.assessment == 2
    assert list(
        ContactChange.objects.filter(contact=c, assessment__isnull=False)
        .order_by("id")
        .values_list("assessment", "direction")
    ) == [(4, 0), (2, 0)]
    assert not UnitCounter.objects.filter(key__startswith="contacts.forward").exists()


def test_the_assess_page_refuses_a_bad_value_with_a_message(client, world):
    c = new_contact(world.a)
    client.force_login(world.admin1)
    response = client.post(
        f"/organisasi/kontak/{c.pk}/nilai/", {"assessment": "7", "on": "2026-01-05"}
    )
    assert response.status_code == 400
    assert "1 sampai 5" in response.content.decode()
    assert ContactChange.objects.filter(contact=c).count() == 1


# --- conversion ----------------------------------------------------------------------------


def test_conversion_keeps_everything_and_sets_member_fields(world, place):
    recruiter = member_register(actor=None, unit=world.a, full_name="Sari Perekrut", gender="P")
    c = new_contact(
        world.a,
        phone="+6281234567890",
        workplace=place,
        department="Jahit",
        shift="Pagi",
        known_by=recruiter,
        channel="ajakan",
        notes="Kenal lewat arisan",
        assessment=2,
    )
    contacts.contact_stage_change(actor=world.admin1, contact=c, stage=stage(world.a, "pendidikan"))
    history_before = ContactChange.objects.filter(contact=c).count()
    forward_before = counter(world.a, f"contacts.forward.{timezone.localdate():%Y-%m}")
    member = contacts.contact_convert(actor=world.admin1, contact=c, gender="P")
    assert member.unit == world.a
    assert (member.full_name, member.phone, member.department, member.shift) == (
        "Rina Buruh",
        "+6281234567890",
        "Jahit",
        "Pagi",
    )
    assert member.workplace == place
    assert member.employer == place.employer
    assert member.recruitment_channel == "ajakan"
    assert member.recruited_by == recruiter
    assert member.status == Status.ACTIVE
    assert member.number
    c.refresh_from_db()
    assert c.member == member
    assert c.converted_at is not None
    assert c.stage.code == "anggota"
    assert c.notes == "Kenal lewat arisan"
    assert c.assessment == 2
    assert ContactChange.objects.filter(contact=c).count() == history_before + 1
    last = ContactChange.objects.filter(contact=c).latest("id")
    assert last.stage.is_member
    assert last.direction == 1
    forward_after = counter(world.a, f"contacts.forward.{timezone.localdate():%Y-%m}")
    assert forward_after[0] == forward_before[0] + 1
    assert AuditEntry.objects.filter(object_id=str(member.pk), action="create").exists()
    # twice is refused, nothing new written
    members = Member.objects.count()
    with pytest.raises(ValidationError, match="sudah dijadikan anggota"):
        contacts.contact_convert(actor=world.admin1, contact=c, gender="P")
    assert Member.objects.count() == members


def test_conversion_into_another_unit_and_member_tab(client, world):
    c = new_contact(world.a, notes="catatan lama")
    client.force_login(world.admin1)
    response = client.post(
        f"/organisasi/kontak/{c.pk}/jadikan-anggota/",
        {"gender": "L", "status": "calon", "unit": "B", "on": f"{timezone.localdate():%Y-%m-%d}"},
    )
    assert response.status_code == 302, response.content.decode()
    member = Member.objects.get(full_name="Rina Buruh")
    assert member.unit == world.b
    assert member.status == Status.APPLICANT
    tab = client.get(f"/anggota/{member.pk}/pengorganisasian/")
    assert tab.status_code == 200
    html = tab.content.decode()
    assert "catatan lama" in html
    assert "data-history" in html
    # a member who never was a contact has no such tab
    other = member_register(actor=None, unit=world.a, full_name="Budi", gender="L")
    assert client.get(f"/anggota/{other.pk}/pengorganisasian/").status_code == 404
    # a second conversion through the page is refused with a message
    again = client.post(
        f"/organisasi/kontak/{c.pk}/jadikan-anggota/",
        {"gender": "L", "status": "aktif", "on": f"{timezone.localdate():%Y-%m-%d}"},
    )
    assert again.status_code == 400
    assert Member.objects.filter(full_name="Rina Buruh").count() == 1


def test_a_failed_conversion_writes_nothing(world):
    c = new_contact(world.a)
    Stage.objects.filter(organisation=world.org1, is_member=True).update(is_member=False)
    with pytest.raises(ValidationError, match="tahap keanggotaan"):
        contacts.contact_convert(actor=world.admin1, contact=c, gender="P")
    c.refresh_from_db()
    assert c.member is None
    assert not Member.objects.exists()


# --- scoping -------------------------------------------------------------------------------


def test_pages_answer_404_out_of_scope(client, world, place):
    sibling = new_contact(world.b, name="Kontak B")
    mine = new_contact(world.a, name="Kontak A")
    client.force_login(world.admin_a)
    for url in (
        f"/organisasi/kontak/{sibling.pk}/ubah-tahap/",
        f"/organisasi/kontak/{sibling.pk}/nilai/",
        f"/organisasi/kontak/{sibling.pk}/jadikan-anggota/",
        f"/organisasi/saluran-kontak/{world.b.pk}/",
        f"/organisasi/saluran-kontak/{world.b.pk}/xlsx/",
        f"/organisasi/saluran-kontak/{world.org1.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            f"/organisasi/kontak/{sibling.pk}/nilai/", {"assessment": "1", "on": "2026-01-01"}
        ).status_code
        == 404
    )
    assert client.get(f"/organisasi/kontak/{mine.pk}/ubah-tahap/").status_code == 200
    assert client.get(f"/organisasi/dinding/{place.pk}/").status_code == 200
    client.force_login(world.nobody)
    assert client.get(f"/organisasi/dinding/{place.pk}/").status_code == 404
    assert client.get(f"/organisasi/kontak/{mine.pk}/nilai/").status_code == 404
    assert client.get("/organisasi/saluran-kontak/").status_code == 404


def test_converting_needs_rights_on_contacts_and_members_at_the_unit(client, world):
    c = new_contact(world.a)
    organiser = factories.UserFactory(username="organiser_a")
    factories.grant(organiser, "Organiser", world.a)
    client.force_login(organiser)
    assert client.get(f"/organisasi/kontak/{c.pk}/jadikan-anggota/").status_code == 200
    # a unit outside the organiser's reach is not found, nothing written
    response = client.post(
        f"/organisasi/kontak/{c.pk}/jadikan-anggota/",
        {"gender": "L", "status": "aktif", "unit": "B", "on": "2026-01-01"},
    )
    assert response.status_code == 400
    assert not Member.objects.exists()
    # a reader may look but not act
    reader = factories.UserFactory(username="pengamat_a")
    factories.grant(reader, "Pengamat", world.a)
    client.force_login(reader)
    assert client.get(f"/organisasi/kontak/{c.pk}/").status_code == 200
    for action in ("ubah-tahap", "nilai", "jadikan-anggota"):
        assert client.get(f"/organisasi/kontak/{c.pk}/{action}/").status_code == 404
    html = client.get(f"/organisasi/kontak/{c.pk}/perkembangan/").content.decode()
    assert "data-action" not in html


# --- the wall chart ------------------------------------------------------------------------


def test_wall_chart_counts_for_a_small_workplace(client, world, place):
    WorkplaceSection.objects.create(workplace=place, department="Jahit", headcount=20)
    WorkplaceSection.objects.create(workplace=place, department="Gudang", headcount=10)
    for name, dept, a in [
        ("Ani", "Jahit", 1),
        ("Bayu", "jahit ", 1),  # same department, typed differently
        ("Cici", "Jahit", 5),
        ("Dedi", "Gudang", None),
        ("Eka", "", 3),
        ("Fani", "", None),
    ]:
        new_contact(world.a, name=name, workplace=place, department=dept, assessment=a)
    archived = new_contact(world.a, name="Lama", workplace=place, department="Jahit", assessment=2)
    Contact.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
    for name, dept in [("M1", "Jahit"), ("M2", "Jahit"), ("M3", "")]:
        member_register(
            actor=None, unit=world.a, full_name=name, gender="L", workplace=place, department=dept
        )
    member_register(
        actor=None,
        unit=world.a,
        full_name="Calon",
        gender="L",
        workplace=place,
        department="Jahit",
        status=Status.APPLICANT,
    )
    converted = new_contact(world.a, name="Sudah", workplace=place, department="Gudang")
    contacts.contact_convert(actor=None, contact=converted, gender="L")

    with CaptureQueriesContext(connection) as queries:
        chart = contacts.wall_chart(
            workplace=place, contacts=Contact.objects.all(), members=Member.objects.all()
        )
    assert len(queries) == 4  # sections, counts, names, members: none per contact
    rows = {r.label: r for r in chart.rows}
    assert list(rows) == ["Gudang", "Jahit", "(tanpa bagian)"]
    jahit = rows["Jahit"]
    assert jahit.headcount == 20
    assert jahit.cells[1].count == 2
    assert jahit.cells[5].count == 1
    assert jahit.cells[2].count == 0
    assert [n for _pk, n in jahit.cells[1].names] == ["Ani", "Bayu"]
    assert jahit.members == 2
    assert jahit.member_percent == 10.0
    gudang = rows["Gudang"]
    assert gudang.cells["belum"].count == 1
    assert gudang.members == 1
    blank = rows["(tanpa bagian)"]
    assert blank.headcount is None
    assert blank.cells[3].count == 1
    assert blank.cells["belum"].count == 1
    assert blank.members == 1
    assert chart.total.contacts == 6
    assert chart.total.members == 4
    assert chart.total.headcount == 30

    client.force_login(world.admin1)
    html = client.get(f"/organisasi/dinding/{place.pk}/").content.decode()
    assert 'data-total-cell="anggota">4<' in html
    assert ">Ani</a>" in html
    assert "M1" not in html
    by_shift = contacts.wall_chart(
        workplace=place, contacts=Contact.objects.all(), members=Member.objects.all(), by="shift"
    )
    assert [r.label for r in by_shift.rows] == ["(tanpa shift)"]
    assert by_shift.total.contacts == 6


def test_wall_chart_shows_only_what_the_user_may_see(client, world, place):
    new_contact(world.a, name="Terlihat", workplace=place, department="Jahit", assessment=1)
    new_contact(world.b, name="Rahasia", workplace=place, department="Jahit", assessment=1)
    client.force_login(world.admin_a)
    html = client.get(f"/organisasi/dinding/{place.pk}/").content.decode()
    assert "Terlihat" in html
    assert "Rahasia" not in html


# --- the funnel ----------------------------------------------------------------------------


def test_funnel_counts_open_contacts_in_the_subtree_and_exports_xlsx(client, world):
    for name, unit, code in [
        ("Satu", world.a, "informasi"),
        ("Dua", world.a, "informasi"),
        ("Tiga", world.b, "pendidikan"),
        ("Empat", world.c, "informasi"),
    ]:
        c = new_contact(unit, name=name)
        if code != "informasi":
            contacts.contact_stage_change(actor=None, contact=c, stage=stage(unit, code))
    gone = new_contact(world.a, name="Arsip")
    Contact.objects.filter(pk=gone.pk).update(archived_at=timezone.now())
    contacts.contact_convert(actor=None, contact=new_contact(world.b, name="Lima"), gender="P")

    client.force_login(world.admin1)
    assert client.get("/organisasi/saluran-kontak/").status_code == 302
    page = client.get(f"/organisasi/saluran-kontak/{world.org1.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="funnel-chart"' in html
    assert "funnel-data" in html
    response = client.get(f"/organisasi/saluran-kontak/{world.org1.pk}/xlsx/")
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[0] == ["Tahap", "Jumlah kontak", "Persen"]
    counts = {r[0]: r[1] for r in rows[1:]}
    assert counts == {
        "Pengumpulan informasi": 2,
        "Kontak poin": 0,
        "Pendidikan": 1,
        "Jumlah": 3,
    }
    record = ExportRecord.objects.get(model="organizing.funnel")
    assert record.user == world.admin1
    assert record.unit_path == world.org1.path
    assert record.file_format == "xlsx"
    assert record.row_count == 3
    rep = contacts.funnel(contacts=Contact.objects.all(), unit=world.org1)
    assert rep.converted == 1
    assert rep.total == 3


def test_the_workplace_page_sums_up_its_wall_chart(client, world, place):
    new_contact(world.a, name="Ani", workplace=place, department="Jahit", assessment=1)
    new_contact(world.a, name="Budi", workplace=place, department="Jahit", assessment=4)
    member_register(actor=None, unit=world.a, full_name="M1", gender="L", workplace=place)
    client.force_login(world.admin1)
    html = client.get(f"{place.get_absolute_url()}bagan-dinding/").content.decode()
    assert "data-wall-summary" in html
    assert f"/organisasi/dinding/{place.pk}/" in html
    summary = html.split("data-wall-summary", 1)[1]
    # two contacts, one supporter, one member
    assert [int(x) for x in re.findall(r"fs-4 fw-semibold[^>]*>(\d+)<", summary)][:3] == [2, 1, 1]
    # a user who may not see contacts does not get the tab
    client.force_login(world.nobody)
    assert client.get(f"{place.get_absolute_url()}bagan-dinding/").status_code == 404
