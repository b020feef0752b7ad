"""Money writes: dues payments, reversals, remittances between levels, cash-book lines, month
closings and arrears. Every write is one transaction that appends balanced postings; nothing
here updates or deletes money."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from himpun.core.lookups import in_ids
from himpun.core.querysets import may
from himpun.core.scoping import ancestor_paths
from himpun.core.services import audit_record
from himpun.dues.choices import SEED_CATEGORIES, Account, Basis, Direction, EntryKind, Method
from himpun.dues.models import (
    CashCategory,
    DuesPolicy,
    Entry,
    MemberDues,
    MinimumWage,
    MonthClosing,
    Payment,
    Posting,
    ReceiptSequence,
    SplitRule,
)
from himpun.dues.months import month_add
from himpun.members.choices import Status as MemberStatus
from himpun.members.models import Member
from himpun.structure.models import OrgUnit
from himpun.structure.services import unit_counts_adjust

#: Months a member may owe before the arrears run makes them nonaktif (per organisation in
#: `MembershipRule.inactive_after_months`; this when none is set).
DEFAULT_INACTIVE_AFTER = 3


class PostingRefused(ValidationError):
    """A money write that must not happen: a closed month, a double submission, no right."""


# --- pure arithmetic -------------------------------------------------------------------------


def split_exact(amount: int, weights: Sequence[int]) -> list[int]:
    """Share `amount` whole rupiah in proportion to `weights`, summing exactly to `amount`:
    each share rounded down, and the rupiah left over go one each to the largest remainders
    (Hamilton's method; ties to the earlier share)."""
    if not weights:
        return []
    total = sum(weights)
    if total <= 0 or any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative with a positive sum")
    sign = -1 if amount < 0 else 1
    a = abs(amount)
    quotas = [a * w for w in weights]
    shares = [q // total for q in quotas]
    left = a - sum(shares)
    for i in sorted(range(len(weights)), key=lambda i: (-(quotas[i] % total), i))[:left]:
        shares[i] += 1
    return [sign * s for s in shares]


# --- who may -----------------------------------------------------------------------------------


def require(actor: Any, model: type, action: str, unit: OrgUnit) -> None:
    if not may(actor, model, action, unit.path):
        raise PostingRefused(
            _("Anda tidak berhak mencatat uang untuk unit %(unit)s.") % {"unit": unit.name}
        )


# --- policies and splits -----------------------------------------------------------------------


def _nearest(qs: Any, unit: OrgUnit, on: datetime.date) -> Any:
    """The rule of the nearest unit (self, then up the tree) in force on `on`."""
    return (
        qs.filter(unit__path__in=ancestor_paths(unit.path), effective_from__lte=on)
        .order_by("-unit__depth", "-effective_from")
        .first()
    )


def policy_for(unit: OrgUnit, on: datetime.date) -> DuesPolicy | None:
    return _nearest(DuesPolicy.objects.select_related("unit"), unit, on)


def monthly_dues(member: Member, on: datetime.date) -> int | None:
    """What `member` owes a month on `on` under the policy in force, or None when no policy
    applies or it needs a wage or minimum wage Himpun does not know."""
    policy = policy_for(member.unit, on)
    if policy is None:
        return None
    if policy.basis == Basis.FIXED:
        return policy.amount
    if policy.basis == Basis.WAGE:
        wage = MemberDues.objects.filter(member=member).values_list("wage", flat=True).first()
        base = wage
    else:
        region = policy.region_code or member.unit.region_code
        base = minimum_wage(member.organisation_id, region, on.year)
    if not base:
        return None
    return (base * policy.rate_bp + 5000) // 10000  # half a rupiah and up rounds up


def minimum_wage(organisation_id: int, region: str, year: int) -> int | None:
    """The UMK of a regency/city, else the UMP of its province, for `year`."""
    if not region:
        return None
    codes = [region, region.split(".")[0]]
    rows = dict(
        MinimumWage.objects.filter(
            organisation_id=organisation_id, year=year, region_code__in=codes
        ).values_list("region_code", "amount")
    )
    return next((rows[c] for c in codes if c in rows), None)


@dataclass(frozen=True)
class Share:
    unit_id: int
    share_bp: int
    label: str


def split_for(unit: OrgUnit, on: datetime.date) -> list[Share]:
    """Who receives which part of a payment collected at `unit` on `on`. A share for a level
    the unit does not have above it goes to the next level up that it has (a community group
    directly under a federation pays the branch's share to the federation); a share for a level
    below the unit stays with the unit. No rule: everything stays with the unit."""
    rule = _nearest(SplitRule.objects.all(), unit, on)
    if rule is None:
        return [Share(unit.pk, 10000, "")]
    chain = list(
        OrgUnit._base_manager.filter(path__in=ancestor_paths(unit.path))
        .order_by("-depth")
        .values_list("pk", "kind__order")
    )
    merged: dict[int, list[Any]] = {}
    for share in rule.shares.select_related("level").order_by("id"):
        order = share.level.order
        target = next((pk for pk, o in chain if o is not None and o <= order), chain[-1][0])
        slot = merged.setdefault(target, [0, []])
        slot[0] += share.share_bp
        slot[1].append(share.label or share.level.name)
    return [Share(pk, bp, " + ".join(labels)) for pk, (bp, labels) in merged.items()]


def split_postings(
    amount: int, collector_id: int, shares: Sequence[Share]
) -> list[tuple[int, str, int, int | None]]:
    """The postings of `amount` of dues collected (in cash) at `collector_id`:
    (unit, account, amount, counterparty). The collector's cash goes up by the whole amount;
    each share is income of its unit; shares of other units are owed by the collector and
    due to them."""
    rows: list[tuple[int, str, int, int | None]] = [(collector_id, Account.CASH, amount, None)]
    for share, part in zip(shares, split_exact(amount, [s.share_bp for s in shares]), strict=True):
        if not part:
            continue
        rows.append((share.unit_id, Account.DUES_INCOME, -part, None))
        if share.unit_id != collector_id:
            rows.append((collector_id, Account.PAYABLE, -part, share.unit_id))
            rows.append((share.unit_id, Account.RECEIVABLE, part, collector_id))
    return rows


# --- counters up the tree ---------------------------------------------------------------------

#: Unit counters (structure.UnitCounter, rolled up the tree) kept per month:
#: members whose dues for the month are paid, and rupiah of dues received in the month.
PAID_KEY = "dues.paid.{:%Y-%m}"
AMOUNT_KEY = "dues.amount.{:%Y-%m}"


def dues_counter_deltas(
    payments: Iterable[tuple[str, datetime.date, int, int, datetime.date]],
) -> dict[tuple[str, str], int]:
    """Counter changes for payments given as (unit path, first month, months, amount, paid
    on); a reversal passes negative months and amount."""
    # a check-off batch is thousands of payments of a few units, months and days: count
    # them per kind first, then format each key once
    grouped: dict[tuple[str, datetime.date, int, datetime.date], list[int]] = {}
    for path, period, months, amount, on in payments:
        slot = grouped.get((path, period, months, on))
        if slot is None:
            grouped[path, period, months, on] = [1, amount]
        else:
            slot[0] += 1
            slot[1] += amount
    deltas: dict[tuple[str, str], int] = defaultdict(int)
    for (path, period, months, on), (n, amount) in grouped.items():
        step = n if months > 0 else -n
        for i in range(abs(months)):
            deltas[(path, PAID_KEY.format(month_add(period, i)))] += step
        deltas[(path, AMOUNT_KEY.format(on))] += amount
    return {k: v for k, v in deltas.items() if v}


# --- posting -------------------------------------------------------------------------------------


def closed_months(unit_ids: Iterable[int], months: Iterable[datetime.date]) -> set[tuple[int, Any]]:
    return set(
        MonthClosing.objects.filter(unit_id__in=set(unit_ids), month__in=set(months)).values_list(
            "unit_id", "month"
        )
    )


def _check_open(unit: OrgUnit, on: datetime.date) -> None:
    if MonthClosing.objects.filter(unit=unit, month=on.replace(day=1)).exists():
        raise PostingRefused(
            _("Buku bulan %(month)s unit %(unit)s sudah ditutup. Catat koreksi di bulan berjalan.")
            % {"month": f"{on:%m-%Y}", "unit": unit.name}
        )


def _entry(
    *,
    actor: Any,
    unit: OrgUnit,
    kind: str,
    on: datetime.date,
    description: str,
    lines: Sequence[tuple[int, str, int, int | None]],
    key: str | None = None,
    category: CashCategory | None = None,
    reverses: Entry | None = None,
    reason: str = "",
    receipt: Any = None,
    batch: Any = None,
) -> Entry:
    """Append one balanced entry. Refuses an unbalanced one, a month the recording unit has
    closed, and a key already posted (a form sent twice)."""
    if sum(amount for _u, _a, amount, _c in lines) != 0:
        raise ValueError("unbalanced entry")
    _check_open(unit, on)
    if key and Entry.objects.filter(key=key).exists():
        raise PostingRefused(_("Data ini sudah dicatat sebelumnya; tidak dicatat dua kali."))
    try:
        with transaction.atomic():
            entry = Entry.objects.create(
                organisation_id=unit.organisation_id or unit.pk,
                unit=unit,
                kind=kind,
                on=on,
                description=description[:200],
                actor=actor,
                key=key or None,
                reverses=reverses,
                reason=reason,
                batch=batch,
                **({"receipt": receipt} if receipt else {}),
            )
    except IntegrityError as exc:  # the same key posted concurrently
        raise PostingRefused(
            _("Data ini sudah dicatat sebelumnya; tidak dicatat dua kali.")
        ) from exc
    Posting.objects.bulk_create(
        Posting(
            entry=entry,
            unit_id=u,
            account=a,
            amount=amount,
            on=on,
            counterparty_id=c,
            category=category if a in (Account.EXPENSE, Account.OTHER_INCOME) else None,
        )
        for u, a, amount, c in lines
        if amount
    )
    audit_record(
        actor=actor,
        action="create",
        instance=entry,
        changes={"kind": kind, "on": on.isoformat(), "total": sum(x[2] for x in lines if x[2] > 0)},
        batch=batch,
    )
    return entry


def receipt_number_next(*, unit: OrgUnit, on: datetime.date) -> str:
    """KW/<unit code>/<year>/<n>: gapless per unit and year (the row is locked until the
    transaction ends, as member numbers are)."""
    ReceiptSequence.objects.get_or_create(unit=unit, year=on.year)
    seq = ReceiptSequence.objects.select_for_update().get(unit=unit, year=on.year)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"KW/{unit.code}/{on.year}/{seq.last:05d}"


def dues_start(organisation_id: int) -> datetime.date | None:
    """The first month anyone in the organisation owes dues: its earliest policy."""
    first = (
        DuesPolicy.objects.filter(unit__path__startswith=_org_path(organisation_id))
        .order_by("effective_from")
        .values_list("effective_from", flat=True)
        .first()
    )
    return first.replace(day=1) if first else None


def account_opens(
    joined_on: datetime.date | None,
    status_since: datetime.date | None,
    start: datetime.date | None,
) -> datetime.date:
    """The month a member's dues account opens: their joining month, never before the
    organisation's first policy (`start`). The arrears run opens accounts by the same rule,
    in SQL."""
    joined = (joined_on or status_since or timezone.localdate()).replace(day=1)
    return max(joined, start) if start else joined


def dues_account(member: Member) -> MemberDues:
    """The member's dues account, opened from their joining month, but never before the
    organisation's first dues policy (the arrears run opens accounts the same way)."""
    opens = account_opens(member.joined_on, member.status_since, dues_start(member.organisation_id))
    account, _created = MemberDues.objects.get_or_create(
        member=member, defaults={"owed_from": opens, "unpaid_from": opens}
    )
    return account


def payment_next_period(member: Member) -> datetime.date:
    """The first month a new payment of `member` covers: the month after the last one paid,
    counted from the month their dues account opens."""
    account = MemberDues.objects.filter(member=member).first()
    if account is None or account.unpaid_from is None:
        return account_opens(
            member.joined_on, member.status_since, dues_start(member.organisation_id)
        )
    return account.unpaid_from


def _not_future(on: datetime.date) -> None:
    if on > timezone.localdate():
        raise PostingRefused(_("Tanggal tidak boleh di masa depan."))


@transaction.atomic
def payment_post(
    *,
    actor: Any,
    member: Member,
    amount: int,
    method: str,
    on: datetime.date | None = None,
    months: int = 1,
    period: datetime.date | None = None,
    joining_fee: int = 0,
    reference: str = "",
    proof: Any = None,
    key: str | None = None,
) -> Payment:
    """Record a member's dues paid at their unit: the entry with its split between levels,
    the payment with its receipt number, and the member's months paid. A member made
    nonaktif for arrears is active again once they owe less than the limit."""
    member = Member._base_manager.select_related("unit").get(pk=member.pk)
    unit = member.unit
    require(actor, Payment, "add", unit)
    if member.archived_at is not None:
        raise PostingRefused(_("Data anggota ini sudah digabung atau diarsipkan."))
    if amount <= 0:
        raise PostingRefused(_("Jumlah harus lebih dari nol."))
    if months < 1:
        raise PostingRefused(_("Jumlah bulan paling sedikit 1."))
    if not 0 <= joining_fee <= amount:
        raise PostingRefused(_("Uang pangkal tidak boleh lebih dari jumlah yang dibayar."))
    if method not in Method.values:
        raise PostingRefused(_("Cara bayar tidak dikenal."))
    on = on or timezone.localdate()
    _not_future(on)
    dues_account(member)  # exists before it is locked: concurrent first payments queue here
    account = MemberDues.objects.select_for_update().get(member=member)
    period = period or account.unpaid_from or on.replace(day=1)
    period = period.replace(day=1)
    dues = amount - joining_fee
    lines = split_postings(dues, unit.pk, split_for(unit, on)) if dues else []
    if joining_fee:
        lines += [
            (unit.pk, Account.CASH, joining_fee, None),
            (unit.pk, Account.OTHER_INCOME, -joining_fee, None),
        ]
    name = member.full_name
    entry = _entry(
        actor=actor,
        unit=unit,
        kind=EntryKind.PAYMENT,
        on=on,
        description=_("Iuran %(name)s, %(months)s bulan mulai %(period)s")
        % {"name": name, "months": months, "period": f"{period:%m-%Y}"},
        lines=lines,
        key=key,
    )
    payment = Payment.objects.create(
        entry=entry,
        member=member,
        unit=unit,
        method=method,
        amount=amount,
        joining_fee=joining_fee,
        period=period,
        months=months,
        on=on,
        receipt_number=receipt_number_next(unit=unit, on=on) if method != Method.CHECKOFF else "",
        reference=reference[:100],
        **({"proof": proof} if proof else {}),
    )
    unit_counts_adjust(
        deltas=dues_counter_deltas([(unit.path, period, months, amount - joining_fee, on)])
    )
    months_paid_add(
        actor=actor,
        organisation_id=member.organisation_id,
        member_ids=[member.pk],
        months=months,
        on=on,
        reactivate=[member.pk] if member.status == MemberStatus.INACTIVE else [],
    )
    return payment


@transaction.atomic
def entry_reverse(
    *, actor: Any, entry: Entry, reason: str, on: datetime.date | None = None
) -> Entry:
    """Cancel `entry` by appending its mirror image, dated today (the open month): the
    original stays, marked as reversed."""
    entry = Entry.objects.select_related("unit").get(pk=entry.pk)
    # a payment is reversed by whoever may take payments; other lines by the book-keepers
    paid = entry.kind in (EntryKind.PAYMENT, EntryKind.CHECKOFF)
    require(actor, Payment if paid else Entry, "add", entry.unit)
    if not reason.strip():
        raise PostingRefused(_("Tulis alasan pembatalan."))
    if entry.kind == EntryKind.REVERSAL:
        raise PostingRefused(_("Pembatalan tidak dapat dibatalkan lagi; catat transaksi baru."))
    if Entry.objects.filter(reverses=entry).exists():
        raise PostingRefused(_("Transaksi ini sudah dibatalkan."))
    on = on or timezone.localdate()
    postings = list(entry.postings.select_related("category"))
    reversal = _entry(
        actor=actor,
        unit=entry.unit,
        kind=EntryKind.REVERSAL,
        on=on,
        description=_("Pembatalan: %(what)s") % {"what": entry.description},
        lines=[(p.unit_id, p.account, -p.amount, p.counterparty_id) for p in postings],
        reverses=entry,
        reason=reason.strip()[:200],
        category=next((p.category for p in postings if p.category_id), None),
    )
    # A check-off entry holds the payments of a whole batch: they are reversed together.
    payments = list(Payment.objects.filter(entry=entry).select_related("unit"))
    Payment.objects.bulk_create(
        [
            Payment(
                entry=reversal,
                member_id=p.member_id,
                unit_id=p.unit_id,
                method=p.method,
                amount=-p.amount,
                joining_fee=-p.joining_fee,
                period=p.period,
                months=-p.months,
                on=on,
                reverses=p,
            )
            for p in payments
        ],
        batch_size=1000,
    )
    unpaid: dict[int, int] = defaultdict(int)
    for p in payments:
        unpaid[p.member_id] += p.months
    by_months: dict[int, list[int]] = defaultdict(list)
    for member_id, months in unpaid.items():
        by_months[months].append(member_id)
    for months, member_ids in by_months.items():
        _unpaid_from_shift(member_ids, -months)
    if payments:
        unit_counts_adjust(
            deltas=dues_counter_deltas(
                (p.unit.path, p.period, -p.months, -(p.amount - p.joining_fee), on)
                for p in payments
            )
        )
        arrears_recompute_members(actor=actor, member_ids=list(unpaid), on=on)
    return reversal


def dues_accounts_merge(*, survivor: Member, duplicate: Member) -> None:
    """After a merge moved the duplicate's payments: the survivor's account owes from the
    earlier of the two months and counts every month now paid on it."""
    accounts = {
        a.member_id: a for a in MemberDues.objects.filter(member_id__in=[survivor.pk, duplicate.pk])
    }
    if not accounts:
        return
    starts = [a.owed_from for a in accounts.values() if a.owed_from]
    account = dues_account(survivor)
    paid = Payment.objects.filter(member=survivor).aggregate(m=Sum("months"))["m"] or 0
    owed_from = min(starts) if starts else account.owed_from
    MemberDues.objects.filter(pk=account.pk).update(
        owed_from=owed_from,
        unpaid_from=month_add(owed_from, paid) if owed_from else None,
        wage=account.wage
        if account.wage is not None
        else getattr(accounts.get(duplicate.pk), "wage", None),
    )
    arrears_recompute_members(actor=None, member_ids=[survivor.pk], on=timezone.localdate())


@transaction.atomic
def member_dues_update(
    *,
    actor: Any,
    member: Member,
    wage: int | None,
    checkoff_authorised_on: datetime.date | None,
) -> MemberDues:
    """Record a member's wage (for dues as a percentage of wage) and the date they signed the
    check-off authorisation (KEP.187/MEN/X/2004: no payroll deduction without it)."""
    member = Member._base_manager.select_related("unit").get(pk=member.pk)
    require(actor, Payment, "add", member.unit)
    if wage is not None and wage < 0:
        raise PostingRefused(_("Upah tidak boleh negatif."))
    if checkoff_authorised_on and checkoff_authorised_on > timezone.localdate():
        raise PostingRefused(_("Tanggal tidak boleh di masa depan."))
    account = dues_account(member)
    before = {"wage": account.wage, "checkoff_authorised_on": account.checkoff_authorised_on}
    MemberDues.objects.filter(pk=account.pk).update(
        wage=wage, checkoff_authorised_on=checkoff_authorised_on
    )
    account.refresh_from_db()
    # The history names what changed; a wage is personal and stays out of it.
    changes: dict[str, list[Any]] = {}
    if before["wage"] != account.wage:
        changes[_("upah per bulan")] = [
            _("tercatat") if v is not None else None for v in (before["wage"], account.wage)
        ]
    if before["checkoff_authorised_on"] != account.checkoff_authorised_on:
        changes[_("surat kuasa potong upah")] = [
            v.isoformat() if v else None
            for v in (before["checkoff_authorised_on"], account.checkoff_authorised_on)
        ]
    if changes:
        audit_record(actor=actor, action="update", instance=member, changes=changes)
    return account


@transaction.atomic
def remittance_post(
    *,
    actor: Any,
    from_unit: OrgUnit,
    to_unit: OrgUnit,
    amount: int,
    on: datetime.date | None = None,
    reference: str = "",
    key: str | None = None,
) -> Entry:
    """Shares sent up the tree: the sender's cash and debt go down, the receiver's cash goes
    up and what it is owed goes down."""
    require(actor, Payment, "add", from_unit)
    if amount <= 0:
        raise PostingRefused(_("Jumlah harus lebih dari nol."))
    if from_unit.pk == to_unit.pk:
        raise PostingRefused(_("Unit pengirim dan penerima harus berbeda."))
    if from_unit.organisation_id != to_unit.organisation_id and to_unit.pk != (
        from_unit.organisation_id
    ):
        raise PostingRefused(_("Setoran hanya antarunit dalam satu organisasi."))
    on = on or timezone.localdate()
    _not_future(on)
    _check_open(to_unit, on)
    return _entry(
        actor=actor,
        unit=from_unit,
        kind=EntryKind.REMITTANCE,
        on=on,
        description=_("Setoran ke %(to)s") % {"to": to_unit.name}
        + (f" ({reference})" if reference else ""),
        lines=[
            (from_unit.pk, Account.PAYABLE, amount, to_unit.pk),
            (from_unit.pk, Account.CASH, -amount, None),
            (to_unit.pk, Account.CASH, amount, None),
            (to_unit.pk, Account.RECEIVABLE, -amount, from_unit.pk),
        ],
        key=key,
    )


@transaction.atomic
def cash_post(
    *,
    actor: Any,
    unit: OrgUnit,
    direction: str,
    category: CashCategory,
    amount: int,
    description: str,
    on: datetime.date | None = None,
    receipt: Any = None,
    key: str | None = None,
) -> Entry:
    """A line of the unit's cash book other than dues: spending (photocopies, transport, …)
    or other income (donations)."""
    require(actor, Entry, "add", unit)
    if amount <= 0:
        raise PostingRefused(_("Jumlah harus lebih dari nol."))
    if direction not in Direction.values:
        raise PostingRefused(_("Pilih pemasukan atau pengeluaran."))
    if category.organisation_id != (unit.organisation_id or unit.pk):
        raise PostingRefused(_("Kategori ini milik organisasi lain."))
    if category.direction and category.direction != direction:
        raise PostingRefused(
            _("Kategori %(name)s hanya untuk %(direction)s.")
            % {"name": category.name, "direction": category.get_direction_display().lower()}
        )
    if not description.strip():
        raise PostingRefused(_("Tulis uraiannya."))
    on = on or timezone.localdate()
    _not_future(on)
    sign = 1 if direction == Direction.IN else -1
    other = Account.OTHER_INCOME if direction == Direction.IN else Account.EXPENSE
    return _entry(
        actor=actor,
        unit=unit,
        kind=EntryKind.CASH,
        on=on,
        description=description.strip(),
        lines=[
            (unit.pk, Account.CASH, sign * amount, None),
            (unit.pk, other, -sign * amount, None),
        ],
        key=key,
        category=category,
        receipt=receipt,
    )


def cash_balance(unit: OrgUnit, *, until: datetime.date | None = None) -> int:
    qs = Posting.objects.filter(unit=unit, account=Account.CASH)
    if until is not None:
        qs = qs.filter(on__lte=until)
    return qs.aggregate(s=Sum("amount"))["s"] or 0


@transaction.atomic
def month_close(*, actor: Any, unit: OrgUnit, month: datetime.date) -> MonthClosing:
    """Close a unit's month: its cash balance at the month's end is fixed, nothing more may be
    posted into it; corrections go into an open month."""
    require(actor, Entry, "add", unit)
    month = month.replace(day=1)
    today = timezone.localdate()
    if month > today.replace(day=1):
        raise PostingRefused(_("Bulan yang belum berjalan tidak dapat ditutup."))
    # Lock the unit's closings so a posting cannot slip in between the check and the close.
    OrgUnit._base_manager.select_for_update().filter(pk=unit.pk).first()
    if MonthClosing.objects.filter(unit=unit, month=month).exists():
        raise PostingRefused(_("Bulan ini sudah ditutup."))
    end = month_add(month, 1) - datetime.timedelta(days=1)
    closing = MonthClosing.objects.create(
        unit=unit, month=month, closed_by=actor, cash_balance=cash_balance(unit, until=end)
    )
    audit_record(
        actor=actor,
        action="create",
        instance=closing,
        changes={"month": month.isoformat(), "cash_balance": closing.cash_balance},
    )
    return closing


def categories_ensure(organisation: OrgUnit) -> None:
    """The seeded cash-book categories, for an organisation that has none yet."""
    if CashCategory.objects.filter(organisation=organisation).exists():
        return
    CashCategory.objects.bulk_create(
        CashCategory(organisation=organisation, code=code, name=name, direction=direction)
        for code, name, direction in SEED_CATEGORIES
    )


# --- what the books say ----------------------------------------------------------------------


def balances(unit: OrgUnit, *, until: datetime.date | None = None) -> dict[str, int]:
    """Balance per account of `unit`'s own books (debits positive)."""
    qs = Posting.objects.filter(unit=unit)
    if until is not None:
        qs = qs.filter(on__lte=until)
    out = dict.fromkeys(Account.values, 0)
    out.update(qs.values_list("account").annotate(s=Sum("amount")).values_list("account", "s"))
    return out


def owed_between(unit: OrgUnit) -> dict[str, list[dict[str, Any]]]:
    """What `unit` still owes each unit above it and is still owed by each unit below it
    (shares accrued minus remittances), with the amounts sent and received so far."""
    rows = (
        Posting.objects.filter(unit=unit, account__in=(Account.PAYABLE, Account.RECEIVABLE))
        .values("account", "counterparty_id", "counterparty__name", "counterparty__code")
        .annotate(
            balance=Sum("amount"),
            settled=Sum("amount", filter=SETTLED),
        )
        .order_by("counterparty__path")
    )
    out: dict[str, list[dict[str, Any]]] = {"up": [], "down": []}
    for r in rows:
        if r["account"] == Account.PAYABLE:
            out["up"].append({**r, "owed": -r["balance"], "sent": r["settled"] or 0})
        else:
            out["down"].append({**r, "owed": r["balance"], "received": -(r["settled"] or 0)})
    return out


#: Postings that settle shares between levels: remittances, and their reversals.
SETTLED = Q(entry__kind=EntryKind.REMITTANCE) | Q(entry__reverses__kind=EntryKind.REMITTANCE)


def ledger_check(*, unit_ids: Iterable[int] | None = None) -> list[str]:
    """Every entry balances to the rupiah, as a whole and within each unit. Returns the
    problems found (none on a healthy ledger). One GROUP BY each."""
    problems = []
    qs = Posting.objects.all()
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=list(unit_ids))
    for row in (
        qs.values("entry_id")
        .annotate(s=Sum("amount"))
        .exclude(s=0)
        .values_list("entry_id", "s")[:20]
    ):
        problems.append(f"entry {row[0]} off by {row[1]}")
    for row in (
        qs.values("entry_id", "unit_id")
        .annotate(s=Sum("amount"))
        .exclude(s=0)
        .values_list("entry_id", "unit_id", "s")[:20]
    ):
        problems.append(f"entry {row[0]} unit {row[1]} off by {row[2]}")
    return problems


# --- arrears -----------------------------------------------------------------------------------


def _month_shift(column: str) -> str:
    """SQL for the month `column` (a first of the month) moved by a parameter's number of
    months."""
    if connection.vendor == "postgresql":
        return f"({column} + make_interval(months => %s))::date"
    return f"date({column}, printf('%%+d months', %s))"


def _unpaid_from_shift(
    member_ids: list[int], months: int, *, paid_on: datetime.date | None = None
) -> None:
    """Move the first unpaid month of these members' accounts by `months` (back, for a
    reversal), in one statement; `paid_on`, for a payment, is their last payment's date."""
    where, keys = in_ids("member_id", member_ids, vendor=connection.vendor)
    paid, params = (", last_paid_on = %s", [paid_on]) if paid_on else ("", [])
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE dues_memberdues SET unpaid_from = {_month_shift('unpaid_from')}{paid} "  # noqa: S608
            f"WHERE {where}",
            [months, *params, *keys],
        )


