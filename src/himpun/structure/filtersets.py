import datetime

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himpun.core.filtersets import ObjectFilterSet, SubtreeFilter
from himpun.structure.bargaining import ALERT_DAYS, PKB_YEARS, add_years
from himpun.structure.models import (
    Employer,
    LevelKind,
    OrgUnit,
    Sector,
    Workplace,
    WorkplaceSection,
)


class OrgUnitFilterSet(ObjectFilterSet):
    search_fields = ("name", "code", "registration_number")
    kind = django_filters.ModelChoiceFilter(queryset=LevelKind.objects.all(), label=_("Jenis"))
    sector = django_filters.ModelChoiceFilter(queryset=Sector.objects.all(), label=_("Sektor"))
    within = SubtreeFilter()

    class Meta:
        model = OrgUnit
        fields = ["kind", "sector"]


class OrganisationConfigFilterSet(ObjectFilterSet):
    search_fields = ("name", "code")
    organisation = django_filters.ModelChoiceFilter(
        queryset=OrgUnit.objects.filter(parent__isnull=True), label=_("Organisasi")
    )


class LevelKindFilterSet(OrganisationConfigFilterSet):
    class Meta:
        model = LevelKind
        fields = ["organisation"]


class SectorFilterSet(OrganisationConfigFilterSet):
    class Meta:
        model = Sector
        fields = ["organisation"]


class EmployerFilterSet(ObjectFilterSet):
    search_fields = ("name", "address")
    within = SubtreeFilter()
    sector = django_filters.ModelChoiceFilter(queryset=Sector.objects.all(), label=_("Sektor"))

    class Meta:
        model = Employer
        fields = ["sector"]


def pkb_ends_between(start: datetime.date, end: datetime.date) -> Q:
    """Workplaces whose PKB's last day lies in [start, end]; a PKB with only a signing date
    runs 2 years (as `bargaining.pkb_state` reads it)."""
    return Q(pkb_expires_on__range=(start, end)) | Q(
        pkb_expires_on__isnull=True,
        pkb_signed_on__range=(add_years(start, -PKB_YEARS), add_years(end, -PKB_YEARS)),
    )


def pkb_ended_before(day: datetime.date) -> Q:
    return Q(pkb_expires_on__lt=day) | Q(
        pkb_expires_on__isnull=True, pkb_signed_on__lt=add_years(day, -PKB_YEARS)
    )


class WorkplaceFilterSet(ObjectFilterSet):
    search_fields = ("name", "address", "employer__name")
    within = SubtreeFilter()
    pkb = django_filters.ChoiceFilter(
        label=_("PKB"),
        method="filter_pkb",
        choices=(
            ("segera", _("PKB berakhir dalam 90 hari")),
            ("berakhir", _("PKB sudah berakhir")),
            ("tidak-ada", _("Belum ada PKB")),
        ),
        empty_label=_("Semua"),
    )

    class Meta:
        model = Workplace
        fields: list[str] = []

    def filter_pkb(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        today = timezone.localdate()
        if value == "segera":
            return queryset.filter(
                pkb_ends_between(today, today + datetime.timedelta(days=ALERT_DAYS))
            )
        if value == "berakhir":
            return queryset.filter(pkb_ended_before(today))
        if value == "tidak-ada":
            return queryset.filter(pkb_expires_on__isnull=True, pkb_signed_on__isnull=True)
        return queryset


class WorkplaceSectionFilterSet(ObjectFilterSet):
    search_fields = ("department", "shift", "workplace__name")
    within = SubtreeFilter()
    # a number, not a list of every workplace in a confederation
    workplace = django_filters.NumberFilter(
        field_name="workplace_id", label=_("Nomor tempat kerja")
    )

    class Meta:
        model = WorkplaceSection
        fields: list[str] = []
