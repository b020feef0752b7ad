"""Registration, numbering, the status lifecycle, counters and as-of counts."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from himpun.members.choices import Status
from himpun.members.models import Member, MembershipRule, StatusChange
from himpun.members.services import (
    member_count_as_of,
    member_register,
    member_status_change,
)
from himpun.structure.models import UnitCounter
from himpun.structure.services import MEMBERS
from tests import factories

D = datetime.date


def counter(unit, key=MEMBERS):
    row = UnitCounter.objects.filter(unit=unit, key=key).first()
    return row.total if row else 0


def register(unit, name="Sri Wahyuni", **kw):
    kw.setdefault("gender", "P")
    return member_register(actor=None, unit=unit, full_name=name, **kw)


def test_active_member_gets_a_number_applicant_does_not(db):
    org = factories.org("ORGX")
    puk = factories.unit(factories.unit(org), "PUK-A")
    m = register(puk, on=D(2026, 3, 1))
    assert m.number == "PUK-A-2026-000001"
    applicant = register(puk, status=Status.APPLICANT, on=D(2026, 3, 2))
    assert applicant.number == ""
    accepted = member_status_change(
        actor=None, member=applicant, status=Status.ACTIVE, on=D(2026, 3, 5)
    )
    assert accepted.number == "PUK-A-2026-000002"
    assert accepted.joined_on == D(2026, 3, 5)


def test_number_format_is_configured_per_organisation(db):
    org = factories.org("KSPX")
    MembershipRule.objects.create(organisation=org, number_format="{org_code}/{seq:05}")
    puk = factories.unit(factories.unit(org))
    assert register(puk).number == "KSPX/00001"
    assert register(puk, name="Budi").number == "KSPX/00002"


def test_lifecycle_counts_and_history(db):
    org = factories.org()
    fed = factories.unit(org)
    puk = factories.unit(fed)
    m = register(puk, on=D(2025, 1, 10))
    assert (counter(org), counter(fed), counter(puk)) == (1, 1, 1)
    member_status_change(
        actor=None, member=m, status=Status.INACTIVE, on=D(2025, 6, 1), reason="Iuran tertunggak"
    )
    assert counter(org) == 0
    assert counter(org, "status.nonaktif") == 1
    member_status_change(actor=None, member=m, status=Status.ACTIVE, on=D(2025, 7, 1))
    member_status_change(
        actor=None, member=m, status=Status.LEFT, on=D(2025, 9, 1), reason="Surat pengunduran diri"
    )
    assert counter(org) == 0
    assert counter(org, "status.keluar") == 1
    assert list(StatusChange.objects.filter(member=m).values_list("status", flat=True)) == [
        "keluar",
        "aktif",
        "nonaktif",
        "aktif",
    ]
    # as-of counts come from the history
    assert member_count_as_of(unit=org, on=D(2025, 3, 1)) == 1
    assert member_count_as_of(unit=org, on=D(2025, 6, 15)) == 0
    assert member_count_as_of(unit=org, on=D(2025, 8, 1)) == 1
    assert member_count_as_of(unit=org, on=D(2025, 12, 1)) == 0
    assert member_count_as_of(unit=org, on=D(2024, 12, 31)) == 0


def test_final_statuses_cannot_change_and_dates_cannot_go_back(db):
    puk = factories.unit(factories.unit(factories.org()))
    m = register(puk, on=D(2025, 1, 10))
    with pytest.raises(ValidationError, match="sebelum"):
        member_status_change(actor=None, member=m, status=Status.INACTIVE, on=D(2024, 1, 1))
    member_status_change(actor=None, member=m, status=Status.DECEASED, on=D(2025, 2, 1))
    with pytest.raises(ValidationError, match="tidak dapat diubah"):
        member_status_change(actor=None, member=m, status=Status.ACTIVE, on=D(2025, 3, 1))
    assert Member.objects.get(pk=m.pk).status == Status.DECEASED


def test_counters_equal_a_recount_after_many_changes(db):
    org = factories.org()
    units = [factories.unit(factories.unit(org)) for _ in range(3)]
    members = [register(units[i % 3], name=f"Anggota {i}", on=D(2025, 1, 1)) for i in range(12)]
    for m in members[::3]:
        member_status_change(actor=None, member=m, status=Status.INACTIVE, on=D(2025, 2, 1))
    for m in members[::4]:
        member_status_change(actor=None, member=m, status=Status.LEFT, on=D(2025, 3, 1))
    active = Member.objects.filter(status=Status.ACTIVE)
    assert counter(org) == active.count()
    for u in units:
        assert counter(u) == active.filter(unit=u).count()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_gapless_unique_numbers():
    puk = factories.unit(factories.unit(factories.org("CONC")), "PUK-C")
    errors: list[Exception] = []

    def work(i: int) -> None:
        try:
            for j in range(5):
                register(puk, name=f"Pekerja {i}-{j}", on=D(2026, 1, 1))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    numbers = sorted(Member.objects.filter(unit=puk).values_list("number", flat=True))
    assert numbers == [f"PUK-C-2026-{n:06d}" for n in range(1, 41)]
    assert counter(puk) == 40


def test_status_change_is_audited_with_real_before_values(db):
    from himpun.core.models import AuditEntry

    puk = factories.unit(factories.unit(factories.org()), "PUK-Z")
    m = register(puk, status=Status.APPLICANT, on=D(2026, 1, 5))
    member_status_change(actor=None, member=m, status=Status.ACTIVE, on=D(2026, 2, 1))
    entry = AuditEntry.objects.filter(object_id=str(m.pk), action="update").get()
    assert entry.changes["status"] == ["calon", "aktif"]
    assert entry.changes["status_since"] == ["2026-01-05", "2026-02-01"]
    assert entry.changes["number"] == ["", "PUK-Z-2026-000001"]


def test_edit_keeps_search_name_in_step(client, world):
    m = register(world.a, name="Siti Aminah")
    client.force_login(world.admin1)
    url = f"/anggota/{m.pk}/ubah/"
    data = {"full_name": "Siti Rohmah", "gender": "P", "_version": m.version}
    assert client.post(url, data).status_code == 302
    assert Member.objects.get(pk=m.pk).search_name == "siti rohmah"
