"""The target table (Janji Kinerja) of a unit: its result and those of the units directly
below it against their targets for one indicator and period, with monthly progress as a chart
and a table, an XLSX export, and the coordinator's form that sets the children's targets in
one go. Also the unit's "Target" tab (every indicator) and the menu entry that opens it."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import xlsxwriter
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from himpun.core import exports
from himpun.core.querysets import has_scope, may
from himpun.core.scoping import minimal_paths, scope_paths
from himpun.organizing.choices import PeriodKind, TargetMode
from himpun.organizing.models import Target
from himpun.organizing.results import (
    FLOWS,
    Progress,
    Result,
    children_results,
    elapsed_fraction,
    is_percent,
    monthly_progress,
    organisation_indicators,
    period_bounds,
    unit_results,
)
from himpun.organizing.targets import period_targets, targets_set_children
from himpun.structure.models import OrgUnit

#: Bootstrap colours of the statuses.
BADGES = {
    Progress.REACHED: "text-bg-success",
    Progress.ON_TRACK: "text-bg-primary",
    Progress.BEHIND: "text-bg-danger",
    Progress.NOT_STARTED: "text-bg-secondary",
    Progress.NO_TARGET: "text-bg-light border",
}


def today() -> datetime.date:
    """Today in Jakarta (a function, so that tests can fix the date)."""
    return timezone.localdate()


# --- periods ----------------------------------------------------------------------------------


def period_key(kind: str, year: int, number: int) -> str:
    return f"tahun-{year}" if kind == PeriodKind.YEAR else f"{kind}-{year}-{number}"


def period_label(kind: str, year: int, number: int) -> str:
    if kind == PeriodKind.YEAR:
        return _("Tahun %(year)s") % {"year": year}
    if kind == PeriodKind.SEMESTER:
        return _("Semester %(n)s %(year)s") % {"n": number, "year": year}
    return _("Triwulan %(n)s %(year)s") % {"n": number, "year": year}


def parse_period(value: str | None, default_year: int) -> tuple[str, int, int]:
    """ "tahun-2026", "semester-2026-1", "triwulan-2026-3"; the default year when unreadable."""
    parts = (value or "").split("-")
    try:
        kind, year = parts[0], int(parts[1])
        number = int(parts[2]) if kind != PeriodKind.YEAR else 1
        period_bounds(kind, year, number)
    except (IndexError, ValueError, ValidationError):
        return PeriodKind.YEAR, default_year, 1
    return kind, year, number


def period_choices(year: int, current: int) -> list[tuple[str, str]]:
    """The picker: every period of the chosen year, and the other years around now."""
    out = [(period_key(PeriodKind.YEAR, year, 1), period_label(PeriodKind.YEAR, year, 1))]
    for kind, count in ((PeriodKind.SEMESTER, 2), (PeriodKind.QUARTER, 4)):
        out += [
            (period_key(kind, year, n), period_label(kind, year, n)) for n in range(1, count + 1)
        ]
    for y in range(current + 1, current - 4, -1):
        if y != year:
            out.append((period_key(PeriodKind.YEAR, y, 1), period_label(PeriodKind.YEAR, y, 1)))
    return out


# --- reading ----------------------------------------------------------------------------------


def _unit(request: HttpRequest, pk: int, action: str = "view") -> OrgUnit:
    """The unit, if the user sees it and may `action` its targets; else 404."""
    if not request.user.is_authenticated:
        raise Http404
    unit = get_object_or_404(OrgUnit.objects.restrict(request.user), pk=pk)
    if not may(request.user, Target, action, unit.path):
        raise Http404
    return unit


def _choice(request: HttpRequest, unit: OrgUnit) -> dict[str, Any]:
    """Indicator and period asked for in the query string (the first indicator and this
    year by default)."""
    indicators = organisation_indicators(unit)
    if not indicators:
        raise Http404
    wanted = request.GET.get("indikator", "")
    indicator = next((i for i in indicators if str(i.pk) == wanted), indicators[0])
    now = today()
    kind, year, number = parse_period(request.GET.get("periode"), now.year)
    starts_on, ends_on = period_bounds(kind, year, number)
    return {
        "indicators": indicators,
        "indicator": indicator,
        "kind": kind,
        "year": year,
        "number": number,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "period": period_key(kind, year, number),
        "period_label": period_label(kind, year, number),
        "periods": period_choices(year, now.year),
        "today": now,
        "percent_unit": is_percent(indicator),
        "query": f"indikator={indicator.pk}&periode={period_key(kind, year, number)}",
    }


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def table_data(request: HttpRequest, unit: OrgUnit) -> dict[str, Any]:
    """Everything the target table shows: a fixed number of queries whatever the number of
    children (results_for and monthly_progress read counters, not members)."""
    c = _choice(request, unit)
    indicator, starts_on, ends_on = c["indicator"], c["starts_on"], c["ends_on"]
    mine, children = children_results(
        user=request.user,
        unit=unit,
        indicator=indicator,
        starts_on=starts_on,
        ends_on=ends_on,
        today=c["today"],
    )
    rows = [mine, *children]
    child_targets = [r.target for r in children if r.target is not None]
    progress = monthly_progress(
        units=[r.unit for r in rows],
        indicator=indicator,
        starts_on=starts_on,
        ends_on=ends_on,
        today=c["today"],
    )
    months: list[dict[str, Any]] = []
    chart: dict[str, Any] | None = None
    if progress is not None:
        month_starts, series = progress
        labels = [formats.date_format(m, "M Y") for m in month_starts]
        expected = []
        for m in month_starts:
            month_end = (m + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(1)
            fraction = elapsed_fraction(starts_on, ends_on, min(month_end, ends_on))
            expected.append(
                None if mine.target is None else (mine.target * fraction).quantize(Decimal("0.1"))
            )
        for i, label in enumerate(labels):
            months.append(
                {
                    "label": label,
                    "result": series[unit.pk][i],
                    "expected": expected[i],
                    "children": [series[r.unit.pk][i] for r in children],
                }
            )
        chart = {
            "labels": labels,
            "target": _num(mine.target),
            "expected": [_num(e) for e in expected],
            "series": [
                {"label": r.unit.name, "data": [_num(v) for v in series[r.unit.pk]]} for r in rows
            ],
            "names": {
                "target": _("Target"),
                "expected": _("Seharusnya"),
            },
        }
    return {
        **c,
        "unit": unit,
        "mine": mine,
        "children": children,
        "children_target_sum": sum(child_targets, Decimal(0)) if child_targets else None,
        "badges": BADGES,
        "months": months,
        "chart": chart,
        "is_flow": indicator.source in FLOWS,
    }


@login_required
def target_table(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    data = table_data(request, unit)
    ancestors = list(
        OrgUnit.objects.restrict(request.user)
        .filter(path__in=[unit.path[:i] for i in range(8, len(unit.path), 8)])
        .order_by("path")
    )
    return render(
        request,
        "organizing/target_table.html",
        {
            **data,
            "ancestors": ancestors,
            "can_set": may(request.user, Target, "add", unit.path),
            "can_export": may(request.user, Target, "export", unit.path),
        },
    )


def _export_rows(data: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    headers = [
        _("Unit"),
        _("Kode"),
        _("Target"),
        _("Cara menetapkan"),
        _("Hasil"),
        _("% dari target"),
        _("Seharusnya sampai hari ini"),
        _("Perkiraan akhir periode"),
        _("Status"),
    ]
    modes = dict(TargetMode.choices)
    rows = []
    for r in [data["mine"], *data["children"]]:
        rows.append(
            [
                r.unit.name,
                r.unit.code,
                _num(r.target),
                str(modes.get(r.target_mode, "")) if r.target_mode else "",
                _num(r.result),
                _num(r.percent),
                _num(r.expected),
                _num(r.forecast),
                r.status_label,
            ]
        )
    return headers, rows


@login_required
def target_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The table and its months as an XLSX workbook (two sheets), recorded as an export."""
    unit = _unit(request, pk, "export")
    data = table_data(request, unit)
    headers, rows = _export_rows(data)
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(
        buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet(_("Target")[:31])
    title = f"{data['indicator'].name} · {unit.name} · {data['period_label']}"
    sheet.write_row(0, 0, [title], bold)
    sheet.write_row(2, 0, headers, bold)
    for i, row in enumerate(rows, start=3):
        sheet.write_row(i, 0, ["" if v is None else v for v in row])
    sheet.set_column(0, 0, 32)
    sheet.set_column(1, len(headers) - 1, 14)
    if data["months"]:
        per_month = book.add_worksheet(_("Per bulan")[:31])
        names = [_("Bulan"), unit.name, _("Seharusnya"), *[r.unit.name for r in data["children"]]]
        per_month.write_row(0, 0, names, bold)
        for i, m in enumerate(data["months"], start=1):
            values = [m["label"], m["result"], m["expected"], *m["children"]]
            per_month.write_row(i, 0, ["" if v is None else _cell(v) for v in values])
        per_month.set_column(0, len(names) - 1, 16)
    book.close()
    buf.seek(0)
    exports.export_record(
        user=request.user,
        model="organizing.target",
        file_format="xlsx",
        query=data["query"],
        unit_path=unit.path,
        row_count=len(rows),
    )
    name = f"target-{unit.code}-{data['indicator'].code}-{data['period']}.xlsx"
    return FileResponse(buf, as_attachment=True, filename=name)


def _cell(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


# --- setting the children's targets -----------------------------------------------------------


class ChildrenTargetsForm(forms.Form):
    """One number per unit directly below, and how the parent's own target is set."""

    parent_mode = forms.ChoiceField(
        label=gettext_lazy("Target unit ini"),
        choices=TargetMode.choices,
        widget=forms.RadioSelect,
        initial=TargetMode.SUM,
    )
    parent_value = forms.DecimalField(
        label=gettext_lazy("Target sendiri"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
    )

    def __init__(
        self, *args: Any, children: list[OrgUnit], existing: dict[int, Target], percent: bool, **kw
    ) -> None:
        super().__init__(*args, **kw)
        self.children = children
        number_attrs = {
            "class": "form-control form-control-lg text-end",
            "inputmode": "decimal",
            "min": "0",
            "step": "any",
            "placeholder": "—",
        }
        self.fields["parent_value"].widget = forms.NumberInput(attrs=dict(number_attrs))
        for child in children:
            target = existing.get(child.pk)
            field = forms.DecimalField(
                label=child.name,
                required=False,
                min_value=0,
                max_value=100 if percent else None,
                max_digits=14,
                decimal_places=2,
                widget=forms.NumberInput(attrs=dict(number_attrs)),
            )
            if target is not None and target.mode == TargetMode.OWN:
                field.initial = _plain(target.value)
            elif target is not None:
                field.help_text = _("Kini: jumlah target unit di bawahnya.")
            self.fields[f"unit_{child.pk}"] = field
        self.rows = [(child, self[f"unit_{child.pk}"]) for child in children]


def _plain(value: Decimal | None) -> Decimal | None:
    """651.00 → 651 for a form's initial value."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


@login_required
def target_set_children(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit(request, pk, "add")
    c = _choice(request, unit)
    children = list(
        OrgUnit.objects.restrict(request.user)
        .filter(parent=unit, archived_at__isnull=True)
        .order_by("name")
    )
    existing = period_targets(
        units=[unit, *children],
        indicator=c["indicator"],
        starts_on=c["starts_on"],
        ends_on=c["ends_on"],
    )
    mine = existing.get(unit.pk)
    initial = {
        "parent_mode": mine.mode if mine is not None else TargetMode.SUM,
        "parent_value": _plain(mine.value) if mine is not None else None,
    }
    form = ChildrenTargetsForm(
        request.POST or None,
        initial=initial,
        children=children,
        existing=existing,
        percent=c["percent_unit"],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            targets_set_children(
                actor=request.user,
                unit=unit,
                indicator=c["indicator"],
                period_kind=c["kind"],
                year=c["year"],
                number=c["number"],
                values={child.pk: data.get(f"unit_{child.pk}") for child in children},
                parent_mode=data["parent_mode"],
                parent_value=data.get("parent_value"),
            )
        except ValidationError as exc:
            for key, texts in exc.message_dict.items():
                field = {"parent": "parent_value", "__all__": None}.get(key, key)
                form.add_error(field if field in form.fields else None, texts)
        else:
            text = _("Target %(period)s tersimpan.") % {"period": c["period_label"]}
            messages.success(request, text)
            url = reverse("organizing:target_table", args=[unit.pk])
            return HttpResponseRedirect(f"{url}?{c['query']}")
    return render(
        request,
        "organizing/target_set.html",
        {**c, "unit": unit, "form": form, "children": children},
    )


# --- the unit's tab and the menu entry --------------------------------------------------------


def summary_context(request: HttpRequest, unit: OrgUnit) -> dict[str, Any]:
    """All indicators of the unit for the chosen period (the "Target" tab)."""
    now = today()
    kind, year, number = parse_period(request.GET.get("periode"), now.year)
    starts_on, ends_on = period_bounds(kind, year, number)
    results: list[Result] = unit_results(unit=unit, starts_on=starts_on, ends_on=ends_on, today=now)
    return {
        "results": [(r, is_percent(r.indicator)) for r in results],
        "badges": BADGES,
        "period": period_key(kind, year, number),
        "period_label": period_label(kind, year, number),
        "periods": period_choices(year, now.year),
        "can_set": may(request.user, Target, "add", unit.path),
    }


@login_required
def target_home(request: HttpRequest) -> HttpResponse:
    """The menu's "Target & hasil": the Target tab of the unit chosen in the unit switcher,
    else of the highest unit whose targets the user sees."""
    if not has_scope(request.user, Target, "view"):
        raise Http404
    unit = getattr(request, "current_unit", None)
    if unit is None or not may(request.user, Target, "view", unit.path):
        if request.user.is_superuser:
            unit = OrgUnit.objects.filter(parent__isnull=True).order_by("path").first()
        else:
            paths = minimal_paths(scope_paths(request.user, "organizing.view_target"))
            unit = OrgUnit.objects.filter(path__in=paths).order_by("path").first()
    if unit is None:
        raise Http404
    return HttpResponseRedirect(reverse("structure_orgunit_tab", args=[unit.pk, "target"]))


urlpatterns = [
    path("organisasi/target/", target_home, name="target_home"),
    path("organisasi/target/<int:pk>/", target_table, name="target_table"),
    path("organisasi/target/<int:pk>/atur/", target_set_children, name="target_set"),
    path("organisasi/target/<int:pk>/unduh.xlsx", target_export, name="target_export"),
]
