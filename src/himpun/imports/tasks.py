"""The background task that runs an import job (Django's tasks API, database backend)."""

from __future__ import annotations

from django.tasks import task

from himpun.imports.engine import import_job_run
from himpun.imports.models import ImportJob
from himpun.imports.services import import_jobs_purge


@task
def import_run(job_id: int, dry_run: bool) -> dict[str, int]:
    # housekeeping first: old jobs' files and row cells past their retention (not this one:
    # it was touched when it was queued)
    import_jobs_purge()
    job = ImportJob.objects.select_related("user", "unit").get(pk=job_id)
    job = import_job_run(job=job, dry_run=dry_run)
    return {
        "created": job.created,
        "updated": job.updated,
        "unchanged": job.unchanged,
        "failed": job.failed,
    }
