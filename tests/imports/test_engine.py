"""The import engine with the member importer: real files, real database, exact counts."""

from __future__ import annotations

import datetime

import pytest
import xlsxwriter

from himpun.core.models import AuditEntry
from himpun.imports.engine import import_job_run
from himpun.imports.models import ImportIssue, ImportJob, IssueLevel, JobState
from himpun.imports.services import import_job_create, import_job_map
from himpun.members.importer import import_duplicates_queue
from himpun.members.models import Member, StatusChange
from himpun.structure.models import UnitCounter
from tests import factories

HEADER = "Nama Lengkap;Jenis Kelamin;Tgl Lahir;NIK;No HP;Unit"
ROWS = [
    "SITI RAHAYU;P;17/08/1990;3275015708900001;0812-3456-7890;A",
    "budi santoso;L;17 Agustus 1985;;+62 813 1111 2222;A",
    "Dewi Lestari;P;1-2-1992;;0857 2222 3333;B",
    "Joko <script>;L;01/01/1980;;0812 9999 0000;A",  # HTML in a name: refused
    "Agus Salim;L;31/02/1990;;0812 7777 6666;A",  # impossible date: refused
]
MAPPING = ["full_name", "gender", "birth_date", "nik", "phone", "unit"]


def write_csv(path, rows=ROWS, header=HEADER):
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def new_job(user, unit, path, mapping=MAPPING):
    with open(path, "rb") as fh:
        job = import_job_create(
            actor=user, kind="members", unit=unit, upload=fh, filename=path.name
        )
    if mapping is not None:
        job = import_job_map(actor=user, job=job, mapping=mapping)
    return job


def members_total(unit) -> int:
    row = UnitCounter.objects.filter(unit=unit, key="members").first()
    return row.total if row else 0


@pytest.fixture
def setup(world, tmp_path):
    return world, write_csv(tmp_path / "anggota.csv")


def test_good_rows_go_in_and_bad_rows_are_reported_by_number(setup):
    w, path = setup
    job = import_job_run(job=new_job(w.admin1, w.org1, path))
    assert job.state == JobState.DONE
    assert (job.created, job.updated, job.unchanged, job.failed) == (3, 0, 0, 2)
    errors = dict(
        ImportIssue.objects.filter(job=job, level=IssueLevel.ERROR).values_list("row", "message")
    )
    assert set(errors) == {5, 6}  # spreadsheet rows: the header is row 1
    assert "Agus" not in errors[6]
    assert "31/02/1990" in errors[6]
    siti = Member.objects.get(nik="3275015708900001")
    assert siti.full_name == "Siti Rahayu"
    assert siti.phone == "+6281234567890"
    assert siti.unit == w.a
    assert siti.number
    assert Member.objects.get(phone="+6285722223333").unit == w.b
    assert StatusChange.objects.filter(member__organisation=w.org1).count() == 3
    assert members_total(w.org1) == 3
    assert members_total(w.a) == 2
    numbers = sorted(Member.objects.filter(unit=w.a).values_list("number", flat=True))
    assert numbers[0].endswith("1")
    assert numbers[1].endswith("2")


def test_importing_the_same_file_twice_changes_nothing(setup):
    w, path = setup
    import_job_run(job=new_job(w.admin1, w.org1, path))
    before = (Member.objects.count(), StatusChange.objects.count(), AuditEntry.objects.count())
    second = import_job_run(job=new_job(w.admin1, w.org1, path))
    assert (second.created, second.updated, second.unchanged, second.failed) == (0, 0, 3, 2)
    after = (Member.objects.count(), StatusChange.objects.count(), AuditEntry.objects.count())
    assert after == before
    assert members_total(w.org1) == 3


def test_a_changed_row_updates_the_member_and_is_audited(setup, tmp_path):
    w, path = setup
    import_job_run(job=new_job(w.admin1, w.org1, path))
    rows = [ROWS[0].replace("0812-3456-7890", "0811 2222 3333"), *ROWS[1:3]]
    changed = write_csv(tmp_path / "lagi.csv", rows)
    job = import_job_run(job=new_job(w.admin1, w.org1, changed))
    assert (job.created, job.updated, job.unchanged) == (0, 1, 2)
    siti = Member.objects.get(nik="3275015708900001")
    assert siti.phone == "+6281122223333"
    assert siti.version == 2
    entry = AuditEntry.objects.get(batch=job.batch)
    assert entry.changes["phone"] == ["+6281234567890", "+6281122223333"]
    # the version it wrote: a form opened on version 1 shows this change as the conflict
    assert entry.object_version == siti.version


