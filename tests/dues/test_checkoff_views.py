"""The check-off screens through HTTP: the batches, the treasurer's queue (post a line for a
member, ignore it with a reason), who may see and who may act; and the cash book as PDF."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from himpun.core.models import ExportRecord
from himpun.dues.choices import Direction, LineProblem, LineState, Method
from himpun.dues.models import CashCategory, CheckoffBatch, Payment
from himpun.dues.services import (
    cash_post,
    categories_ensure,
    ledger_check,
    month_add,
    month_close,
    payment_post,
)
from himpun.imports.engine import import_job_run
from tests import factories
from tests.dues.test_checkoff import Union, new_job, write_csv

TODAY = timezone.localdate()
LAST_MONTH = month_add(TODAY.replace(day=1), -1)


@pytest.fixture
def union(db):
    return Union()


@pytest.fixture
def batch(union, tmp_path) -> CheckoffBatch:
    """October's file: one good row, one nobody knows, one with another amount."""
    m = union.members
    rows = [
        [m[0].number, "", "Pekerja Satu", "50.000"],
        ["", "", "Orang Asing", "50.000"],
        [m[3].number, "", "Pekerja Empat", "Rp 45.000"],
    ]
    job = import_job_run(job=new_job(union, write_csv(tmp_path / "potongan.csv", rows)))
    return CheckoffBatch.objects.get(job=job)


def body(response) -> str:
    return response.content.decode()


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_the_treasurer_works_through_the_queue(client, union, batch):
    u = union
    unmatched = batch.lines.get(problem=LineProblem.UNMATCHED)
    amount = batch.lines.get(problem=LineProblem.AMOUNT)
    client.force_login(u.treasurer)

    listing = body(client.get(reverse("dues:checkoff_batches")))
    assert f'data-batch="{batch.pk}"' in listing
    assert "Oktober 2026" in listing
    assert "2 perlu diselesaikan" in listing
    assert "Rp50.000" in listing  # posted total
    assert reverse("imports:new", args=["iuran"]) in listing

    page = body(client.get(reverse("dues:checkoff_batch", args=[batch.pk])))
    assert "Orang Asing" in page
    assert "Rp45.000" in page
    assert str(LineProblem.AMOUNT.label) in page
    assert page.count("data-line-buttons") == 2
    assert batch.job.get_absolute_url() in page

    # the line's page searches the members the treasurer may see
    line_url = reverse("dues:checkoff_line", args=[unmatched.pk])
    found = client.get(line_url, {"q": u.members[4].number})
    assert [m.pk for m in found.context["found"]] == [u.members[4].pk]
    assert client.get(line_url).context["q"] == "Orang Asing"  # from the row's own cells

    # a member already paid for October through the file: refused, with a message
    refused = client.post(line_url, {"member": u.members[0].pk}, follow=True)
    assert refused.status_code == 200
    assert "sudah tercatat membayar" in messages_of(refused)
    unmatched.refresh_from_db()
    assert unmatched.state == LineState.OPEN

    posted = client.post(line_url, {"member": u.members[4].pk}, follow=True)
    assert posted.redirect_chain[-1][0] == reverse("dues:checkoff_batch", args=[batch.pk])
    assert "dibukukan untuk Pekerja Lima" in messages_of(posted)
    payment = Payment.objects.get(member=u.members[4])
    assert (payment.method, payment.amount) == (Method.CHECKOFF, 50_000)
    assert ledger_check() == []

    # the member the file named is offered first on the amount line
    ignore_url = reverse("dues:checkoff_line", args=[amount.pk])
    assert client.get(ignore_url).context["suggested"] == u.members[3]
    no_reason = client.post(ignore_url, {"reason": "  "}, follow=True)
    assert "Tulis alasan" in messages_of(no_reason)
    amount.refresh_from_db()
    assert amount.state == LineState.OPEN
    ignored = client.post(ignore_url, {"reason": "Dikembalikan ke PT"}, follow=True)
    assert "Baris 4 diabaikan" in messages_of(ignored)
    amount.refresh_from_db()
    assert amount.state == LineState.IGNORED
    again = client.post(ignore_url, {"reason": "lagi"}, follow=True)
    assert "sudah diselesaikan" in messages_of(again)

    batch.refresh_from_db()
    assert (batch.posted, batch.posted_total, batch.queued) == (2, 100_000, 0)
    page = body(client.get(reverse("dues:checkoff_batch", args=[batch.pk])))
    assert "Semua baris sudah diselesaikan" in page
    assert "data-line-buttons" not in page
    assert ledger_check() == []


def test_a_member_to_post_for_must_be_chosen_and_visible(client, union, batch):
    line = batch.lines.get(problem=LineProblem.UNMATCHED)
    client.force_login(union.treasurer)
    url = reverse("dues:checkoff_line", args=[line.pk])
    for value in ("", "abc", str(union.outsider.pk)):  # the sibling PUK's member: not visible
        response = client.post(url, {"member": value}, follow=True)
        assert "Pilih anggota" in messages_of(response)
    line.refresh_from_db()
    assert line.state == LineState.OPEN


