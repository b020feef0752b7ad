"""The treasurer's screens: recording a payment, its receipt, a unit's finances and cash book."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from himpun.core.models import ExportRecord
from himpun.dues import receipts
from himpun.dues.choices import Direction
from himpun.dues.models import CashCategory, Entry, MonthClosing, Payment
from himpun.dues.services import (
    cash_balance,
    cash_post,
    month_add,
    owed_between,
    payment_post,
)
from tests import factories
from tests.dues.test_ledger import Union

TODAY = timezone.localdate()
LAST_MONTH = month_add(TODAY.replace(day=1), -1)


@pytest.fixture
def union(db):
    return Union()


def body(response) -> str:
    return response.content.decode()


def pay_data(**extra) -> dict:
    return {
        "months": "3",
        "amount": "Rp 150.000",
        "method": "tunai",
        "on": TODAY.strftime("%d/%m/%Y"),
        "joining_fee": "",
        "reference": "",
        "key": "kunci-1",
        **extra,
    }


# --- terbilang and dates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0, "nol"),
        (1, "satu"),
        (10, "sepuluh"),
        (11, "sebelas"),
        (12, "dua belas"),
        (19, "sembilan belas"),
        (20, "dua puluh"),
        (21, "dua puluh satu"),
        (99, "sembilan puluh sembilan"),
        (100, "seratus"),
        (101, "seratus satu"),
        (110, "seratus sepuluh"),
        (111, "seratus sebelas"),
        (200, "dua ratus"),
        (999, "sembilan ratus sembilan puluh sembilan"),
        (1000, "seribu"),
        (1001, "seribu satu"),
        (1100, "seribu seratus"),
        (1500, "seribu lima ratus"),
        (2000, "dua ribu"),
        (11_000, "sebelas ribu"),
        (25_000, "dua puluh lima ribu"),
        (100_000, "seratus ribu"),
        (111_111, "seratus sebelas ribu seratus sebelas"),
        (150_000, "seratus lima puluh ribu"),
        (1_000_000, "satu juta"),
        (1_001_000, "satu juta seribu"),
        (1_500_000, "satu juta lima ratus ribu"),
        (2_025_050, "dua juta dua puluh lima ribu lima puluh"),
        (10_000_000, "sepuluh juta"),
        (1_000_000_000, "satu miliar"),
        (1_000_001_000, "satu miliar seribu"),
        (
            999_999_999_999,
            "sembilan ratus sembilan puluh sembilan miliar sembilan ratus sembilan puluh "
            "sembilan juta sembilan ratus sembilan puluh sembilan ribu sembilan ratus "
            "sembilan puluh sembilan",
        ),
    ],
)
def test_terbilang(amount, text):
    assert receipts.words(amount) == text
    assert receipts.rupiah_words(amount) == f"{text} rupiah"


def test_dates_and_months_in_indonesian():
    D = datetime.date
    assert receipts.tanggal(D(2026, 11, 23)) == "23 November 2026"
    assert receipts.tanggal(D(2026, 8, 1)) == "1 Agustus 2026"
    assert receipts.months_covered(D(2026, 3, 1), 1) == "Maret 2026"
    assert receipts.months_covered(D(2026, 1, 1), 3) == "Januari–Maret 2026"
    assert receipts.months_covered(D(2026, 11, 1), 3) == "November 2026–Januari 2027"
    assert receipts.months_covered(D(2026, 1, 1), -3) == "Januari–Maret 2026"  # a reversal


# --- recording a payment ------------------------------------------------------------------------


def test_record_a_payment_and_open_its_receipt(client, union):
    m = union.members[0]
    client.force_login(union.treasurer)
    url = reverse("dues:payment_new", args=[m.pk])
    page = body(client.get(url))
    assert 'value="50.000"' in page  # the monthly dues by default
    assert 'name="key"' in page
    response = client.post(url, pay_data())
    payment = Payment.objects.get(member=m)
    assert response.status_code == 302
    assert response["Location"] == reverse("dues:receipt", args=[payment.pk])
    assert payment.amount == 150_000
    assert payment.months == 3
    assert payment.entry.key == "kunci-1"
    receipt = body(client.get(response["Location"]))
    assert payment.receipt_number in receipt
    assert "Seratus lima puluh ribu rupiah" in receipt
    assert "Rp150.000" in receipt
    assert m.full_name in receipt
    assert receipts.tanggal(TODAY) in receipt
    assert receipts.months_covered(payment.period, 3) in receipt
    assert "DIBATALKAN" not in receipt


def test_double_submission_posts_once(client, union):
    m = union.members[0]
    client.force_login(union.treasurer)
    url = reverse("dues:payment_new", args=[m.pk])
    first = client.post(url, pay_data())
    second = client.post(url, pay_data(), follow=True)
    assert Payment.objects.filter(member=m).count() == 1
    assert second.redirect_chain[-1][0] == first["Location"]
    assert "sudah dicatat" in body(second)


@pytest.mark.parametrize("amount", ["abc", "-5", "0", "", "Rp 0", "12,50"])
def test_bad_amounts_are_form_errors(client, union, amount):
    m = union.members[0]
    client.force_login(union.treasurer)
    response = client.post(reverse("dues:payment_new", args=[m.pk]), pay_data(amount=amount))
    assert response.status_code == 200
    assert response.context["form"].errors["amount"]
    assert not Payment.objects.exists()


def test_refusals_of_the_ledger_are_form_errors(client, union):
    m = union.members[0]
    client.force_login(union.treasurer)
    url = reverse("dues:payment_new", args=[m.pk])
    response = client.post(url, pay_data(joining_fee="Rp 200.000"))
    assert response.status_code == 200
    assert "Uang pangkal tidak boleh lebih" in body(response)
    response = client.post(url, pay_data(method="potong_upah"))
    assert response.context["form"].errors["method"]
    response = client.post(url, pay_data(on="31/02/2026"))
    assert response.context["form"].errors["on"]
    assert not Payment.objects.exists()


def test_a_payment_in_a_closed_month_is_refused(client, union):
    MonthClosing.objects.create(
        unit=union.puk, month=LAST_MONTH, closed_by=union.treasurer, cash_balance=0
    )
    client.force_login(union.treasurer)
    response = client.post(
        reverse("dues:payment_new", args=[union.members[0].pk]),
        pay_data(on=LAST_MONTH.strftime("%d/%m/%Y")),
    )
    assert response.status_code == 200
    assert "sudah ditutup" in body(response)
    assert not Payment.objects.exists()


def test_out_of_scope_answers_404(client, union):
    m = union.members[0]
    payment = payment_post(actor=union.treasurer, member=m, amount=50_000, method="tunai")
    other = factories.UserFactory(username="bendahara_b")
    factories.grant(other, "Bendahara", union.puk2)
    client.force_login(other)
    for url in (
        reverse("dues:payment_new", args=[m.pk]),
        reverse("dues:receipt", args=[payment.pk]),
        reverse("dues:receipt_pdf", args=[payment.pk]),
        reverse("dues:finance", args=[union.puk.pk]),
        reverse("dues:cash_new", args=[union.puk.pk]),
        reverse("dues:remittance_new", args=[union.puk.pk]),
        reverse("dues:cash_book_export", args=[union.puk.pk]),
        reverse("dues:entry_reverse", args=[payment.entry_id]),
        reverse("members_member_tab", args=[m.pk, "iuran"]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("dues:payment_new", args=[m.pk]), pay_data()).status_code == 404
    assert client.post(reverse("dues:month_close", args=[union.puk.pk])).status_code == 404
    assert client.get(reverse("dues:finance", args=[union.puk2.pk])).status_code == 200
    nobody = factories.UserFactory(username="nobody_dues")
    client.force_login(nobody)
    assert client.get(reverse("dues:index")).status_code == 404
    assert Payment.objects.count() == 1


def test_secretary_sees_without_write_buttons_and_cannot_post(client, union):
    m = union.members[0]
    payment = payment_post(actor=union.treasurer, member=m, amount=50_000, method="tunai")
    secretary = factories.UserFactory(username="sekretaris_puk")
    factories.grant(secretary, "Sekretaris", union.puk)
    client.force_login(secretary)
    tab = body(client.get(reverse("members_member_tab", args=[m.pk, "iuran"])))
    assert payment.receipt_number in tab
    assert "data-pay" not in tab
    finance = client.get(reverse("dues:finance", args=[union.puk.pk]))
    assert finance.status_code == 200
    html = body(finance)
    assert "data-write-buttons" not in html
    assert "Batalkan" not in html
    assert "data-export" not in html
    assert "Batalkan" not in body(client.get(reverse("dues:receipt", args=[payment.pk])))
    assert client.get(reverse("dues:payment_new", args=[m.pk])).status_code == 404
    assert client.post(reverse("dues:payment_new", args=[m.pk]), pay_data()).status_code == 404
    fotokopi = CashCategory.objects.get(organisation=union.org, code="fotokopi")
    cash = {
        "direction": "keluar",
        "category": fotokopi.pk,
        "amount": "5000",
        "description": "x",
        "on": TODAY.strftime("%d/%m/%Y"),
        "key": "k",
    }
    assert client.post(reverse("dues:cash_new", args=[union.puk.pk]), cash).status_code == 404
    close = reverse("dues:month_close", args=[union.puk.pk]) + f"?bulan={LAST_MONTH:%Y-%m}"
    assert client.post(close).status_code == 404
    assert (
        client.post(
            reverse("dues:entry_reverse", args=[payment.entry_id]), {"reason": "x", "key": "r"}
        ).status_code
        == 404
    )
    assert client.get(reverse("dues:cash_book_export", args=[union.puk.pk])).status_code == 404
    assert Payment.objects.count() == 1
    assert not MonthClosing.objects.exists()


# --- receipts -----------------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_receipt_pdf_and_reversed_receipt(client, union):
    m = union.members[0]
    payment = payment_post(
        actor=union.treasurer, member=m, amount=1_001_000, method="transfer", reference="BRI-77"
    )
    client.force_login(union.treasurer)
    response = client.get(reverse("dues:receipt_pdf", args=[payment.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert payment.receipt_number in text
    assert "Satu juta seribu rupiah" in text
    assert m.full_name in text
    assert "DIBATALKAN" not in text
    assert ExportRecord.objects.filter(user=union.treasurer, file_format="pdf").count() == 1

    # the reversal through its page needs a reason
    url = reverse("dues:entry_reverse", args=[payment.entry_id])
    response = client.post(url, {"reason": "", "key": "r1"})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    response = client.post(url, {"reason": "salah anggota", "key": "r1"})
    assert response["Location"] == reverse("dues:receipt", args=[payment.pk])
    page = body(client.get(response["Location"]))
    assert "DIBATALKAN" in page
    assert "data-reversed" in page
    assert "DIBATALKAN" in pdf_text(
        client.get(reverse("dues:receipt_pdf", args=[payment.pk])).content
    )
    # a second reversal is refused as a form error
    response = client.post(url, {"reason": "lagi", "key": "r2"})
    assert response.status_code == 200
    assert "sudah dibatalkan" in body(response)
    # the reversal payment has no receipt of its own
    reversal = Payment.objects.get(reverses=payment)
    assert client.get(reverse("dues:receipt", args=[reversal.pk])).status_code == 404


def test_member_tab_shows_dues_and_history(client, union):
    m = union.members[0]
    payment = payment_post(actor=union.treasurer, member=m, amount=100_000, method="qris", months=2)
    client.force_login(union.treasurer)
    html = body(client.get(reverse("members_member_tab", args=[m.pk, "iuran"])))
    assert "Rp50.000" in html  # monthly dues
    assert reverse("dues:receipt", args=[payment.pk]) in html
    assert reverse("dues:payment_new", args=[m.pk]) in html
    assert "data-months-owed" in html


# --- a unit's finances --------------------------------------------------------------------------


def test_cash_book_lines_export_and_closing(client, union):
    client.force_login(union.treasurer)
    payment_post(
        actor=union.treasurer,
        member=union.members[0],
        amount=100_000,
        method="tunai",
        on=LAST_MONTH,
    )
    fotokopi = CashCategory.objects.get(organisation=union.org, code="fotokopi")
    url = reverse("dues:cash_new", args=[union.puk.pk])
    data = {
        "direction": "keluar",
        "category": fotokopi.pk,
        "amount": "Rp 12.500",
        "description": "Fotokopi undangan rapat",
        "on": LAST_MONTH.strftime("%d/%m/%Y"),
        "key": "kas-1",
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # sent twice: booked once
    assert Entry.objects.filter(kind="kas").count() == 1
    bad = client.post(url, {**data, "key": "kas-2", "category": "", "amount": "abc"})
    assert set(bad.context["form"].errors) == {"category", "amount"}
    sumbangan = CashCategory.objects.get(organisation=union.org, code="sumbangan")
    wrong_way = client.post(url, {**data, "key": "kas-3", "category": sumbangan.pk})
    assert "hanya untuk" in body(wrong_way)

    finance = reverse("dues:finance", args=[union.puk.pk])
    page = client.get(finance, {"bulan": f"{LAST_MONTH:%Y-%m}"})
    html = body(page)
    assert "Fotokopi undangan rapat" in html
    assert "Fotokopi" in html
    assert "Rp87.500" in html  # 100,000 in, 12,500 out
    assert page.context["book"]["opening"] == 0
    assert [line["balance"] for line in page.context["book"]["lines"]] == [100_000, 87_500]
    assert "data-write-buttons" in html

    export = client.get(
        reverse("dues:cash_book_export", args=[union.puk.pk]), {"bulan": f"{LAST_MONTH:%Y-%m}"}
    )
    data_xlsx = b"".join(export.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data_xlsx)).get_sheet_by_index(0).to_python()
    assert rows[0][:3] == ["Tanggal", "Uraian", "Kategori"]
    assert rows[1][1] == "Saldo awal"
    assert rows[3][1:3] == ["Fotokopi undangan rapat", "Fotokopi"]
    assert rows[3][4] == 12_500
    assert rows[-1][1] == "Saldo akhir"
    assert rows[-1][5] == 87_500
    record = ExportRecord.objects.get(file_format="xlsx")
    assert record.row_count == 2
    assert record.model == "dues.Entry"

    # close last month; it shows closed and refuses more lines
    close = reverse("dues:month_close", args=[union.puk.pk]) + f"?bulan={LAST_MONTH:%Y-%m}"
    assert client.post(close).status_code == 302
    assert MonthClosing.objects.get(unit=union.puk, month=LAST_MONTH).cash_balance == 87_500
    page = body(client.get(finance, {"bulan": f"{LAST_MONTH:%Y-%m}"}))
    assert "data-closed" in page
    assert "Tutup buku" not in page.split("Tutup buku terakhir")[0].split("data-cash-book")[1]
    late = client.post(url, {**data, "key": "kas-4"})
    assert late.status_code == 200
    assert "sudah ditutup" in body(late)
    again = client.post(close, follow=True)
    assert "sudah ditutup" in body(again)
    # this month cannot be closed yet from the page: no button
    assert "Tutup buku" not in body(client.get(finance)).split("Tutup buku terakhir")[0]


def test_remittance_defaults_to_what_is_owed(client, union):
    payment_post(actor=union.treasurer, member=union.members[0], amount=100_000, method="tunai")
    client.force_login(union.treasurer)
    url = reverse("dues:remittance_new", args=[union.puk.pk])
    page = client.get(url)
    form = page.context["form"]
    assert form["to_unit"].value() == union.fed.pk
    assert form["amount"].value() == "35.000"
    response = client.post(
        url,
        {
            "to_unit": union.fed.pk,
            "amount": "35.000",
            "on": TODAY.strftime("%d/%m/%Y"),
            "key": "setor-1",
        },
    )
    assert response.status_code == 302
    up = {r["counterparty_id"]: r["owed"] for r in owed_between(union.puk)["up"]}
    assert up[union.fed.pk] == 0
    assert cash_balance(union.fed) == 35_000
    # a unit outside the ancestors cannot be chosen
    response = client.post(
        url, {"to_unit": union.puk2.pk, "amount": "1000", "on": "01/01/2026", "key": "s2"}
    )
    assert response.context["form"].errors["to_unit"]


def test_finance_page_queries_do_not_grow_with_lines(client, union):
    client.force_login(union.treasurer)
    fotokopi = CashCategory.objects.get(organisation=union.org, code="fotokopi")
    url = reverse("dues:finance", args=[union.puk.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    payment_post(actor=union.treasurer, member=union.members[0], amount=50_000, method="tunai")
    few = count()
    for i in range(5):
        payment_post(actor=union.treasurer, member=union.members[1], amount=50_000, method="tunai")
        cash_post(
            actor=union.treasurer,
            unit=union.puk,
            direction=Direction.OUT,
            category=fotokopi,
            amount=1000 + i,
            description=f"Fotokopi {i}",
        )
    assert count() == few
    assert few <= 20