def test_duplicate_rows_inside_the_file(world, tmp_path):
    rows = [ROWS[0], ROWS[0], ROWS[0].replace("SITI RAHAYU", "Siti Aminah")]
    path = write_csv(tmp_path / "ganda.csv", rows)
    job = import_job_run(job=new_job(world.admin1, world.org1, path))
    assert (job.created, job.unchanged, job.failed) == (1, 1, 1)
    issues = list(ImportIssue.objects.filter(job=job).values_list("row", "level", "message"))
    assert (3, IssueLevel.WARNING) in [(r, lvl) for r, lvl, _m in issues]
    failed = [m for r, lvl, m in issues if lvl == IssueLevel.ERROR]
    assert failed
    assert "baris 2" in failed[0]


def test_a_row_without_number_nik_or_phone_matches_by_name_and_birth_date(world, tmp_path):
    """The last key: the same name born the same day (in any unit), or without a birth date
    the same name in the same unit. Namesakes born on other days, or in other units, are
    other people."""
    first = ["Budi Santoso;L;17/08/1985;;;A", "Ani Lestari;P;;;;A"]
    job = import_job_run(
        job=new_job(world.admin1, world.org1, write_csv(tmp_path / "1.csv", first))
    )
    assert job.created == 2
    second = [
        "BUDI SANTOSO;L;17/08/1985;;;B",  # the same Budi (his unit stays A)
        "Budi Santoso;L;18/08/1985;;;A",  # a namesake born a day later
        "Ani Lestari;P;;;;A",  # the same Ani
        "Ani Lestari;P;;;;B",  # a namesake in another unit
    ]
    job = import_job_run(
        job=new_job(world.admin1, world.org1, write_csv(tmp_path / "2.csv", second))
    )
    assert (job.created, job.updated, job.unchanged, job.failed) == (2, 0, 2, 0)
    # a row with only a name finds the person an earlier row of the same batch created with
    # a phone (as it finds one created by an earlier batch, through the database); a dry
    # run predicts it
    third = [
        "Citra Dewi;P;05/05/1995;;0812 7000 0001;A",
        "Citra Dewi;P;05/05/1995;;;A",
        "Dodi Irawan;L;06/06/1996;;0812 7000 0002;A",
        "Dodi Irawan;L;;;;A",  # no birth date: the name in the same unit
    ]
    job = new_job(world.admin1, world.org1, write_csv(tmp_path / "3.csv", third))
    checked = import_job_run(job=job, dry_run=True)
    assert (checked.preview["created"], checked.preview["unchanged"]) == (2, 2)
    job = import_job_run(job=job)
    assert (job.created, job.unchanged) == (2, 2)
    assert Member.objects.filter(full_name__in=["Citra Dewi", "Dodi Irawan"]).count() == 2
    budis = Member.objects.filter(search_name="budi santoso").order_by("birth_date")
    assert [(m.birth_date.day, m.unit.code) for m in budis] == [(17, "A"), (18, "A")]
    assert sorted(
        Member.objects.filter(full_name="Ani Lestari").values_list("unit__code", flat=True)
    ) == [
        "A",
        "B",
    ]


def test_a_unit_out_of_scope_is_a_row_error(world, tmp_path):
    rows = [ROWS[0], ROWS[1].replace(";A", ";B")]
    path = write_csv(tmp_path / "luar.csv", rows)
    job = import_job_run(job=new_job(world.admin_a, world.a, path))
    assert (job.created, job.failed) == (1, 1)
    message = ImportIssue.objects.get(job=job, level=IssueLevel.ERROR).message
    assert "wewenang" in message
    assert not Member.objects.filter(unit=world.b).exists()


def test_the_dry_run_writes_nothing_and_predicts_the_counts(setup):
    w, path = setup
    job = import_job_run(job=new_job(w.admin1, w.org1, path), dry_run=True)
    assert job.state == JobState.CHECKED
    assert job.preview["created"] == 3
    assert job.preview["failed"] == 2
    assert Member.objects.count() == 0
    assert members_total(w.org1) == 0
    done = import_job_run(job=job)
    assert (done.created, done.failed) == (job.preview["created"], job.preview["failed"])


