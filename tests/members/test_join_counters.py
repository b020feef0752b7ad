"""The joins counters (`joins.YYYY-MM` and `joins.YYYY-MM.<channel>`) stay exactly in step
with the members table through every write path, and the rebuild gives the same numbers."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from himpun.core.scoping import ancestor_ids
from himpun.core.services import DeleteRefused
from himpun.imports.engine import import_job_run
from himpun.members.choices import Channel, Status
from himpun.members.duplicates import member_merge
from himpun.members.models import Member
from himpun.members.services import (
    join_key,
    member_archive,
    member_delete,
    member_join_counters_rebuild,
    member_register,
    member_status_change,
    member_transfer_accept,
    member_transfer_request,
    member_update,
)
from himpun.structure.models import UnitCounter
from tests import factories
from tests.imports.test_engine import new_job, write_csv

JAN, FEB, MAR = datetime.date(2025, 1, 15), datetime.date(2025, 2, 3), datetime.date(2025, 3, 31)
#: Statuses of people who joined (and stay counted in their month, whatever came after).
JOINED = {Status.ACTIVE, Status.INACTIVE, Status.LEFT, Status.EXPELLED, Status.DECEASED}


def counters() -> dict[tuple[int, str], tuple[int, int]]:
    """Every non-zero `joins.*` counter: (unit, key) → (direct, total)."""
    return {
        (u, k): (d, t)
        for u, k, d, t in UnitCounter.objects.filter(key__startswith="joins.").values_list(
            "unit_id", "key", "direct", "total"
        )
        if d or t
    }


def recount() -> dict[tuple[int, str], tuple[int, int]]:
    """The same counters recomputed from the members table, written out independently of the
    code under test: live members who joined, by current unit, month and channel."""
    rows = (
        Member._base_manager.filter(archived_at__isnull=True, joined_on__isnull=False)
        .values_list("unit__path", "joined_on", "recruitment_channel", "status")
        .order_by()
    )
    out: dict[tuple[int, str], list[int]] = {}
    for path, joined_on, channel, status in rows:
        if status not in JOINED:
            continue
        ids = ancestor_ids(path)
        month = f"joins.{joined_on:%Y-%m}"
        for key in (month, f"{month}.{channel or 'lain'}"):
            for i in ids:
                out.setdefault((i, key), [0, 0])[1] += 1
            out[(ids[-1], key)][0] += 1
    return {k: (d, t) for k, (d, t) in out.items()}


def assert_in_step() -> dict[tuple[int, str], tuple[int, int]]:
    kept = counters()
    assert kept == recount()
    return kept


def total(unit, key: str) -> int:
    row = UnitCounter.objects.filter(unit=unit, key=key).first()
    return row.total if row else 0


def reg(unit, name="Sri Wahyuni", **kw):
    kw.setdefault("gender", "P")
    kw.setdefault("on", datetime.date(2025, 1, 1))
    return member_register(actor=None, unit=unit, full_name=name, **kw)


# -- the keys and the rule -------------------------------------------------------------------


def test_keys():
    assert join_key(JAN) == "joins.2025-01"
    assert join_key(JAN, Channel.ADVOCACY) == "joins.2025-01.advokasi"
    assert join_key(JAN, "") == "joins.2025-01.lain"


def test_register_counts_active_members_in_their_month_and_channel(world):
    reg(world.a, joined_on=JAN, recruitment_channel=Channel.SOCIAL_MEDIA)
    reg(world.a, "Budi", joined_on=JAN)
    reg(world.b, "Citra", joined_on=FEB, recruitment_channel=Channel.ADVOCACY)
    reg(world.a, "Calon", status=Status.APPLICANT, joined_on=JAN)  # has not joined
    assert_in_step()
    assert total(world.org1, "joins.2025-01") == 2
    assert total(world.a, "joins.2025-01.media_sosial") == 1
    assert total(world.a, "joins.2025-01.lain") == 1
    assert total(world.org1, "joins.2025-02.advokasi") == 1
    assert total(world.a, "joins.2025-02") == 0


def test_register_without_a_date_joins_on_the_day_registered(world):
    m = reg(world.a, on=FEB)
    assert m.joined_on == FEB
    assert total(world.org1, join_key(m.joined_on)) == 1
    assert_in_step()


def test_status_changes(world):
    applicant = reg(world.a, "Calon", status=Status.APPLICANT, recruitment_channel=Channel.POSTER)
    assert_in_step()
    accepted = member_status_change(actor=None, member=applicant, status=Status.ACTIVE, on=FEB)
    assert accepted.joined_on == FEB
    assert total(world.org1, "joins.2025-02.poster") == 1
    assert_in_step()
    for status in (Status.INACTIVE, Status.ACTIVE, Status.LEFT):
        member_status_change(actor=None, member=accepted, status=status, on=MAR)
        assert total(world.org1, "joins.2025-02") == 1  # still joined in February
        assert_in_step()
    rejected = reg(world.b, "Ditolak", status=Status.APPLICANT)
    member_status_change(actor=None, member=rejected, status=Status.REJECTED)
    assert_in_step()
    gone = reg(world.b, "Meninggal", joined_on=JAN)
    member_status_change(actor=None, member=gone, status=Status.DECEASED, on=MAR)
    assert total(world.b, "joins.2025-01") == 1
    assert_in_step()


def test_an_accepted_applicant_from_the_join_form(client, world):
    from himpun.core.services import object_create
    from himpun.members.models import JoinLink
    from tests.members.test_join import applicant

    link = object_create(
        actor=None, instance=JoinLink(unit=world.a, label="Medsos", channel=Channel.SOCIAL_MEDIA)
    )
    m = applicant(client, link)
    assert_in_step()
    assert counters() == {}
    client.force_login(world.admin_a)
    client.post(f"/anggota/calon/{m.pk}/terima/", {"back": "/anggota/calon/"})
    m.refresh_from_db()
    assert total(world.org1, join_key(m.joined_on, Channel.SOCIAL_MEDIA)) == 1
    assert_in_step()


def test_edits_of_the_joining_date_and_channel(world):
    m = reg(world.a, joined_on=JAN, recruitment_channel=Channel.POSTER)
    m.joined_on = MAR
    m = member_update(actor=None, member=m, expected_version=m.version)
    assert total(world.org1, "joins.2025-01") == 0
    assert total(world.org1, "joins.2025-03.poster") == 1
    assert_in_step()
    m = Member.objects.get(pk=m.pk)
    m.recruitment_channel = Channel.REFERRAL
    m = member_update(actor=None, member=m, expected_version=m.version)
    assert total(world.a, "joins.2025-03.poster") == 0
    assert total(world.a, "joins.2025-03.ajakan") == 1
    assert_in_step()
    m = Member.objects.get(pk=m.pk)
    m.joined_on = None
    member_update(actor=None, member=m, expected_version=m.version)
    assert counters() == {}
    assert_in_step()


def test_edit_through_the_form(client, world):
    m = reg(world.a, joined_on=JAN)
    client.force_login(world.admin1)
    response = client.get(f"/anggota/{m.pk}/ubah/")
    assert response.status_code == 200
    form = response.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "photo"}
    data.update(
        joined_on="2025-02-10",
        recruitment_channel=Channel.TOP_DOWN,
        version=m.version,
        employer="",
        workplace="",
        recruited_by="",
    )
    response = client.post(f"/anggota/{m.pk}/ubah/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert total(world.org1, "joins.2025-02.negosiasi") == 1
    assert_in_step()


def test_transfer_moves_the_joins(world):
    m = reg(world.a, joined_on=JAN, recruitment_channel=Channel.ADVOCACY)
    t = member_transfer_request(actor=None, member=m, to_unit=world.b, reason="pindah kerja")
    member_transfer_accept(actor=None, transfer=t)
    assert total(world.a, "joins.2025-01") == 0
    assert total(world.b, "joins.2025-01.advokasi") == 1
    assert total(world.org1, "joins.2025-01") == 1
    assert_in_step()


def test_archive_restore_and_delete(world):
    m = reg(world.a, joined_on=JAN)
    other = reg(world.b, "Budi", joined_on=FEB)
    member_archive(actor=None, member=m)
    assert total(world.org1, "joins.2025-01") == 0
    assert_in_step()
    member_archive(actor=None, member=m, archive=False)
    assert total(world.org1, "joins.2025-01") == 1
    assert_in_step()
    member_delete(actor=None, member=other)
    assert total(world.org1, "joins.2025-02") == 0
    assert_in_step()
    member_archive(actor=None, member=m)
    member_delete(actor=None, member=Member._base_manager.get(pk=m.pk))  # archived: no counts
    assert counters() == {}
    assert_in_step()


def test_merge_drops_the_duplicate_and_fills_the_survivor(world):
    born = datetime.date(1990, 8, 1)
    keep = reg(world.a, "Siti Aminah", birth_date=born, status=Status.APPLICANT)
    member_status_change(actor=None, member=keep, status=Status.ACTIVE, on=MAR)
    drop = reg(world.b, "Siti Aminah", birth_date=born, joined_on=JAN)
    Member._base_manager.filter(pk=keep.pk).update(joined_on=None)  # as an old record had
    member_join_counters_rebuild()
    assert_in_step()
    # the survivor takes the duplicate's channel (its own was blank), its date stays
    Member._base_manager.filter(pk=drop.pk).update(recruitment_channel=Channel.POSTER)
    member_join_counters_rebuild()
    survivor = member_merge(actor=None, survivor=keep, duplicate=drop)
    assert survivor.joined_on == JAN  # a blank filled from the duplicate
    assert survivor.recruitment_channel == Channel.POSTER
    assert total(world.b, "joins.2025-01") == 0
    assert total(world.a, "joins.2025-01.poster") == 1
    assert total(world.org1, "joins.2025-01") == 1
    assert_in_step()


# -- the bulk importer -----------------------------------------------------------------------

HEADER = "Nama;JK;HP;Unit;Tgl gabung;Jalur;Status"
ROWS = [
    "Siti Rahayu;P;0812 1000 0001;A;15/01/2025;Media sosial;Aktif",
    "Budi Santoso;L;0812 1000 0002;A;20/01/2025;Advokasi;Aktif",
    "Dewi Lestari;P;0812 1000 0003;B;03/02/2025;;Aktif",
    "Joko Susilo;L;0812 1000 0004;B;28/02/2025;Poster;Nonaktif",
    "Ani Calon;P;0812 1000 0005;A;;;Calon",
    "Eko Prasetyo;L;0812 1000 0006;A;01/03/2025;Ajakan teman;Keluar",
]
MAPPING = ["full_name", "gender", "phone", "unit", "joined_on", "recruitment_channel", "status"]


def test_import_reimport_and_update(world, tmp_path):
    path = write_csv(tmp_path / "anggota.csv", ROWS, HEADER)
    job = import_job_run(job=new_job(world.admin1, world.org1, path, MAPPING))
    assert (job.created, job.failed) == (6, 0), list(job.issues.values_list("message"))
    kept = assert_in_step()
    assert total(world.org1, "joins.2025-01") == 2
    assert total(world.a, "joins.2025-01.media_sosial") == 1
    assert total(world.b, "joins.2025-02") == 2
    assert total(world.b, "joins.2025-02.lain") == 1
    assert total(world.org1, "joins.2025-03.ajakan") == 1  # left since, joined in March

    again = import_job_run(job=new_job(world.admin1, world.org1, path, MAPPING))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)
    assert counters() == kept

    changed = [
        "Siti Rahayu;P;0812 1000 0001;A;15/03/2025;Poster;Aktif",  # date and channel
        "Dewi Lestari;P;0812 1000 0003;B;;Advokasi;Aktif",  # channel only
        "Ani Calon;P;0812 1000 0005;A;;;Aktif",  # accepted: joins today
    ]
    path = write_csv(tmp_path / "lagi.csv", changed, HEADER)
    job = import_job_run(job=new_job(world.admin1, world.org1, path, MAPPING))
    assert job.updated == 3
    assert total(world.a, "joins.2025-01.media_sosial") == 0
    assert total(world.a, "joins.2025-03.poster") == 1
    assert total(world.b, "joins.2025-02.advokasi") == 1
    ani = Member.objects.get(full_name="Ani Calon")
    assert ani.joined_on is not None
    assert total(world.org1, join_key(ani.joined_on)) >= 1
    assert_in_step()


# -- rebuild ---------------------------------------------------------------------------------


def test_rebuild_equals_the_incremental_counters_and_repairs_them(world):
    reg(world.a, joined_on=JAN, recruitment_channel=Channel.ADVOCACY)
    reg(world.b, "Budi", joined_on=FEB)
    reg(world.c, "Citra", joined_on=FEB, recruitment_channel=Channel.POSTER)
    kept = assert_in_step()
    UnitCounter.objects.filter(key="joins.2025-01").update(total=99)
    UnitCounter.objects.create(unit=world.b, key="joins.1999-01", direct=5, total=5)
    assert member_join_counters_rebuild() > 0
    assert counters() == kept
    # one organisation only: the other keeps its (wrong) counters
    UnitCounter.objects.filter(unit=world.c, key="joins.2025-02").update(total=7)
    member_join_counters_rebuild(organisation_id=world.org1.pk)
    assert total(world.c, "joins.2025-02") == 7
    call_command("join_counters", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counters() == kept


def test_the_command_refuses_an_unknown_organisation(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="tidak ditemukan"):
        call_command("join_counters", org="TIDAKADA")


def test_a_deep_tree(db):
    org = factories.org("DALAM")
    fed = factories.unit(org, "F1")
    puk = factories.unit(fed, "P1")
    reg(puk, joined_on=JAN, recruitment_channel=Channel.REFERRAL)
    reg(fed, "Budi", joined_on=JAN)
    assert total(org, "joins.2025-01") == 2
    assert total(fed, "joins.2025-01") == 2
    assert total(puk, "joins.2025-01.ajakan") == 1
    assert UnitCounter.objects.get(unit=fed, key="joins.2025-01").direct == 1
    assert_in_step()


# -- random sequences ------------------------------------------------------------------------

OPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "register",
                "apply",
                "accept",
                "status",
                "edit",
                "move",
                "archive",
                "restore",
                "delete",
                "merge",
            ]
        ),
        st.integers(0, 50),
        st.sampled_from([JAN, FEB, MAR, None]),
        st.sampled_from(["", *Channel.values]),
    ),
    min_size=1,
    max_size=14,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=OPS)
def test_random_operations_keep_the_counters_in_step(world, ops):
    from django.core.exceptions import ValidationError
    from django.db import transaction

    Member._base_manager.update(merged_into=None, recruited_by=None)
    Member._base_manager.all().delete()
    UnitCounter.objects.all().delete()
    units = [world.a, world.b, world.org1]
    for op, n, day, channel in ops:
        live = list(Member._base_manager.filter(archived_at__isnull=True).order_by("pk"))
        pick = live[n % len(live)] if live else None
        try:
            with transaction.atomic():
                if op == "register":
                    reg(units[n % 3], f"Anggota {n}", joined_on=day, recruitment_channel=channel)
                elif op == "apply":
                    reg(units[n % 3], f"Calon {n}", status=Status.APPLICANT)
                elif pick is None:
                    continue
                elif op == "accept":
                    member_status_change(actor=None, member=pick, status=Status.ACTIVE)
                elif op == "status":
                    new = sorted(JOINED | {Status.REJECTED})[n % 6]
                    member_status_change(actor=None, member=pick, status=new)
                elif op == "edit":
                    pick.joined_on, pick.recruitment_channel = day, channel
                    member_update(actor=None, member=pick, expected_version=pick.version)
                elif op == "move":
                    t = member_transfer_request(
                        actor=None, member=pick, to_unit=units[n % 3], reason="x"
                    )
                    member_transfer_accept(actor=None, transfer=t)
                elif op == "archive":
                    member_archive(actor=None, member=pick)
                elif op == "restore":
                    gone = Member._base_manager.filter(
                        archived_at__isnull=False, merged_into__isnull=True
                    ).first()
                    if gone:
                        member_archive(actor=None, member=gone, archive=False)
                elif op == "delete":
                    member_delete(actor=None, member=pick)
                elif op == "merge" and len(live) > 1:
                    member_merge(actor=None, survivor=live[0], duplicate=pick)
        except (ValidationError, DeleteRefused):
            pass  # a refused step (deleting a merge's survivor, say) writes nothing
        assert_in_step()


def test_the_data_migration_fills_the_counters_of_an_existing_installation(world):
    import importlib

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    reg(world.a, joined_on=JAN, recruitment_channel=Channel.POSTER)
    reg(world.c, "Budi", joined_on=MAR)
    kept = assert_in_step()
    UnitCounter.objects.filter(key__startswith="joins.").delete()  # as before the migration
    migration = importlib.import_module("himpun.members.migrations.0008_join_counters")
    state = MigrationExecutor(connection).loader.project_state(("members", "0008_join_counters"))
    migration.rebuild(state.apps, None)
    assert counters() == kept
    migration.forget(state.apps, None)
    assert counters() == {}