def test_out_of_scope_answers_404_and_a_secretary_sees_without_buttons(client, union, batch):
    line = batch.lines.get(problem=LineProblem.UNMATCHED)
    line_url = reverse("dues:checkoff_line", args=[line.pk])
    batch_url = reverse("dues:checkoff_batch", args=[batch.pk])

    stranger = factories.UserFactory(username="bendahara_tetangga")
    factories.grant(stranger, "Bendahara", union.puk2)
    client.force_login(stranger)
    assert f'data-batch="{batch.pk}"' not in body(client.get(reverse("dues:checkoff_batches")))
    assert client.get(batch_url).status_code == 404
    assert client.get(line_url).status_code == 404
    assert client.post(line_url, {"reason": "bukan urusan saya"}).status_code == 404

    nobody = factories.UserFactory(username="tanpa_peran")
    client.force_login(nobody)
    assert client.get(reverse("dues:checkoff_batches")).status_code == 404

    secretary = factories.UserFactory(username="sekretaris_potong")
    factories.grant(secretary, "Sekretaris", union.puk)
    client.force_login(secretary)
    assert f'data-batch="{batch.pk}"' in body(client.get(reverse("dues:checkoff_batches")))
    page = client.get(batch_url)
    assert page.status_code == 200
    html = body(page)
    assert "Orang Asing" in html
    assert "data-line-buttons" not in html
    assert "Abaikan" not in html
    assert client.get(line_url).status_code == 404
    assert client.post(line_url, {"reason": "x"}).status_code == 404
    assert client.post(line_url, {"member": union.members[4].pk}).status_code == 404
    line.refresh_from_db()
    assert line.state == LineState.OPEN
    assert not Payment.objects.filter(member=union.members[4]).exists()


def test_batch_list_queries_do_not_grow_with_batches(client, union):
    def add(n: int) -> None:
        for i in range(n):
            CheckoffBatch.objects.create(
                unit=union.puk, month=datetime.date(2025, 1 + i, 1), actor=union.treasurer
            )

    client.force_login(union.treasurer)
    url = reverse("dues:checkoff_batches")
    add(2)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add(9)
    with CaptureQueriesContext(connection) as many:
        assert body(client.get(url)).count("data-batch=") == 11
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_finance_and_dues_pages_link_to_check_off(client, union):
    client.force_login(union.treasurer)
    finance = body(client.get(reverse("dues:finance", args=[union.puk.pk])))
    assert f"{reverse('dues:checkoff_batches')}?unit={union.puk.pk}" in finance
    assert reverse("dues:cash_book_pdf", args=[union.puk.pk]) in finance
    assert reverse("dues:checkoff_batches") in body(client.get(reverse("dues:index")))


# --- the cash book as PDF -----------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_cash_book_pdf(client, union):
    u = union
    categories_ensure(u.org)
    payment_post(
        actor=u.treasurer, member=u.members[0], amount=100_000, method="tunai", on=LAST_MONTH
    )
    cash_post(
        actor=u.treasurer,
        unit=u.puk,
        direction=Direction.OUT,
        category=CashCategory.objects.get(organisation=u.org, code="fotokopi"),
        amount=12_500,
        description="Fotokopi undangan rapat",
        on=LAST_MONTH,
    )
    client.force_login(u.treasurer)
    url = reverse("dues:cash_book_pdf", args=[u.puk.pk])
    month = {"bulan": f"{LAST_MONTH:%Y-%m}"}

    response = client.get(url, month)
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert u.puk.name in text
    assert u.org.name in text
    assert "Fotokopi undangan rapat" in text
    assert "Rp87.500" in text  # 100,000 in, 12,500 out
    assert "Saldo akhir" in text
    assert "Bendahara" in text
    assert "Ketua" in text
    assert "belum ditutup" in text
    record = ExportRecord.objects.get(file_format="pdf")
    assert (record.model, record.row_count) == ("dues.Entry", 2)

    month_close(actor=u.treasurer, unit=u.puk, month=LAST_MONTH)
    text = pdf_text(client.get(url, month).content)
    assert "Buku ditutup pada" in text

    # many lines run over several pages, each line once
    for i in range(70):
        cash_post(
            actor=u.treasurer,
            unit=u.puk,
            direction=Direction.IN,
            category=CashCategory.objects.get(organisation=u.org, code="sumbangan"),
            amount=1_000,
            description=f"Sumbangan anggota nomor {i}",
            on=TODAY,
        )
    long = PdfReader(io.BytesIO(client.get(url).content))
    assert len(long.pages) >= 2
    text = " ".join(p.extract_text() for p in long.pages)
    numbers = re.findall(r"Sumbangan anggota nomor (\d+)", text)
    assert sorted(map(int, numbers)) == list(range(70)), text

    secretary = factories.UserFactory(username="sekretaris_kas")
    factories.grant(secretary, "Sekretaris", u.puk)
    client.force_login(secretary)
    assert client.get(url).status_code == 404
    stranger = factories.UserFactory(username="bendahara_kas_lain")
    factories.grant(stranger, "Bendahara", u.puk2)
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    assert ExportRecord.objects.filter(file_format="pdf").count() == 3