def test_a_dry_run_across_batches_predicts_the_real_run_and_keeps_nothing(world, tmp_path):
    """A dry run writes no member, so what it would create is kept as the real run keeps what
    it writes: in the job's bookkeeping (`ImportSeen`), by a hash of each natural key and of
    each of the row's values, not in memory. Across batches it still tells a copy of an
    earlier row, or one that only leaves cells empty (unchanged), from a different row of
    the same person (failed, naming the field), predicts the real run's counts and messages,
    and leaves nothing behind; a killed dry run's leftovers are forgotten by
    the next one."""
    from himpun.imports.models import ImportSeen

    rows = [
        "Rina Wati;P;01/01/1990;;0812 1000 0001;A",  # row 2, batch 0
        "Tono Hartono;L;03/03/1985;;0812 1000 0003;A",  # row 3
        "Rina Wati;P;01/01/1990;;0812 1000 0001;A",  # row 4, batch 1: a copy of row 2
        "Tono Hartono;L;04/04/1985;;0812 1000 0003;A",  # row 5: row 3's person, other birthday
        "Tono Hartono;L;;;0812 1000 0003;A",  # row 6, batch 2: row 3 with a cell left empty
        "Dewi Lestari;P;1-2-1992;;0857 2222 3333;B",  # row 7
    ]
    job = new_job(world.admin1, world.org1, write_csv(tmp_path / "uji.csv", rows))
    kept = []

    def look(batch):
        kept.append(list(ImportSeen.objects.filter(job=job).values_list("dry_run", "row")))
        if batch == 1 and len(kept) == 2:
            raise KeyboardInterrupt  # the first dry run is killed after its second batch

    with pytest.raises(KeyboardInterrupt):
        import_job_run(job=job, dry_run=True, batch_size=2, after_batch=look)
    # by key (each phone, each name): rows 2 and 3; nothing of rows 4 or 5 (not created)
    assert sorted(set(kept[1])) == [(True, 2), (True, 3)]
    checked = import_job_run(job=job, dry_run=True, batch_size=2, after_batch=look)
    assert sorted(kept[3]) == sorted(kept[1])  # the killed run's rows were forgotten
    preview = checked.preview
    assert (preview["created"], preview["unchanged"], preview["failed"]) == (3, 2, 1)
    messages = dict(ImportIssue.objects.filter(job=job, dry_run=True).values_list("row", "message"))
    assert "baris 2" in messages[4]
    assert "baris 3" in messages[5]
    assert "berbeda pada: tanggal lahir." in messages[5]  # compared field by field
    assert "baris 3" in messages[6]  # the same as row 3 where it says anything: unchanged
    assert not ImportSeen.objects.filter(job=job).exists()
    assert Member.objects.count() == 0
    done = import_job_run(job=job, batch_size=2)
    assert (done.created, done.unchanged, done.failed) == (3, 2, 1)
    assert (done.rows_done, done.rows_total) == (6, 6)  # not the dry run's rows again
    real = dict(ImportIssue.objects.filter(job=job, dry_run=False).values_list("row", "message"))
    assert real == messages  # the preview's very messages


def test_a_dry_run_compares_a_choice_by_its_meaning_not_its_spelling(world, tmp_path):
    """ "Karyawan Tetap" and "PKWTT" are one employment status (the parser gives the first
    as an enum member, the second as its code); across batches the preview must see them
    as equal, as the real run does."""
    header = "Nama;JK;Tgl Lahir;HP;Unit;Status Kerja"
    rows = [
        "Rina Wati;P;01/01/1990;0812 1000 0001;A;Karyawan Tetap",  # row 2, batch 0
        "Rina Wati;P;01/01/1990;0812 1000 0001;A;PKWTT",  # row 3, batch 1: the same
        "Rina Wati;P;01/01/1990;0812 1000 0001;A;kontrak",  # row 4, batch 2: another
    ]
    mapping = ["full_name", "gender", "birth_date", "phone", "unit", "employment_status"]
    path = write_csv(tmp_path / "status.csv", rows, header=header)
    job = new_job(world.admin1, world.org1, path, mapping=mapping)
    preview = import_job_run(job=job, dry_run=True, batch_size=1).preview
    assert (preview["created"], preview["unchanged"], preview["failed"]) == (1, 1, 1)
    message = ImportIssue.objects.get(job=job, dry_run=True, level=IssueLevel.ERROR).message
    assert "berbeda pada: status kerja" in message
    done = import_job_run(job=job, batch_size=1)
    assert (done.created, done.unchanged, done.failed) == (1, 1, 1)


