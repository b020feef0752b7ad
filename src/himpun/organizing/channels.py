"""Recruitment channels: who joined through which channel, where and when.

Everything here reads the unit counters `joins.YYYY-MM` and `joins.YYYY-MM.<channel>` kept by
the member services (himpun.members.services.member_counter_deltas): members who joined in a
month, at their current unit, rolled up the tree. Never the members table, so a
confederation's root answers as fast as a workplace unit.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Sum
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from himpun.members.choices import Channel
from himpun.members.services import JOINS, join_key
from himpun.structure.models import OrgUnit, UnitCounter

#: Column headings short enough for a phone; the full label is the heading's title.
SHORT_LABELS = {
    Channel.ADVOCACY: gettext_lazy("Advokasi"),
    Channel.SOCIAL_MEDIA: gettext_lazy("Media sosial"),
    Channel.TOP_DOWN: gettext_lazy("Negosiasi"),
    Channel.POSTER: gettext_lazy("Poster"),
    Channel.REFERRAL: gettext_lazy("Ajakan teman"),
    Channel.OTHER: gettext_lazy("Lainnya"),
}
#: One colour per channel, the same on every chart.
COLOURS = {
    Channel.ADVOCACY: "#b02a37",
    Channel.SOCIAL_MEDIA: "#0d6efd",
    Channel.TOP_DOWN: "#6f42c1",
    Channel.POSTER: "#fd7e14",
    Channel.REFERRAL: "#198754",
    Channel.OTHER: "#6c757d",
}


def months_of(starts_on: datetime.date, ends_on: datetime.date) -> list[datetime.date]:
    """The first day of every month the period touches."""
    out, month = [], starts_on.replace(day=1)
    while month <= ends_on:
        out.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return out


def joins_between(
    *, unit_ids: list[int], starts_on: datetime.date, ends_on: datetime.date
) -> dict[int, int]:
    """Members who joined each unit's subtree in the period: one query on the counters.

    A period is counted by WHOLE months: every month it touches counts in full (15 March to
    10 April counts all of March and April), because the counters are kept per month."""
    out = dict.fromkeys(unit_ids, 0)
    if not unit_ids or ends_on < starts_on:
        return out
    keys = [join_key(m) for m in months_of(starts_on, ends_on)]
    rows = (
        UnitCounter.objects.filter(unit_id__in=unit_ids, key__in=keys)
        .values("unit_id")
        .annotate(n=Sum("total"))
        .order_by()
    )
    for r in rows:
        out[r["unit_id"]] = r["n"] or 0
    return out


@dataclass
class ChildRow:
    unit: OrgUnit
    by_channel: dict[str, int]
    total: int = 0
    #: the channel that brought most members in (None when nobody joined)
    top: str | None = None


@dataclass
class ChannelReport:
    """Joins of a unit's subtree in a year, by month and channel, and by child unit."""

    unit: OrgUnit
    year: int
    months: list[datetime.date]
    channels: list[str]
    #: channel → joins per month (Jan–Dec)
    by_month: dict[str, list[int]]
    children: list[ChildRow] = field(default_factory=list)

    def month_labels(self) -> list[str]:
        return [formats.date_format(m, "M") for m in self.months]

    @property
    def month_totals(self) -> list[int]:
        return [sum(v[i] for v in self.by_month.values()) for i in range(len(self.months))]

    @property
    def channel_totals(self) -> dict[str, int]:
        return {c: sum(v) for c, v in self.by_month.items()}

    @property
    def total(self) -> int:
        return sum(self.month_totals)

    def label(self, channel: str) -> str:
        return str(SHORT_LABELS.get(channel, channel))  # type: ignore[call-overload]

    def full_label(self, channel: str) -> str:
        return str(Channel(channel).label) if channel in Channel.values else channel

    def datasets(self) -> list[dict[str, Any]]:
        """Chart.js datasets of the stacked bar chart: one per channel with joins."""
        return [
            {
                "label": self.label(c),
                "data": self.by_month[c],
                "backgroundColor": COLOURS.get(c, "#adb5bd"),  # type: ignore[call-overload]
            }
            for c in self.channels
            if any(self.by_month[c])
        ]

    def table(self) -> tuple[list[str], list[list[Any]]]:
        """The report as one table for XLSX: a line per unit (this one, then the units
        below it) and month, with a column per channel."""
        headers = [
            _("Unit"),
            _("Kode"),
            _("Bulan"),
            *(self.full_label(c) for c in self.channels),
            _("Jumlah"),
        ]
        lines: list[list[Any]] = []
        for i, month in enumerate(self.months):
            counts = [self.by_month[c][i] for c in self.channels]
            lines.append(
                [
                    self.unit.name,
                    self.unit.code,
                    formats.date_format(month, "F Y"),
                    *counts,
                    sum(counts),
                ]
            )
        for row in self.children:
            counts = [row.by_channel.get(c, 0) for c in self.channels]
            lines.append([row.unit.name, row.unit.code, str(self.year), *counts, row.total])
        return headers, lines


def _parse(key: str) -> tuple[int, str | None]:
    """`joins.2026-03.poster` → (3, "poster"); `joins.2026-03` → (3, None)."""
    parts = key.split(".", 2)
    return int(parts[1][5:7]), (parts[2] if len(parts) == 3 else None)


def channel_report(*, user: Any, unit: OrgUnit, year: int) -> ChannelReport:
    """Three queries: the unit's counters for the year, its children the user may see, and
    their counters. `unit` must already be in the user's scope."""
    months = [datetime.date(year, m, 1) for m in range(1, 13)]
    prefix = f"{JOINS}.{year}-"
    channels: list[str] = list(Channel.values)
    by_month: dict[str, list[int]] = {c: [0] * 12 for c in channels}
    for key, total in UnitCounter.objects.filter(unit=unit, key__startswith=prefix).values_list(
        "key", "total"
    ):
        month, channel = _parse(key)
        if channel is None:
            continue
        if channel not in by_month:  # a channel no longer offered: still shown
            channels.append(channel)
            by_month[channel] = [0] * 12
        by_month[channel][month - 1] += total
    report = ChannelReport(
        unit=unit, year=year, months=months, channels=channels, by_month=by_month
    )
    children = list(
        OrgUnit.objects.restrict(user)
        .filter(parent=unit, archived_at__isnull=True)
        .order_by("name")
    )
    if not children:
        return report
    rows = {c.pk: ChildRow(unit=c, by_channel={}) for c in children}
    for unit_id, key, total in UnitCounter.objects.filter(
        unit_id__in=rows, key__startswith=prefix
    ).values_list("unit_id", "key", "total"):
        _month, channel = _parse(key)
        if channel is None:
            continue
        row = rows[unit_id]
        row.by_channel[channel] = row.by_channel.get(channel, 0) + total
        row.total += total
        if channel not in by_month:
            channels.append(channel)
            by_month[channel] = [0] * 12
    for row in rows.values():
        if row.total:
            row.top = max(channels, key=lambda c: row.by_channel.get(c, 0))
    report.children = sorted(rows.values(), key=lambda r: (-r.total, r.unit.name))
    return report
