"""The receipt (kuitansi) of a dues payment: its words and dates, and its PDF.

A kuitansi is an Indonesian document whatever language its reader uses the site in: the
amount in words (terbilang), the dates and the months covered are always written in
Indonesian, as a treasurer writes them by hand."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.utils.translation import gettext as _
from lokal import terbilang
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A5, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from himpun.dues.models import Payment

BULAN = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def words(amount: int) -> str:
    """Whole rupiah in Indonesian words: 150000 → "seratus lima puluh ribu"."""
    return terbilang(int(amount))


def rupiah_words(amount: int) -> str:
    """150000 → "seratus lima puluh ribu rupiah" (the "terbilang" line of a kuitansi)."""
    return f"{words(amount)} rupiah"


def tanggal(day: datetime.date) -> str:
    """23 November 2026."""
    return f"{day.day} {BULAN[day.month - 1]} {day.year}"


def bulan(month: datetime.date) -> str:
    return f"{BULAN[month.month - 1]} {month.year}"


def months_covered(period: datetime.date, months: int) -> str:
    """The months a payment covers: "Maret 2026", "Januari–Maret 2026",
    "November 2026–Januari 2027"."""
    from himpun.dues.months import month_add

    months = abs(months) or 1
    last = month_add(period.replace(day=1), months - 1)
    if months == 1:
        return bulan(period)
    if last.year == period.year:
        return f"{BULAN[period.month - 1]}–{bulan(last)}"
    return f"{bulan(period)}–{bulan(last)}"


def receipt_facts(payment: Payment) -> dict[str, Any]:
    """What a receipt says, for the page and the PDF alike."""
    unit = payment.unit
    organisation = unit.organisation or unit
    reversed_entry = getattr(payment, "reversed_by", None)
    return {
        "payment": payment,
        "organisation": organisation.name,
        "unit": unit.name if unit.pk != organisation.pk else "",
        "number": payment.receipt_number or f"#{payment.pk}",
        "date": tanggal(payment.on),
        "member_name": payment.member.full_name,
        "member_number": payment.member.number or "",
        "months": months_covered(payment.period, payment.months),
        "month_count": payment.months,
        "amount": payment.amount,
        "joining_fee": payment.joining_fee,
        "dues": payment.amount - payment.joining_fee,
        "words": rupiah_words(payment.amount),
        "method": payment.get_method_display(),
        "reference": payment.reference,
        "reversed": reversed_entry is not None,
        "reversed_on": tanggal(reversed_entry.on) if reversed_entry is not None else "",
        "actor": payment.entry.actor.get_full_name() or payment.entry.actor.get_username(),
    }


def _rupiah(amount: int) -> str:
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(amount):,}".replace(",", ".")


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and stringWidth(trial, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def receipt_pdf(facts: dict[str, Any]) -> bytes:
    """An A5 landscape kuitansi; a reversed payment's is stamped DIBATALKAN."""
    out = io.BytesIO()
    width, height = landscape(A5)
    pdf = Canvas(out, pagesize=(width, height))
    pdf.setTitle(f"{_('Kuitansi')} {facts['number']}")
    pdf.setAuthor(facts["organisation"])
    red = HexColor("#b3261e")
    margin = 14 * mm
    x, right = margin, width - margin
    y = height - margin - 4 * mm

    pdf.setFillColor(red)
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(x, y, facts["organisation"][:70])
    pdf.setFillColor(HexColor("#222222"))
    if facts["unit"]:
        y -= 6 * mm
        pdf.setFont("Helvetica", 11)
        pdf.drawString(x, y, facts["unit"][:80])
    pdf.setFont("Helvetica-Bold", 18)
    pdf.drawRightString(right, height - margin - 4 * mm, "KUITANSI")
    pdf.setFont("Helvetica", 10)
    pdf.drawRightString(right, height - margin - 10 * mm, f"No. {facts['number']}")
    y -= 5 * mm
    pdf.setStrokeColor(red)
    pdf.setLineWidth(1.2)
    pdf.line(x, y, right, y)

    label_w = 42 * mm
    rows = [
        ("Telah terima dari", f"{facts['member_name']}"),
        ("Nomor anggota", facts["member_number"] or "-"),
        ("Uang sejumlah", facts["words"].capitalize()),
        (
            "Untuk pembayaran",
            f"Iuran anggota {facts['months']} ({facts['month_count']} bulan)"
            + (
                f" dan uang pangkal {_rupiah(facts['joining_fee'])}" if facts["joining_fee"] else ""
            ),
        ),
        (
            "Cara bayar",
            facts["method"] + (f" ({facts['reference']})" if facts["reference"] else ""),
        ),
    ]
    y -= 9 * mm
    for label, value in rows:
        pdf.setFont("Helvetica", 10)
        pdf.drawString(x, y, label)
        pdf.drawString(x + label_w - 4 * mm, y, ":")
        bold = label == "Uang sejumlah"
        font = "Helvetica-BoldOblique" if bold else "Helvetica"
        pdf.setFont(font, 10.5)
        for line in _wrap(value, font, 10.5, right - x - label_w):
            pdf.drawString(x + label_w, y, line)
            y -= 5.5 * mm
        y -= 1.5 * mm

    y -= 4 * mm
    box_h = 12 * mm
    pdf.setLineWidth(1)
    pdf.setStrokeColor(HexColor("#222222"))
    pdf.rect(x, y - box_h + 4 * mm, 70 * mm, box_h)
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(x + 4 * mm, y - 4 * mm, _rupiah(facts["amount"]))

    pdf.setFont("Helvetica", 10)
    pdf.drawCentredString(right - 30 * mm, y, facts["date"])
    pdf.drawCentredString(right - 30 * mm, y - 5 * mm, "Bendahara")
    pdf.drawCentredString(right - 30 * mm, y - 24 * mm, f"( {facts['actor']} )")

    if facts["reversed"]:
        pdf.saveState()
        pdf.setFillColor(red)
        pdf.setStrokeColor(red)
        pdf.translate(width / 2, height / 2)
        pdf.rotate(18)
        pdf.setFont("Helvetica-Bold", 44)
        pdf.setFillAlpha(0.35)
        pdf.drawCentredString(0, -10, "DIBATALKAN")
        pdf.setFont("Helvetica-Bold", 12)
        pdf.drawCentredString(0, -30, f"pada {facts['reversed_on']}")
        pdf.restoreState()

    pdf.showPage()
    pdf.save()
    return out.getvalue()