def test_a_killed_import_resumes_from_its_last_batch_with_exact_counts(world, tmp_path):
    rows = [
        f"Anggota Nomor {chr(65 + i // 26)}{chr(65 + i % 26)};L;01/01/1990;;0812 5555 {1000 + i};A"
        for i in range(23)
    ]
    path = write_csv(tmp_path / "besar.csv", rows)
    job = new_job(world.admin1, world.org1, path)

    def die(batch: int) -> None:
        if batch == 2:
            raise KeyboardInterrupt  # the worker is killed after its third batch committed

    with pytest.raises(KeyboardInterrupt):
        import_job_run(job=job, batch_size=5, after_batch=die)
    job.refresh_from_db()
    assert job.state == JobState.RUNNING
    assert job.last_row == 16
    assert job.created == 15
    resumed = import_job_run(job=job, batch_size=5)
    assert (resumed.created, resumed.failed, resumed.rows_total) == (23, 0, 23)
    assert Member.objects.filter(unit=world.a).count() == 23
    assert members_total(world.a) == 23
    numbers = sorted(int(n[-6:]) for n in Member.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 24))


def test_a_resumed_import_still_knows_the_rows_before_the_kill(world, tmp_path):
    """The members a run has written, with their rows, are kept with each batch
    (`ImportSeen`), not in the run's memory: after a kill, a later row with the same
    person as a row before the kill is still a duplicate inside the file, reported against
    that row (not an update of the member it created); the bookkeeping goes when the job
    ends."""
    from himpun.imports.models import ImportSeen

    rows = [
        f"Anggota Nomor {chr(65 + i // 26)}{chr(65 + i % 26)};L;01/01/1990;;0812 5555 {1000 + i};A"
        for i in range(12)
    ]
    rows.append("Anggota Nomor AA;L;02/02/1991;;0812 5555 1000;A")  # row 2's person, row 14
    job = new_job(world.admin1, world.org1, write_csv(tmp_path / "ulang.csv", rows))

    def die(batch: int) -> None:
        if batch == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_job_run(job=job, batch_size=5, after_batch=die)
    assert ImportSeen.objects.filter(job=job).count() == 10  # two batches committed
    resumed = import_job_run(job=job, batch_size=5)
    assert (resumed.created, resumed.updated, resumed.failed) == (12, 0, 1)
    message = ImportIssue.objects.get(job=resumed, level=IssueLevel.ERROR, row=14).message
    assert "baris 2" in message
    first = Member.objects.get(phone__endswith="81255551000")
    assert first.birth_date.isoformat() == "1990-01-01"  # not overwritten by row 14
    # kept for the duplicate check that follows the import (a task), which removes it
    assert ImportSeen.objects.filter(job=job).count() == 12
    # the twelve names differ by a letter or two and share a birth date: alike, all 66 pairs
    assert import_duplicates_queue(resumed) == 66
    assert not ImportSeen.objects.filter(job=job).exists()


