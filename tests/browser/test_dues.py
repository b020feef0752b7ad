"""A treasurer on a phone records a cash dues payment, opens its receipt and the cash book."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from himpun.dues.models import DuesPolicy, Payment
from himpun.dues.services import categories_ensure, policy_for
from himpun.members.services import member_register
from himpun.structure.models import OrgUnit
from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


def test_treasurer_records_a_cash_payment_and_prints_the_receipt(page):
    sam = OrgUnit.objects.get(code="PUK-SAM", organisation__code="KSPI")
    if policy_for(sam, datetime.date.today()) is None:  # noqa: DTZ011  the demo's own dates
        DuesPolicy.objects.create(
            unit=sam.organisation,
            effective_from=datetime.date(2020, 1, 1),
            basis="tetap",
            amount=50_000,
        )
    categories_ensure(sam.organisation)
    member = member_register(
        actor=None,
        unit=sam,
        full_name="Rahayu Kusumawati",
        joined_on=datetime.date(2026, 1, 5),
        phone="0812-5555-0101",
    )
    before = 0

    page.set_viewport_size({"width": 360, "height": 780})
    login(page, "bendahara")
    page.click(".navbar-toggler")
    nav = page.locator("#nav")
    nav.get_by_role("button", name="Iuran").or_(
        nav.get_by_role("link", name="Iuran", exact=True)
    ).click()
    nav.get_by_role("link", name="Iuran & kas").click()
    page.wait_for_url("**/iuran/")
    page.fill("#q", member.full_name)
    page.get_by_role("button", name="Cari").click()
    shot(page, "dues-search-360")
    page.locator("[data-found] a").first.click()
    page.wait_for_url(f"**/iuran/bayar/{member.pk}/")

    monthly = int(page.get_attribute("[data-payment-form]", "data-monthly"))
    page.fill("#id_months", "2")
    page.dispatch_event("#id_months", "input")
    expected = f"{monthly * 2:,}".replace(",", ".")
    assert page.input_value("#id_amount") == expected  # dues × months
    assert page.is_checked("input[name=method][value=tunai]")
    shot(page, "dues-payment-form-360")
    page.get_by_role("button", name="Simpan dan buat kuitansi").click()
    page.wait_for_url("**/iuran/kuitansi/*/")

    payment = Payment.objects.filter(member=member).order_by("-pk").first()
    assert Payment.objects.filter(member=member).count() == before + 1
    assert payment.amount == monthly * 2
    assert page.locator("[data-receipt-number]").inner_text() == payment.receipt_number
    assert page.locator("[data-terbilang]").inner_text().endswith("rupiah")
    assert "dicatat" in page.locator(".alert-success").inner_text()
    # the receipt fits the phone's width: nothing scrolls sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "dues-receipt-360")

    # printing shows the receipt alone
    page.emulate_media(media="print")
    assert not page.locator("nav.navbar").is_visible()
    assert page.locator("[data-receipt]").is_visible()
    shot(page, "dues-receipt-print")
    page.emulate_media(media="screen")

    with page.expect_download() as download:
        page.evaluate(
            "url => { const a = document.createElement('a'); a.href = url; "
            "a.download = 'k.pdf'; document.body.appendChild(a); a.click(); }",
            page.get_attribute("[data-receipt-pdf]", "href"),
        )
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    # the member's dues tab and the unit's cash book show it
    page.goto(f"{page.base}/anggota/{member.pk}/iuran/")
    assert payment.receipt_number in page.locator("main").inner_text()
    shot(page, "dues-member-tab-360")
    page.goto(f"{page.base}/iuran/keuangan/{sam.pk}/")
    assert member.full_name in page.locator("[data-cash-book-phone]").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "dues-finance-360")
    shot(page, "dues-finance-desktop", width=1280)


def test_treasurer_clears_the_check_off_queue_on_a_phone(page):
    from himpun.accounts.models import User
    from himpun.dues.models import CheckoffBatch, CheckoffLine

    sam = OrgUnit.objects.get(code="PUK-SAM", organisation__code="KSPI")
    batch = CheckoffBatch.objects.create(
        unit=sam,
        month=datetime.date(2026, 10, 1),
        declared_total=1_250_000,
        rows=25,
        posted=23,
        posted_total=1_150_000,
        queued=2,
        actor=User.objects.get(username="bendahara"),
    )
    cells = {"No Anggota": "", "NIK": "", "Nama Karyawan": "Orang Asing", "Potongan": "50.000"}
    CheckoffLine.objects.create(
        batch=batch, row=7, cells=cells, amount=50_000, problem="tidak_dikenal"
    )
    CheckoffLine.objects.create(
        batch=batch,
        row=12,
        cells={
            **cells,
            "Nama Karyawan": "Fransiska Kusumawardhani Simanjuntak",
            "NIK": "3275015708900001",
            "Potongan": "Rp 45.000",
        },
        amount=45_000,
        problem="jumlah_beda",
    )

    page.set_viewport_size({"width": 360, "height": 780})
    login(page, "bendahara")
    page.goto(f"{page.base}/iuran/potong-upah/")
    assert page.locator(f"[data-batch='{batch.pk}']").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "dues-checkoff-batches-360")
    page.locator(f"[data-batch='{batch.pk}']").click()
    page.wait_for_url(f"**/iuran/potong-upah/{batch.pk}/")
    assert page.locator("[data-open-lines] [data-line]").count() == 2
    page.locator("#baris-12 summary").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "dues-checkoff-batch-360")
    page.fill("#baris-12 input[name=reason]", "Dikembalikan ke perusahaan")
    page.locator("#baris-12").get_by_role("button", name="Abaikan baris").click()
    page.wait_for_url(f"**/iuran/potong-upah/{batch.pk}/")
    assert "diabaikan" in page.locator(".alert-success").inner_text()
    assert page.locator("[data-open-lines] [data-line]").count() == 1
    page.locator("#baris-7").get_by_role("link", name="Bukukan untuk anggota").click()
    page.wait_for_selector("[data-found], #q")
    shot(page, "dues-checkoff-line-360")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
