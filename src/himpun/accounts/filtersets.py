import django_filters
from django.utils.translation import gettext_lazy as _

from himpun.accounts.models import Role, RoleAssignment
from himpun.core.filtersets import ObjectFilterSet, SubtreeFilter


class RoleAssignmentFilterSet(ObjectFilterSet):
    search_fields = ("user__username", "user__first_name", "user__last_name", "unit__name")
    role = django_filters.ModelChoiceFilter(queryset=Role.objects.all(), label=_("Peran"))
    within = SubtreeFilter()

    class Meta:
        model = RoleAssignment
        fields = ["role"]
