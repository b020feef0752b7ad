"""Recruitment channels pages: joins by channel and month for a unit, and by channel for the
units below it, as a chart, a table and an XLSX export. Read from the unit counters only
(himpun.organizing.channels)."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from himpun.core import exports
from himpun.core.querysets import has_scope, may, permission_name
from himpun.core.registry import MenuLink, registry
from himpun.core.scoping import SEGMENT, scope_paths
from himpun.members.models import Member
from himpun.organizing.channels import COLOURS, ChannelReport, channel_report
from himpun.structure.models import OrgUnit

#: Years offered in the selector, counting back from this one.
YEARS_BACK = 6


def _report(request: HttpRequest, pk: int) -> ChannelReport:
    unit = get_object_or_404(OrgUnit.objects.restrict(request.user), pk=pk)
    if not may(request.user, Member, "view", unit.path):
        raise Http404
    today = timezone.localdate()
    try:
        year = int(request.GET.get("tahun", today.year))
    except ValueError:
        year = today.year
    year = min(max(year, 1950), today.year)
    return channel_report(user=request.user, unit=unit, year=year)


def channels_home(request: HttpRequest) -> HttpResponse:
    """The menu's entry: the current unit, or the top of the user's reach."""
    if not has_scope(request.user, Member, "view"):
        raise Http404
    unit = getattr(request, "current_unit", None)
    if unit is None or not may(request.user, Member, "view", unit.path):
        if request.user.is_superuser:
            unit = OrgUnit.objects.filter(parent__isnull=True).order_by("path").first()
        else:
            paths = sorted(scope_paths(request.user, permission_name(Member, "view")))
            unit = OrgUnit.objects.filter(path=paths[0]).first() if paths else None
    if unit is None:
        raise Http404
    return redirect("organizing:channels", unit.pk)


def channels(request: HttpRequest, pk: int) -> HttpResponse:
    rep = _report(request, pk)
    unit = rep.unit
    today = timezone.localdate()
    # the unit above, when the user may read it too (its path is this one's minus a segment)
    up = unit.path[:-SEGMENT]
    parent = unit.parent_id if up and may(request.user, Member, "view", up) else None
    totals = rep.channel_totals
    top = max(rep.channels, key=lambda c: totals[c]) if rep.total else None
    return render(
        request,
        "organizing/channels.html",
        {
            "report": rep,
            "unit": unit,
            "year": rep.year,
            "years": list(range(today.year, today.year - YEARS_BACK, -1)),
            "parent": parent,
            "columns": [
                (c, rep.label(c), rep.full_label(c), COLOURS.get(c, "#adb5bd"), totals[c])
                for c in rep.channels
            ],
            "month_rows": [
                (label, [rep.by_month[c][i] for c in rep.channels], rep.month_totals[i])
                for i, label in enumerate(rep.month_labels())
            ],
            "child_rows": [
                (row, [(c, row.by_channel.get(c, 0)) for c in rep.channels]) for row in rep.children
            ],
            "top": top,
            "top_label": rep.full_label(top) if top else "",
            "chart": {"labels": rep.month_labels(), "datasets": rep.datasets()},
            "can_export": may(request.user, Member, "export", unit.path),
        },
    )


def channels_export(request: HttpRequest, pk: int) -> HttpResponse:
    rep = _report(request, pk)
    if not may(request.user, Member, "export", rep.unit.path):
        raise Http404
    headers, rows = rep.table()
    exports.export_record(
        user=request.user,
        model="organizing.channels",
        file_format="xlsx",
        query=f"tahun={rep.year}",
        unit_path=rep.unit.path,
        row_count=len(rows),
    )
    fh = exports.xlsx_file(headers, rows, _("Jalur perekrutan"))
    name = f"jalur-perekrutan-{rep.unit.code}-{rep.year}.xlsx"
    return FileResponse(fh, as_attachment=True, filename=name)


urlpatterns = [
    path("organisasi/jalur/", channels_home, name="channels_home"),
    path("organisasi/jalur/<int:pk>/", channels, name="channels"),
    path("organisasi/jalur/<int:pk>/xlsx/", channels_export, name="channels_export"),
]

# Registered here (this module is imported with the URLs, before any page is drawn).
registry.add_link(
    "organising",
    MenuLink(
        gettext_lazy("Jalur perekrutan"),
        "organizing:channels_home",
        "bi-signpost-split",
        Member,
        "view",
        order=30,
    ),
)
