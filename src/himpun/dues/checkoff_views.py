"""The treasurer's check-off screens: the employers' payroll remittances (`CheckoffBatch`)
and the queue of rows the import could not post. Views are thin: `checkoff_line_resolve`
decides and refuses; a refusal is a message, never an error page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from himpun.core.querysets import has_scope, may
from himpun.core.templatetags.himpun import rupiah
from himpun.core.views import lazy_page
from himpun.dues.checkoff import checkoff_line_resolve
from himpun.dues.choices import LineState
from himpun.dues.models import CheckoffBatch, CheckoffLine, Payment
from himpun.dues.receipts import bulan
from himpun.members.models import Member
from himpun.members.search import member_search
from himpun.structure.models import OrgUnit

PER_PAGE = 50
#: The import's fields whose cells say who a row is, in the order a search tries them.
WHO_FIELDS = ("number", "nik", "name")


def _may_resolve(user: Any, batch: CheckoffBatch) -> bool:
    return may(user, Payment, "add", batch.unit.path)


def _batch(request: HttpRequest, pk: int) -> CheckoffBatch:
    return get_object_or_404(
        CheckoffBatch.objects.restrict(request.user).select_related("unit", "employer", "job"),
        pk=pk,
    )


def _line(request: HttpRequest, pk: int) -> CheckoffLine:
    """An open or closed line the user may resolve; any other answers 404 (GET and POST)."""
    # lines have no permissions of their own (CheckoffLine.restrict() finds none for anyone
    # but a superuser): they are scoped by their batch
    batches = CheckoffBatch.objects.restrict(request.user)
    line = get_object_or_404(
        CheckoffLine.objects.filter(batch__in=batches).select_related(
            "batch__unit", "batch__employer", "batch__job", "member__unit"
        ),
        pk=pk,
    )
    if not _may_resolve(request.user, line.batch):
        raise Http404
    return line


@login_required
def batches(request: HttpRequest) -> HttpResponse:
    """The check-off remittances of the units the user may see, newest month first."""
    if not has_scope(request.user, CheckoffBatch, "view"):
        raise Http404
    qs = CheckoffBatch.objects.restrict(request.user).select_related("unit", "employer")
    unit = None
    if request.GET.get("unit", "").isdigit():
        unit = get_object_or_404(OrgUnit.objects.restrict(request.user), pk=request.GET["unit"])
        qs = qs.filter(unit__path__startswith=unit.path)
    elif getattr(request, "current_unit", None) is not None:
        qs = qs.filter(unit__path__startswith=request.current_unit.path)
    page = lazy_page(qs.order_by("-month", "-id"), PER_PAGE, request.GET.get("halaman"))
    rows = [(b, bulan(b.month), _difference(b)) for b in page.object_list]
    return render(
        request,
        "dues/checkoff_batches.html",
        {
            "page": page,
            "rows": rows,
            "unit": unit,
            "can_import": has_scope(request.user, Payment, "add"),
        },
    )


def _difference(batch: CheckoffBatch) -> int | None:
    """What the employer declared less what is in the books (None without a declaration)."""
    if batch.declared_total is None:
        return None
    return batch.declared_total - batch.posted_total


@login_required
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    """One remittance: its sums and the rows still waiting for the treasurer."""
    b = _batch(request, pk)
    lines = list(b.lines.select_related("resolved_by").order_by("row")[:1000])
    open_lines = [line for line in lines if line.state == LineState.OPEN]
    done = [line for line in lines if line.state != LineState.OPEN]
    return render(
        request,
        "dues/checkoff_batch.html",
        {
            "batch": b,
            "month_label": bulan(b.month),
            "difference": _difference(b),
            "open_lines": open_lines,
            "done": done,
            "can_resolve": _may_resolve(request.user, b),
        },
    )


def _who(line: CheckoffLine) -> str:
    """The search the line's own cells suggest: its member number, else NIK, else name."""
    job = line.batch.job
    if job is None:
        return ""
    by_field = {
        field: line.cells.get(header or str(i + 1), "")
        for i, (header, field) in enumerate(zip(job.header, job.mapping, strict=False))
        if field
    }
    return next((str(by_field[f]).strip() for f in WHO_FIELDS if by_field.get(f)), "")


def _back(line: CheckoffLine) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("dues:checkoff_batch", args=[line.batch_id]))


@login_required
def line(request: HttpRequest, pk: int) -> HttpResponse:
    """Post an open line for a member (found by number, NIK or name), or set it aside with a
    reason. GET searches; POST `member` posts, POST `reason` ignores."""
    ln = _line(request, pk)
    members = Member.objects.restrict(request.user).filter(archived_at__isnull=True)
    if request.method == "POST":
        if ln.state != LineState.OPEN:
            messages.info(request, _("Baris ini sudah diselesaikan."))
            return _back(ln)
        member = None
        if "member" in request.POST:
            pk_ = request.POST.get("member", "")
            member = members.filter(pk=int(pk_)).first() if pk_.isdigit() else None
            if member is None:
                messages.error(request, _("Pilih anggota yang akan dibukukan."))
                return HttpResponseRedirect(reverse("dues:checkoff_line", args=[ln.pk]))
        reason = request.POST.get("reason", "")[:200]
        try:
            checkoff_line_resolve(actor=request.user, line=ln, member=member, reason=reason)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            if member is not None:
                return HttpResponseRedirect(reverse("dues:checkoff_line", args=[ln.pk]))
            return _back(ln)
        if member is not None:
            messages.success(
                request,
                _("Baris %(row)s dibukukan untuk %(name)s (%(amount)s).")
                % {"row": ln.row, "name": member.full_name, "amount": rupiah(ln.amount)},
            )
        else:
            messages.success(request, _("Baris %(row)s diabaikan.") % {"row": ln.row})
        return _back(ln)

    q = request.GET.get("q", "").strip() if "q" in request.GET else _who(ln)
    found: list[Member] = []
    if q:
        found = list(member_search(members, q).select_related("unit")[:20])
    suggested = None
    if ln.member_id:
        suggested = members.filter(pk=ln.member_id).select_related("unit").first()
        found = [m for m in found if m.pk != ln.member_id]
    return render(
        request,
        "dues/checkoff_line.html",
        {
            "line": ln,
            "batch": ln.batch,
            "month_label": bulan(ln.batch.month),
            "q": q,
            "found": found,
            "suggested": suggested,
        },
    )
