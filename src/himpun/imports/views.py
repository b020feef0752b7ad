"""Import pages: upload → map columns → dry run with per-row preview → import with progress."""

from __future__ import annotations

import itertools
import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from himpun.core import exports
from himpun.core.querysets import has_scope
from himpun.imports.engine import IMPORTERS, importer_for
from himpun.imports.forms import MappingForm, UploadForm
from himpun.imports.models import ImportIssue, ImportJob, IssueLevel, JobState
from himpun.imports.readers import ImportFileError, open_table
from himpun.imports.reports import issues_xlsx
from himpun.imports.services import (
    import_job_create,
    import_job_map,
    import_job_stale,
    import_job_start,
)

ISSUES_SHOWN = 100


def _jobs(request: HttpRequest):  # type: ignore[no-untyped-def]
    return ImportJob.objects.restrict(request.user).select_related("unit", "user")


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    if not has_scope(request.user, ImportJob, "view"):
        raise Http404
    kinds = [i for i in IMPORTERS.values() if has_scope(request.user, i.model, "add")]
    return render(request, "imports/list.html", {"jobs": _jobs(request)[:50], "importers": kinds})


@login_required
def job_new(request: HttpRequest, kind: str) -> HttpResponse:
    if (
        kind not in IMPORTERS
        or not has_scope(request.user, IMPORTERS[kind].model, "add")
        or not has_scope(request.user, ImportJob, "add")  # else they could not see the job
    ):
        raise Http404
    importer = importer_for(kind)
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        importer=importer,
        initial={"unit": _default_unit(request)},
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_job_create(
                actor=request.user,
                kind=kind,
                unit=form.cleaned_data["unit"],
                upload=upload,
                filename=upload.name,
                options=form.options() or None,
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            form.add_error(None if form.option_names else "file", exc)
        else:
            return HttpResponseRedirect(job.get_absolute_url())
    return render(request, "imports/new.html", {"form": form, "importer": importer})


def _default_unit(request: HttpRequest) -> str:
    """The active unit, else the unit of the user's first role."""
    unit = getattr(request, "current_unit", None)
    if unit is None:
        assignment = request.user.assignments.select_related("unit").order_by("pk").first()
        unit = assignment.unit if assignment else None
    return unit.code if unit else ""


def _samples(job: ImportJob, n: int = 3) -> list[list[str]]:
    try:
        table = open_table(job.file.path, job.filename)
        return [cells for _n, cells in itertools.islice(table.rows(), n)]
    except (ImportFileError, OSError):
        return []


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(_jobs(request), pk=pk)
    importer = importer_for(job.kind)
    form = None
    if job.mappable:
        form = MappingForm(request.POST or None, job=job, importer=importer)
        if request.method == "POST" and form.is_valid():
            try:
                import_job_map(
                    actor=request.user,
                    job=job,
                    mapping=form.mapping(),
                    template_name=form.cleaned_data["template_name"],
                )
                import_job_start(actor=request.user, job=job, dry_run=True)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                return HttpResponseRedirect(job.get_absolute_url())
    samples = _samples(job) if form else []
    columns = []
    if form:
        for i, name in enumerate(form.columns):
            columns.append((form[name], [s[i] if i < len(s) else "" for s in samples]))
    dry = job.state in (JobState.CHECKING, JobState.CHECKED) or (
        job.checked and job.state == JobState.UPLOADED
    )
    issues = ImportIssue.objects.filter(job=job, dry_run=dry)
    context = {
        "job": job,
        "importer": importer,
        "form": form,
        "columns": columns,
        "errors": issues.filter(level=IssueLevel.ERROR)[:ISSUES_SHOWN],
        "warnings": issues.filter(level=IssueLevel.WARNING)[:ISSUES_SHOWN],
        "stale": import_job_stale(job) and not job.purged_at,
        "retention_days": settings.HIMPUN_IMPORT_RETENTION_DAYS,
        "dry": dry,
        "seen_before": ImportJob.objects.filter(
            unit=job.unit, kind=job.kind, file_sha256=job.file_sha256, state=JobState.DONE
        )
        .exclude(pk=job.pk)
        .order_by("-finished_at")
        .first(),
    }
    return render(request, "imports/job.html", context)


@login_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar, polled by the job page while the job runs."""
    job = get_object_or_404(_jobs(request), pk=pk)
    response = render(request, "imports/_progress.html", {"job": job})
    if not job.active:
        response["HX-Refresh"] = "true"  # finished: show the results
    return response


@login_required
def job_duplicates(request: HttpRequest, pk: int) -> HttpResponse:
    """The duplicate check's outcome, polled by the page of a finished import until known."""
    job = get_object_or_404(_jobs(request), pk=pk)
    importer = importer_for(job.kind)
    return render(request, "imports/_duplicates.html", {"job": job, "importer": importer})


@login_required
@require_POST
def job_start(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(_jobs(request), pk=pk)
    if job.user_id != request.user.pk and not request.user.is_superuser:
        raise Http404
    dry_run = request.POST.get("dry_run") == "1"
    try:
        import_job_start(actor=request.user, job=job, dry_run=dry_run)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return HttpResponseRedirect(job.get_absolute_url())


@login_required
def job_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The rows that failed (and those with warnings), with the file's own columns, as XLSX:
    fix them and upload the file again."""
    job = get_object_or_404(_jobs(request), pk=pk)
    if not has_scope(request.user, importer_for(job.kind).model, "export"):
        raise Http404
    dry = request.GET.get("uji") == "1"
    exports.export_record(
        user=request.user,
        model="imports.importissue",
        file_format="xlsx",
        query=f"job={job.pk}&dry_run={int(dry)}",
        unit_path=job.unit.path,
        row_count=ImportIssue.objects.filter(job=job, dry_run=dry).count(),
    )
    fh = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115  FileResponse closes it
    issues_xlsx(job, dry_run=dry, out=fh)
    fh.seek(0)
    name = f"impor-{job.pk}-baris-bermasalah.xlsx"
    return FileResponse(fh, as_attachment=True, filename=name)
