"""Duplicate detection (rules and measured quality), the review queue and the merge."""

from __future__ import annotations

import pytest

from himpun.demo.dupset import labelled_set, load_set, score
from himpun.members.duplicates import Rules, duplicates_detect
from himpun.members.models import Member
from tests import factories


def detect_quality(n: int, seed: int, rules: Rules | None = None) -> dict[str, float]:
    org = factories.org("DUP")
    unit = factories.unit(org, "DUP-1")
    records, truth = labelled_set(n, seed)
    ids = load_set(unit, records)
    index = {pk: i for i, pk in enumerate(ids)}
    found = duplicates_detect(Member.objects.filter(organisation=org), rules or Rules())
    pairs = {tuple(sorted((index[a], index[b]))) for a, b in found}
    return score(pairs, truth)


def test_precision_and_recall_on_the_labelled_set(db):
    result = detect_quality(1500, seed=11)
    print(result)
    assert result["pairs_true"] > 200
    assert result["precision"] >= 0.9, result
    assert result["recall"] >= 0.85, result


# -- detection on registration, the queue and the merge -----------------------------------

import datetime  # noqa: E402

from django.core.exceptions import ValidationError  # noqa: E402
from django.core.management import call_command  # noqa: E402

from himpun.core.models import AuditEntry  # noqa: E402
from himpun.members.choices import DuplicateState, Status  # noqa: E402
from himpun.members.duplicates import duplicates_scan, member_merge, merge_registry  # noqa: E402
from himpun.members.models import Card, DuplicateCandidate, StatusChange  # noqa: E402
from himpun.members.services import (  # noqa: E402
    member_register,
    member_status_change,
    member_transfer_request,
)
from himpun.structure.models import UnitCounter  # noqa: E402
from himpun.structure.services import MEMBERS  # noqa: E402

BORN = datetime.date(1990, 8, 17)


def counter(unit, key=MEMBERS):
    row = UnitCounter.objects.filter(unit=unit, key=key).first()
    return row.total if row else 0


def reg(unit, name, **kw):
    kw.setdefault("gender", "P")
    return member_register(actor=None, unit=unit, full_name=name, **kw)


def test_registration_queues_a_candidate(world):
    first = reg(world.a, "Siti Nur Aminah", birth_date=BORN)
    second = reg(world.b, "SITI AMINAH", birth_date=BORN)
    pair = DuplicateCandidate.objects.get()
    assert (pair.member_a_id, pair.member_b_id) == (first.pk, second.pk)
    assert pair.reasons == "nama"
    reg(world.a, "Siti Aminah", birth_date=BORN + datetime.timedelta(days=3))  # namesake
    reg(world.c, "Siti Aminah", birth_date=BORN)  # another organisation
    assert DuplicateCandidate.objects.count() == 1


def test_spouses_sharing_a_phone_are_not_flagged(world):
    reg(world.a, "Siti Rahayu", phone="+6281234567890", birth_date=BORN)
    reg(world.a, "Budi Santoso", phone="+6281234567890", birth_date=datetime.date(1987, 1, 2))
    assert not DuplicateCandidate.objects.exists()
    reg(world.a, "Siti Rahayu", phone="+6281234567890")  # typed again, no birth date
    assert DuplicateCandidate.objects.get().reasons == "hp"


def test_rules_are_configurable(world):
    from himpun.members.models import MembershipRule

    MembershipRule.objects.create(organisation=world.org1, duplicate_same_nik=False)
    reg(world.a, "Ani", nik="3275014108900003")
    reg(world.a, "Wati", nik="3275014108900003")
    assert not DuplicateCandidate.objects.exists()


def test_merge_moves_everything_and_keeps_counts(world):
    keep = reg(world.a, "Siti Nur Aminah", birth_date=BORN)
    drop = reg(world.b, "Siti Aminah", birth_date=BORN, phone="+6285711112222", email="s@x.id")
    recruit = reg(world.a, "Dewi", recruited_by=drop)
    member_status_change(actor=None, member=drop, status=Status.INACTIVE)
    card = Card.objects.create(
        member=drop, number=drop.number, issued_on=BORN, valid_until=datetime.date(2099, 1, 1)
    )
    transfer = member_transfer_request(actor=None, member=drop, to_unit=world.a, reason="x")
    assert (counter(world.org1), counter(world.b, "status.nonaktif")) == (2, 1)
    history_before = StatusChange.objects.filter(member__in=[keep, drop]).count()

    survivor = member_merge(actor=world.admin1, survivor=keep, duplicate=drop)

    drop.refresh_from_db()
    assert drop.archived_at is not None
    assert drop.merged_into == survivor
    assert StatusChange.objects.filter(member=survivor).count() == history_before
    assert not StatusChange.objects.filter(member=drop).exists()
    card.refresh_from_db()
    assert card.member == survivor
    assert card.revoked_at is not None  # it carries the old number
    transfer.refresh_from_db()
    assert transfer.member == survivor
    assert transfer.state == "dibatalkan"
    recruit.refresh_from_db()
    assert recruit.recruited_by == survivor
    assert (survivor.phone, survivor.email) == ("+6285711112222", "s@x.id")  # blanks filled
    assert counter(world.org1) == 2  # keep and Dewi; the inactive duplicate was never counted
    assert counter(world.b, "status.nonaktif") == 0
    assert DuplicateCandidate.objects.get().state == DuplicateState.MERGED
    entry = AuditEntry.objects.filter(action="merge", object_id=str(survivor.pk)).get()
    assert entry.changes["merged"][1]["id"] == drop.pk
    assert entry.actor == world.admin1


