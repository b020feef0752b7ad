"""Dues reports from the counters: collection per month up the tree, owed between levels,
XLSX and PDF; the reminders list; the arrears command."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from himpun.core.models import ExportRecord
from himpun.dues.reports import collection_report, year_months
from himpun.dues.services import (
    AMOUNT_KEY,
    PAID_KEY,
    arrears_recompute,
    entry_reverse,
    month_add,
    payment_post,
    remittance_post,
)
from himpun.structure.models import UnitCounter
from tests import factories
from tests.dues.test_ledger import TODAY, Union


@pytest.fixture
def union(db):
    return Union()


def total(unit, key):
    return (
        UnitCounter.objects.filter(unit=unit, key=key).values_list("total", flat=True).first() or 0
    )


def test_counters_follow_payments_and_reversals_up_the_tree(union):
    this = TODAY.replace(day=1)
    m0, m1 = union.members[0], union.members[1]
    p = payment_post(
        actor=union.treasurer, member=m0, amount=100_000, method="tunai", months=2, period=this
    )
    payment_post(actor=union.treasurer, member=m1, amount=50_000, method="tunai", period=this)
    for unit in (union.puk, union.fed, union.org):
        assert total(unit, PAID_KEY.format(this)) == 2
        assert total(unit, PAID_KEY.format(month_add(this, 1))) == 1
        assert total(unit, AMOUNT_KEY.format(TODAY)) == 150_000
    assert total(union.puk2, PAID_KEY.format(this)) == 0
    entry_reverse(actor=union.treasurer, entry=p.entry, reason="salah")
    assert total(union.org, PAID_KEY.format(this)) == 1
    assert total(union.org, PAID_KEY.format(month_add(this, 1))) == 0
    assert total(union.org, AMOUNT_KEY.format(TODAY)) == 50_000


def test_collection_report_for_the_federation(union):
    from himpun.members.models import MembershipRule

    # the members owe since January last year: keep them aktif for the count
    MembershipRule.objects.update_or_create(
        organisation=union.org, defaults={"inactive_after_months": 0}
    )
    this = TODAY.replace(day=1)
    for m in union.members[:2]:
        payment_post(actor=union.treasurer, member=m, amount=50_000, method="tunai", period=this)
    remittance_post(actor=union.treasurer, from_unit=union.puk, to_unit=union.fed, amount=20_000)
    rep = collection_report(
        user=union.fed_treasurer, unit=union.fed, months=year_months(TODAY.year, TODAY)
    )
    assert rep.total.members == 3
    assert rep.total.paid[-1] == 2
    assert rep.total.rates[-1] == pytest.approx(66.7)
    by_code = {row.unit.code: row for row in rep.children}
    assert set(by_code) == {union.puk.code, union.puk2.code}
    puk = by_code[union.puk.code]
    assert puk.paid[-1] == 2
    assert puk.owes_up == 100_000 * 50 // 100 - 20_000  # the other half, less what was sent
    assert puk.sent_up == 20_000
    assert rep.total.received_from_below == 20_000


def test_report_page_exports_and_scope(client, union):
    payment_post(actor=union.treasurer, member=union.members[0], amount=50_000, method="tunai")
    client.force_login(union.fed_treasurer)
    url = reverse("dues:report", args=[union.fed.pk])
    page = client.get(url).content.decode()
    assert union.puk.name in page
    assert "chart.umd.min.js" in page
    xlsx = client.get(reverse("dues:report_export", args=[union.fed.pk, "xlsx"]))
    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(xlsx.streaming_content)))
    table = rows.get_sheet_by_index(0).to_python()
    assert table[0][0] == "Unit"
    assert any(r[1] == union.puk.code for r in table[1:])
    pdf = client.get(reverse("dues:report_export", args=[union.fed.pk, "pdf"]))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert union.puk.name in text
    assert ExportRecord.objects.filter(user=union.fed_treasurer, model="dues.report").count() == 2
    # the PUK's treasurer cannot read the federation's report; a stranger nothing at all
    client.force_login(union.treasurer)
    assert client.get(url).status_code == 404
    assert client.get(reverse("dues:report", args=[union.puk.pk])).status_code == 200
    stranger = factories.UserFactory(username="orang-luar")
    client.force_login(stranger)
    assert client.get(reverse("dues:report", args=[union.puk.pk])).status_code == 404


def test_reminders_list_with_whatsapp_links(client, union):
    from himpun.members.models import Member

    Member.objects.filter(pk=union.members[0].pk).update(phone="+6281234567890")
    months = (TODAY.year - (TODAY.year - 1)) * 12 + TODAY.month - 1
    payment_post(
        actor=union.treasurer,
        member=union.members[2],
        amount=50_000 * months,
        method="tunai",
        months=months,
    )
    arrears_recompute(actor=None, organisation=union.org, on=TODAY)
    client.force_login(union.treasurer)
    page = client.get(reverse("dues:reminders", args=[union.puk.pk])).content.decode()
    assert union.members[0].full_name in page
    assert "https://wa.me/6281234567890?text=" in page
    assert union.members[2].full_name not in page  # paid up
    assert client.get(reverse("dues:reminders", args=[union.org.pk])).status_code == 404


def test_arrears_command(union, capsys):
    call_command("arrears", "--organisation", union.org.code)
    out = capsys.readouterr().out
    n = len(union.members)  # none has an account yet; all owe since January last year
    assert f"{union.org.code}: {n} rekening iuran dibuka, 3 dinonaktifkan" in out