def test_a_member_import_queues_the_possible_duplicates_it_brings(
    world, tmp_path, settings, django_capture_on_commit_callbacks
):
    """After the import, in the background, the members it wrote are checked as a
    registration is: a name spelt another way and born the same day is a pair for the review
    queue (the natural keys cannot join them). Only pairs with a member of the import: two
    older records alike among themselves are the organisation scan's business."""
    from himpun.imports.models import ImportSeen
    from himpun.members.choices import DuplicateReason
    from himpun.members.models import DuplicateCandidate
    from himpun.members.services import member_register

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    born = datetime.date(1990, 8, 17)
    joko = member_register(
        actor=None, unit=world.a, full_name="Joko Susanto", gender="L", birth_date=born
    )
    for phone in ("081211110001", "081211110002"):
        member_register(
            actor=None,
            unit=world.b,
            full_name="Wati Lestari",
            gender="P",
            birth_date=datetime.date(1985, 5, 5),
            phone=phone,
        )
    DuplicateCandidate.objects.all().delete()  # older records never scanned
    rows = [
        "Djoko Soesanto;L;17/08/1990;;0813 2222 0001;A",  # Joko, spelt the old way
        "Siti Aminah;P;01/02/1993;;0813 2222 0002;A",
        "Siti Aminah;P;01/02/1993;;0813 2222 0003;B",  # the same person twice in the file
    ]
    job = new_job(world.admin1, world.org1, write_csv(tmp_path / "baru.csv", rows))
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_run(job=job)
    job.refresh_from_db()
    assert (job.created, job.duplicates) == (3, 2)
    djoko = Member.objects.get(full_name="Djoko Soesanto")
    sitis = sorted(Member.objects.filter(full_name="Siti Aminah").values_list("pk", flat=True))
    pairs = {(c.member_a_id, c.member_b_id): c.reasons for c in DuplicateCandidate.objects.all()}
    assert pairs == {
        (joko.pk, djoko.pk): DuplicateReason.NAME_BIRTH,
        tuple(sitis): DuplicateReason.NAME_BIRTH,
    }
    assert not ImportSeen.objects.filter(job=job).exists()

    again = new_job(world.admin1, world.org1, write_csv(tmp_path / "baru-lagi.csv", rows))
    with django_capture_on_commit_callbacks(execute=True):
        again = import_job_run(job=again)
    again.refresh_from_db()
    assert (again.created, again.unchanged, again.duplicates) == (0, 3, 0)
    assert DuplicateCandidate.objects.count() == 2


def test_xlsx_with_real_dates_and_number_cells(world, tmp_path):
    path = tmp_path / "anggota.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, ["Nama", "JK", "Tanggal Lahir", "No. HP"])
    import datetime

    sheet.write_row(1, 0, ["Rina Marlina", "P"])
    sheet.write_datetime(1, 2, datetime.datetime(1991, 3, 4), date)  # noqa: DTZ001  Excel has no zone
    sheet.write_number(1, 3, 81234500011)  # Excel ate the leading 0
    book.close()
    job = new_job(
        world.admin1, world.a, path, mapping=["full_name", "gender", "birth_date", "phone"]
    )
    job = import_job_run(job=job)
    assert job.created == 1, list(ImportIssue.objects.values_list("message", flat=True))
    rina = Member.objects.get(full_name="Rina Marlina")
    assert rina.birth_date == datetime.date(1991, 3, 4)
    assert rina.phone == "+6281234500011"


def test_the_mapping_is_guessed_from_indonesian_headers(setup):
    w, path = setup
    job = new_job(w.admin1, w.org1, path, mapping=None)
    assert job.mapping == MAPPING
    assert ImportJob.objects.get(pk=job.pk).file_sha256 == job.file_sha256
    assert job.file_size == path.stat().st_size  # a file opened here, as the command line does


def test_a_user_without_the_right_to_add_members_cannot_start_an_import(world, tmp_path):
    from django.core.exceptions import PermissionDenied

    path = write_csv(tmp_path / "x.csv")
    viewer = factories.UserFactory(username="pengamat")
    factories.grant(viewer, "Pengamat", world.org1)
    with pytest.raises(PermissionDenied):
        new_job(viewer, world.org1, path)


def test_a_huge_cell_fails_its_row_only(world, tmp_path):
    rows = [ROWS[0], "Budi Santoso;L;17/08/1985;;0813 1111 2222;A" + "x" * 100_000, ROWS[2]]
    path = write_csv(tmp_path / "panjang.csv", rows)
    job = import_job_run(job=new_job(world.admin1, world.org1, path))
    assert (job.created, job.failed) == (2, 1)
    issue = ImportIssue.objects.get(job=job, level=IssueLevel.ERROR)
    assert issue.row == 3
    assert "terlalu panjang" in issue.message


def test_a_nik_that_disagrees_goes_in_with_a_warning_by_row(world, tmp_path):
    rows = [
        "Dewi Lestari;P;01/08/1990;3275014108900003;0812 1111 0001;A",
        "Budi Santoso;L;01/08/1990;3275014108900004;0812 1111 0002;A",  # a woman's NIK
    ]
    job = import_job_run(job=new_job(world.admin1, world.org1, write_csv(tmp_path / "w.csv", rows)))
    assert (job.created, job.failed, job.warned) == (2, 0, 1)
    warning = ImportIssue.objects.get(job=job, level=IssueLevel.WARNING)
    assert warning.row == 3
    assert "jenis kelamin menurut NIK berbeda" in warning.message