def inactive_after(organisation_id: int) -> int:
    from himpun.members.models import MembershipRule

    n = (
        MembershipRule.objects.filter(organisation_id=organisation_id)
        .values_list("inactive_after_months", flat=True)
        .first()
    )
    return DEFAULT_INACTIVE_AFTER if n is None else n


def arrears_recompute(
    *, actor: Any, organisation: OrgUnit, on: datetime.date | None = None
) -> dict[str, int]:
    """The status changes that months owed on `on` cause in `organisation`, set-based:
    nonaktif at the organisation's limit; aktif again when paid up. Opens a dues account
    for every member who has none, from their joining month but never before the
    organisation's first dues policy. Months owed themselves are not stored (they follow
    from `MemberDues.unpaid_from`), so the run only reads, through its index, the accounts
    at or past the limit. Returns counts."""
    return _arrears(actor=actor, organisation_id=organisation.pk, on=on or timezone.localdate())


def arrears_recompute_members(*, actor: Any, member_ids: list[int], on: datetime.date) -> None:
    """The status changes these members' months owed cause now (after a reversal or a
    merge; a payment goes through `months_paid_add`)."""
    org_ids = set(
        Member._base_manager.filter(pk__in=member_ids).values_list("organisation_id", flat=True)
    )
    for org_id in org_ids:
        _arrears(actor=actor, organisation_id=org_id, on=on, member_ids=member_ids)


