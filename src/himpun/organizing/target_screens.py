"""Screens for indicators (organisation-wide Janji Kinerja), targets and manual results;
the unit's "Target" tab and the menu link to it. Targets and manual results are written
through organizing.targets."""

from __future__ import annotations

from typing import Any

import django_filters
import django_tables2 as tables
from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from himpun.core.filtersets import ObjectFilterSet, SubtreeFilter
from himpun.core.forms import ScopedModelForm
from himpun.core.querysets import may
from himpun.core.registry import MenuLink, ModelScreens, Tab, registry
from himpun.core.tables import LinkColumn, ObjectTable
from himpun.organizing.choices import PeriodKind, Source
from himpun.organizing.models import Indicator, ManualResult, Target
from himpun.organizing.targets import indicator_update, manual_result_record, target_save
from himpun.structure.filtersets import OrganisationConfigFilterSet
from himpun.structure.models import OrgUnit

# --- filters ----------------------------------------------------------------------------------


class IndicatorFilterSet(OrganisationConfigFilterSet):
    source = django_filters.ChoiceFilter(choices=Source.choices, label=_("Sumber hasil"))

    class Meta:
        model = Indicator
        fields = ["organisation", "source"]


class TargetFilterSet(ObjectFilterSet):
    search_fields = ("note", "unit__name", "unit__code", "indicator__name")
    indicator = django_filters.ModelChoiceFilter(
        queryset=Indicator.objects.filter(archived_at__isnull=True), label=_("Indikator")
    )
    period_kind = django_filters.ChoiceFilter(choices=PeriodKind.choices, label=_("Jenis periode"))
    year = django_filters.NumberFilter(label=_("Tahun"))
    within = SubtreeFilter()

    class Meta:
        model = Target
        fields = ["indicator", "period_kind", "year"]


class ManualResultFilterSet(ObjectFilterSet):
    search_fields = ("note", "unit__name", "indicator__name")
    indicator = django_filters.ModelChoiceFilter(
        queryset=Indicator.objects.filter(source=Source.MANUAL), label=_("Indikator")
    )
    within = SubtreeFilter()

    class Meta:
        model = ManualResult
        fields = ["indicator"]


# --- tables -----------------------------------------------------------------------------------


class IndicatorTable(ObjectTable):
    name = LinkColumn(verbose_name=_("Nama"))
    code = tables.Column(verbose_name=_("Kode"))
    source = tables.Column(verbose_name=_("Sumber hasil"))
    organisation = tables.Column(verbose_name=_("Organisasi"))
    order = tables.Column(verbose_name=_("Urutan"))

    class Meta(ObjectTable.Meta):
        model = Indicator
        fields = ("select", "name", "code", "source", "organisation", "order")


class TargetTable(ObjectTable):
    indicator = LinkColumn(verbose_name=_("Indikator"), order_by=("indicator__name",))
    unit = tables.Column(verbose_name=_("Unit"), order_by=("unit__name",))
    period = tables.Column(
        verbose_name=_("Periode"), accessor="period_label", order_by=("starts_on",)
    )
    mode = tables.Column(verbose_name=_("Cara"))
    value = tables.Column(verbose_name=_("Target"), attrs={"td": {"class": "text-end"}})
    note = tables.Column(verbose_name=_("Catatan"))

    class Meta(ObjectTable.Meta):
        model = Target
        fields = ("select", "indicator", "unit", "period", "mode", "value", "note")

    def render_value(self, value: Any, record: Target) -> str:
        from django.utils.formats import number_format

        return number_format(value.normalize() if value == value.to_integral() else value)


class ManualResultTable(ObjectTable):
    on = LinkColumn(verbose_name=_("Tanggal"))
    indicator = tables.Column(verbose_name=_("Indikator"), order_by=("indicator__name",))
    unit = tables.Column(verbose_name=_("Unit"), order_by=("unit__name",))
    value = tables.Column(verbose_name=_("Hasil"), attrs={"td": {"class": "text-end"}})
    note = tables.Column(verbose_name=_("Catatan"))
    entered_by = tables.Column(verbose_name=_("Diisi oleh"))

    class Meta(ObjectTable.Meta):
        model = ManualResult
        fields = ("select", "on", "indicator", "unit", "value", "note", "entered_by")


# --- forms ------------------------------------------------------------------------------------


