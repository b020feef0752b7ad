"""Duplicate members: detection rules, the review queue's candidates, and the merge.

Rules (each can be switched off per organisation in its MembershipRule):
- the same NIK;
- the same phone number — and a name at least loosely alike, because in many families one
  phone is shared by husband and wife, and they are two members;
- a similar name (at least `duplicate_name_similarity` %) with the same birth date.

Names are compared with rapidfuzz on the lower-cased name and on its sound key (validation.
word_key), so "Moehammad Soetrisno" and "Muhamad Sutrisno" are the same sound.

The merge moves everything that points at the duplicate to the surviving record through
`merge_registry`: status history, cards, transfers, recruits — and whatever later apps attach
(dues, cases, trainings) once they register their relation. A test fails when a relation to
Member is neither registered nor explicitly skipped, so nothing is silently left behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, F, Q, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from himpun.core.services import audit_record, diff, snapshot
from himpun.members.choices import DuplicateReason, DuplicateState, TransferState
from himpun.members.models import (
    Card,
    DuplicateCandidate,
    Member,
    MembershipRule,
    StatusChange,
    Transfer,
)
from himpun.members.validation import name_key
from himpun.structure.models import OrgUnit

#: Records sharing a phone are flagged when their names are at least this alike and their
#: birth dates agree (or one is unknown); with different birth dates the names must pass the
#: name rule's threshold. A husband and wife on one phone are two members.
PHONE_NAME_FLOOR = 55
#: A group of records with one NIK/phone/birth date larger than this is capped (a placeholder
#: number such as 0800000000 shared by hundreds is data-entry noise, not hundreds of pairs).
GROUP_CAP = 25


@dataclass
class Rules:
    same_nik: bool = True
    same_phone: bool = True
    name_birth: bool = True
    similarity: int = 85

    @classmethod
    def for_organisation(cls, organisation_id: int) -> Rules:
        rule = MembershipRule.objects.filter(organisation_id=organisation_id).first()
        if rule is None:
            return cls()
        return cls(
            rule.duplicate_same_nik,
            rule.duplicate_same_phone,
            rule.duplicate_name_birth,
            rule.duplicate_name_similarity,
        )


#: First names commonly shortened on forms ("M. Permana" is Muhammad Permana).
ABBREVIATIONS = {"m": "muhammad", "moh": "muhammad", "muh": "muhammad", "mhd": "muhammad"}


def _expanded(pair: tuple[str, str]) -> tuple[str, str]:
    words = pair[0].split()
    if not any(w in ABBREVIATIONS for w in words):
        return pair
    name = " ".join(ABBREVIATIONS.get(w, w) for w in words)
    return name, name_key(name)


def name_similarity(a: tuple[str, str], b: tuple[str, str]) -> float:
    """Similarity 0–100 of two (search_name, search_key) pairs."""
    a, b = _expanded(a), _expanded(b)
    score = max(fuzz.token_sort_ratio(a[0], b[0]), fuzz.token_sort_ratio(a[1], b[1]))
    if min(len(a[0].split()), len(b[0].split())) >= 2:
        # A dropped middle name ("Siti Aminah" / "Siti Nur Aminah"), slightly discounted.
        score = max(score, 0.95 * fuzz.token_set_ratio(a[0], b[0]))
    return score


def _phone_match(score: float, born_a: Any, born_b: Any, rules: Rules) -> bool:
    if born_a and born_b and born_a != born_b:
        return score >= rules.similarity
    return score >= PHONE_NAME_FLOOR


def _blocked_pairs(group: list[tuple[Any, ...]]) -> Iterator[tuple[int, int]]:
    """Pairs in a group of (id, name, key, …) that share at least one sounded word: names with
    no word in common are never alike enough, and skipping them keeps a large group cheap."""
    by_word: dict[str, list[int]] = {}
    for index, (_pk, _name, key, *_rest) in enumerate(group):
        for word in set(key.split()):
            by_word.setdefault(word, []).append(index)
    seen: set[tuple[int, int]] = set()
    for indexes in by_word.values():
        for x, i in enumerate(indexes):
            for j in indexes[x + 1 :]:
                if (i, j) not in seen:
                    seen.add((i, j))
                    yield i, j


@dataclass
class Found:
    reasons: set[str] = field(default_factory=set)
    score: float = 0.0

    def add(self, reason: str, score: float) -> None:
        self.reasons.add(reason)
        self.score = max(self.score, score)


def _pairs(ids: list[int], mine: set[int]) -> Iterator[tuple[int, int]]:
    """The pairs of a group that involve at least one of `mine`."""
    ids = sorted(ids)[:GROUP_CAP]
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            if a in mine or b in mine:
                yield a, b


def duplicates_detect(
    members: models.QuerySet, rules: Rules, among: Any = None
) -> dict[tuple[int, int], Found]:
    """Candidate pairs among `members` (one organisation), set-based: one grouped query per
    rule, then names compared only within groups of the same birth date.

    `among` (a boolean expression on a member, such as an `Exists`) narrows the search to the
    pairs with at least one member it holds for: only the groups (a NIK, a phone, a birth
    date) that hold one of them are read. An import checks what it wrote this way; without
    `among` the whole organisation is checked."""
    found: dict[tuple[int, int], Found] = {}
    live = members.filter(archived_at__isnull=True).order_by()
    picked = live.annotate(mine=among if among is not None else Value(True))

    def repeated(col: str, qs: models.QuerySet) -> models.QuerySet:
        if among is not None:
            qs = qs.filter(**{f"{col}__in": live.filter(among).values(col)})
        return qs.values(col).annotate(n=Count("id")).filter(n__gt=1).values(col)

    def groups(col: str) -> Iterator[list[tuple[Any, ...]]]:
        rows = (
            picked.filter(**{f"{col}__in": repeated(col, live.exclude(**{col: ""}))})
            .order_by(col, "id")
            .values_list(col, "id", "search_name", "search_key", "birth_date", "mine")
            .iterator(chunk_size=5000)
        )
        for _value, group in groupby(rows, key=lambda r: r[0]):
            yield list(group)

    if rules.same_nik:
        for group in groups("nik"):
            mine = {r[1] for r in group if r[5]}
            for a, b in _pairs([r[1] for r in group], mine):
                found.setdefault((a, b), Found()).add(DuplicateReason.NIK, 100)
    if rules.same_phone:
        for group in groups("phone"):
            people = {r[1]: r for r in group}
            mine = {r[1] for r in group if r[5]}
            for a, b in _pairs(list(people), mine):
                score = name_similarity(people[a][2:4], people[b][2:4])
                if _phone_match(score, people[a][4], people[b][4], rules):
                    found.setdefault((a, b), Found()).add(DuplicateReason.PHONE, max(80, score))
    if rules.name_birth:
        rows = (
            picked.filter(
                birth_date__in=repeated("birth_date", live.filter(birth_date__isnull=False))
            )
            .order_by("birth_date", "id")
            .values_list("birth_date", "id", "search_name", "search_key", "mine")
            .iterator(chunk_size=5000)
        )
        for _day, group_rows in groupby(rows, key=lambda r: r[0]):
            group = [(r[1], r[2], r[3], r[4]) for r in group_rows]
            for i, j in _blocked_pairs(group):
                if not (group[i][3] or group[j][3]):
                    continue
                score = name_similarity(group[i][1:3], group[j][1:3])
                if score >= rules.similarity:
                    a, b = sorted((group[i][0], group[j][0]))
                    found.setdefault((a, b), Found()).add(DuplicateReason.NAME_BIRTH, score)
    return found


def duplicates_for(member: Member, rules: Rules | None = None) -> dict[tuple[int, int], Found]:
    """Candidates for one member (at registration or after an edit): indexed lookups only."""
    rules = rules or Rules.for_organisation(member.organisation_id)
    q = Q()
    if rules.same_nik and member.nik:
        q |= Q(nik=member.nik)
    if rules.same_phone and member.phone:
        q |= Q(phone=member.phone)
    if rules.name_birth and member.birth_date:
        q |= Q(birth_date=member.birth_date)
    if not q:
        return {}
    others = (
        Member._base_manager.filter(q, organisation_id=member.organisation_id)
        .filter(archived_at__isnull=True)
        .exclude(pk=member.pk)
        .values_list("pk", "nik", "phone", "birth_date", "search_name", "search_key")[:200]
    )
    mine = (member.search_name, member.search_key)
    found: dict[tuple[int, int], Found] = {}
    for pk, nik, phone, born, name, key in others:
        pair = (min(pk, member.pk), max(pk, member.pk))
        score = name_similarity(mine, (name, key))
        if rules.same_nik and member.nik and nik == member.nik:
            found.setdefault(pair, Found()).add(DuplicateReason.NIK, 100)
        same_phone = rules.same_phone and member.phone and phone == member.phone
        if same_phone and _phone_match(score, born, member.birth_date, rules):
            found.setdefault(pair, Found()).add(DuplicateReason.PHONE, max(80, score))
        if rules.name_birth and born and born == member.birth_date and score >= rules.similarity:
            found.setdefault(pair, Found()).add(DuplicateReason.NAME_BIRTH, score)
    return found


def duplicates_record(organisation_id: int, found: dict[tuple[int, int], Found]) -> int:
    """Queue new candidate pairs; a pair already queued or already dismissed stays as it is."""
    rows = [
        DuplicateCandidate(
            organisation_id=organisation_id,
            member_a_id=a,
            member_b_id=b,
            reasons=",".join(sorted(f.reasons)),
            score=round(f.score),
        )
        for (a, b), f in found.items()
    ]
    before = DuplicateCandidate.objects.filter(organisation_id=organisation_id).count()
    for i in range(0, len(rows), 1000):
        DuplicateCandidate.objects.bulk_create(rows[i : i + 1000], ignore_conflicts=True)
    return DuplicateCandidate.objects.filter(organisation_id=organisation_id).count() - before


def duplicates_scan(*, organisation: OrgUnit) -> int:
    """Scan a whole organisation and queue what is found; returns the number of new pairs."""
    rules = Rules.for_organisation(organisation.pk)
    found = duplicates_detect(Member._base_manager.filter(organisation=organisation), rules)
    return duplicates_record(organisation.pk, found)


# -- merging ------------------------------------------------------------------------------


class MergeRegistry:
    """Which relations point at a member and move to the survivor in a merge."""

    def __init__(self) -> None:
        self.relations: list[tuple[type[models.Model], str]] = []
        #: Relations that must not move (they are about the record itself).
        self.skipped: set[tuple[type[models.Model], str]] = set()
        #: Called as f(survivor=…, duplicate=…) inside the merge, after the rows have moved:
        #: for summaries another app keeps per member (a dues account).
        self.after: list[Any] = []

    def register(self, model: type[models.Model], field_name: str) -> None:
        self.relations.append((model, field_name))

    def skip(self, model: type[models.Model], field_name: str) -> None:
        self.skipped.add((model, field_name))

    def after_merge(self, func: Any) -> None:
        self.after.append(func)


merge_registry = MergeRegistry()
merge_registry.register(StatusChange, "member")
merge_registry.register(Card, "member")
merge_registry.register(Transfer, "member")
merge_registry.register(Member, "recruited_by")
merge_registry.skip(Member, "merged_into")
merge_registry.skip(DuplicateCandidate, "member_a")
merge_registry.skip(DuplicateCandidate, "member_b")

#: Fields copied from the duplicate when the survivor has none.
FILL_BLANKS = (
    "nik",
    "phone",
    "email",
    "birth_date",
    "birth_place",
    "region_code",
    "address",
    "employer",
    "workplace",
    "department",
    "shift",
    "job_title",
    "employment_status",
    "joined_on",
    "recruited_by",
    "recruitment_channel",
    "photo",
)


@transaction.atomic
def member_merge(*, actor: Any, survivor: Member, duplicate: Member) -> Member:
    """Fold `duplicate` into `survivor`: related rows move, blanks are filled, the duplicate
    is archived with a pointer to the survivor (its own history stays readable)."""
    from himpun.members.services import member_counted, member_counter_deltas
    from himpun.structure.services import unit_counts_adjust

    if survivor.pk == duplicate.pk:
        raise ValidationError(_("Anggota tidak dapat digabung dengan dirinya sendiri."))
    locked = {
        m.pk: m
        for m in Member._base_manager.select_for_update()
        .select_related("unit")
        .filter(pk__in=[survivor.pk, duplicate.pk])
        .order_by("pk")
    }
    survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
    if survivor.organisation_id != duplicate.organisation_id:
        raise ValidationError(_("Hanya anggota dalam organisasi yang sama yang dapat digabung."))
    if survivor.archived_at or duplicate.archived_at:
        raise ValidationError(_("Salah satu data sudah digabung atau diarsipkan."))
    before = snapshot(survivor)
    survivor_counted, duplicate_counted = member_counted(survivor), member_counted(duplicate)
    filled = []
    for name in FILL_BLANKS:
        f = Member._meta.get_field(name)
        if not getattr(survivor, f.attname) and getattr(duplicate, f.attname):
            setattr(survivor, f.attname, getattr(duplicate, f.attname))
            filled.append(f.attname)
    moved: dict[str, int] = {}
    for model, field_name in merge_registry.relations:
        qs = model._base_manager.filter(**{field_name: duplicate.pk})
        if model is Member:
            qs = qs.exclude(pk=survivor.pk)
        n = qs.update(**{field_name: survivor.pk})
        if n:
            moved[f"{model._meta.label}.{field_name}"] = n
    for func in merge_registry.after:
        func(survivor=survivor, duplicate=duplicate)
    # The duplicate's cards carry its number: they stop verifying.
    Card.objects.filter(member=survivor, number=duplicate.number, revoked_at__isnull=True).exclude(
        number=survivor.number
    ).update(revoked_at=timezone.now())
    Transfer._base_manager.filter(member=survivor, state=TransferState.REQUESTED).filter(
        from_unit=duplicate.unit_id
    ).exclude(from_unit=survivor.unit_id).update(
        state=TransferState.CANCELLED, decision_note=_("Dibatalkan karena data digabung.")
    )
    if filled:
        survivor.version += 1
        survivor.save(update_fields=[*filled, "version", "updated_at"])
    now = timezone.now()
    Member._base_manager.filter(pk=duplicate.pk).update(
        archived_at=now, merged_into=survivor, version=F("version") + 1, updated_at=now
    )
    # The duplicate leaves the counts; the survivor may have gained a joining date or channel.
    unit_counts_adjust(
        deltas=member_counter_deltas(
            [(duplicate_counted, None), (survivor_counted, member_counted(survivor))]
        )
    )
    DuplicateCandidate.objects.filter(
        Q(member_a=duplicate, member_b=survivor) | Q(member_a=survivor, member_b=duplicate)
    ).update(state=DuplicateState.MERGED, decided_by=_user(actor), decided_at=now)
    # Other open pairs of the duplicate are settled by the merge; the survivor is checked again.
    DuplicateCandidate.objects.filter(
        Q(member_a=duplicate) | Q(member_b=duplicate), state=DuplicateState.OPEN
    ).delete()
    survivor.refresh_from_db()
    changes: dict[str, Any] = diff(before, snapshot(survivor))
    changes["merged"] = [None, {"id": duplicate.pk, "number": duplicate.number, "moved": moved}]
    audit_record(actor=actor, action="merge", instance=survivor, changes=changes)
    audit_record(
        actor=actor,
        action="merge",
        instance=duplicate,
        changes={"merged_into_id": [None, survivor.pk]},
    )
    duplicates_record(survivor.organisation_id, duplicates_for(survivor))
    return survivor


@transaction.atomic
def duplicate_dismiss(*, actor: Any, candidate: DuplicateCandidate) -> DuplicateCandidate:
    """Two different people after all: the pair leaves the queue and is not raised again."""
    candidate = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.state != DuplicateState.OPEN:
        raise ValidationError(_("Pasangan ini sudah diputuskan."))
    candidate.state = DuplicateState.DISMISSED
    candidate.decided_by = _user(actor)
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["state", "decided_by", "decided_at"])
    return candidate


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None