@transaction.atomic
def months_paid_add(
    *,
    actor: Any,
    organisation_id: int,
    member_ids: list[int],
    months: int,
    on: datetime.date,
    reactivate: list[int],
) -> None:
    """Members of one organisation who have just paid `months` months each (their accounts
    exist): their first unpaid month moves on, in one statement. Paying can only lower what
    a member owes, so nobody becomes nonaktif here (that is the arrears run's work); the
    members in `reactivate` (nonaktif, possibly for arrears) become aktif again when the
    payment brings them under the organisation's limit."""
    if not member_ids:
        return
    _unpaid_from_shift(member_ids, months, paid_on=on)
    limit = inactive_after(organisation_id) if reactivate else 0
    if limit:
        with connection.cursor() as cur:
            only, params = _members_only(reactivate)
            _arrears_moves(
                cur,
                actor=actor,
                organisation_id=organisation_id,
                on=on,
                only=only,
                params=params,
                limit=limit,
                paying=True,
                counts={"reactivated": 0},
            )


def _members_only(member_ids: list[int] | None) -> tuple[str, list[Any]]:
    """The condition (on `m.id`) that limits an arrears statement to `member_ids` (all
    members when None), with its parameters."""
    if member_ids is None:
        return "", []
    # one array parameter on PostgreSQL: a list of 5,000 placeholders costs more to send
    # and parse than the statement's work
    sql, params = in_ids("m.id", member_ids, vendor=connection.vendor)
    return f" AND {sql}", params


