from typing import Any

import django_tables2 as tables
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from himpun.core.tables import LinkColumn, ObjectTable
from himpun.structure.bargaining import (
    active_members_by_workplace,
    bargaining_status,
    pkb_state,
)
from himpun.structure.models import (
    Employer,
    LevelKind,
    OrgUnit,
    Sector,
    Workplace,
    WorkplaceSection,
)


class OrgUnitTable(ObjectTable):
    name = LinkColumn(verbose_name=_("Nama"))
    code = tables.Column(verbose_name=_("Kode"))
    kind = tables.Column(verbose_name=_("Jenis"), order_by=("kind__order",))
    parent = tables.Column(verbose_name=_("Induk"), order_by=("parent__name",))
    sector = tables.Column(verbose_name=_("Sektor"))

    class Meta(ObjectTable.Meta):
        model = OrgUnit
        fields = ("select", "name", "code", "kind", "parent", "sector")


class LevelKindTable(ObjectTable):
    name = LinkColumn(verbose_name=_("Nama"))
    code = tables.Column(verbose_name=_("Kode"))
    organisation = tables.Column(verbose_name=_("Organisasi"))
    order = tables.Column(verbose_name=_("Urutan"))

    class Meta(ObjectTable.Meta):
        model = LevelKind
        fields = ("select", "name", "code", "organisation", "order")


class SectorTable(ObjectTable):
    name = LinkColumn(verbose_name=_("Nama"))
    code = tables.Column(verbose_name=_("Kode"))
    organisation = tables.Column(verbose_name=_("Organisasi"))

    class Meta(ObjectTable.Meta):
        model = Sector
        fields = ("select", "name", "code", "organisation")


class EmployerTable(ObjectTable):
    name = LinkColumn(verbose_name=_("Nama perusahaan"))
    sector = tables.Column(verbose_name=_("Sektor"))
    unit = tables.Column(verbose_name=_("Unit pengelola"), order_by=("unit__name",))

    class Meta(ObjectTable.Meta):
        model = Employer
        fields = ("select", "name", "sector", "unit")


def badge(tone: str, text: Any) -> str:
    return format_html('<span class="badge text-bg-{}">{}</span>', tone, text)


class WorkplaceTable(ObjectTable):
    """Workplaces with their members, density and PKB standing. The members of the page's
    rows are counted in one GROUP BY just before rendering (`before_render`), not per row."""

    name = LinkColumn(verbose_name=_("Nama lokasi"))
    employer = tables.Column(verbose_name=_("Perusahaan"), order_by=("employer__name",))
    headcount = tables.Column(verbose_name=_("Jumlah pekerja"), attrs={"td": {"class": "text-end"}})
    members = tables.Column(
        verbose_name=_("Anggota"),
        accessor="pk",
        orderable=False,
        attrs={"td": {"class": "text-end", "data-members": ""}},
    )
    density = tables.Column(
        verbose_name=_("Kepadatan"),
        accessor="pk",
        orderable=False,
        attrs={"td": {"class": "text-end text-nowrap"}},
    )
    status = tables.Column(verbose_name=_("Status PKB"), accessor="pk", orderable=False)
    pkb_expires_on = tables.Column(verbose_name=_("PKB berakhir"), empty_values=())
    unit = tables.Column(verbose_name=_("Unit pengelola"), order_by=("unit__name",))

    class Meta(ObjectTable.Meta):
        model = Workplace
        fields = (
            "select",
            "name",
            "employer",
            "headcount",
            "members",
            "density",
            "status",
            "pkb_expires_on",
            "unit",
        )
        template_name = "structure/workplace_table.html"

    _counts: dict[int, int] | None = None

    def before_render(self, request: Any) -> None:
        rows = self.page.object_list if hasattr(self, "page") else self.rows
        self._counts = active_members_by_workplace(row.record.pk for row in rows)

    def _status(self, record: Workplace) -> Any:
        if self._counts is None:  # rendered without before_render (as_values)
            self._counts = active_members_by_workplace([record.pk])
        return bargaining_status(
            members=self._counts.get(record.pk, 0),
            headcount=record.headcount,
            unions_present=record.unions_present,
        )

    def render_headcount(self, value: Any) -> str:
        return number_format(value, force_grouping=True)

    def render_members(self, record: Workplace) -> str:
        return number_format(self._status(record).members, force_grouping=True)

    def render_density(self, record: Workplace) -> str:
        st = self._status(record)
        if st.density is None:
            return "—"
        text = number_format(st.density, decimal_pos=1) + "%"
        if st.warning:
            return format_html(
                '{} <i class="bi bi-exclamation-triangle text-warning" title="{}"></i>',
                text,
                st.warning,
            )
        return text

    def render_status(self, record: Workplace) -> str:
        st = self._status(record)
        return format_html(
            '<span class="badge text-bg-{}" data-status="{}" title="{}">{}</span>',
            st.tone,
            st.code,
            st.explanation,
            st.label,
        )

    def render_pkb_expires_on(self, record: Workplace) -> str:
        state = pkb_state(record.pkb_signed_on, record.pkb_expires_on, timezone.localdate())
        if state.expires_on is None:
            return "—"
        day = date_format(state.expires_on, "SHORT_DATE_FORMAT")
        if not state.alert:
            return day
        return format_html(
            '<span class="text-nowrap">{} '
            '<span class="badge text-bg-{}" data-pkb="{}">{}</span></span>',
            day,
            state.tone,
            state.code,
            state.label,
        )


class WorkplaceSectionTable(ObjectTable):
    section = tables.Column(
        verbose_name=_("Bagian · shift"), accessor="pk", order_by=("department", "shift")
    )
    workplace = tables.Column(verbose_name=_("Tempat kerja"), order_by=("workplace__name",))
    headcount = tables.Column(verbose_name=_("Jumlah pekerja"), attrs={"td": {"class": "text-end"}})

    class Meta(ObjectTable.Meta):
        model = WorkplaceSection
        fields = ("select", "section", "workplace", "headcount")

    def render_section(self, record: WorkplaceSection) -> str:
        return format_html(
            '<a href="{}" hx-boost="false">{}</a>', record.get_absolute_url(), record
        )

    def render_workplace(self, value: Workplace) -> str:
        return value.name

    def render_headcount(self, value: Any) -> str:
        return number_format(value, force_grouping=True)
