"""Table base: the first column links to the detail page; a checkbox column for bulk actions."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _


class ObjectTable(tables.Table):
    select = tables.CheckBoxColumn(
        accessor="pk",
        attrs={"th__input": {"aria-label": _("Pilih semua"), "data-select-all": ""}},
    )

    class Meta:
        attrs = {"class": "table table-hover align-middle mb-0"}
        empty_text = "—"

    def __init__(self, *args, bulk: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not bulk:
            self.columns.hide("select")


class LinkColumn(tables.Column):
    """A column whose value links to the row's detail page."""

    def render(self, value, record):
        return format_html('<a href="{}" hx-boost="false">{}</a>', record.get_absolute_url(), value)