@transaction.atomic
def _arrears(
    *,
    actor: Any,
    organisation_id: int,
    on: datetime.date,
    member_ids: list[int] | None = None,
) -> dict[str, int]:
    start = dues_start(organisation_id)
    counts = {"accounts": 0, "inactivated": 0, "reactivated": 0}
    if start is None:
        return counts
    only, params = _members_only(member_ids)
    live = "m.status IN ('aktif', 'nonaktif') AND m.archived_at IS NULL"
    joined = "COALESCE(m.joined_on, m.status_since)"
    if connection.vendor == "postgresql":
        first = f"GREATEST(date_trunc('month', {joined})::date, %s::date)"
    else:
        first = f"MAX(date({joined}, 'start of month'), %s)"
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO dues_memberdues (member_id, owed_from, unpaid_from, "  # noqa: S608
            "inactive_for_arrears) "
            f"SELECT m.id, {first}, {first}, FALSE FROM members_member m "
            f"WHERE m.organisation_id = %s AND {live}{only} AND {joined} IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM dues_memberdues d WHERE d.member_id = m.id)",
            [start, start, organisation_id, *params],
        )
        counts["accounts"] = max(cur.rowcount, 0)
        limit = inactive_after(organisation_id)
        if limit:
            _arrears_moves(
                cur,
                actor=actor,
                organisation_id=organisation_id,
                on=on,
                only=only,
                params=params,
                limit=limit,
                paying=False,
                counts=counts,
            )
    return counts


