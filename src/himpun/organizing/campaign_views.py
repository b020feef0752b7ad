"""Campaign pages outside the generic screens: recording an activity from the campaign's
"Kegiatan" tab, and the progress of a campaign as an XLSX file (a recorded export)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from himpun.core import exports
from himpun.core.querysets import may
from himpun.core.registry import registry
from himpun.core.views import ObjectDetailView
from himpun.organizing.campaign_screens import CampaignActivityForm, may_record
from himpun.organizing.campaigns import campaign_activity_record, campaign_progress
from himpun.organizing.models import Campaign


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return get_object_or_404(Campaign.objects.restrict(request.user).select_related("unit"), pk=pk)


@login_required
@require_POST
def activity_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an activity; on a refusal the "Kegiatan" tab comes back with the messages and
    the input kept, and nothing is written."""
    campaign = _campaign(request, pk)
    if not may_record(request.user, campaign):
        raise Http404
    form = CampaignActivityForm(request.POST, user=request.user, campaign=campaign)
    if form.is_valid():
        try:
            activity = campaign_activity_record(
                actor=request.user,
                campaign=campaign,
                on=form.cleaned_data["on"],
                kind=form.cleaned_data["kind"],
                count=form.cleaned_data["count"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Kegiatan %(obj)s tercatat.") % {"obj": activity})
            url = registry.for_model(Campaign).url("tab", campaign.pk, tab="kegiatan")
            return HttpResponseRedirect(url)
    # Show the tab again with the bound form (its errors and the user's input).
    request.campaign_activity_form = form  # type: ignore[attr-defined]
    view = ObjectDetailView(screens=registry.for_model(Campaign))
    view.setup(request, pk=pk, tab="kegiatan")
    return view.get(request, pk=pk, tab="kegiatan")


@login_required
@require_GET
def progress_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The "Kemajuan" tab's figures as an XLSX file; recorded like every export."""
    campaign = _campaign(request, pk)
    if not may(request.user, Campaign, "export", campaign.unit.path):
        raise Http404
    headers, rows = campaign_progress(campaign).table()
    exports.export_record(
        user=request.user,
        model="organizing.campaign.progress",
        file_format="xlsx",
        query=f"kampanye={campaign.pk}",
        unit_path=campaign.unit.path,
        row_count=len(rows),
    )
    fh = exports.xlsx_file(headers, rows, _("Kemajuan kampanye"))
    return FileResponse(fh, as_attachment=True, filename=f"kemajuan-kampanye-{campaign.pk}.xlsx")


urlpatterns = [
    path(
        "pengorganisasian/kampanye/<int:pk>/kegiatan/catat/",
        activity_add,
        name="campaign_activity_add",
    ),
    path(
        "pengorganisasian/kampanye/<int:pk>/kemajuan.xlsx",
        progress_export,
        name="campaign_progress_export",
    ),
]