class IndicatorForm(ScopedModelForm):
    class Meta:
        model = Indicator
        fields = ["organisation", "name", "code", "source", "description", "order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = OrgUnit.objects.restrict(self.user, "view").filter(
            parent__isnull=True
        )


class TargetForm(ScopedModelForm):
    class Meta:
        model = Target
        fields = ["unit", "indicator", "period_kind", "year", "number", "mode", "value", "note"]
        widgets = {
            "value": forms.NumberInput(attrs={"inputmode": "decimal", "min": "0", "step": "any"})
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["value"].help_text = _(
            "Kosongkan bila targetnya jumlah target unit di bawahnya."
        )
        self.fields["year"].widget.attrs.setdefault("inputmode", "numeric")


class ManualResultForm(ScopedModelForm):
    class Meta:
        model = ManualResult
        fields = ["unit", "indicator", "on", "value", "note"]
        widgets = {
            "on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "value": forms.NumberInput(attrs={"inputmode": "decimal", "min": "0", "step": "any"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["indicator"]
        field.queryset = field.queryset.filter(source=Source.MANUAL)  # type: ignore[attr-defined]


# --- declarations -----------------------------------------------------------------------------


@registry.register
class IndicatorScreens(ModelScreens):
    model = Indicator
    path = "organisasi/indikator"
    filterset_class = IndicatorFilterSet
    table_class = IndicatorTable
    form_class = IndicatorForm
    export_fields = ("organisation__code", "name", "code", "source", "description", "order")
    detail_fields = ("organisation", "name", "code", "source", "description", "order")
    select_related = ("organisation",)
    menu_group = "pengaturan"
    icon = "bi-speedometer2"

    def update(self, *, request: HttpRequest, form: Any, expected_version: int) -> Indicator:
        return indicator_update(
            actor=request.user,
            indicator=form.save(commit=False),
            expected_version=expected_version,
        )


@registry.register
class TargetScreens(ModelScreens):
    model = Target
    path = "organisasi/daftar-target"
    filterset_class = TargetFilterSet
    table_class = TargetTable
    form_class = TargetForm
    export_fields = (
        "unit__code",
        "unit__name",
        "indicator__code",
        "period_kind",
        "year",
        "number",
        "starts_on",
        "ends_on",
        "mode",
        "value",
        "note",
    )
    detail_fields = (
        "unit",
        "indicator",
        "period_kind",
        "year",
        "number",
        "starts_on",
        "ends_on",
        "mode",
        "value",
        "note",
    )
    select_related = ("indicator", "unit")
    menu_group = "organising"
    icon = "bi-bullseye"

    def create(self, *, request: HttpRequest, form: Any, batch: Any = None) -> Target:
        return target_save(actor=request.user, target=form.save(commit=False))

    def update(self, *, request: HttpRequest, form: Any, expected_version: int) -> Target:
        return target_save(
            actor=request.user, target=form.save(commit=False), expected_version=expected_version
        )


@registry.register
class ManualResultScreens(ModelScreens):
    model = ManualResult
    path = "organisasi/hasil-manual"
    filterset_class = ManualResultFilterSet
    table_class = ManualResultTable
    form_class = ManualResultForm
    export_fields = ("unit__code", "unit__name", "indicator__code", "on", "value", "note")
    detail_fields = ("unit", "indicator", "on", "value", "note", "entered_by")
    select_related = ("indicator", "unit", "entered_by")
    menu_group = "organising"
    icon = "bi-pencil-square"

    def create(self, *, request: HttpRequest, form: Any, batch: Any = None) -> ManualResult:
        data = form.cleaned_data
        return manual_result_record(
            actor=request.user,
            unit=data["unit"],
            indicator=data["indicator"],
            on=data["on"],
            value=data["value"],
            note=data.get("note", ""),
        )


# --- the unit's tab and the menu --------------------------------------------------------------


def _summary_context(request: HttpRequest, unit: OrgUnit) -> dict[str, Any]:
    from himpun.organizing.target_views import summary_context

    return summary_context(request, unit)


registry.add_tab(
    OrgUnit,
    Tab(
        "target",
        _("Target"),
        "organizing/target_tab.html",
        order=40,
        context=_summary_context,
        visible=lambda request, unit: may(request.user, Target, "view", unit.path),
    ),
)
registry.add_link(
    "organising",
    MenuLink(_("Target & hasil"), "organizing:target_home", "bi-graph-up-arrow", Target, order=5),
)