def _arrears_moves(
    cur: Any,
    *,
    actor: Any,
    organisation_id: int,
    on: datetime.date,
    only: str,
    params: list[Any],
    limit: int,
    paying: bool,
    counts: dict[str, int],
) -> None:
    """The status changes that months owed on `on` cause among the members `only` selects:
    aktif → nonaktif at `limit` months owed, and nonaktif for arrears → aktif below it (only
    the latter when `paying`), each with its history and counters."""
    from himpun.members.services import _counter_deltas

    # `limit` months owed on `on` or more: the first unpaid month is `limit` months before
    # `on`'s month or earlier (one comparison on the index of `unpaid_from`).
    cutoff = month_add(on.replace(day=1), -limit)
    moves = [
        (
            "aktif",
            "nonaktif",
            "d.unpaid_from <= %s",
            True,
            _("Menunggak iuran %(n)s bulan atau lebih") % {"n": limit},
        ),
        (
            "nonaktif",
            "aktif",
            "d.inactive_for_arrears AND d.unpaid_from > %s",
            False,
            _("Iuran sudah dibayar"),
        ),
    ]
    if paying:
        moves = moves[1:]
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    for old, new, cond, flag, reason in moves:
        # The members to move, in a temporary table: their counters are one GROUP BY,
        # their updates and history rows one statement each, whatever their number.
        cur.execute("DROP TABLE IF EXISTS dues_moves")
        cur.execute(
            "CREATE TEMPORARY TABLE dues_moves AS SELECT m.id, m.unit_id "  # noqa: S608
            "FROM members_member m JOIN dues_memberdues d ON d.member_id = m.id "
            f"WHERE m.organisation_id = %s AND m.status = %s AND m.archived_at IS NULL"
            f"{only} AND {cond}",
            [organisation_id, old, *params, cutoff],
        )
        cur.execute(
            "SELECT u.path, count(*) FROM dues_moves v "
            "JOIN structure_orgunit u ON u.id = v.unit_id GROUP BY u.path"
        )
        per_unit = cur.fetchall()
        moved = sum(n for _path, n in per_unit)
        if moved:
            deltas: dict[tuple[str, str], int] = defaultdict(int)
            for path, n in per_unit:
                for k, v in _counter_deltas(path, old, new).items():
                    deltas[k] += v * n
            cur.execute(
                "UPDATE members_member SET status = %s, status_since = %s, "
                "version = version + 1, updated_at = %s "
                "WHERE id IN (SELECT id FROM dues_moves)",
                [new, on, timezone.now()],
            )
            cur.execute(
                "UPDATE dues_memberdues SET inactive_for_arrears = %s "
                "WHERE member_id IN (SELECT id FROM dues_moves)",
                [flag],
            )
            cur.execute(
                "INSERT INTO members_statuschange "
                '(member_id, status, "on", reason, actor_id, recorded_at) '
                "SELECT id, %s, %s, %s, %s, %s FROM dues_moves",
                [new, on, reason, actor_id, timezone.now()],
            )
            unit_counts_adjust(deltas=dict(deltas))
            counts["inactivated" if new == "nonaktif" else "reactivated"] += moved
        cur.execute("DROP TABLE dues_moves")


def _org_path(organisation_id: int) -> str:
    return OrgUnit._base_manager.filter(pk=organisation_id).values_list("path", flat=True).get()
