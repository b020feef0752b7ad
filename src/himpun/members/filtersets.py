import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from himpun.core.filtersets import ObjectFilterSet, SubtreeFilter
from himpun.members.choices import EmploymentStatus, Gender, Status, TransferState
from himpun.members.models import Member, MembershipRule, Transfer
from himpun.members.search import member_search


class MemberFilterSet(ObjectFilterSet):
    """The search box finds a member by name, phone in any format, NIK or member number."""

    within = SubtreeFilter()
    status = django_filters.ChoiceFilter(
        choices=Status.choices, label=_("Status"), empty_label=_("Semua")
    )
    gender = django_filters.ChoiceFilter(
        choices=Gender.choices, label=_("Jenis kelamin"), empty_label=_("Semua")
    )
    employment_status = django_filters.ChoiceFilter(
        choices=EmploymentStatus.choices, label=_("Status kerja"), empty_label=_("Semua")
    )

    class Meta:
        model = Member
        fields = ["status", "gender", "employment_status"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return member_search(queryset, value)


class MembershipRuleFilterSet(ObjectFilterSet):
    search_fields = ("organisation__name", "number_format")

    class Meta:
        model = MembershipRule
        fields: list[str] = []


class TransferFilterSet(ObjectFilterSet):
    search_fields = ("member__full_name", "from_unit__code", "to_unit__code")
    within = SubtreeFilter()
    state = django_filters.ChoiceFilter(
        choices=TransferState.choices, label=_("Keadaan"), empty_label=_("Semua")
    )

    class Meta:
        model = Transfer
        fields = ["state"]
