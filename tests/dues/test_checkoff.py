"""Payroll check-off through the import engine: real CSV and XLSX files, matching, the
treasurer's queue, idempotency, the declared total and the books afterwards."""

from __future__ import annotations

import datetime
import itertools

import pytest
import xlsxwriter
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from himpun.dues.checkoff import checkoff_line_resolve
from himpun.dues.choices import Account, Basis, EntryKind, LineProblem, LineState, Method
from himpun.dues.models import (
    CheckoffBatch,
    CheckoffLine,
    DuesPolicy,
    Entry,
    MemberDues,
    Payment,
    Posting,
    SplitRule,
    SplitShare,
)
from himpun.dues.months import month_add
from himpun.dues.services import PostingRefused, ledger_check, split_exact, split_for
from himpun.imports.engine import import_job_run
from himpun.imports.models import ImportIssue, IssueLevel, JobState
from himpun.imports.services import import_job_create, import_job_map
from himpun.members.models import Member
from himpun.members.services import member_register
from himpun.structure.models import LevelKind
from tests import factories

_codes = itertools.count(1)
MONTH = datetime.date(2026, 10, 1)
HEADER = ["No Anggota", "NIK", "Nama", "Potongan Iuran"]


class Union:
    """Confederation → federation → two PUKs; dues Rp 50.000, split 50/35/15; a treasurer
    of the first PUK; five members there, one in the sibling PUK, one who left."""

    def __init__(self) -> None:
        n = next(_codes)
        self.org = factories.org(f"KOP{n}", kinds=("Konfederasi", "Federasi", "PUK"))
        self.fed = factories.unit(self.org, f"FEDP{n}")
        self.puk = factories.unit(self.fed, f"PUKP{n}")
        self.puk2 = factories.unit(self.fed, f"PUKQ{n}")
        kinds = {k.code: k for k in LevelKind.objects.filter(organisation=self.org)}
        DuesPolicy.objects.create(
            unit=self.org,
            effective_from=datetime.date(2020, 1, 1),
            basis=Basis.FIXED,
            amount=50_000,
        )
        rule = SplitRule.objects.create(unit=self.org, effective_from=datetime.date(2020, 1, 1))
        for code, bp in (("puk", 5000), ("federasi", 3500), ("konfederasi", 1500)):
            SplitShare.objects.create(rule=rule, level=kinds[code], share_bp=bp)
        self.treasurer = factories.UserFactory(username=f"bendpu{n}")
        factories.grant(self.treasurer, "Bendahara", self.puk)
        joined = datetime.date(2026, 1, 10)
        self.members = [
            member_register(
                actor=None, unit=self.puk, full_name=f"Pekerja {name}", joined_on=joined
            )
            for name in ("Satu", "Dua", "Tiga", "Empat", "Lima")
        ]
        Member._base_manager.filter(pk=self.members[1].pk).update(nik="3275015708900001")
        self.outsider = member_register(
            actor=None, unit=self.puk2, full_name="Pekerja Tetangga", joined_on=joined
        )
        self.left = member_register(
            actor=None, unit=self.puk, full_name="Pekerja Keluar", joined_on=joined
        )
        Member._base_manager.filter(pk=self.left.pk).update(status="keluar")
        for m in [*self.members, self.outsider, self.left]:
            m.refresh_from_db()

    def rows(self) -> list[list[str]]:
        m = self.members
        return [
            [m[0].number, "", "PEKERJA SATU", "Rp 50.000"],  # by number
            ["", "3275015708900001", "Pekerja Dua", "50000"],  # by NIK
            ["", "", "pekerja tiga", "50.000"],  # by name only: flagged
            [m[3].number, "", "Pekerja Empat", "Rp 45.000"],  # another amount: queued
            ["", "", "Orang Asing", "50.000"],  # nobody: queued
            [self.outsider.number, "", "Pekerja Tetangga", "50.000"],  # other PUK: queued
            [self.left.number, "", "Pekerja Keluar", "50.000"],  # left: queued
            [m[4].number, "", "Pekerja Lima", "abc"],  # unreadable: row error
            ["", "", "Siapa", "-5000"],  # negative: row error
            ["", "", "Nol", "0"],  # zero: row error
        ]


