import django_filters
from django.utils.translation import gettext_lazy as _

from himpun.core.filtersets import ObjectFilterSet, SubtreeFilter
from himpun.structure.models import Employer, LevelKind, OrgUnit, Sector, Workplace


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


class WorkplaceFilterSet(ObjectFilterSet):
    search_fields = ("name", "address", "employer__name")
    within = SubtreeFilter()

    class Meta:
        model = Workplace
        fields: list[str] = []
