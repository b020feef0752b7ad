"""Concurrent postings on PostgreSQL: row locks keep receipts gapless and months in order,
and the same form sent twice at the same moment is posted once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from himpun.dues.models import MemberDues, Payment
from himpun.dues.months import month_add
from himpun.dues.services import PostingRefused, ledger_check, payment_post
from tests.dues.test_ledger import Union

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def _run(threads: int, work) -> list[Exception]:
    errors: list[Exception] = []

    def wrapped(i: int) -> None:
        try:
            work(i)
        except Exception as exc:  # collected and asserted by the caller
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=wrapped, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return errors


def test_concurrent_payments_for_one_member_stay_in_order():
    u = Union()
    member = u.members[0]

    def work(i: int) -> None:
        for _ in range(4):
            payment_post(actor=u.treasurer, member=member, amount=50_000, method="tunai")

    assert _run(6, work) == []
    payments = list(Payment.objects.filter(member=member).order_by("period"))
    assert len(payments) == 24
    first = payments[0].period
    assert [p.period for p in payments] == [month_add(first, i) for i in range(24)]
    numbers = sorted(int(p.receipt_number.rsplit("/", 1)[1]) for p in payments)
    assert numbers == list(range(1, 25))
    assert MemberDues.objects.get(member=member).months_paid == 24
    assert ledger_check() == []


def test_the_same_form_sent_twice_at_once_is_posted_once():
    u = Union()
    barrier = threading.Barrier(4)
    refused: list[int] = []

    def work(i: int) -> None:
        barrier.wait()
        try:
            payment_post(
                actor=u.treasurer, member=u.members[1], amount=50_000, method="tunai", key="k1"
            )
        except PostingRefused:
            refused.append(i)

    assert _run(4, work) == []
    assert len(refused) == 3
    assert Payment.objects.filter(member=u.members[1]).count() == 1
