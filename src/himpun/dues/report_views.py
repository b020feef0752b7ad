"""The dues report of a unit: collection per month for it and the units below it, what each
still owes upward and is owed from below; as a page with a chart, XLSX and PDF."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from himpun.core import exports
from himpun.core.querysets import may
from himpun.core.views import lazy_page
from himpun.dues.models import Entry
from himpun.dues.reports import collection_report, report_pdf, report_table, year_months
from himpun.structure.models import OrgUnit


def _report(request: HttpRequest, pk: int):
    unit = get_object_or_404(OrgUnit.objects.restrict(request.user), pk=pk)
    if not may(request.user, Entry, "view", unit.path):
        raise Http404
    today = timezone.localdate()
    try:
        year = int(request.GET.get("tahun", today.year))
    except ValueError:
        year = today.year
    year = min(max(year, 2000), today.year)
    return collection_report(user=request.user, unit=unit, months=year_months(year, today)), year


def report(request: HttpRequest, pk: int) -> HttpResponse:
    rep, year = _report(request, pk)
    today = timezone.localdate()
    return render(
        request,
        "dues/report.html",
        {
            "report": rep,
            "unit": rep.unit,
            "year": year,
            "years": list(range(today.year, today.year - 5, -1)),
            "labels": rep.month_labels(),
            "rates": [r if r is not None else 0 for r in rep.total.rates],
            "month_rows": list(
                zip(
                    rep.month_labels(),
                    rep.total.paid,
                    rep.total.rates,
                    rep.total.amount,
                    strict=True,
                )
            ),
            "year_amount": sum(rep.total.amount),
            "can_export": may(request.user, Entry, "export", rep.unit.path),
        },
    )


def report_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    rep, year = _report(request, pk)
    if not may(request.user, Entry, "export", rep.unit.path):
        raise Http404
    headers, rows = report_table(rep)
    exports.export_record(
        user=request.user,
        model="dues.report",
        file_format=fmt,
        query=f"tahun={year}",
        unit_path=rep.unit.path,
        row_count=len(rows),
    )
    name = f"laporan-iuran-{rep.unit.code}-{year}"
    if fmt == "xlsx":
        fh = exports.xlsx_file(headers, rows, _("Laporan iuran"))
        return FileResponse(fh, as_attachment=True, filename=f"{name}.xlsx")
    response = HttpResponse(report_pdf(rep), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


def reminders(request: HttpRequest, pk: int) -> HttpResponse:
    """Members of the unit's subtree who owe dues, most months first, with a WhatsApp
    click-to-chat link carrying a polite reminder; printable as a list for the notice board
    or a round of visits."""
    from urllib.parse import quote

    from himpun.core.scoping import subtree_q
    from himpun.dues.models import MemberDues
    from himpun.members.models import Member

    unit = get_object_or_404(OrgUnit.objects.restrict(request.user), pk=pk)
    if not may(request.user, Entry, "view", unit.path):
        raise Http404
    members = Member.objects.restrict(request.user).filter(subtree_q("unit__path", unit.path))
    owing = (
        MemberDues.objects.filter(
            member__in=members.filter(archived_at__isnull=True, status__in=("aktif", "nonaktif")),
            # owing whole months: the first unpaid month is before this one
            unpaid_from__lt=timezone.localdate().replace(day=1),
        )
        .select_related("member", "member__unit")
        .order_by("unpaid_from", "member__search_name", "member_id")
    )
    # No count: at the root of a confederation it would scan millions of rows (see the lists).
    page = lazy_page(owing, 100, request.GET.get("halaman"))
    rows = []
    for d in page.object_list:
        m = d.member
        text = _(
            "Salam solidaritas, %(name)s. Menurut catatan %(unit)s, iuran Anda belum dibayar "
            "%(months)s bulan. Terima kasih."
        ) % {"name": m.full_name, "unit": m.unit.name, "months": d.months_owed}
        wa = f"https://wa.me/{m.phone.lstrip('+')}?text={quote(text)}" if m.phone else ""
        rows.append({"member": m, "dues": d, "wa": wa})
    return render(
        request,
        "dues/reminders.html",
        {"unit": unit, "page": page, "rows": rows, "today": timezone.localdate()},
    )
