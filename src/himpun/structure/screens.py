"""Screen declarations and detail tabs for the structure models."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himpun.core.querysets import may
from himpun.core.registry import MenuLink, ModelScreens, Tab, registry
from himpun.core.views import warn
from himpun.structure import bargaining, filtersets, forms, tables
from himpun.structure.models import (
    Employer,
    LevelKind,
    OrgUnit,
    Sector,
    Workplace,
    WorkplaceSection,
)
from himpun.structure.selectors import unit_access, unit_ancestors, unit_children
from himpun.structure.services import unit_create


@registry.register
class OrgUnitScreens(ModelScreens):
    model = OrgUnit
    path = "struktur/unit"
    filterset_class = filtersets.OrgUnitFilterSet
    table_class = tables.OrgUnitTable
    form_class = forms.OrgUnitForm
    import_form_class = forms.OrgUnitImportForm
    import_fields = ("parent", "kind", "code", "name", "region_code", "registration_number")
    export_fields = (
        "code",
        "name",
        "kind__name",
        "parent__code",
        "parent__name",
        "sector__name",
        "region_code",
        "registration_number",
        "archived_at",
    )
    detail_fields = (
        "name",
        "code",
        "kind",
        "parent",
        "organisation",
        "sector",
        "employer",
        "workplace",
        "registration_number",
    )
    select_related = ("kind", "parent", "sector")
    menu_group = "struktur"
    icon = "bi-diagram-3"

    def create(self, *, request: HttpRequest, form: Any, batch: Any = None) -> OrgUnit:
        data = dict(form.cleaned_data)
        return unit_create(
            actor=request.user,
            parent=data.pop("parent"),
            kind=data.pop("kind"),
            code=data.pop("code"),
            name=data.pop("name"),
            batch=batch,
            **{k: v for k, v in data.items() if k in form._meta.fields},
        )


@registry.register
class LevelKindScreens(ModelScreens):
    model = LevelKind
    path = "struktur/jenis"
    filterset_class = filtersets.LevelKindFilterSet
    table_class = tables.LevelKindTable
    form_class = forms.LevelKindForm
    import_form_class = forms.LevelKindImportForm
    import_fields = ("organisation", "name", "code", "order")
    export_fields = ("organisation__code", "name", "code", "order", "is_community")
    detail_fields = ("organisation", "name", "code", "order", "is_community")
    select_related = ("organisation",)
    menu_group = "pengaturan"
    icon = "bi-layers"

    def create(self, *, request: HttpRequest, form: Any, batch: Any = None) -> LevelKind:
        obj = super().create(request=request, form=form, batch=batch)
        form.save_m2m()
        return obj

    def update(self, *, request: HttpRequest, form: Any, expected_version: int) -> LevelKind:
        obj = super().update(request=request, form=form, expected_version=expected_version)
        form.save_m2m()
        return obj


@registry.register
class SectorScreens(ModelScreens):
    model = Sector
    path = "struktur/sektor"
    filterset_class = filtersets.SectorFilterSet
    table_class = tables.SectorTable
    form_class = forms.SectorForm
    import_form_class = forms.SectorImportForm
    import_fields = ("organisation", "name", "code")
    export_fields = ("organisation__code", "name", "code")
    detail_fields = ("organisation", "name", "code")
    select_related = ("organisation",)
    menu_group = "pengaturan"
    icon = "bi-tags"


@registry.register
class EmployerScreens(ModelScreens):
    model = Employer
    path = "struktur/perusahaan"
    filterset_class = filtersets.EmployerFilterSet
    table_class = tables.EmployerTable
    form_class = forms.EmployerForm
    import_form_class = forms.EmployerImportForm
    importer = "employers"
    import_fields = ("unit", "name", "region_code", "address")
    export_fields = ("name", "sector__name", "region_code", "address", "unit__code")
    detail_fields = ("name", "sector", "region_code", "address", "unit")
    select_related = ("sector", "unit")
    menu_group = "struktur"
    icon = "bi-building"


@registry.register
class WorkplaceScreens(ModelScreens):
    model = Workplace
    importer = "workplaces"
    path = "struktur/tempat-kerja"
    filterset_class = filtersets.WorkplaceFilterSet
    table_class = tables.WorkplaceTable
    form_class = forms.WorkplaceForm
    export_fields = (
        "name",
        "employer__name",
        "region_code",
        "address",
        "headcount",
        "unions_present",
        "pkb_signed_on",
        "pkb_expires_on",
        "unit__code",
    )
    detail_fields = (
        "name",
        "employer",
        "region_code",
        "address",
        "headcount",
        "unions_present",
        "pkb_signed_on",
        "pkb_expires_on",
        "unit",
    )
    select_related = ("employer", "unit")
    menu_group = "struktur"
    icon = "bi-geo-alt"

    def update(self, *, request: HttpRequest, form: Any, expected_version: int) -> Workplace:
        obj = super().update(request=request, form=form, expected_version=expected_version)
        warn(request, form)  # the generic edit view shows only the create form's warnings
        return obj


@registry.register
class WorkplaceSectionScreens(ModelScreens):
    """Departments and shifts of a workplace; reached from the workplace's "PKB & kepadatan"
    tab, so no menu entry of its own."""

    model = WorkplaceSection
    path = "struktur/bagian-tempat-kerja"
    filterset_class = filtersets.WorkplaceSectionFilterSet
    table_class = tables.WorkplaceSectionTable
    form_class = forms.WorkplaceSectionForm
    import_form_class = forms.WorkplaceSectionImportForm
    import_fields = ("workplace", "department", "shift", "headcount")
    export_fields = (
        "workplace_id",
        "workplace__name",
        "department",
        "shift",
        "headcount",
        "workplace__unit__code",
    )
    detail_fields = ("workplace", "department", "shift", "headcount")
    select_related = ("workplace",)
    menu_group = ""  # no menu entry: sections are opened from their workplace
    icon = "bi-grid-3x3"

    def update(self, *, request: HttpRequest, form: Any, expected_version: int) -> WorkplaceSection:
        obj = super().update(request=request, form=form, expected_version=expected_version)
        warn(request, form)
        return obj


def _workplace_bargaining(request: HttpRequest, workplace: Workplace) -> dict[str, Any]:
    sections = list(workplace.sections.all())
    members = bargaining.active_members_by_workplace([workplace.pk]).get(workplace.pk, 0)
    return {
        "status": bargaining.bargaining_status(
            members=members,
            headcount=workplace.headcount,
            unions_present=workplace.unions_present,
        ),
        "pkb": bargaining.pkb_state(
            workplace.pkb_signed_on, workplace.pkb_expires_on, timezone.localdate()
        ),
        "section_rows": bargaining.members_by_section(workplace.pk, sections),
        "can_add_section": may(request.user, WorkplaceSection, "add", workplace.unit.path),
        "can_change_section": may(request.user, WorkplaceSection, "change", workplace.unit.path),
        "unit": workplace.unit,
    }


registry.add_tab(
    Workplace,
    Tab(
        "kepadatan",
        _("PKB & kepadatan"),
        "structure/tabs/workplace_bargaining.html",
        order=5,
        context=_workplace_bargaining,
    ),
)


def _unit_workplaces(request: HttpRequest, unit: OrgUnit) -> dict[str, Any]:
    from himpun.structure.density_views import unit_summary

    return unit_summary(request.user, unit)


registry.add_tab(
    OrgUnit,
    Tab(
        "tempat-kerja",
        _("Tempat kerja"),
        "structure/tabs/unit_workplaces.html",
        order=15,
        context=_unit_workplaces,
        visible=lambda request, unit: may(request.user, Workplace, "view", unit.path),
    ),
)
registry.add_link(
    "organising",
    MenuLink(
        _("Kepadatan tempat kerja"), "structure:density_home", "bi-bar-chart-steps", Workplace
    ),
)


def _unit_overview(request: HttpRequest, unit: OrgUnit) -> dict[str, Any]:
    return {
        "ancestors": unit_ancestors(unit),
        "children": unit_children(request.user, unit),
    }


registry.add_tab(
    OrgUnit,
    Tab(
        "sub-unit", _("Sub-unit"), "structure/tabs/children.html", order=10, context=_unit_overview
    ),
)
registry.add_tab(
    OrgUnit,
    Tab(
        "akses",
        _("Akses"),
        "structure/tabs/access.html",
        order=20,
        context=lambda request, unit: {"access": unit_access(unit)},
    ),
)
