"""Evaluation pages outside the generic screens: close (freeze the results), add to and move
the follow-up plan, the printable evaluation and the plan as XLSX."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from himpun.core import exports
from himpun.core.querysets import may
from himpun.organizing import evaluations
from himpun.organizing.choices import ActionStatus
from himpun.organizing.evaluation_screens import ActionItemInlineForm, plan_items
from himpun.organizing.models import ActionItem, Evaluation


def _evaluation(request: HttpRequest, pk: int, model: type, action: str) -> Evaluation:
    """The evaluation if the user sees it and may `action` on `model` at its unit, else 404."""
    evaluation = get_object_or_404(
        Evaluation.objects.restrict(request.user).select_related("unit", "sector"), pk=pk
    )
    if not may(request.user, model, action, evaluation.unit.path):
        raise Http404
    return evaluation


def _tab_url(evaluation: Evaluation, tab: str) -> str:
    return reverse("organizing_evaluation_tab", args=[evaluation.pk, tab])


@login_required
@require_POST
def evaluation_close(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _evaluation(request, pk, Evaluation, "change")
    try:
        evaluations.evaluation_close(actor=request.user, evaluation=evaluation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(obj)s ditutup; hasil terhadap target dibekukan.") % {"obj": evaluation},
        )
    return HttpResponseRedirect(_tab_url(evaluation, "hasil"))


@login_required
@require_POST
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _evaluation(request, pk, ActionItem, "add")
    form = ActionItemInlineForm(request.POST)
    if form.is_valid():
        try:
            item = evaluations.action_item_create(
                actor=request.user, evaluation=evaluation, **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(obj)s ditambahkan ke rencana.") % {"obj": item})
            return HttpResponseRedirect(_tab_url(evaluation, "tindak-lanjut") + "#rencana")
    return _with_form(request, evaluation, form)


def _with_form(request: HttpRequest, evaluation: Evaluation, form: ActionItemInlineForm):
    """The plan tab rendered with the submitted form and its errors."""
    from himpun.core.registry import registry
    from himpun.core.views import ObjectDetailView

    view = ObjectDetailView(screens=registry.for_model(Evaluation))
    view.setup(request, pk=evaluation.pk, tab="tindak-lanjut")
    tabs = view.tabs(evaluation)
    tab = next(t for t in tabs if t.slug == "tindak-lanjut")
    ctx = view.base_context(
        object=evaluation,
        tabs=tabs,
        tab=tab,
        can_change=view.can("change", evaluation),
        can_delete=view.can("delete", evaluation),
    )
    ctx.update(tab.context(request, evaluation))
    ctx["action_form"] = form
    return render(request, view.template_name, ctx, status=400)


@login_required
@require_POST
def action_status(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        ActionItem.objects.restrict(request.user, "change").select_related("unit"), pk=pk
    )
    status = request.POST.get("status", "")
    try:
        evaluations.action_item_status(actor=request.user, item=item, status=status)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(obj)s: %(status)s.") % {"obj": item, "status": ActionStatus(status).label},
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = item.get_absolute_url()
    return HttpResponseRedirect(target)


@login_required
def evaluation_print(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _evaluation(request, pk, Evaluation, "view")
    return render(
        request,
        "organizing/evaluation_print.html",
        {
            "evaluation": evaluation,
            "period": evaluations.period_label(evaluation),
            "rows": evaluations.display_rows(evaluations.evaluation_results(evaluation)),
            "items": plan_items(request, evaluation),
            "printed_on": timezone.localdate(),
        },
    )


def plan_table(items: list[ActionItem]) -> tuple[list[str], list[tuple]]:
    headers = [
        _("No."),
        _("Kegiatan"),
        _("Penanggung jawab"),
        _("Tenggat"),
        _("Status"),
        _("Selesai pada"),
        _("Unit"),
        _("Catatan"),
    ]
    rows = [
        (
            i,
            item.title,
            item.owner,
            item.due_on,
            item.get_status_display(),
            item.done_on,
            item.unit.name,
            item.note,
        )
        for i, item in enumerate(items, start=1)
    ]
    return headers, rows


@login_required
def plan_export(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _evaluation(request, pk, ActionItem, "export")
    headers, rows = plan_table(plan_items(request, evaluation))
    exports.export_record(
        user=request.user,
        model="organizing.actionitem",
        file_format="xlsx",
        query=f"evaluasi={evaluation.pk}",
        unit_path=evaluation.unit.path,
        row_count=len(rows),
    )
    fh = exports.xlsx_file(headers, rows, _("Rencana tindak lanjut"))
    name = f"rencana-tindak-lanjut-{evaluation.unit.code}-{evaluation.pk}.xlsx"
    return FileResponse(fh, as_attachment=True, filename=name)


urlpatterns = [
    path("pengorganisasian/evaluasi/<int:pk>/tutup/", evaluation_close, name="evaluation_close"),
    path("pengorganisasian/evaluasi/<int:pk>/cetak/", evaluation_print, name="evaluation_print"),
    path(
        "pengorganisasian/evaluasi/<int:pk>/rencana.xlsx", plan_export, name="evaluation_plan_xlsx"
    ),
    path(
        "pengorganisasian/evaluasi/<int:pk>/rencana/tambah/",
        action_add,
        name="evaluation_action_add",
    ),
    path("pengorganisasian/tindak-lanjut/<int:pk>/status/", action_status, name="action_status"),
]
