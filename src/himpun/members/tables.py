from typing import Any

import django_tables2 as tables
from django.db.models import CharField, F, Value
from django.db.models.functions import Concat
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from himpun.core.tables import LinkColumn, ObjectTable
from himpun.core.templatetags.himpun import phone_id
from himpun.members.models import Member, MembershipRule, Transfer


def unindexed(field: str) -> Concat:
    """The same order as `field`, but not one an index can give: with it PostgreSQL reads the
    rows of a small scope and sorts them, instead of walking the table-wide index in order
    and throwing away the rows of every other region (see MemberScreens.table_kwargs)."""
    return Concat(F(field), Value(""), output_field=CharField())


class MemberTable(ObjectTable):
    full_name = LinkColumn(verbose_name=_("Nama"), order_by=("search_name",))
    number = tables.Column(verbose_name=_("Nomor"))
    unit = tables.Column(verbose_name=_("Unit"), order_by=("unit__name",))
    status = tables.Column(verbose_name=_("Status"))
    phone = tables.Column(verbose_name=_("HP"), orderable=False)

    class Meta(ObjectTable.Meta):
        model = Member
        fields = ("select", "full_name", "number", "unit", "status", "phone")

    def __init__(self, *args: Any, filter_first: bool = False, **kwargs: Any) -> None:
        self.filter_first = filter_first
        super().__init__(*args, **kwargs)

    def _order(self, queryset: Any, field: str, descending: bool) -> tuple[Any, bool]:
        key = unindexed(field) if self.filter_first else F(field)
        key = key.desc() if descending else key.asc()
        # the id breaks ties, so paging through equal names neither repeats nor skips
        return queryset.order_by(key, "-pk" if descending else "pk"), True

    def order_full_name(self, queryset: Any, is_descending: bool) -> tuple[Any, bool]:
        return self._order(queryset, "search_name", is_descending)

    def order_number(self, queryset: Any, is_descending: bool) -> tuple[Any, bool]:
        return self._order(queryset, "number", is_descending)

    def render_phone(self, value):
        return format_html('<span class="text-nowrap">{}</span>', phone_id(value))

    def render_status(self, value, record):
        css = {"aktif": "success", "calon": "info", "nonaktif": "warning"}.get(
            record.status, "secondary"
        )
        return format_html('<span class="badge text-bg-{}">{}</span>', css, value)


class MembershipRuleTable(ObjectTable):
    organisation = LinkColumn(verbose_name=_("Organisasi"))
    number_format = tables.Column(verbose_name=_("Format nomor anggota"))

    class Meta(ObjectTable.Meta):
        model = MembershipRule
        fields = ("select", "organisation", "number_format")


class TransferTable(ObjectTable):
    member = LinkColumn(verbose_name=_("Anggota"), order_by=("member__search_name",))
    from_unit = tables.Column(verbose_name=_("Dari"), order_by=("from_unit__name",))
    to_unit = tables.Column(verbose_name=_("Ke"), order_by=("to_unit__name",))
    state = tables.Column(verbose_name=_("Keadaan"))
    created_at = tables.DateColumn(verbose_name=_("Diminta"), format="SHORT_DATE_FORMAT")

    class Meta(ObjectTable.Meta):
        model = Transfer
        fields = ("select", "member", "from_unit", "to_unit", "state", "created_at")

    def render_state(self, value, record):
        css = {"diminta": "info", "diterima": "success"}.get(record.state, "secondary")
        return format_html('<span class="badge text-bg-{}">{}</span>', css, value)