def test_merge_refuses_bad_pairs(world):
    m = reg(world.a, "Ani")
    other_org = reg(world.c, "Ani")
    with pytest.raises(ValidationError, match="dirinya sendiri"):
        member_merge(actor=None, survivor=m, duplicate=m)
    with pytest.raises(ValidationError, match="organisasi yang sama"):
        member_merge(actor=None, survivor=m, duplicate=other_org)
    twin = reg(world.a, "Ani")
    member_merge(actor=None, survivor=m, duplicate=twin)
    with pytest.raises(ValidationError, match="sudah digabung"):
        member_merge(actor=None, survivor=m, duplicate=twin)
    with pytest.raises(ValidationError, match="sudah digabung"):
        member_status_change(actor=None, member=twin, status=Status.LEFT)


def test_every_relation_to_member_is_registered_for_merging():
    """A later app that points at members must say whether a merge moves its rows."""
    from himpun.members.models import Member

    known = {(m, f) for m, f in merge_registry.relations} | merge_registry.skipped
    for rel in Member._meta.related_objects:
        pair = (rel.related_model, rel.field.name)
        assert pair in known, f"{rel.related_model.__name__}.{rel.field.name} not in registry"


def test_scan_finds_pairs_and_dismissed_pairs_stay_dismissed(world):
    a = reg(world.a, "Joko Susanto", birth_date=BORN)
    b = reg(world.a, "Djoko Soesanto", birth_date=BORN)
    DuplicateCandidate.objects.all().delete()
    assert duplicates_scan(organisation=world.org1) == 1
    DuplicateCandidate.objects.update(state=DuplicateState.DISMISSED)
    call_command("duplicates", "--org", "ORGA")
    assert DuplicateCandidate.objects.get().state == DuplicateState.DISMISSED
    pair = DuplicateCandidate.objects.get()
    assert (pair.member_a_id, pair.member_b_id) == (a.pk, b.pk)


def test_queue_and_review_screens(client, world):
    keep = reg(world.a, "Siti Nur Aminah", birth_date=BORN)
    drop = reg(world.a, "Siti Aminah", birth_date=BORN)
    hidden = reg(world.b, "Wati Lestari", birth_date=BORN)
    reg(world.b, "Wati Lestari", birth_date=BORN)
    pair = DuplicateCandidate.objects.get(member_a=keep)
    other = DuplicateCandidate.objects.get(member_a=hidden)
    client.force_login(world.admin_a)
    queue = client.get("/anggota/duplikat/").content.decode()
    assert "Siti Aminah" in queue
    assert "Wati Lestari" not in queue  # B's pair is B's business
    assert client.get(f"/anggota/duplikat/{other.pk}/").status_code == 404
    page = client.get(f"/anggota/duplikat/{pair.pk}/").content.decode()
    assert "Gabungkan" in page
    response = client.post(
        f"/anggota/duplikat/{pair.pk}/", {"decision": "gabung", "keep": str(keep.pk)}
    )
    assert response.status_code == 302
    drop.refresh_from_db()
    assert drop.merged_into_id == keep.pk
    assert "Siti Aminah" not in client.get("/anggota/").content.decode()
    client.force_login(world.nobody)
    assert client.get("/anggota/duplikat/").status_code == 404


def test_the_queue_pages_through_many_pairs_most_certain_first(client, world, monkeypatch):
    """A first import can queue thousands of pairs: the queue pages through them all (no
    count of the whole queue), the most certain first."""
    from himpun.members import views

    monkeypatch.setattr(views, "DUPLICATES_PER_PAGE", 2)
    names = ["Siti Aminah", "Wati Lestari", "Dewi Sartika"]
    for i, name in enumerate(names):
        reg(world.a, name, birth_date=BORN + datetime.timedelta(days=i))
        reg(world.a, name.upper(), birth_date=BORN + datetime.timedelta(days=i))
    DuplicateCandidate.objects.update(score=90)
    DuplicateCandidate.objects.filter(member_a__full_name="Dewi Sartika").update(score=99)
    assert DuplicateCandidate.objects.count() == 3
    client.force_login(world.admin_a)
    first = client.get("/anggota/duplikat/").content.decode()
    assert first.count("data-pair") == 2
    assert first.index("Dewi Sartika") < first.index("data-pages")  # 99 % comes first
    assert "halaman=2" in first
    second = client.get("/anggota/duplikat/?halaman=2").content.decode()
    assert second.count("data-pair") == 1
    assert "halaman=1" in second
    shown = {n for n in names if n in first + second}
    assert shown == set(names)  # every pair, on one page or the other
    past = client.get("/anggota/duplikat/?halaman=9")  # an old link, once pairs are decided
    assert past.status_code == 200
    assert past.content.decode().count("data-pair") == 2  # the first page


def test_abbreviated_muhammad_is_the_same_name(world):
    a = reg(world.a, "Muhammad Permana", gender="L", birth_date=BORN)
    b = reg(world.a, "M. PERMANA", gender="L", birth_date=BORN)
    pair = DuplicateCandidate.objects.get()
    assert (pair.member_a_id, pair.member_b_id) == (a.pk, b.pk)
