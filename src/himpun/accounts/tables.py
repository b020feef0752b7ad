import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from himpun.accounts.models import RoleAssignment
from himpun.core.tables import LinkColumn, ObjectTable


class RoleAssignmentTable(ObjectTable):
    user = LinkColumn(verbose_name=_("Pengguna"), order_by=("user__username",))
    role = tables.Column(verbose_name=_("Peran"))
    unit = tables.Column(verbose_name=_("Unit"), order_by=("unit__path",))

    class Meta(ObjectTable.Meta):
        model = RoleAssignment
        fields = ("select", "user", "role", "unit")
