"""The import pages: upload → mapping → dry run → import, the error report, scoping."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from python_calamine import CalamineWorkbook

from himpun.core.models import ExportRecord
from himpun.imports.models import ImportJob, JobState
from himpun.imports.services import import_job_map, import_job_start
from himpun.imports.tasks import import_run
from himpun.members.models import Member
from tests.imports.test_engine import HEADER, ROWS

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def upload(client, unit, rows=ROWS, name="anggota.csv"):
    data = ("\n".join([HEADER, *rows]) + "\n").encode()
    response = client.post(
        "/impor/baru/members/",
        {"unit": unit.code, "file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def mapping_post(job, **overrides):
    data = {f"col_{i}": m for i, m in enumerate(job.mapping)}
    data.update(overrides)
    return data


@pytest.fixture
def admin(client, world):
    client.force_login(world.admin1)
    return client


def test_upload_check_and_import_through_the_pages(
    admin, world, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    job = upload(admin, world.org1)
    page = admin.get(f"/impor/{job.pk}/").content.decode()
    assert "data-mapping" in page
    assert 'value="full_name" selected' in page  # guessed from "Nama Lengkap"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/impor/{job.pk}/", mapping_post(job, template_name="Format PUK"))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == JobState.CHECKED
    page = admin.get(f"/impor/{job.pk}/").content.decode()
    assert 'data-count="created">3<' in page
    assert 'data-count="failed">2<' in page
    assert "data-errors" in page
    assert Member.objects.count() == 0  # a dry run writes nothing
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(f"/impor/{job.pk}/mulai/", {"dry_run": "0"})
    job.refresh_from_db()
    assert (job.state, job.created, job.failed) == (JobState.DONE, 3, 2)
    page = admin.get(f"/impor/{job.pk}/").content.decode()
    assert "data-result" in page
    assert "data-report" in page

    report = admin.get(f"/impor/{job.pk}/baris-bermasalah.xlsx")
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(report.streaming_content)))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[0][:4] == ["Baris", "Jenis", "Alasan", "Nama Lengkap"]
    assert [int(r[0]) for r in rows[1:]] == [5, 6]
    assert rows[2][3] == "Agus Salim"  # the row's own cells, ready to fix
    assert ExportRecord.objects.filter(model="imports.importissue", user=world.admin1).exists()

    # The saved template maps the next file with the same columns.
    again = upload(admin, world.org1, name="lagi.csv")
    assert again.mapping == job.mapping
    page = admin.get(f"/impor/{again.pk}/").content.decode()
    assert "data-seen-before" in page  # the very same file was imported before


def test_the_page_of_a_finished_import_follows_its_duplicate_check(admin, world):
    """While the check runs in the background the page polls for it; then it links to the
    review queue, or says there is nothing new."""
    from himpun.imports.engine import import_job_run
    from himpun.members.importer import import_duplicates_queue

    rows = [*ROWS, "Dewi Lestarie;P;01/02/1992;;0857 2222 4444;A"]  # row 5's Dewi, spelt anew
    job = upload(admin, world.org1, rows=rows)
    job = import_job_map(actor=world.admin1, job=job, mapping=job.mapping)
    job = import_job_run(job=job)  # in a test transaction: the check is not started
    assert job.duplicates is None
    page = admin.get(f"/impor/{job.pk}/").content.decode()
    assert f'hx-get="/impor/{job.pk}/duplikat/"' in page
    assert "Memeriksa kemungkinan duplikat" in page
    assert import_duplicates_queue(job) == 1
    part = admin.get(f"/impor/{job.pk}/duplikat/").content.decode()
    assert 'data-duplicates="1"' in part
    assert "hx-get" not in part  # known: no more polling
    assert 'href="/anggota/duplikat/"' in part
    job.duplicates = 0
    job.save(update_fields=["duplicates"])
    part = admin.get(f"/impor/{job.pk}/duplikat/").content.decode()
    assert "Tidak ada kemungkinan duplikat baru" in part


def test_the_database_worker_runs_the_import(transactional_db, admin, world, settings):
    settings.TASKS = DATABASE
    job = upload(admin, world.org1)
    import_job_map(actor=world.admin1, job=job, mapping=job.mapping)
    import_job_start(actor=world.admin1, job=job, dry_run=True)
    import_run.enqueue(job_id=job.pk, dry_run=True)  # on_commit does not fire inside a test
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0, reload=False)
    job.refresh_from_db()
    assert job.state == JobState.CHECKED
    assert job.preview["created"] == 3


def test_a_mapping_without_the_name_is_refused(admin, world):
    job = upload(admin, world.org1)
    response = admin.post(f"/impor/{job.pk}/", mapping_post(job, col_0=""))
    assert response.status_code == 200
    assert "wajib dipilih" in response.content.decode()
    job.refresh_from_db()
    assert job.state == JobState.UPLOADED


def test_a_bad_file_is_refused_with_a_message(admin, world):
    response = admin.post(
        "/impor/baru/members/",
        {"unit": world.org1.code, "file": SimpleUploadedFile("kosong.csv", b"", "text/csv")},
    )
    assert response.status_code == 200
    assert "kosong" in response.content.decode().lower()
    assert not ImportJob.objects.exists()


def test_jobs_are_scoped(client, world, settings):
    settings.TASKS = IMMEDIATE
    client.force_login(world.admin1)
    job = upload(client, world.org1)
    client.force_login(world.admin_a)  # below org1: the job belongs to org1's top unit
    assert client.get(f"/impor/{job.pk}/").status_code == 404
    assert client.get(f"/impor/{job.pk}/baris-bermasalah.xlsx").status_code == 404
    assert client.get(f"/impor/{job.pk}/duplikat/").status_code == 404
    assert client.post(f"/impor/{job.pk}/mulai/", {"dry_run": "1"}).status_code == 404
    client.force_login(world.nobody)
    assert client.get("/impor/").status_code == 404
    assert client.get("/impor/baru/members/").status_code == 404


def test_an_organiser_imports_and_sees_the_job(client, world, settings, tmp_path):
    """Whoever may add members and import may also open the job they started."""
    from tests import factories

    settings.TASKS = IMMEDIATE
    organiser = factories.UserFactory(username="organiser_a")
    factories.grant(organiser, "Organiser", world.a)
    client.force_login(organiser)
    job = upload(client, world.a)
    assert client.get(f"/impor/{job.pk}/").status_code == 200
    assert client.get("/impor/").status_code == 200
    viewer = factories.UserFactory(username="pengamat_a")
    factories.grant(viewer, "Pengamat", world.a)
    client.force_login(viewer)
    assert client.get("/impor/baru/members/").status_code == 404