@pytest.fixture
def union(db):
    return Union()


def write_csv(path, rows, header=HEADER):
    lines = [";".join(header), *(";".join(r) for r in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_xlsx(path, rows, header=HEADER):
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, header)
    for i, r in enumerate(rows, start=1):
        for j, value in enumerate(r):
            sheet.write_string(i, j, value)
    book.close()
    return path


def new_job(u: Union, path, **options):
    options.setdefault("month", "2026-10")
    with open(path, "rb") as fh:
        job = import_job_create(
            actor=u.treasurer,
            kind="iuran",
            unit=u.puk,
            upload=fh,
            filename=path.name,
            options=options,
        )
    return import_job_map(actor=u.treasurer, job=job, mapping=job.mapping)


def issues(job, level, dry_run=False):
    return dict(
        ImportIssue.objects.filter(job=job, level=level, dry_run=dry_run).values_list(
            "row", "message"
        )
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_remittance_file_posts_matched_rows_and_queues_the_rest(union, tmp_path, fmt):
    u = union
    writer = write_csv if fmt == "csv" else write_xlsx
    path = writer(tmp_path / f"potongan.{fmt}", u.rows())
    job = new_job(u, path)
    assert job.mapping == ["number", "nik", "name", "amount"]
    assert job.options == {"month": "2026-10-01"}

    checked = import_job_run(job=new_job(u, path), dry_run=True)
    assert checked.state == JobState.CHECKED
    assert checked.preview["created"] == 3
    assert checked.preview["failed"] == 3
    assert not Payment.objects.exists()
    assert not CheckoffBatch.objects.exists()

    job = import_job_run(job=job)
    assert job.state == JobState.DONE, job.message
    assert (job.created, job.unchanged, job.failed) == (3, 0, 3)
    # the bad amounts, by their spreadsheet row (the header is row 1)
    assert set(issues(job, IssueLevel.ERROR)) == {9, 10, 11}
    warnings = issues(job, IssueLevel.WARNING)
    assert "nama" in warnings[4]  # matched by name only: flagged
    assert {5, 6, 7, 8} <= set(warnings)

    paid = Payment.objects.filter(method=Method.CHECKOFF, period=MONTH)
    assert set(paid.values_list("member_id", flat=True)) == {m.pk for m in u.members[:3]}
    assert {(p.months, p.amount) for p in paid} == {(1, 50_000)}
    batch = CheckoffBatch.objects.get(job=job)
    assert (batch.rows, batch.posted, batch.posted_total, batch.queued) == (7, 3, 150_000, 4)
    problems = dict(batch.lines.values_list("row", "problem"))
    assert problems == {
        5: LineProblem.AMOUNT,
        6: LineProblem.UNMATCHED,
        7: LineProblem.OUT_OF_SCOPE,
        8: LineProblem.NOT_ACTIVE,
    }
    assert batch.lines.get(row=5).member_id == u.members[3].pk
    assert batch.lines.get(row=6).cells["Nama"] == "Orang Asing"

    # one entry for the PUK, not one per member; split per level of the whole
    entries = Entry.objects.filter(batch=batch)
    assert entries.count() == 1
    assert entries.get().kind == EntryKind.CHECKOFF
    assert ledger_check() == []
    income = dict(
        Posting.objects.filter(account=Account.DUES_INCOME)
        .values_list("unit_id")
        .annotate(s=Sum("amount"))
        .values_list("unit_id", "s")
    )
    shares = split_exact(150_000, [5000, 3500, 1500])
    assert income == {u.puk.pk: -shares[0], u.fed.pk: -shares[1], u.org.pk: -shares[2]}
    assert Posting.objects.get(account=Account.CASH).amount == 150_000

    dues = MemberDues.objects.get(member=u.members[0])
    assert dues.months_paid == 1
    assert dues.owed_from == datetime.date(2026, 1, 1)

    # the same file again posts nothing and queues nothing
    again = import_job_run(job=new_job(u, path))
    assert (again.created, again.unchanged, again.failed) == (0, 7, 3)
    assert Payment.objects.count() == 3
    assert CheckoffLine.objects.count() == 4
    assert MemberDues.objects.get(member=u.members[0]).months_paid == 1
    assert ledger_check() == []


def test_split_per_level_of_odd_amounts_sums_to_each_payment_split(union, tmp_path):
    """Members paying amounts that do not divide evenly: the aggregated postings equal the sum
    of each payment split on its own, to the rupiah."""
    u = union
    DuesPolicy.objects.create(
        unit=u.puk, effective_from=datetime.date(2026, 1, 1), basis=Basis.FIXED, amount=33_333
    )
    rows = [[m.number, "", "", "33333"] for m in u.members]
    job = import_job_run(job=new_job(u, write_csv(tmp_path / "a.csv", rows)))
    assert job.created == 5
    shares = split_for(u.puk, timezone.localdate())
    one = split_exact(33_333, [s.share_bp for s in shares])
    income = dict(
        Posting.objects.filter(account=Account.DUES_INCOME)
        .values_list("unit_id")
        .annotate(s=Sum("amount"))
        .values_list("unit_id", "s")
    )
    assert income == {s.unit_id: -5 * part for s, part in zip(shares, one, strict=True)}
    assert -sum(income.values()) == 5 * 33_333
    assert ledger_check() == []


def test_declared_total_that_differs_is_a_warning_on_the_job(union, tmp_path):
    u = union
    rows = [[m.number, "", "", "50000"] for m in u.members[:2]]
    path = write_csv(tmp_path / "b.csv", rows)
    checked = import_job_run(job=new_job(u, path, total="Rp 150.000"), dry_run=True)
    assert "Rp150.000" in checked.message
    assert "Rp100.000" in checked.message
    job = import_job_run(job=new_job(u, path, total="150000"))
    assert job.state == JobState.DONE
    assert "selisih Rp50.000" in job.message
    assert CheckoffBatch.objects.get(job=job).declared_total == 150_000
    fine = import_job_run(job=new_job(u, path, total=100_000))
    assert fine.message == ""


def test_options_are_checked_when_the_job_is_created(union, tmp_path):
    path = write_csv(tmp_path / "c.csv", [["1", "", "", "50000"]])
    with pytest.raises(ValidationError):
        new_job(union, path, month="")
    with pytest.raises(ValidationError):
        new_job(union, path, month="Oktober")
    with pytest.raises(ValidationError):
        new_job(union, path, employer="PT Tidak Ada")


def test_resolving_queued_lines(union, tmp_path):
    u = union
    job = import_job_run(job=new_job(u, write_csv(tmp_path / "d.csv", u.rows())))
    batch = CheckoffBatch.objects.get(job=job)
    unmatched = batch.lines.get(problem=LineProblem.UNMATCHED)
    amount = batch.lines.get(problem=LineProblem.AMOUNT)

    line = checkoff_line_resolve(actor=u.treasurer, line=unmatched, member=u.members[4])
    assert line.state == LineState.POSTED
    assert line.member_id == u.members[4].pk
    payment = Payment.objects.get(member=u.members[4])
    assert (payment.method, payment.period, payment.amount) == (Method.CHECKOFF, MONTH, 50_000)
    with pytest.raises(PostingRefused):  # once only
        checkoff_line_resolve(actor=u.treasurer, line=unmatched, member=u.members[4])

    with pytest.raises(PostingRefused):  # ignoring needs a reason
        checkoff_line_resolve(actor=u.treasurer, line=amount)
    line = checkoff_line_resolve(actor=u.treasurer, line=amount, reason="Dikembalikan ke PT")
    assert line.state == LineState.IGNORED
    assert line.resolved_by == u.treasurer
    # a member already paid for the month cannot be paid twice through the queue
    other = batch.lines.get(problem=LineProblem.NOT_ACTIVE)
    with pytest.raises(PostingRefused):
        checkoff_line_resolve(actor=u.treasurer, line=other, member=u.members[0])
    batch.refresh_from_db()
    assert (batch.posted, batch.posted_total, batch.queued) == (4, 200_000, 2)
    assert ledger_check() == []


def test_a_treasurer_outside_the_unit_cannot_resolve(union, tmp_path):
    u = union
    job = import_job_run(job=new_job(u, write_csv(tmp_path / "e.csv", u.rows())))
    line = CheckoffBatch.objects.get(job=job).lines.first()
    stranger = factories.UserFactory(username="bendlain")
    factories.grant(stranger, "Bendahara", u.puk2)
    with pytest.raises(PostingRefused):
        checkoff_line_resolve(actor=stranger, line=line, reason="bukan urusan saya")


def test_a_killed_import_resumes_and_posts_each_member_once(union, tmp_path):
    u = union
    rows = [[m.number, "", "", "50000"] for m in u.members]
    path = write_csv(tmp_path / "f.csv", rows)
    job = new_job(u, path, total=250_000)

    def die(number):
        if number == 1:
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        import_job_run(job=job, batch_size=2, after_batch=die)
    job.refresh_from_db()
    assert job.last_row == 5
    assert Payment.objects.count() == 4
    job = import_job_run(job=job, batch_size=2)
    assert job.state == JobState.DONE
    assert job.created == 5
    assert job.message == ""  # the file total survived the kill
    assert Payment.objects.count() == 5
    assert CheckoffBatch.objects.get(job=job).posted_total == 250_000
    assert ledger_check() == []


def test_queries_per_batch_do_not_grow_with_rows(union, tmp_path):
    u = union
    more = [member_register(actor=None, unit=u.puk, full_name=f"Buruh {i}") for i in range(40)]
    small = new_job(
        u, write_csv(tmp_path / "g.csv", [[m.number, "", "", "50000"] for m in more[:5]])
    )
    big = new_job(u, write_csv(tmp_path / "h.csv", [[m.number, "", "", "50000"] for m in more[5:]]))
    with CaptureQueriesContext(connection) as few:
        import_job_run(job=small)
    with CaptureQueriesContext(connection) as many:
        import_job_run(job=big)
    assert Payment.objects.count() == 40
    assert len(many.captured_queries) <= len(few.captured_queries) + 2


def test_upload_page_asks_for_the_month(client, db):
    """The check-off upload form carries the job's options: without a month it is refused
    with a message; with one the job is created with it."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from himpun.imports.models import ImportJob
    from tests.dues.test_ledger import Union

    u = Union()
    client.force_login(u.treasurer)
    url = reverse("imports:new", args=["iuran"])
    page = client.get(url).content.decode()
    assert 'name="month"' in page
    csv = b"No Anggota;Nama;Jumlah\n" + f"{u.members[0].number};x;50000\n".encode()
    refused = client.post(url, {"unit": u.puk.code, "file": SimpleUploadedFile("a.csv", csv)})
    assert "month" in refused.context["form"].errors
    bad = client.post(
        url, {"unit": u.puk.code, "month": "bulan lalu", "file": SimpleUploadedFile("a.csv", csv)}
    )
    assert bad.context["form"].non_field_errors()
    assert not ImportJob.objects.exists()
    ok = client.post(
        url,
        {
            "unit": u.puk.code,
            "month": "10/2026",
            "total": "Rp 50.000",
            "file": SimpleUploadedFile("a.csv", csv),
        },
    )
    assert ok.status_code == 302
    job = ImportJob.objects.get()
    assert job.options["month"] == "2026-10-01"
    assert job.options["total"] == 50_000


def test_checkoff_counts_up_the_tree(union, tmp_path):
    """A check-off batch moves the same monthly counters as payments at the desk."""
    from himpun.dues.services import PAID_KEY
    from himpun.structure.models import UnitCounter

    u = union
    job = import_job_run(job=new_job(u, write_csv(tmp_path / "a.csv", u.rows())))
    assert job.created == 3
    paid = dict(
        UnitCounter.objects.filter(key=PAID_KEY.format(MONTH)).values_list("unit_id", "total")
    )
    assert paid[u.org.pk] == paid[u.puk.pk] == job.created
    amount = dict(
        UnitCounter.objects.filter(key__startswith="dues.amount.").values_list("unit_id", "total")
    )
    assert amount[u.org.pk] == job.created * 50_000


def test_batch_rules_give_the_same_answers_as_the_desk(union):
    """The check-off resolves policies and splits in memory (no query per unit); for every
    unit, including one with a level missing above it and one with its own later rule, the
    answers equal those of the services the desk uses."""
    from himpun.dues.importer import Rules
    from himpun.dues.services import policy_for

    u = union
    puk = LevelKind.objects.get(organisation=u.org, code="puk")
    puk.parents.add(LevelKind.objects.get(organisation=u.org, code="konfederasi"))
    direct = factories.unit(u.org, f"LANGSUNG{u.org.pk}", kind_index=2)
    own = SplitRule.objects.create(unit=u.puk2, effective_from=datetime.date(2026, 6, 1))
    SplitShare.objects.create(rule=own, level=puk, share_bp=7000)
    SplitShare.objects.create(
        rule=own, level=LevelKind.objects.get(organisation=u.org, code="federasi"), share_bp=3000
    )
    DuesPolicy.objects.create(
        unit=u.fed, effective_from=datetime.date(2026, 3, 1), basis=Basis.FIXED, amount=40_000
    )
    rules = Rules.load(u.org)
    units = [u.org, u.fed, u.puk, u.puk2, direct]
    rules.need_units({x.path for x in units})
    for unit in units:
        for on in (datetime.date(2026, 1, 15), datetime.date(2026, 7, 1)):
            desk = {(s.unit_id, s.share_bp) for s in split_for(unit, on)}
            batch = {(s.unit_id, s.share_bp) for s in rules.split(unit.path, on)}
            assert batch == desk, (unit.code, on)
            assert rules.policy(unit.path, on) == policy_for(unit, on), (unit.code, on)


def test_checkoff_brings_back_a_member_made_nonaktif_for_arrears(union, tmp_path):
    """A check-off payment lowers what a member owes in the same statement that counts it:
    a member made nonaktif for arrears who is now under the limit is aktif again (with the
    history), one still over it stays nonaktif but is paid; the months owed are what the
    arrears run itself computes."""
    from himpun.dues.services import arrears_recompute
    from himpun.members.models import StatusChange

    u = union
    today = timezone.localdate()
    arrears_recompute(actor=None, organisation=u.org, on=today)
    back, still = u.members[0], u.members[1]
    for m in (back, still):
        m.refresh_from_db()
        assert m.status == "nonaktif"
    account = MemberDues.objects.get(member=back)
    owed = account.months_owed_on(today)
    assert owed >= 3
    # `back` paid all but two months at the desk meanwhile (recorded without the run)
    MemberDues.objects.filter(member=back).update(
        unpaid_from=month_add(account.unpaid_from, owed - 2)
    )
    rows = [[m.number, "", m.full_name, "Rp 50.000"] for m in (back, still)]
    job = import_job_run(job=new_job(u, write_csv(tmp_path / "a.csv", rows)))
    assert (job.created, job.failed) == (2, 0)
    back.refresh_from_db()
    still.refresh_from_db()
    assert back.status == "aktif"
    assert StatusChange.objects.filter(member=back, status="aktif").latest("pk").reason == (
        "Iuran sudah dibayar"
    )
    assert still.status == "nonaktif"
    assert Payment.objects.filter(member=still, method=Method.CHECKOFF).count() == 1
    accounts = {a.member_id: a.months_owed_on(today) for a in MemberDues.objects.all()}
    assert accounts[back.pk] == 1
    assert accounts[still.pk] == owed - 1
    counts = arrears_recompute(actor=None, organisation=u.org, on=today)
    assert {a.member_id: a.months_owed_on(today) for a in MemberDues.objects.all()} == accounts
    assert counts["inactivated"] == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics")
def test_a_large_checkoff_refreshes_the_ledger_statistics(union, tmp_path, monkeypatch):
    """The first batches of a large file ANALYZE the ledger tables, so PostgreSQL plans the
    per-row foreign-key checks for their real size (not for the empty tables of a union's
    first month)."""
    from himpun.dues import importer

    monkeypatch.setattr(importer, "ANALYSE_FROM", 1)
    job = import_job_run(job=new_job(union, write_csv(tmp_path / "a.csv", union.rows())))
    assert job.created == 3
    with connection.cursor() as cur:
        cur.execute("SELECT reltuples FROM pg_class WHERE relname = 'dues_payment'")
        assert cur.fetchone()[0] == Payment.objects.count() == 3


# --- pipelined: the writes of batch N in a second connection while batch N+1 is read ---------

pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="pipelined on PostgreSQL")


def _writer_threads(job, **kwargs):
    """Run `job`, noting which thread committed each batch."""
    import threading

    threads: list[str] = []
    die = kwargs.pop("die", None)

    def after(number):
        threads.append(threading.current_thread().name)
        if die is not None:
            die(number)

    return import_job_run(job=job, after_batch=after, **kwargs), threads


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_pipelined_checkoff_posts_what_a_sequential_one_does(tmp_path):
    """Outside a transaction on PostgreSQL, batches are written by the writer thread in its
    own connection while the next is read: the same posts, queue, errors and books as the
    sequential run (test_a_remittance_file_posts_matched_rows_and_queues_the_rest), and a
    member twice in the file, in two batches, is still paid once."""
    u = Union()
    rows = [*u.rows(), [u.members[0].number, "", "Pekerja Satu", "50.000"]]
    job, threads = _writer_threads(new_job(u, write_csv(tmp_path / "p.csv", rows)), batch_size=2)
    assert threads == ["himpun-import-writer"] * 6
    assert job.state == JobState.DONE, job.message
    assert (job.created, job.unchanged, job.failed, job.rows_done) == (3, 0, 4, 11)
    assert "baris 2" in issues(job, IssueLevel.ERROR)[12]  # the member's first row
    assert set(issues(job, IssueLevel.ERROR)) == {9, 10, 11, 12}
    paid = Payment.objects.filter(method=Method.CHECKOFF, period=MONTH)
    assert sorted(paid.values_list("member_id", flat=True)) == sorted(m.pk for m in u.members[:3])
    batch = CheckoffBatch.objects.get(job=job)
    assert (batch.posted, batch.posted_total, batch.queued) == (3, 150_000, 4)
    assert ledger_check() == []
    assert MemberDues.objects.get(member=u.members[0]).unpaid_from == datetime.date(2026, 2, 1)
    # the same file again: nothing posted, nothing queued twice
    again, _threads = _writer_threads(
        new_job(u, write_csv(tmp_path / "p2.csv", rows)), batch_size=2
    )
    assert (again.created, again.unchanged) == (0, 8)
    assert Payment.objects.count() == 3


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_pipelined_checkoff_that_fails_stops_and_resumes_after_its_last_commit(tmp_path):
    """A failure in the writer stops the run: the batches after it are neither written nor
    counted, the job's last row is that of the last committed batch, and the resumed run
    ends with exact counts and the file's total."""
    u = Union()
    rows = [[m.number, "", "", "50000"] for m in u.members]
    job = new_job(u, write_csv(tmp_path / "f.csv", rows), total=250_000)

    def die(number):
        if number == 1:
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        _writer_threads(job, batch_size=2, die=die)
    job.refresh_from_db()
    assert job.last_row == 5
    assert (job.created, Payment.objects.count()) == (4, 4)
    job = import_job_run(job=job, batch_size=2)
    assert job.state == JobState.DONE
    assert (job.created, Payment.objects.count()) == (5, 5)
    assert job.message == ""  # the file total survived the kill
    assert CheckoffBatch.objects.get(job=job).posted_total == 250_000
    assert ledger_check() == []
