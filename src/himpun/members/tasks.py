"""Background tasks of the members app (Django's tasks API, database backend)."""

from __future__ import annotations

from django.tasks import task

from himpun.imports.models import ImportJob
from himpun.members.importer import import_duplicates_queue


@task
def import_duplicates_check(job_id: int) -> int:
    """The possible duplicates among the members a finished import wrote (see
    `import_duplicates_queue`)."""
    return import_duplicates_queue(ImportJob.objects.get(pk=job_id))
