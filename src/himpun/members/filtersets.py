import re

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from himpun.core.filtersets import ObjectFilterSet, SubtreeFilter
from himpun.members.choices import EmploymentStatus, Gender, Status, TransferState
from himpun.members.models import Member, MembershipRule, Transfer
from himpun.members.validation import search_name


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
        value = value.strip()
        if not value:
            return queryset
        digits = re.sub(r"\D", "", value)
        if len(digits) >= 9 and len(digits) >= len(value.replace(" ", "")) - 4:
            if len(digits) == 16:
                return queryset.filter(nik=digits)
            national = digits[2:] if digits.startswith("62") else digits.lstrip("0")
            return queryset.filter(Q(phone__endswith=national) | Q(number__icontains=value))
        words = search_name(value).split()
        q = Q(number__iexact=value)
        name_q = Q()
        for word in words:
            name_q &= Q(search_name__contains=word)
        return queryset.filter(q | name_q) if words else queryset.filter(q)


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
