"""Member writes: register, number, change status. Each in one transaction, counted and
audited."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from himpun.core.scoping import SEGMENT, ancestor_ids, subtree_q
from himpun.core.services import (
    audit_record,
    diff,
    object_archive,
    object_delete,
    object_update,
    snapshot,
)
from himpun.members.choices import TRANSITIONS, Channel, Status, TransferState
from himpun.members.duplicates import duplicates_for, duplicates_record
from himpun.members.models import (
    DEFAULT_NUMBER_FORMAT,
    Member,
    MembershipRule,
    NumberSequence,
    StatusChange,
    Transfer,
)
from himpun.members.validation import name_key, search_name
from himpun.structure.models import OrgUnit, UnitCounter
from himpun.structure.services import MEMBERS, unit_counts_adjust

#: Statuses counted as "members" in the unit counters (the tree and dashboards).
COUNTED = {Status.ACTIVE}


def _counter_deltas(path: str, old: str | None, new: str | None) -> dict[tuple[str, str], int]:
    """The status counters (`status.<status>`, `members`) of a status change at `path`.

    Status only: a write that can change whether, when or how a member joined (or move them)
    goes through `member_counter_deltas`, which adds the joins counters. The dues arrears run
    uses this directly because aktif <-> nonaktif leaves the joins counters as they are."""
    deltas: dict[tuple[str, str], int] = {}
    if old:
        deltas[(path, f"status.{old}")] = -1
        if old in COUNTED:
            deltas[(path, MEMBERS)] = -1
    if new:
        deltas[(path, f"status.{new}")] = deltas.get((path, f"status.{new}"), 0) + 1
        if new in COUNTED:
            deltas[(path, MEMBERS)] = deltas.get((path, MEMBERS), 0) + 1
    return {k: v for k, v in deltas.items() if v}


# -- joins counters ---------------------------------------------------------------------------
#
# Every "new members" figure (the channels report, the indicators and their targets) reads
# the unit counters `joins.YYYY-MM` and `joins.YYYY-MM.<channel>`: members who joined in that
# month, at their current unit, rolled up the tree. The rule and the keys are defined here
# once; every write path (register, status change, edit, transfer, archive, delete, merge,
# import) computes its deltas with `member_counter_deltas`, and
# `member_join_counters_rebuild` recomputes them from the members table.

JOINS = "joins"
#: Statuses of people who have not joined: an applicant (not yet) and a rejected one (never).
#: Everyone else joined in the month of `joined_on`, whether still active, inactive, gone,
#: expelled or dead.
NOT_JOINED = (Status.APPLICANT, Status.REJECTED)


def join_key(month: datetime.date, channel: str | None = None) -> str:
    """`joins.2026-03` (all channels) or, with a channel, `joins.2026-03.advokasi` (a blank
    channel counts as "lain")."""
    key = f"{JOINS}.{month:%Y-%m}"
    return key if channel is None else f"{key}.{channel or Channel.OTHER}"


def joined_counts(*, status: str, joined_on: datetime.date | None) -> bool:
    """Whether a live (not archived or merged) member counts as joined in `joined_on`'s month."""
    return joined_on is not None and status not in NOT_JOINED


def joined_q() -> Q:
    """`joined_counts` as a filter on members (archived and merged records excluded)."""
    return Q(archived_at__isnull=True, joined_on__isnull=False) & ~Q(status__in=NOT_JOINED)


class Counted(NamedTuple):
    """What one live member adds to the unit counters: where, and the facts they count."""

    path: str
    status: str
    joined_on: datetime.date | None
    channel: str


def member_counted(member: Member) -> Counted | None:
    """A member's counted facts; None for an archived or merged record, which counts nowhere."""
    if member.archived_at is not None:
        return None
    return Counted(member.unit.path, member.status, member.joined_on, member.recruitment_channel)


def _counted_keys(c: Counted) -> dict[tuple[str, str], int]:
    out = _counter_deltas(c.path, None, c.status)
    if joined_counts(status=c.status, joined_on=c.joined_on):
        assert c.joined_on is not None
        out[(c.path, join_key(c.joined_on))] = 1
        out[(c.path, join_key(c.joined_on, c.channel))] = 1
    return out