def test_the_command_line_import_shows_progress_and_resumes(world, tmp_path, capsys):
    from django.core.management import call_command

    from himpun.imports import engine

    world.admin1.is_superuser = True
    world.admin1.save(update_fields=["is_superuser"])
    path = write_csv(tmp_path / "cli.csv")
    report = tmp_path / "salah.xlsx"
    call_command(
        "import", "members", str(path), "--unit", "ORGA:ORGA", "--check", "--report", str(report)
    )
    out = capsys.readouterr()
    assert "3 baru" in out.out
    assert "2 baris bermasalah ditulis" in out.out
    from himpun.core.models import ExportRecord

    record = ExportRecord.objects.get(model="imports.importissue")  # member data: recorded
    assert (record.user, record.row_count, record.file_format) == (world.admin1, 2, "xlsx")
    assert report.stat().st_size > 0
    assert "Uji coba [" in out.err  # the progress bar
    assert Member.objects.count() == 0

    real_run = engine.import_job_run

    def killed(**kwargs):
        def die(batch):
            raise KeyboardInterrupt

        return real_run(**kwargs, after_batch=die)

    engine_run = "himpun.imports.management.commands.import.import_job_run"
    from unittest import mock

    with mock.patch(engine_run, side_effect=killed), pytest.raises(KeyboardInterrupt):
        call_command("import", "members", str(path), "--unit", "ORGA", "--batch", "2")
    assert Member.objects.count() == 2  # the first batch (rows 2–3) was committed
    capsys.readouterr()
    call_command("import", "members", str(path), "--unit", "ORGA", "--batch", "2")
    out = capsys.readouterr()
    assert "Melanjutkan impor" in out.err
    assert "3 baru" in out.out
    assert "2 gagal" in out.out
    assert Member.objects.count() == 3
    # the duplicate check waits for the worker (in a test, its transaction's commit)
    assert "Kemungkinan duplikat sedang diperiksa di latar belakang" in out.err


# --- pipelined: batch N written in a second connection while batch N+1 is read ---------------

pg_only = pytest.mark.skipif(
    __import__("django.db").db.connection.vendor != "postgresql",
    reason="pipelined on PostgreSQL",
)

MAMAN = "Maman Suryaman;L;02/02/1980;3275010202800001;0812 1000 0002;{u}"  # before the run
SAME_PEOPLE = [
    "Rina Wati;P;01/01/1990;;0812 1000 0001;{u}",  # row 2, batch 0
    "Siti Nurhaliza;P;05/05/1991;;0812 1000 0005;{u}",  # row 3
    "Tono Hartono;L;03/03/1985;;0812 1000 0003;{u}",  # row 4, batch 1: new
    "Maman Suryaman;L;02/02/1980;3275010202800001;0813 9999 0002;{u}",  # row 5: new phone
    "Tono Hartono;L;03/03/1985;;0812 1000 0003;{u}",  # row 6, batch 2: row 4 again
    "Maman Suryaman;L;02/02/1980;;0813 9999 0002;{u}",  # row 7: row 5's member, by phone
    "Tono Hartono;L;04/04/1985;;0812 1000 0003;{u}",  # row 8, batch 3: row 4, other birthday
    "Rina Wati;P;01/01/1990;;0812 1000 0001;{u}",  # row 9: row 2 again
]


