"""The ledger: exact splits, balanced append-only entries, reversals, closings, arrears."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from himpun.dues.choices import Account, Basis, Direction, Method
from himpun.dues.models import (
    AppendOnly,
    CashCategory,
    DuesPolicy,
    Entry,
    MemberDues,
    MonthClosing,
    Payment,
    Posting,
    SplitRule,
    SplitShare,
)
from himpun.dues.services import (
    PostingRefused,
    arrears_recompute,
    balances,
    cash_balance,
    cash_post,
    categories_ensure,
    entry_reverse,
    ledger_check,
    month_add,
    month_close,
    monthly_dues,
    owed_between,
    payment_post,
    remittance_post,
    split_exact,
    split_for,
)
from himpun.members.models import Member, StatusChange
from himpun.members.services import member_register
from himpun.structure.models import LevelKind, UnitCounter
from himpun.structure.services import MEMBERS
from tests import factories

_codes = itertools.count(1)
TODAY = timezone.localdate()


# --- splitting --------------------------------------------------------------------------------


@settings(max_examples=500, deadline=None)
@given(
    amount=st.integers(min_value=-(10**12), max_value=10**12),
    weights=st.lists(st.integers(min_value=0, max_value=10000), min_size=1, max_size=12).filter(
        lambda w: sum(w) > 0
    ),
)
def test_split_sums_exactly_and_each_share_is_within_a_rupiah(amount, weights):
    shares = split_exact(amount, weights)
    assert sum(shares) == amount
    total = sum(weights)
    for share, w in zip(shares, weights, strict=True):
        exact = amount * w / total
        assert abs(share - exact) < 1
        assert (share >= 0) == (amount >= 0) or share == 0


def test_split_of_fsp_lem_shares():
    # PUK 50, branch 22.5 + confederation 2.5, province 12.5 + 2.5, national 7.5 + 2.5
    weights = [5000, 2250, 250, 1250, 250, 750, 250]
    assert split_exact(50_000, weights) == [25_000, 11_250, 1_250, 6_250, 1_250, 3_750, 1_250]
    # 33,333: the three rupiah left after rounding down go to the largest remainders
    parts = split_exact(33_333, weights)
    assert sum(parts) == 33_333
    assert parts == [16_667, 7_500, 833, 4_167, 833, 2_500, 833]


# --- a small union with its rules ---------------------------------------------------------------


class Union:
    """A confederation → federation → two PUKs, with a policy, a split and two treasurers."""

    def __init__(self) -> None:
        n = next(_codes)
        self.org = factories.org(f"KONF{n}", kinds=("Konfederasi", "Federasi", "PUK"))
        self.fed = factories.unit(self.org, f"FED{n}")
        self.puk = factories.unit(self.fed, f"PUK{n}")
        self.puk2 = factories.unit(self.fed, f"PUKB{n}")
        kinds = {k.code: k for k in LevelKind.objects.filter(organisation=self.org)}
        self.policy = DuesPolicy.objects.create(
            unit=self.org,
            effective_from=datetime.date(2020, 1, 1),
            basis=Basis.FIXED,
            amount=50_000,
        )
        rule = SplitRule.objects.create(unit=self.org, effective_from=datetime.date(2020, 1, 1))
        for code, bp in (("puk", 5000), ("federasi", 3500), ("konfederasi", 1500)):
            SplitShare.objects.create(rule=rule, level=kinds[code], share_bp=bp)
        self.treasurer = factories.UserFactory(username=f"bendahara{n}")
        factories.grant(self.treasurer, "Bendahara", self.puk)
        self.fed_treasurer = factories.UserFactory(username=f"bendaharafed{n}")
        factories.grant(self.fed_treasurer, "Bendahara", self.fed)
        categories_ensure(self.org)
        self.members = [
            member_register(
                actor=None,
                unit=self.puk,
                full_name=f"Anggota {n} {i}",
                joined_on=datetime.date(TODAY.year - 1, 1, 15),
            )
            for i in range(3)
        ]

    def units(self) -> list[int]:
        return [self.org.pk, self.fed.pk, self.puk.pk, self.puk2.pk]


@pytest.fixture
def union(db):
    return Union()


def test_payment_is_split_between_levels_and_balances(union):
    m = union.members[0]
    assert monthly_dues(m, TODAY) == 50_000
    payment = payment_post(
        actor=union.treasurer, member=m, amount=150_000, method=Method.CASH, months=3
    )
    assert payment.receipt_number == f"KW/{union.puk.code}/{TODAY.year}/00001"
    assert ledger_check() == []
    assert balances(union.puk)[Account.CASH] == 150_000
    assert balances(union.puk)[Account.DUES_INCOME] == -75_000
    assert balances(union.fed)[Account.DUES_INCOME] == -52_500
    assert balances(union.org)[Account.DUES_INCOME] == -22_500
    owed = owed_between(union.puk)
    assert {r["counterparty_id"]: r["owed"] for r in owed["up"]} == {
        union.fed.pk: 52_500,
        union.org.pk: 22_500,
    }
    assert {r["counterparty_id"]: r["owed"] for r in owed_between(union.fed)["down"]} == {
        union.puk.pk: 52_500
    }
    # the next payment continues the receipt numbers and the months
    p2 = payment_post(actor=union.treasurer, member=m, amount=50_000, method=Method.CASH)
    assert p2.receipt_number.endswith("/00002")
    assert p2.period == month_add(payment.period, 3)
    assert MemberDues.objects.get(member=m).months_paid == 4


def test_split_for_a_missing_level_goes_up(union):
    puk = LevelKind.objects.get(organisation=union.org, code="puk")
    puk.parents.add(LevelKind.objects.get(organisation=union.org, code="konfederasi"))
    direct = factories.unit(union.org, "GRUP", kind_index=2)  # a PUK-kind unit with no federation
    shares = {s.unit_id: s.share_bp for s in split_for(direct, TODAY)}
    assert shares == {direct.pk: 5000, union.org.pk: 5000}


def test_remittance_settles_what_is_owed(union):
    payment_post(actor=union.treasurer, member=union.members[0], amount=100_000, method="tunai")
    remittance_post(actor=union.treasurer, from_unit=union.puk, to_unit=union.fed, amount=35_000)
    up = {r["counterparty_id"]: r for r in owed_between(union.puk)["up"]}
    assert up[union.fed.pk]["owed"] == 0
    assert up[union.fed.pk]["sent"] == 35_000
    assert cash_balance(union.puk) == 65_000
    assert cash_balance(union.fed) == 35_000
    assert ledger_check() == []
    # a remittance reversed is no longer "sent", in the unit's page and in the report alike
    sent = Entry.objects.get(unit=union.puk, kind="setoran")
    entry_reverse(actor=union.treasurer, entry=sent, reason="salah rekening")
    up = {r["counterparty_id"]: r for r in owed_between(union.puk)["up"]}
    assert up[union.fed.pk]["owed"] == 35_000
    assert up[union.fed.pk]["sent"] == 0


def test_reversal_mirrors_and_cannot_repeat(union):
    m = union.members[1]
    p = payment_post(actor=union.treasurer, member=m, amount=100_000, method="tunai", months=2)
    rev = entry_reverse(actor=union.treasurer, entry=p.entry, reason="salah anggota")
    assert cash_balance(union.puk) == 0
    assert Payment.objects.get(entry=rev).months == -2
    assert MemberDues.objects.get(member=m).months_paid == 0
    assert Entry.objects.filter(pk=p.entry.pk).exists()  # the original stays
    with pytest.raises(PostingRefused):
        entry_reverse(actor=union.treasurer, entry=p.entry, reason="lagi")
    with pytest.raises(PostingRefused):
        entry_reverse(actor=union.treasurer, entry=rev, reason="batal pembatalan")
    assert ledger_check() == []


def test_bad_amounts_double_submission_and_rights(union):
    m = union.members[0]
    for amount in (0, -5):
        with pytest.raises(PostingRefused):
            payment_post(actor=union.treasurer, member=m, amount=amount, method="tunai")
    payment_post(actor=union.treasurer, member=m, amount=50_000, method="tunai", key="form-1")
    with pytest.raises(PostingRefused):
        payment_post(actor=union.treasurer, member=m, amount=50_000, method="tunai", key="form-1")
    assert Payment.objects.filter(member=m).count() == 1
    secretary = factories.UserFactory(username=f"sekretaris{union.puk.pk}")
    factories.grant(secretary, "Sekretaris", union.puk)
    with pytest.raises(PostingRefused):
        payment_post(actor=secretary, member=m, amount=50_000, method="tunai")
    other = factories.UserFactory(username=f"bendaharalain{union.puk.pk}")
    factories.grant(other, "Bendahara", union.puk2)
    with pytest.raises(PostingRefused):
        payment_post(actor=other, member=m, amount=50_000, method="tunai")


def test_cash_book_and_closed_month(union):
    fotokopi = CashCategory.objects.get(organisation=union.org, code="fotokopi")
    last_month = month_add(TODAY.replace(day=1), -1)
    payment_post(
        actor=union.treasurer, member=union.members[0], amount=50_000, method="tunai", on=last_month
    )
    cash_post(
        actor=union.treasurer,
        unit=union.puk,
        direction=Direction.OUT,
        category=fotokopi,
        amount=12_500,
        description="Fotokopi undangan rapat",
        on=last_month,
    )
    closing = month_close(actor=union.treasurer, unit=union.puk, month=last_month)
    assert closing.cash_balance == 37_500
    with pytest.raises(PostingRefused):
        cash_post(
            actor=union.treasurer,
            unit=union.puk,
            direction=Direction.OUT,
            category=fotokopi,
            amount=1_000,
            description="terlambat",
            on=last_month,
        )
    with pytest.raises(PostingRefused):
        month_close(actor=union.treasurer, unit=union.puk, month=last_month)
    # a correction of a closed month's line goes into the open month
    entry = Entry.objects.filter(unit=union.puk, kind="kas").get()
    rev = entry_reverse(actor=union.treasurer, entry=entry, reason="salah jumlah")
    assert rev.on.replace(day=1) == TODAY.replace(day=1)
    assert Posting.objects.filter(entry=rev, account=Account.EXPENSE).get().category == fotokopi
    assert cash_balance(union.puk) == 50_000
    assert cash_balance(union.puk, until=month_add(last_month, 1) - datetime.timedelta(1)) == (
        37_500
    )
    # a category for income only is refused for spending
    sumbangan = CashCategory.objects.get(organisation=union.org, code="sumbangan")
    with pytest.raises(PostingRefused):
        cash_post(
            actor=union.treasurer,
            unit=union.puk,
            direction=Direction.OUT,
            category=sumbangan,
            amount=1_000,
            description="x",
        )


def test_money_cannot_be_changed_or_deleted(union):
    payment_post(actor=union.treasurer, member=union.members[0], amount=50_000, method="tunai")
    posting = Posting.objects.first()
    with pytest.raises(AppendOnly):
        Posting.objects.filter(pk=posting.pk).update(amount=1)
    with pytest.raises(AppendOnly):
        Posting.objects.filter(pk=posting.pk).delete()
    posting.amount = 1
    with pytest.raises(AppendOnly):
        posting.save()
    with pytest.raises(AppendOnly):
        Entry.objects.first().delete()


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_itself_refuses_update_and_delete(union):
    p = payment_post(actor=union.treasurer, member=union.members[0], amount=50_000, method="tunai")
    statements = [
        ("UPDATE dues_posting SET amount = amount + 1 WHERE entry_id = %s", p.entry_id),
        ("DELETE FROM dues_posting WHERE entry_id = %s", p.entry_id),
        ("UPDATE dues_entry SET description = 'x' WHERE id = %s", p.entry_id),
        ("DELETE FROM dues_entry WHERE id = %s", p.entry_id),
        ("UPDATE dues_payment SET amount = 1 WHERE id = %s", p.pk),
        ("DELETE FROM dues_payment WHERE id = %s", p.pk),
    ]
    for sql, pk in statements:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(sql, [pk])
    # a merge may move a payment to the surviving member record, and nothing else
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE dues_payment SET member_id = %s WHERE id = %s", [union.members[1].pk, p.pk]
        )
    assert Payment.objects.get(pk=p.pk).member_id == union.members[1].pk


def test_arrears_make_members_nonaktif_and_payment_brings_them_back(union):
    m = union.members[2]
    months = (TODAY.year - (TODAY.year - 1)) * 12 + TODAY.month - 1  # since January last year
    counts = arrears_recompute(actor=None, organisation=union.org, on=TODAY)
    assert counts["inactivated"] == 3
    assert MemberDues.objects.get(member=m).months_owed_on(TODAY) == months
    m.refresh_from_db()
    assert m.status == "nonaktif"
    assert (
        StatusChange.objects.filter(member=m, status="nonaktif")
        .get()
        .reason.startswith("Menunggak")
    )
    assert members_counted(union.fed) == 0
    payment_post(
        actor=union.treasurer, member=m, amount=50_000 * months, method="tunai", months=months
    )
    m.refresh_from_db()
    assert m.status == "aktif"
    assert MemberDues.objects.get(member=m).months_owed_on(TODAY) == 0
    assert members_counted(union.fed) == 1
    assert StatusChange.objects.filter(member=m, status="aktif").count() == 2
    # the others still owe; running again changes nothing
    assert arrears_recompute(actor=None, organisation=union.org, on=TODAY)["inactivated"] == 0
    assert (
        Member.objects.filter(pk__in=[x.pk for x in union.members], status="nonaktif").count() == 2
    )


def test_months_owed_follow_from_the_first_unpaid_month_and_the_run_moves_at_the_limit(union):
    """Months owed are not stored: they are read from how far an account is paid, so they
    are current on any day without a run; the run moves exactly the members at the limit."""
    from himpun.dues.services import DEFAULT_INACTIVE_AFTER as limit
    from himpun.dues.services import dues_account

    this_month = TODAY.replace(day=1)
    under, at, ahead = union.members
    for m, unpaid in (
        (under, month_add(this_month, -(limit - 1))),
        (at, month_add(this_month, -limit)),
        (ahead, month_add(this_month, 1)),  # paid this month and the next in advance
    ):
        dues_account(m)
        MemberDues.objects.filter(member=m).update(unpaid_from=unpaid)
    owed = {a.member_id: a.months_owed_on(TODAY) for a in MemberDues.objects.all()}
    assert owed == {under.pk: limit - 1, at.pk: limit, ahead.pk: 0}
    # opened in January last year (their joining month), paid through next month
    assert MemberDues.objects.get(member=ahead).months_paid == 12 + TODAY.month

    counts = arrears_recompute(actor=None, organisation=union.org, on=TODAY)
    assert counts == {"accounts": 0, "inactivated": 1, "reactivated": 0}
    statuses = dict(
        Member.objects.filter(pk__in=[m.pk for m in union.members]).values_list("pk", "status")
    )
    assert statuses == {under.pk: "aktif", at.pk: "nonaktif", ahead.pk: "aktif"}

    # a month later nobody has run anything, and `under` owes the limit
    later = month_add(this_month, 1)
    assert MemberDues.objects.get(member=under).months_owed_on(later) == limit
    assert MemberDues.objects.get(member=ahead).months_owed_on(later) == 0
    counts = arrears_recompute(actor=None, organisation=union.org, on=later)
    assert counts["inactivated"] == 1
    under.refresh_from_db()
    assert under.status == "nonaktif"


@pytest.mark.django_db(transaction=True)
def test_the_migration_to_a_first_unpaid_month_keeps_months_paid():
    """dues/0004: an account's months paid become its first unpaid month, and back."""
    from django.core.management import call_command

    member = Union().members[0]
    call_command("migrate", "dues", "0003", verbosity=0)
    try:
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO dues_memberdues (member_id, owed_from, months_paid, months_owed, "
                "inactive_for_arrears) VALUES (%s, %s, 14, 2, FALSE)",
                [member.pk, datetime.date(2025, 11, 1)],
            )
        call_command("migrate", "dues", "0004", verbosity=0)
        with connection.cursor() as cur:
            cur.execute("SELECT unpaid_from FROM dues_memberdues WHERE member_id = %s", [member.pk])
            unpaid = cur.fetchone()[0]
        assert str(unpaid)[:10] == "2027-01-01"  # November 2025 and 14 months
        call_command("migrate", "dues", "0003", verbosity=0)
        with connection.cursor() as cur:
            cur.execute("SELECT months_paid FROM dues_memberdues WHERE member_id = %s", [member.pk])
            assert cur.fetchone()[0] == 14
    finally:
        call_command("migrate", verbosity=0)


