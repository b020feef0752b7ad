"""The retention of personal data in imports: old jobs lose their file, their rows' cells and
their bookkeeping; the job's record stays."""

from __future__ import annotations

import datetime
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from himpun.imports.engine import import_job_run
from himpun.imports.models import ImportIssue, ImportJob, ImportSeen, JobState
from himpun.imports.services import import_job_start, import_jobs_purge
from tests.imports.test_engine import new_job, write_csv


def aged(job, days):
    ImportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - datetime.timedelta(days=days)
    )
    job.refresh_from_db()
    return job


def test_old_jobs_lose_their_file_and_row_cells_but_keep_their_record(
    world, tmp_path, client, settings, django_capture_on_commit_callbacks
):
    settings.HIMPUN_IMPORT_RETENTION_DAYS = 30
    old = import_job_run(job=new_job(world.admin1, world.org1, write_csv(tmp_path / "a.csv")))
    assert ImportSeen.objects.filter(job=old).exists()  # the duplicate check has not run
    recent = import_job_run(job=new_job(world.admin1, world.org1, write_csv(tmp_path / "b.csv")))
    dead = new_job(world.admin1, world.org1, write_csv(tmp_path / "c.csv"))
    ImportJob.objects.filter(pk=dead.pk).update(state=JobState.RUNNING, last_row=3)
    old, recent, dead = aged(old, 31), aged(recent, 29), aged(dead, 40)
    files = {j.pk: j.file.path for j in (old, recent, dead)}
    assert all(os.path.exists(p) for p in files.values())
    assert ImportIssue.objects.filter(job=old).exclude(values=[]).count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        assert import_jobs_purge() == 2
    old.refresh_from_db()
    assert old.purged_at is not None
    assert (old.state, old.created, old.failed) == (JobState.DONE, 3, 2)  # the record stays
    assert not os.path.exists(files[old.pk])
    assert not ImportSeen.objects.filter(job=old).exists()
    issues = list(ImportIssue.objects.filter(job=old).values_list("row", "message", "values"))
    assert [(row, values) for row, _m, values in issues] == [(5, []), (6, [])]
    assert all(message for _r, message, _v in issues)  # the reasons stay
    dead.refresh_from_db()
    assert dead.state == JobState.FAILED  # a run dead for 40 days will not go on
    assert not os.path.exists(files[dead.pk])
    recent.refresh_from_db()
    assert recent.purged_at is None
    assert os.path.exists(files[recent.pk])
    assert ImportIssue.objects.filter(job=recent).exclude(values=[]).count() == 2
    assert import_jobs_purge() == 0

    with pytest.raises(ValidationError, match="sudah dihapus"):
        import_job_start(actor=world.admin1, job=dead, dry_run=False)
    client.force_login(world.admin1)
    page = client.get(f"/impor/{dead.pk}/").content.decode()
    assert "data-purged" in page
    assert "data-resume" not in page
    page = client.get(f"/impor/{old.pk}/").content.decode()
    assert "data-purged" in page
    assert "Memeriksa kemungkinan duplikat" not in page  # its check can no longer run


def test_the_purge_command(world, tmp_path, capsys):
    job = import_job_run(job=new_job(world.admin1, world.org1, write_csv(tmp_path / "a.csv")))
    aged(job, 100)
    call_command("import_purge")
    assert "1 impor" in capsys.readouterr().out
    assert ImportJob.objects.get(pk=job.pk).purged_at is not None