def _outcome(job):
    issues = sorted(
        (row, level, message[:40])
        for row, level, message in ImportIssue.objects.filter(job=job).values_list(
            "row", "level", "message"
        )
    )
    return (job.created, job.updated, job.unchanged, job.failed), issues


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_pipelined_import_matches_rows_against_the_batch_still_being_written(
    world, tmp_path, monkeypatch
):
    """On PostgreSQL, outside a transaction, batch N is written by the writer thread while
    batch N+1 is read. Here the writer is held until batch 2 has been read, so batch 1 (a new
    person, and a member's new phone) is not yet in the database when batch 2 repeats them:
    the run still finds them (what a batch writes is kept until it commits: without it, rows
    6 and 7 would be new members) and ends with the sequential run's counts and issues, and
    gapless member numbers."""
    import threading

    from django.db import transaction

    from himpun.members.importer import MemberImporter

    read = threading.Event()
    calls = []
    process = MemberImporter.process

    def counting(self, ctx, rows, *, dry_run):
        result = process(self, ctx, rows, dry_run=dry_run)
        calls.append(threading.current_thread().name)
        if len(calls) == 3:
            read.set()
        return result

    world.admin1.is_superuser = True
    world.admin1.save(update_fields=["is_superuser"])
    for unit in ("A", "C"):
        org = world.org1 if unit == "A" else world.org2
        before = write_csv(tmp_path / f"{unit}0.csv", [MAMAN.format(u=unit)])
        assert import_job_run(job=new_job(world.admin1, org, before)).created == 1
    monkeypatch.setattr(MemberImporter, "process", counting)
    writers = []

    def hold(number):
        writers.append(threading.current_thread().name)
        if number == 0:
            assert read.wait(timeout=60)  # batch 2 is read while batch 1 waits to be written

    path = write_csv(tmp_path / "a.csv", [r.format(u="A") for r in SAME_PEOPLE])
    job = import_job_run(
        job=new_job(world.admin1, world.org1, path), batch_size=2, after_batch=hold
    )
    assert writers == ["himpun-import-writer"] * 4
    assert job.state == JobState.DONE, job.message
    counts, issues = _outcome(job)
    assert counts == (3, 1, 3, 1), issues
    assert [(r, lvl) for r, lvl, _m in issues] == [
        (6, IssueLevel.WARNING),
        (7, IssueLevel.WARNING),
        (8, IssueLevel.ERROR),
        (9, IssueLevel.WARNING),
    ]
    assert "baris 4" in ImportIssue.objects.get(job=job, row=8).message
    ours = Member.objects.filter(organisation=world.org1)
    assert ours.count() == 4
    assert ours.get(nik="3275010202800001").phone == "+6281399990002"
    assert ours.get(phone="+6281210000003").birth_date.isoformat() == "1985-03-03"
    numbers = sorted(int(n[-6:]) for n in ours.values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4]
    assert members_total(world.org1) == 4

    # the same file, one batch after the other (a transaction around the run): the same
    seq_path = write_csv(tmp_path / "c.csv", [r.format(u="C") for r in SAME_PEOPLE])
    with transaction.atomic():
        seq = import_job_run(job=new_job(world.admin1, world.org2, seq_path), batch_size=2)
    assert _outcome(seq) == (counts, issues)


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_pipelined_import_that_fails_resumes_with_exact_counts_and_no_gap_in_numbers(
    world, tmp_path
):
    """A failure in the writer stops the run after its last committed batch; batches read
    ahead are neither written nor counted, and took no member numbers (numbers are taken in
    the batch's own transaction)."""
    rows = [f"Anggota Ke {chr(65 + i)};L;01/01/1990;;0812 4444 {1000 + i};A" for i in range(9)]
    job = new_job(world.admin1, world.org1, write_csv(tmp_path / "f.csv", rows))

    def die(number):
        if number == 1:
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        import_job_run(job=job, batch_size=2, after_batch=die)
    job.refresh_from_db()
    assert (job.last_row, job.created, Member.objects.count()) == (5, 4, 4)
    job = import_job_run(job=job, batch_size=2)
    assert job.state == JobState.DONE
    assert (job.created, job.failed, Member.objects.count()) == (9, 0, 9)
    numbers = sorted(int(n[-6:]) for n in Member.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 10))
    assert members_total(world.org1) == 9


@pytest.mark.django_db(transaction=True)
def test_the_migration_to_import_seen_keeps_a_running_jobs_bookkeeping(world, tmp_path):
    """imports/0004: the members an interrupted import has written (ImportTouched) are the
    same rows of ImportSeen, so the import still resumes knowing them; and back."""
    from django.core.management import call_command
    from django.db import connection

    job = new_job(world.admin1, world.org1, write_csv(tmp_path / "m.csv"))
    call_command("migrate", "imports", "0003", verbosity=0)
    try:
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO imports_importtouched (job_id, member_id, row) VALUES (%s, 41, 7)",
                [job.pk],
            )
        call_command("migrate", "imports", "0004", verbosity=0)
        with connection.cursor() as cur:
            cur.execute(
                "SELECT key, row, dry_run FROM imports_importseen WHERE job_id = %s", [job.pk]
            )
            assert cur.fetchall() == [(41, 7, False)]
        call_command("migrate", "imports", "0003", verbosity=0)
        with connection.cursor() as cur:
            cur.execute("SELECT member_id FROM imports_importtouched WHERE job_id = %s", [job.pk])
            assert cur.fetchall() == [(41,)]
    finally:
        call_command("migrate", verbosity=0)
