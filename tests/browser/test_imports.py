"""A federation secretary imports a messy member file on a phone: upload, check the guessed
columns, dry run, import with a live progress bar (a real database worker), error report."""

from __future__ import annotations

import threading

import pytest
from django_tasks_db.management.commands.db_worker import Worker

from himpun.imports.models import ImportJob, JobState
from himpun.members.models import Member
from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
ROWS = [
    "Nama;JK;Tgl. Lahir;No. HP;Kode Unit;NIK",
    "WAHYU HIDAYAT;L;17-08-1990;0812-4400-0001;PUK-SAM;",
    "rina marlina;P;3 Maret 1991;+62 812 4400 0002;PUK-SAM;32 75 01 43 03 91 0001",
    "Ahmad Fauzi;L;31/02/1988;0812 4400 0003;PUK-SAM;",
    "Sri Mulyani;P;01/01/1985;0812 4400 0004;TIDAK-ADA;",
    "Joko Susilo;L;05-Mei-87;081244000005;PUK-SAM;",
    "Djoko Soesilo;L;5/5/1987;0812 4400 0006;PUK-SAM;",  # row 6's Joko, spelt the old way
]


@pytest.fixture
def worker(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    w = Worker(
        queue_names=["default"],
        interval=0.05,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="browser-test",
        excluded_queue_names=[],
    )
    thread = threading.Thread(target=w.run, daemon=True)
    thread.start()
    yield w
    w.running = False
    thread.join(timeout=10)


def test_secretary_imports_a_member_file_on_a_phone(page, worker, tmp_path):
    path = tmp_path / "anggota-federasi.csv"
    path.write_text("\n".join(ROWS) + "\n", encoding="cp1252")
    page.set_viewport_size(PHONE)
    login(page, "sekfed")
    page.goto(page.base + "/impor/")
    page.locator("[data-new-import=members]").click()
    assert page.locator("#id_unit").input_value() == "FSPMI"  # the user's own unit
    page.set_input_files("#id_file", str(path))
    shot(page, "import-upload-360")
    page.get_by_role("button", name="Unggah").click()
    page.wait_for_selector("[data-mapping]")
    assert page.locator("#id_col_0").input_value() == "full_name"
    assert page.locator("#id_col_3").input_value() == "phone"
    assert page.locator("#id_col_4").input_value() == "unit"
    shot(page, "import-mapping-360")
    page.locator("[data-check]").click()
    page.wait_for_selector("[data-preview]")  # the progress bar polls, then shows the result
    assert page.locator('[data-preview] [data-count="created"]').inner_text() == "4"
    assert page.locator('[data-preview] [data-count="failed"]').inner_text() == "2"
    errors = page.locator("[data-errors]").inner_text()
    assert "baris 4" in errors
    assert "baris 5" in errors
    assert Member.objects.filter(full_name="Wahyu Hidayat").count() == 0
    shot(page, "import-preview-360")

    page.locator("[data-commit]").click()
    page.wait_for_selector("[data-result]")
    job = ImportJob.objects.get()
    assert (job.state, job.created, job.failed) == (JobState.DONE, 4, 2)
    assert Member.objects.get(full_name="Wahyu Hidayat").unit.code == "PUK-SAM"
    # the duplicate check runs after, in the worker; the page polls until it knows
    page.wait_for_selector('[data-duplicates="1"]')
    shot(page, "import-done-360")
    with page.expect_download() as download:
        page.locator("[data-report]").click()
    assert download.value.suggested_filename.endswith(".xlsx")
