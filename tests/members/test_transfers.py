"""Transfers between units: requested by the sending unit, decided by the receiving one;
counts, history and who may see the member follow the member."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from himpun.members.choices import Status, TransferState
from himpun.members.models import Member, Transfer
from himpun.members.services import (
    member_register,
    member_status_change,
    member_transfer_accept,
    member_transfer_cancel,
    member_transfer_reject,
    member_transfer_request,
)
from himpun.structure.models import UnitCounter
from himpun.structure.services import MEMBERS
from tests import factories
from tests.screen_case import ScreenCase, body


def counter(unit, key=MEMBERS):
    row = UnitCounter.objects.filter(unit=unit, key=key).first()
    return row.total if row else 0


def register(unit, name="Sri Wahyuni", **kw):
    kw.setdefault("gender", "P")
    return member_register(actor=None, unit=unit, full_name=name, **kw)


class TestTransferScreens(ScreenCase):
    model = Transfer
    list_queries = 6

    def make(self, w, owner, name):
        member = register(owner, name=name)
        target = factories.unit(owner, f"T{Transfer.objects.count()}{owner.code}")
        return member_transfer_request(actor=None, member=member, to_unit=target, reason="Pindah")

    def label(self, obj):
        return obj.member.full_name


@pytest.fixture
def tree(world):
    """org1 → A → PUK-A1, and B → PUK-B1; a secretary at A and one at B."""
    w = world
    w.a1 = factories.unit(w.a, "PUK-A1")
    w.b1 = factories.unit(w.b, "PUK-B1")
    w.sek_a = factories.UserFactory(username="sek_a")
    factories.grant(w.sek_a, "Sekretaris", w.a)
    w.sek_b = factories.UserFactory(username="sek_b")
    factories.grant(w.sek_b, "Sekretaris", w.b)
    return w


def test_accept_moves_member_counts_and_scope(tree):
    w = tree
    m = register(w.a1, name="Siti Rahayu")
    assert counter(w.a) == 1
    assert counter(w.b) == 0
    assert counter(w.org1) == 1
    t = member_transfer_request(actor=w.sek_a, member=m, to_unit=w.b1, reason="Pindah kerja")
    # Both sides see the request; only the member's current side sees the member.
    assert Transfer.objects.restrict(w.sek_a).filter(pk=t.pk).exists()
    assert Transfer.objects.restrict(w.sek_b).filter(pk=t.pk).exists()
    assert not Member.objects.restrict(w.sek_b).filter(pk=m.pk).exists()
    member_transfer_accept(actor=w.sek_b, transfer=t, note="Selamat datang")
    m.refresh_from_db()
    assert m.unit == w.b1
    assert m.number.startswith("PUK-A1-")  # the number stays: it is the person's
    assert (counter(w.a), counter(w.a1), counter(w.b), counter(w.b1), counter(w.org1)) == (
        0,
        0,
        1,
        1,
        1,
    )
    assert counter(w.b1, "status.aktif") == 1
    assert counter(w.a1, "status.aktif") == 0
    assert Member.objects.restrict(w.sek_b).filter(pk=m.pk).exists()
    assert not Member.objects.restrict(w.sek_a).filter(pk=m.pk).exists()
    t.refresh_from_db()
    assert (t.state, t.decided_by, t.decision_note) == (
        TransferState.ACCEPTED,
        w.sek_b,
        "Selamat datang",
    )


def test_reject_and_cancel_leave_member_in_place(tree):
    w = tree
    m = register(w.a1)
    t = member_transfer_request(actor=None, member=m, to_unit=w.b1, reason="x")
    member_transfer_reject(actor=w.sek_b, transfer=t, note="Bukan pekerja di sini")
    m.refresh_from_db()
    assert m.unit == w.a1
    assert counter(w.a1) == 1
    with pytest.raises(ValidationError, match="sudah diputuskan: Ditolak"):
        member_transfer_accept(actor=w.sek_b, transfer=t)
    t2 = member_transfer_request(actor=None, member=m, to_unit=w.b1, reason="lagi")
    member_transfer_cancel(actor=w.sek_a, transfer=t2)
    assert Transfer.objects.get(pk=t2.pk).state == TransferState.CANCELLED
    assert Member.objects.get(pk=m.pk).unit == w.a1


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("c", "organisasi yang sama"),
        ("a1", "sudah berada"),
    ],
)
def test_bad_destinations_are_refused(tree, target, message):
    m = register(tree.a1)
    with pytest.raises(ValidationError, match=message):
        member_transfer_request(actor=None, member=m, to_unit=getattr(tree, target), reason="x")
    assert not Transfer.objects.exists()


def test_one_open_request_and_final_statuses(tree):
    m = register(tree.a1)
    member_transfer_request(actor=None, member=m, to_unit=tree.b1, reason="x")
    with pytest.raises(ValidationError, match="menunggu"):
        member_transfer_request(actor=None, member=m, to_unit=tree.b, reason="y")
    gone = register(tree.a1, name="Budi")
    member_status_change(actor=None, member=gone, status=Status.LEFT)
    with pytest.raises(ValidationError, match="Hanya anggota"):
        member_transfer_request(actor=None, member=gone, to_unit=tree.b1, reason="x")


def test_stale_transfer_is_not_accepted(tree):
    m = register(tree.a1)
    t = member_transfer_request(actor=None, member=m, to_unit=tree.b1, reason="x")
    member_status_change(actor=None, member=m, status=Status.LEFT)
    with pytest.raises(ValidationError, match="berubah status"):
        member_transfer_accept(actor=None, transfer=t)
    assert Transfer.objects.get(pk=t.pk).state == TransferState.REQUESTED  # rolled back
    assert Member.objects.get(pk=m.pk).unit == tree.a1


def test_screens_request_accept_and_out_of_scope(client, tree):
    w = tree
    m = register(w.a1, name="Wati Sulastri")
    client.force_login(w.sek_b)
    # B cannot ask to move a member of A (not in B's scope): 404.
    url = f"/anggota/{m.pk}/mutasi/minta/"
    assert client.post(url, {"to_unit_code": "PUK-B1", "reason": "x"}).status_code == 404
    client.force_login(w.sek_a)
    tab = body(client.get(f"/anggota/{m.pk}/mutasi/"))
    assert "Minta mutasi" in tab
    response = client.post(url, {"to_unit_code": "C", "reason": "x"})
    assert "Tidak ada unit berkode C" in body(response)  # another organisation's unit
    response = client.post(url, {"to_unit_code": "puk-b1", "reason": "Pindah pabrik"})
    assert response.status_code == 302
    t = Transfer.objects.get()
    decide = f"/anggota/mutasi/{t.pk}/putuskan/"
    # The sending side cannot accept for the receiving side.
    assert client.post(decide, {"decision": "terima"}).status_code == 404
    client.force_login(w.sek_b)
    page = body(client.get(f"/anggota/mutasi/{t.pk}/putusan/"))
    assert "Terima anggota" in page
    assert "Wati Sulastri" in page
    assert client.post(decide, {"decision": "terima", "note": "ok"}).status_code == 302
    assert Member.objects.get(pk=m.pk).unit == w.b1
    # The member's page now belongs to B; A no longer sees it.
    assert client.get(f"/anggota/{m.pk}/").status_code == 200
    client.force_login(w.sek_a)
    assert client.get(f"/anggota/{m.pk}/").status_code == 404
    client.force_login(w.nobody)
    assert client.post(decide, {"decision": "batal"}).status_code == 404