def members_counted(unit):
    return UnitCounter.objects.filter(unit=unit, key=MEMBERS).values_list("total", flat=True).get()


# --- the state machine --------------------------------------------------------------------------


class LedgerMachine(RuleBasedStateMachine):
    """Payments, reversals, remittances, cash lines and closings in any order: every entry
    balances, every unit's books balance, and every rupiah collected is somewhere."""

    def __init__(self) -> None:
        super().__init__()
        self.u = Union()
        self.collected = 0  # cash into the PUK from members, net of reversals
        self.spent = 0
        self.entries: list[Entry] = []
        self.month = TODAY.replace(day=1)
        self.fotokopi = CashCategory.objects.get(organisation=self.u.org, code="fotokopi")

    @rule(who=st.integers(0, 2), amount=st.integers(1, 500_000), months=st.integers(1, 12))
    def pay(self, who, amount, months):
        p = payment_post(
            actor=self.u.treasurer,
            member=self.u.members[who],
            amount=amount,
            method=Method.CASH,
            months=months,
        )
        self.collected += amount
        self.entries.append(p.entry)

    @precondition(lambda self: self.entries)
    @rule(pick=st.integers(0, 1000))
    def reverse(self, pick):
        entry = self.entries[pick % len(self.entries)]
        if entry.kind == "koreksi" or Entry.objects.filter(reverses=entry).exists():
            with pytest.raises(PostingRefused):
                entry_reverse(actor=self.u.treasurer, entry=entry, reason="uji")
            return
        cash = sum(p.amount for p in entry.postings.filter(unit=self.u.puk, account="kas"))
        entry_reverse(actor=self.u.treasurer, entry=entry, reason="uji")
        if entry.kind == "iuran":
            self.collected -= cash
        elif entry.kind == "kas":
            self.spent += cash  # cash was negative for spending
        else:
            self.spent += cash

    @rule(amount=st.integers(1, 100_000))
    def remit(self, amount):
        e = remittance_post(
            actor=self.u.treasurer, from_unit=self.u.puk, to_unit=self.u.fed, amount=amount
        )
        self.spent += amount
        self.entries.append(e)

    @rule(amount=st.integers(1, 50_000))
    def spend(self, amount):
        e = cash_post(
            actor=self.u.treasurer,
            unit=self.u.puk,
            direction=Direction.OUT,
            category=self.fotokopi,
            amount=amount,
            description="fotokopi",
        )
        self.spent += amount
        self.entries.append(e)

    @rule()
    def close_last_month(self):
        last = month_add(self.month, -1)
        if MonthClosing.objects.filter(unit=self.u.puk, month=last).exists():
            with pytest.raises(PostingRefused):
                month_close(actor=self.u.treasurer, unit=self.u.puk, month=last)
        else:
            month_close(actor=self.u.treasurer, unit=self.u.puk, month=last)

    @invariant()
    def books_balance(self):
        assert ledger_check(unit_ids=self.u.units()) == []
        assert cash_balance(self.u.puk) == self.collected - self.spent
        income = sum(
            -balances(u)[Account.DUES_INCOME] for u in (self.u.puk, self.u.fed, self.u.org)
        )
        paid = sum(Payment.objects.filter(unit=self.u.puk).values_list("amount", flat=True))
        assert income == paid  # every rupiah of dues is some level's income
        months = sum(Payment.objects.filter(unit=self.u.puk).values_list("months", flat=True))
        assert (
            sum(a.months_paid for a in MemberDues.objects.filter(member__in=self.u.members))
            == months
        )


@pytest.mark.django_db
def test_ledger_state_machine():
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=15,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )


def test_merging_duplicates_moves_their_payments(union):
    """A merge keeps the money: the duplicate's payments belong to the surviving record (the
    one change PostgreSQL's append-only trigger lets through)."""
    from himpun.members.duplicates import member_merge

    survivor, duplicate = union.members[0], union.members[1]
    p = payment_post(actor=union.treasurer, member=duplicate, amount=50_000, method="tunai")
    payment_post(actor=union.treasurer, member=survivor, amount=100_000, method="tunai", months=2)
    member_merge(actor=None, survivor=survivor, duplicate=duplicate)
    assert Payment.objects.get(pk=p.pk).member_id == survivor.pk
    assert MemberDues.objects.get(member=survivor).months_paid == 3  # its own 2 and the 1
    assert ledger_check() == []