def member_counter_deltas(
    changes: Iterable[tuple[Counted | None, Counted | None]],
) -> dict[tuple[str, str], int]:
    """The counter deltas of members going from `old` to `new` facts (None: not counted, as a
    new, archived or deleted record), for `unit_counts_adjust`."""
    deltas: dict[tuple[str, str], int] = defaultdict(int)
    for old, new in changes:
        if old is not None:
            for key, n in _counted_keys(old).items():
                deltas[key] -= n
        if new is not None:
            for key, n in _counted_keys(new).items():
                deltas[key] += n
    return {k: v for k, v in deltas.items() if v}


def member_join_counters_rebuild(
    *,
    organisation_id: int | None = None,
    member_model: Any = Member,
    counter_model: Any = UnitCounter,
) -> int:
    """Recompute every `joins.*` counter (of one organisation, or all) from the members table:
    on PostgreSQL one INSERT … SELECT; elsewhere one GROUP BY streamed month by month, so
    memory holds one month of the tree at a time.
    A repair tool, the data migration that fills the counters of existing installations, and
    the reference the incremental counters are tested against. Returns the counters written.

    `member_model`/`counter_model` let a migration pass its historical models."""
    members = member_model._base_manager.filter(joined_q())
    stale = counter_model._base_manager.filter(key__startswith=f"{JOINS}.")
    if organisation_id is not None:
        members = members.filter(organisation_id=organisation_id)
        stale = stale.filter(unit__organisation_id=organisation_id)
    grouped = (
        members.annotate(month=TruncMonth("joined_on"))
        .values_list("month", "unit__path", "recruitment_channel")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    written = 0

    def flush(counts: dict[tuple[int, str], list[int]]) -> int:
        counter_model._base_manager.bulk_create(
            [
                counter_model(unit_id=u, key=k, direct=d, total=t)
                for (u, k), (d, t) in counts.items()
            ],
            batch_size=1000,
        )
        return len(counts)

    with transaction.atomic():
        stale.delete()
        if connection.vendor == "postgresql":
            return _join_counters_insert(members, counter_model)
        current: Any = None
        counts: dict[tuple[int, str], list[int]] = {}
        for month, path, channel, n in grouped.iterator(chunk_size=5000):
            if isinstance(month, datetime.datetime):
                month = month.date()
            if month != current:
                written += flush(counts)
                current, counts = month, {}
            ids = ancestor_ids(path)
            for key in (join_key(month), join_key(month, channel)):
                for i in ids:
                    counts.setdefault((i, key), [0, 0])[1] += n
                counts[(ids[-1], key)][0] += n
        written += flush(counts)
    return written


def _join_counters_insert(members: QuerySet, counter_model: Any) -> int:
    """The rebuild on PostgreSQL, in one statement: group the members by unit, month and
    channel, spread each group over the unit's ancestors (read off its path, SEGMENT digits
    per level) and insert the sums. 1M members: 30 s instead of 81 s in Python."""
    grouped = members.annotate(month=TruncMonth("joined_on")).values_list(
        "unit_id", "month", "recruitment_channel"
    )
    inner_sql, params = grouped.order_by().query.sql_with_params()
    unit_table = OrgUnit._meta.db_table
    sql = f"""
        WITH member_rows AS ({inner_sql}),
        direct AS (
            SELECT unit_id, to_char(month, 'YYYY-MM') AS month,
                   COALESCE(NULLIF(recruitment_channel, ''), %s) AS channel, count(*) AS n
            FROM member_rows GROUP BY 1, 2, 3
        ),
        keyed AS (
            SELECT unit_id, %s || month AS key, sum(n) AS n FROM direct GROUP BY 1, 2
            UNION ALL
            SELECT unit_id, %s || month || '.' || channel, n FROM direct
        ),
        spread AS (
            SELECT CAST(substr(u.path, s.i, {SEGMENT}) AS bigint) AS unit_id, k.key,
                   CASE WHEN s.i = length(u.path) - {SEGMENT - 1} THEN k.n ELSE 0 END AS d,
                   k.n AS t
            FROM keyed k
            JOIN {unit_table} u ON u.id = k.unit_id
            CROSS JOIN LATERAL generate_series(1, length(u.path), {SEGMENT}) AS s(i)
        )
        INSERT INTO {counter_model._meta.db_table} (unit_id, key, direct, total)
        SELECT unit_id, key, sum(d), sum(t) FROM spread GROUP BY 1, 2
    """  # noqa: S608  table names and numbers from the code, values as parameters
    with connection.cursor() as cur:
        cur.execute(sql, [*params, Channel.OTHER.value, f"{JOINS}.", f"{JOINS}."])
        return cur.rowcount


def member_number_next(*, unit: OrgUnit, on: datetime.date) -> str:
    """The next number for `unit`, gapless per prefix: the sequence row is locked until the
    registering transaction ends, so concurrent registrations queue instead of colliding."""
    org = OrgUnit._base_manager.get(pk=unit.organisation_id)
    rule = MembershipRule.objects.filter(organisation=org).first()
    fmt = rule.number_format if rule else DEFAULT_NUMBER_FORMAT
    head, _sep, _tail = fmt.partition("{seq")
    prefix = head.format(unit_code=unit.code, org_code=org.code, year=on.year)
    NumberSequence.objects.get_or_create(organisation=org, prefix=prefix)
    seq = NumberSequence.objects.select_for_update().get(organisation=org, prefix=prefix)
    seq.last += 1
    seq.save(update_fields=["last"])
    return fmt.format(unit_code=unit.code, org_code=org.code, year=on.year, seq=seq.last)


@transaction.atomic
def member_register(
    *,
    actor: Any,
    unit: OrgUnit,
    full_name: str,
    status: str = Status.ACTIVE,
    on: datetime.date | None = None,
    reason: str = "",
    batch: Any = None,
    **fields: Any,
) -> Member:
    """Register a member (or an applicant, status calon) in `unit`.

    Active members get their number at once; applicants get it when they are accepted."""
    if status not in (Status.ACTIVE, Status.APPLICANT):
        raise ValidationError(_("Anggota baru berstatus calon atau aktif."))
    unit = OrgUnit._base_manager.get(pk=unit.pk)
    if unit.archived_at is not None:
        raise ValidationError({"unit": _("Unit ini sudah diarsipkan.")})
    on = on or timezone.localdate()
    if (fields.get("consent_method") or fields.get("consent_text")) and not fields.get(
        "consent_at"
    ):
        fields["consent_at"] = timezone.now()  # consent recorded now (UU PDP)
    member = Member(
        organisation_id=unit.organisation_id,
        unit=unit,
        full_name=full_name.strip(),
        search_name=search_name(full_name),
        search_key=name_key(full_name),
        status=status,
        status_since=on,
        **fields,
    )
    if status == Status.ACTIVE:
        member.number = member_number_next(unit=unit, on=on)
        member.joined_on = member.joined_on or on
    member.save()
    StatusChange.objects.create(
        member=member, status=status, on=on, reason=reason, actor=_user(actor)
    )
    unit_counts_adjust(deltas=member_counter_deltas([(None, member_counted(member))]))
    audit_record(
        actor=actor, action="create", instance=member, changes=snapshot(member), batch=batch
    )
    duplicates_record(member.organisation_id, duplicates_for(member))
    return member


@transaction.atomic
def member_status_change(
    *, actor: Any, member: Member, status: str, on: datetime.date | None = None, reason: str = ""
) -> Member:
    """Move a member along the lifecycle; counters follow, history keeps every step."""
    member = Member._base_manager.select_for_update().select_related("unit").get(pk=member.pk)
    if member.archived_at is not None:
        raise ValidationError(_("Data ini sudah digabung atau diarsipkan."))
    if status not in TRANSITIONS[member.status]:
        raise ValidationError(
            _("Status %(old)s tidak dapat diubah menjadi %(new)s.")
            % {"old": member.get_status_display(), "new": Status(status).label}
        )
    on = on or timezone.localdate()
    if member.status_since and on < member.status_since:
        raise ValidationError(_("Tanggal tidak boleh sebelum perubahan status terakhir."))
    counted = member_counted(member)
    before = snapshot(member)
    updates: dict[str, Any] = {"status": status, "status_since": on}
    if status == Status.ACTIVE and not member.number:
        updates["number"] = member_number_next(unit=member.unit, on=on)
        updates["joined_on"] = member.joined_on or on
    Member._base_manager.filter(pk=member.pk).update(
        **updates, version=F("version") + 1, updated_at=timezone.now()
    )
    StatusChange.objects.create(
        member=member, status=status, on=on, reason=reason, actor=_user(actor)
    )
    assert counted is not None
    after = counted._replace(status=status, joined_on=updates.get("joined_on", counted.joined_on))
    unit_counts_adjust(deltas=member_counter_deltas([(counted, after)]))
    member.refresh_from_db()
    audit_record(
        actor=actor, action="update", instance=member, changes=diff(before, snapshot(member))
    )
    return member


@transaction.atomic
def member_update(*, actor: Any, member: Member, expected_version: int) -> Member:
    """Save an edited member (optimistic locking) and keep its search name in step. A
    replaced or removed photo is deleted from storage once the change is committed."""
    stored = Member._base_manager.select_for_update().select_related("unit").get(pk=member.pk)
    old_photo = stored.photo.name
    member = object_update(actor=actor, instance=member, expected_version=expected_version)
    # The joining date and channel are editable here (status and unit are not, but the counts
    # are computed from what is stored, whatever changed).
    now = Member._base_manager.select_related("unit").get(pk=member.pk)
    unit_counts_adjust(
        deltas=member_counter_deltas([(member_counted(stored), member_counted(now))])
    )
    if old_photo and old_photo != member.photo.name:
        _file_forget(old_photo)
    member.search_name = search_name(member.full_name)
    member.search_key = name_key(member.full_name)
    Member._base_manager.filter(pk=member.pk).update(
        search_name=member.search_name, search_key=member.search_key
    )
    duplicates_record(member.organisation_id, duplicates_for(member))
    return member


# -- transfers ---------------------------------------------------------------------------------

#: Statuses that can move between units (a member who left has nothing to move).
MOVABLE = {Status.APPLICANT, Status.ACTIVE, Status.INACTIVE}


@transaction.atomic
def member_transfer_request(
    *, actor: Any, member: Member, to_unit: OrgUnit, reason: str
) -> Transfer:
    """Ask for `member` to move to `to_unit`. The receiving unit accepts or rejects."""
    member = Member._base_manager.select_for_update().select_related("unit").get(pk=member.pk)
    to_unit = OrgUnit._base_manager.get(pk=to_unit.pk)
    if member.status not in MOVABLE or member.archived_at:
        raise ValidationError(_("Hanya anggota aktif, nonaktif atau calon yang dapat dimutasi."))
    if to_unit.organisation_id != member.organisation_id:
        raise ValidationError({"to_unit": _("Unit tujuan harus di organisasi yang sama.")})
    if to_unit.archived_at is not None:
        raise ValidationError({"to_unit": _("Unit tujuan sudah diarsipkan.")})
    if to_unit.pk == member.unit_id:
        raise ValidationError({"to_unit": _("Anggota sudah berada di unit ini.")})
    if Transfer.objects.filter(member=member, state=TransferState.REQUESTED).exists():
        raise ValidationError(_("Mutasi anggota ini masih menunggu persetujuan."))
    transfer = Transfer.objects.create(
        member=member,
        from_unit=member.unit,
        to_unit=to_unit,
        reason=reason.strip(),
        requested_by=_user(actor),
    )
    audit_record(actor=actor, action="create", instance=transfer, changes=snapshot(transfer))
    return transfer


def _transfer_decide(
    *, actor: Any, transfer: Transfer, state: str, note: str = ""
) -> tuple[Transfer, Member]:
    transfer = Transfer._base_manager.select_for_update().get(pk=transfer.pk)
    if transfer.state != TransferState.REQUESTED:
        raise ValidationError(
            _("Mutasi ini sudah diputuskan: %(state)s.") % {"state": transfer.get_state_display()}
        )
    member = (
        Member._base_manager.select_for_update().select_related("unit").get(pk=transfer.member_id)
    )
    before = snapshot(transfer)
    transfer.state = state
    transfer.decided_by = _user(actor)
    transfer.decided_at = timezone.now()
    transfer.decision_note = note.strip()
    transfer.version += 1
    transfer.save()
    audit_record(
        actor=actor, action="update", instance=transfer, changes=diff(before, snapshot(transfer))
    )
    return transfer, member


@transaction.atomic
def member_transfer_accept(*, actor: Any, transfer: Transfer, note: str = "") -> Member:
    """The receiving unit takes the member in: the member, their counts and who may see them
    move to the new unit at once; the transfer stays as history."""
    transfer, member = _transfer_decide(
        actor=actor, transfer=transfer, state=TransferState.ACCEPTED, note=note
    )
    if member.unit_id != transfer.from_unit_id or member.status not in MOVABLE:
        raise ValidationError(_("Anggota ini sudah berpindah atau berubah status sejak diminta."))
    to_unit = OrgUnit._base_manager.get(pk=transfer.to_unit_id)
    if to_unit.archived_at is not None:
        raise ValidationError(_("Unit tujuan sudah diarsipkan."))
    before = snapshot(member)
    counted = member_counted(member)
    Member._base_manager.filter(pk=member.pk).update(
        unit=to_unit, version=F("version") + 1, updated_at=timezone.now()
    )
    # Counts, the joins included, belong to the member's current unit: they move along.
    moved = counted._replace(path=to_unit.path) if counted is not None else None
    unit_counts_adjust(deltas=member_counter_deltas([(counted, moved)]))
    member.refresh_from_db()
    audit_record(
        actor=actor, action="update", instance=member, changes=diff(before, snapshot(member))
    )
    return member


@transaction.atomic
def member_transfer_reject(*, actor: Any, transfer: Transfer, note: str = "") -> Transfer:
    transfer, _member = _transfer_decide(
        actor=actor, transfer=transfer, state=TransferState.REJECTED, note=note
    )
    return transfer


@transaction.atomic
def member_transfer_cancel(*, actor: Any, transfer: Transfer, note: str = "") -> Transfer:
    transfer, _member = _transfer_decide(
        actor=actor, transfer=transfer, state=TransferState.CANCELLED, note=note
    )
    return transfer


@transaction.atomic
def member_archive(
    *, actor: Any, member: Member, archive: bool = True, batch: Any = None
) -> Member:
    """Archive a record entered by mistake (or restore it): it leaves lists and counts."""
    member = Member._base_manager.select_for_update().select_related("unit").get(pk=member.pk)
    if not archive and member.merged_into_id:
        raise ValidationError(_("Data yang sudah digabung tidak dapat dipulihkan."))
    if (member.archived_at is not None) == archive:
        return member
    live = Counted(member.unit.path, member.status, member.joined_on, member.recruitment_channel)
    old, new = (live, None) if archive else (None, live)
    unit_counts_adjust(deltas=member_counter_deltas([(old, new)]))
    return object_archive(actor=actor, instance=member, archive=archive, batch=batch)


@transaction.atomic
def member_delete(*, actor: Any, member: Member, batch: Any = None) -> None:
    """Delete a record entered by mistake; its counts go with it (history stays audited)."""
    member = Member._base_manager.select_for_update().select_related("unit").get(pk=member.pk)
    unit_counts_adjust(deltas=member_counter_deltas([(member_counted(member), None)]))
    photo = member.photo.name
    object_delete(actor=actor, instance=member, batch=batch)
    if photo:
        _file_forget(photo)


def _file_forget(name: str) -> None:
    """Delete a stored file after the transaction commits (personal data: nothing left over;
    a rolled-back change keeps its file)."""
    storage = Member._meta.get_field("photo").storage
    transaction.on_commit(lambda: storage.delete(name))


def members_as_of(qs: QuerySet, on: datetime.date) -> QuerySet:
    """Annotate each member with their status on date `on` (from the history)."""
    latest = StatusChange.objects.filter(member=OuterRef("pk"), on__lte=on).order_by("-on", "-id")
    return qs.annotate(status_on=Subquery(latest.values("status")[:1]))


def member_count_as_of(*, unit: OrgUnit, on: datetime.date, status: str = Status.ACTIVE) -> int:
    qs = Member.objects.filter(subtree_q("unit__path", unit.path))
    return members_as_of(qs, on).filter(status_on=status).count()


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None
