"""The background task that runs an import job (Django's tasks API, database backend)."""

from __future__ import annotations

from django.tasks import task

from himpun.imports.engine import import_job_run
from himpun.imports.models import ImportJob


@task
def import_run(job_id: int, dry_run: bool) -> dict[str, int]:
    job = ImportJob.objects.select_related("user", "unit").get(pk=job_id)
    job = import_job_run(job=job, dry_run=dry_run)
    return {
        "created": job.created,
        "updated": job.updated,
        "unchanged": job.unchanged,
        "failed": job.failed,
    }
