"""Dues reports up the tree: how many members have paid each month and what came in, for a
unit and each unit directly below it; what each of them still owes upward and has received
from below. Read from the unit counters and the ledger's per-unit balances — no scan of
members or payments, whatever the size of the confederation."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Sum
from django.utils import formats
from django.utils.translation import gettext as _

from himpun.dues.choices import Account
from himpun.dues.models import Posting
from himpun.dues.months import month_add
from himpun.dues.services import AMOUNT_KEY, PAID_KEY, SETTLED
from himpun.structure.models import OrgUnit, UnitCounter
from himpun.structure.services import MEMBERS


@dataclass
class UnitRow:
    unit: OrgUnit
    members: int = 0
    paid: list[int] = field(default_factory=list)  # per month
    amount: list[int] = field(default_factory=list)  # per month
    owes_up: int = 0  # still owed to the levels above (own books)
    sent_up: int = 0  # remitted upward so far
    due_from_below: int = 0  # still due from the levels below
    received_from_below: int = 0

    @property
    def rates(self) -> list[float | None]:
        return [round(100 * p / self.members, 1) if self.members else None for p in self.paid]


@dataclass
class CollectionReport:
    unit: OrgUnit
    months: list[datetime.date]
    total: UnitRow
    children: list[UnitRow]

    def month_labels(self) -> list[str]:
        return [formats.date_format(m, "M Y") for m in self.months]


def year_months(year: int, today: datetime.date) -> list[datetime.date]:
    """The months of `year` up to this month."""
    last = 12 if year < today.year else today.month
    return [datetime.date(year, m, 1) for m in range(1, last + 1)]


def collection_report(*, user: Any, unit: OrgUnit, months: list[datetime.date]) -> CollectionReport:
    """Four queries: the children the user may see, their counters, and their ledger."""
    children = list(
        OrgUnit.objects.restrict(user)
        .filter(parent=unit, archived_at__isnull=True)
        .order_by("name")
    )
    units = [unit, *children]
    keys = [MEMBERS] + [PAID_KEY.format(m) for m in months] + [AMOUNT_KEY.format(m) for m in months]
    counters = {
        (u, k): total
        for u, k, total in UnitCounter.objects.filter(
            unit_id__in=[u.pk for u in units], key__in=keys
        ).values_list("unit_id", "key", "total")
    }
    rows = {}
    for u in units:
        rows[u.pk] = UnitRow(
            unit=u,
            members=counters.get((u.pk, MEMBERS), 0),
            paid=[counters.get((u.pk, PAID_KEY.format(m)), 0) for m in months],
            amount=[counters.get((u.pk, AMOUNT_KEY.format(m)), 0) for m in months],
        )
    for r in (
        Posting.objects.filter(unit_id__in=rows, account__in=(Account.PAYABLE, Account.RECEIVABLE))
        .values("unit_id", "account")
        .annotate(balance=Sum("amount"), settled=Sum("amount", filter=SETTLED))
    ):
        row = rows[r["unit_id"]]
        if r["account"] == Account.PAYABLE:
            row.owes_up, row.sent_up = -r["balance"], r["settled"] or 0
        else:
            row.due_from_below, row.received_from_below = r["balance"], -(r["settled"] or 0)
    return CollectionReport(
        unit=unit, months=months, total=rows[unit.pk], children=[rows[c.pk] for c in children]
    )


def report_table(report: CollectionReport) -> tuple[list[str], list[list[Any]]]:
    """The report as one table (for XLSX and PDF): a line per unit and month."""
    headers = [
        _("Unit"),
        _("Kode"),
        _("Bulan"),
        _("Anggota aktif"),
        _("Sudah bayar"),
        _("Persen bayar"),
        _("Iuran diterima (Rp)"),
        _("Masih terutang ke atas (Rp)"),
        _("Sudah disetor ke atas (Rp)"),
        _("Masih akan diterima dari bawah (Rp)"),
        _("Sudah diterima dari bawah (Rp)"),
    ]
    lines = []
    for row in [report.total, *report.children]:
        for i, month in enumerate(report.months):
            lines.append(
                [
                    row.unit.name,
                    row.unit.code,
                    formats.date_format(month, "F Y"),
                    row.members,
                    row.paid[i],
                    row.rates[i],
                    row.amount[i],
                    row.owes_up,
                    row.sent_up,
                    row.due_from_below,
                    row.received_from_below,
                ]
            )
    return headers, lines


def report_pdf(report: CollectionReport) -> bytes:
    """A landscape A4 PDF of the month-by-month table for the unit and its children."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=_("Laporan iuran %(unit)s") % {"unit": report.unit.name},
    )
    styles = getSampleStyleSheet()
    story: list[Any] = [
        Paragraph(_("Laporan iuran %(unit)s") % {"unit": report.unit.name}, styles["Title"]),
        Paragraph(
            " – ".join([report.month_labels()[0], report.month_labels()[-1]]), styles["Normal"]
        ),
        Spacer(1, 4 * mm),
    ]
    head = [_("Unit"), _("Anggota"), *report.month_labels()]
    data = [head]
    for row in [report.total, *report.children]:
        cells = [
            f"{p:,}".replace(",", ".") + (f" ({r:g}%)".replace(".", ",") if r is not None else "")
            for p, r in zip(row.paid, row.rates, strict=True)
        ]
        data.append([Paragraph(row.unit.name, styles["BodyText"]), row.members, *cells])
    widths = [70 * mm, 20 * mm] + [(273 - 90) * mm / max(len(report.months), 1)] * len(
        report.months
    )
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 7),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
            ]
        )
    )
    story.append(table)
    story.append(Spacer(1, 4 * mm))
    story.append(
        Paragraph(
            _(
                "Angka di tiap bulan: anggota yang iurannya untuk bulan itu sudah dibayar "
                "(persen dari anggota aktif sekarang)."
            ),
            styles["Italic"],
        )
    )
    doc.build(story)
    return buf.getvalue()


def default_months(today: datetime.date, n: int = 6) -> list[datetime.date]:
    first = today.replace(day=1)
    return [month_add(first, -i) for i in range(n - 1, -1, -1)]
