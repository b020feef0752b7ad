"""Density by workplace for a unit's subtree: every workplace with its headcount, active
members, density and PKB standing, sorted by density; a bar chart with the 10% and 50% lines,
its table, and an XLSX export recorded like every export."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from himpun.core import exports
from himpun.core.querysets import has_scope, may
from himpun.core.scoping import scope_paths, subtree_q
from himpun.core.views import lazy_page
from himpun.members.choices import Status
from himpun.structure.bargaining import ALERT_DAYS, bargaining_status, pkb_state
from himpun.structure.filtersets import pkb_ended_before, pkb_ends_between
from himpun.structure.models import OrgUnit, Workplace

PER_PAGE = 50
SORTS = {
    "tertinggi": (F("permille").desc(nulls_last=True), "name", "pk"),
    "terendah": (F("permille").asc(nulls_last=True), "name", "pk"),
    "nama": ("name", "pk"),
}


def _unit(request: HttpRequest, pk: int, action: str = "view") -> OrgUnit:
    unit = get_object_or_404(OrgUnit.objects.restrict(request.user), pk=pk)
    if not may(request.user, Workplace, action, unit.path):
        raise Http404
    return unit


def subtree_workplaces(user: Any, unit: OrgUnit) -> QuerySet:
    """The workplaces of `unit`'s subtree the user may see, not archived."""
    return Workplace.objects.restrict(user).filter(
        subtree_q("unit__path", unit.path), archived_at__isnull=True
    )


def with_density(qs: QuerySet) -> QuerySet:
    """Each workplace with `active` (its active members, one GROUP BY for all rows) and
    `permille` (members per 1,000 workers, rounded down; NULL without a headcount), so the
    database sorts by density and pages without counting."""
    return qs.annotate(
        active=Count(
            "members",
            filter=Q(members__status=Status.ACTIVE, members__archived_at__isnull=True),
        )
    ).annotate(
        permille=Case(
            When(headcount__gt=0, then=F("active") * 1000 / F("headcount")),
            default=None,
            output_field=IntegerField(),
        )
    )


def _row(w: Workplace, today: datetime.date) -> dict[str, Any]:
    return {
        "workplace": w,
        "status": bargaining_status(
            members=w.active, headcount=w.headcount, unions_present=w.unions_present
        ),
        "pkb": pkb_state(w.pkb_signed_on, w.pkb_expires_on, today),
    }


def unit_summary(user: Any, unit: OrgUnit) -> dict[str, Any]:
    """Counts for the unit's cards and the PKBs that end within 90 days (at most 20), in
    two queries that never touch members."""
    today = timezone.localdate()
    soon = pkb_ends_between(today, today + datetime.timedelta(days=ALERT_DAYS))
    qs = subtree_workplaces(user, unit)
    totals = qs.aggregate(
        total=Count("pk"),
        no_headcount=Count("pk", filter=Q(headcount__isnull=True) | Q(headcount=0)),
        ending=Count("pk", filter=soon),
        ended=Count("pk", filter=pkb_ended_before(today)),
    )
    ending = [
        {"workplace": w, "pkb": pkb_state(w.pkb_signed_on, w.pkb_expires_on, today)}
        for w in qs.filter(soon)
        .select_related("employer")
        .order_by("pkb_expires_on", "pkb_signed_on", "name")[:20]
    ]
    return {"unit": unit, "totals": totals, "ending": ending, "today": today}


def density_home(request: HttpRequest) -> HttpResponse:
    """The menu's entry: the active unit's page, or the user's only top unit's, else a choice."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not has_scope(request.user, Workplace, "view"):
        raise Http404
    current = getattr(request, "current_unit", None)
    if current is not None and may(request.user, Workplace, "view", current.path):
        return HttpResponseRedirect(reverse("structure:density", args=[current.pk]))
    if request.user.is_superuser:
        roots = OrgUnit.objects.filter(parent__isnull=True)
    else:
        roots = OrgUnit.objects.filter(
            path__in=scope_paths(request.user, "structure.view_workplace")
        )
    roots = list(roots.filter(archived_at__isnull=True).order_by("name")[:50])
    if len(roots) == 1:
        return HttpResponseRedirect(reverse("structure:density", args=[roots[0].pk]))
    return render(request, "structure/density_home.html", {"roots": roots})


def density(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    unit = _unit(request, pk)
    sort = request.GET.get("urut", "tertinggi")
    if sort not in SORTS:
        sort = "tertinggi"
    today = timezone.localdate()
    qs = with_density(subtree_workplaces(request.user, unit)).select_related("employer", "unit")
    # No COUNT: at the top of a confederation the subtree holds many thousands of workplaces.
    page = lazy_page(qs.order_by(*SORTS[sort]), PER_PAGE, request.GET.get("halaman"))
    rows = [_row(w, today) for w in page.object_list]
    chart = {
        "labels": [r["workplace"].name for r in rows],
        "values": [
            float(r["status"].density) if r["status"].density is not None else None for r in rows
        ],
        "tones": [r["status"].tone for r in rows],
    }
    return render(
        request,
        "structure/density.html",
        {
            **unit_summary(request.user, unit),
            "page": page,
            "rows": rows,
            "chart": chart,
            "sort": sort,
            "can_export": may(request.user, Workplace, "export", unit.path),
        },
    )


HEADERS = (
    gettext_lazy("Nama lokasi"),
    gettext_lazy("Perusahaan"),
    gettext_lazy("Kode unit"),
    gettext_lazy("Jumlah pekerja"),
    gettext_lazy("Jumlah serikat"),
    gettext_lazy("Anggota aktif"),
    gettext_lazy("Kepadatan (%)"),
    gettext_lazy("Status PKB"),
    gettext_lazy("PKB ditandatangani"),
    gettext_lazy("PKB berakhir"),
    gettext_lazy("Keadaan PKB"),
)


def density_export(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    unit = _unit(request, pk, "export")
    today = timezone.localdate()
    qs = (
        with_density(subtree_workplaces(request.user, unit))
        .select_related("employer", "unit")
        .order_by(*SORTS["tertinggi"])
    )
    count = qs.count()
    exports.export_record(
        user=request.user,
        model="structure.workplace-density",
        file_format="xlsx",
        query="",
        unit_path=unit.path,
        row_count=count,
    )

    def rows() -> Any:
        for w in qs.iterator(chunk_size=exports.CHUNK):
            r = _row(w, today)
            st, pkb = r["status"], r["pkb"]
            yield (
                w.name,
                w.employer.name,
                w.unit.code,
                w.headcount,
                w.unions_present,
                st.members,
                float(st.density) if st.density is not None else None,
                st.label,
                w.pkb_signed_on,
                pkb.expires_on,
                pkb.label,
            )

    headers = [str(h) for h in HEADERS]
    fh = exports.xlsx_file(headers, rows(), _("Kepadatan tempat kerja"))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(fh, as_attachment=True, filename=f"kepadatan-{unit.code}-{stamp}.xlsx")
