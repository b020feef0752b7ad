"""The treasurer's screens: record a dues payment, its receipt, a unit's finances and cash
book. Views are thin: the ledger's services decide and refuse; a refusal is a form error."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from himpun.core import exports
from himpun.core.querysets import has_scope, may
from himpun.core.scoping import ancestor_ids, scope_paths, subtrees_q
from himpun.core.templatetags.himpun import rupiah
from himpun.dues import receipts, services
from himpun.dues.choices import Account, Direction, EntryKind
from himpun.dues.forms import CashForm, PaymentForm, RemittanceForm, ReverseForm
from himpun.dues.models import Entry, MemberDues, MonthClosing, Payment, Posting
from himpun.dues.months import month_add
from himpun.dues.receipts import bulan
from himpun.members.models import Member
from himpun.members.search import member_search
from himpun.structure.models import OrgUnit

# --- who may ------------------------------------------------------------------------------------


def may_pay(user: Any, unit: OrgUnit) -> bool:
    return may(user, Payment, "add", unit.path)


def may_book(user: Any, unit: OrgUnit) -> bool:
    """Cash lines, remittances, closings and reversals: a treasurer's writes."""
    return may(user, Entry, "add", unit.path) and may(user, Payment, "add", unit.path)


def _member(request: HttpRequest, pk: int) -> Member:
    return get_object_or_404(
        Member.objects.restrict(request.user).select_related("unit", "organisation"), pk=pk
    )


def _unit(request: HttpRequest, pk: int) -> OrgUnit:
    """A unit whose books the user may read; any other answers 404."""
    unit = get_object_or_404(
        OrgUnit.objects.restrict(request.user).select_related("organisation"), pk=pk
    )
    if not may(request.user, Entry, "view", unit.path):
        raise Http404
    return unit


def _refusal(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _already(request: HttpRequest, key: str) -> bool:
    """Whether a form with this one-time key was already posted (a double tap, a resend)."""
    return bool(key) and Entry.objects.filter(key=key).exists()


# --- the hub ------------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Where a treasurer starts: find a member to record a payment, or open a unit's books."""
    can_pay = has_scope(request.user, Payment, "add")
    if not (can_pay or has_scope(request.user, Entry, "view")):
        raise Http404
    q = request.GET.get("q", "").strip()
    found: list[Member] = []
    if q and can_pay:
        qs = Member.objects.restrict(request.user).filter(archived_at__isnull=True)
        found = list(member_search(qs, q).select_related("unit")[:20])
    current = getattr(request, "current_unit", None)
    if request.user.is_superuser:
        units = OrgUnit.objects.filter(parent__isnull=True)
    else:
        paths = scope_paths(request.user, "dues.view_entry")
        units = OrgUnit.objects.none()
        if paths:
            units = OrgUnit.objects.filter(subtrees_q("path", paths))
        if current is not None:
            units = units.filter(path__startswith=current.path)
    found_units = list(units.order_by("path").select_related("kind")[:60])
    top = min((u.depth for u in found_units), default=0)
    units = [(u, min(u.depth - top, 4)) for u in found_units]
    return render(
        request,
        "dues/index.html",
        {"q": q, "found": found, "can_pay": can_pay, "units": units},
    )


# --- recording a payment ------------------------------------------------------------------------


@login_required
def payment_new(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    if not may_pay(request.user, member.unit):
        raise Http404
    today = timezone.localdate()
    monthly = services.monthly_dues(member, today)
    account = MemberDues.objects.filter(member=member).first()
    next_month = services.payment_next_period(member)
    form = PaymentForm(request.POST or None, request.FILES or None, monthly=monthly)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _already(request, data["key"]):
            return _posted_before(request, data["key"])
        try:
            payment = services.payment_post(
                actor=request.user,
                member=member,
                amount=data["amount"],
                method=data["method"],
                on=data["on"],
                months=data["months"],
                joining_fee=data["joining_fee"],
                reference=data["reference"],
                proof=data.get("proof"),
                key=data["key"],
            )
        except ValidationError as exc:
            if _already(request, data["key"]):
                return _posted_before(request, data["key"])
            _refusal(form, exc)
        else:
            messages.success(
                request,
                _("Iuran %(name)s %(amount)s dicatat. Kuitansi %(number)s.")
                % {
                    "name": member.full_name,
                    "amount": rupiah(payment.amount),
                    "number": payment.receipt_number,
                },
            )
            return HttpResponseRedirect(reverse("dues:receipt", args=[payment.pk]))
    return render(
        request,
        "dues/payment_form.html",
        {
            "member": member,
            "form": form,
            "monthly": monthly,
            "account": account,
            "next_month": bulan(next_month),
        },
    )


def _posted_before(request: HttpRequest, key: str) -> HttpResponse:
    messages.info(request, _("Pembayaran ini sudah dicatat; tidak dicatat dua kali."))
    payment = (
        Payment.objects.restrict(request.user).filter(entry__key=key, reverses__isnull=True).first()
    )
    if payment is None:
        return HttpResponseRedirect(reverse("dues:index"))
    return HttpResponseRedirect(reverse("dues:receipt", args=[payment.pk]))


# --- receipts -----------------------------------------------------------------------------------


def _payment(request: HttpRequest, pk: int) -> Payment:
    payment = get_object_or_404(
        Payment.objects.restrict(request.user).select_related(
            "member", "unit__organisation", "entry__actor", "reversed_by"
        ),
        pk=pk,
    )
    if payment.reverses_id:  # a reversal has no receipt of its own: show the one it cancels
        raise Http404
    return payment


@login_required
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    payment = _payment(request, pk)
    facts = receipts.receipt_facts(payment)
    can_reverse = not facts["reversed"] and may_book(request.user, payment.unit)
    return render(
        request,
        "dues/receipt.html",
        {"r": facts, "payment": payment, "can_reverse": can_reverse},
    )


@login_required
def receipt_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    payment = _payment(request, pk)
    facts = receipts.receipt_facts(payment)
    unit = getattr(request, "current_unit", None)
    exports.export_record(
        user=request.user,
        model=Payment._meta.label,
        file_format="pdf",
        query=f"kuitansi={payment.pk}",
        unit_path=unit.path if unit else "",
        row_count=1,
    )
    response = HttpResponse(receipts.receipt_pdf(facts), content_type="application/pdf")
    name = re.sub(r"[^A-Za-z0-9-]+", "-", facts["number"]).strip("-")
    response["Content-Disposition"] = f'inline; filename="kuitansi-{name}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- a unit's finances and cash book ------------------------------------------------------------


def _month(request: HttpRequest) -> datetime.date:
    """The month asked for (?bulan=2026-11), else the current one."""
    today = timezone.localdate().replace(day=1)
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", request.GET.get("bulan", ""))
    if m and 1 <= int(m[2]) <= 12 and 2000 <= int(m[1]) <= today.year + 1:
        return datetime.date(int(m[1]), int(m[2]), 1)
    return today


def cash_book(unit: OrgUnit, month: datetime.date) -> dict[str, Any]:
    """The lines of `unit`'s cash account in `month` with a running balance; a handful of
    queries however many lines there are."""
    end = month_add(month, 1) - datetime.timedelta(days=1)
    opening = services.cash_balance(unit, until=month - datetime.timedelta(days=1))
    postings = list(
        Posting.objects.filter(unit=unit, account=Account.CASH, on__gte=month, on__lte=end)
        .select_related("entry")
        .order_by("on", "entry_id", "id")
    )
    ids = {p.entry_id for p in postings}
    categories = dict(
        Posting.objects.filter(entry_id__in=ids, unit=unit, category__isnull=False).values_list(
            "entry_id", "category__name"
        )
    )
    reversed_ids = set(
        Entry.objects.filter(reverses_id__in=ids).values_list("reverses_id", flat=True)
    )
    receipts_of = dict(
        Payment.objects.filter(entry_id__in=ids, reverses__isnull=True).values_list(
            "entry_id", "pk"
        )
    )
    balance = opening
    lines = []
    total_in = total_out = 0
    for p in postings:
        balance += p.amount
        total_in += max(p.amount, 0)
        total_out += max(-p.amount, 0)
        e = p.entry
        lines.append(
            {
                "entry": e,
                "on": p.on,
                "description": e.description,
                "category": categories.get(e.pk) or e.get_kind_display(),
                "in": p.amount if p.amount > 0 else 0,
                "out": -p.amount if p.amount < 0 else 0,
                "balance": balance,
                "reversed": e.pk in reversed_ids,
                "is_reversal": e.kind == EntryKind.REVERSAL,
                "payment_id": receipts_of.get(e.pk),
            }
        )
    return {
        "opening": opening,
        "closing": balance,
        "lines": lines,
        "total_in": total_in,
        "total_out": total_out,
        "end": end,
    }


def _ancestors(unit: OrgUnit) -> list[OrgUnit]:
    ids = ancestor_ids(unit.path)[:-1]
    return list(OrgUnit._base_manager.filter(pk__in=ids).order_by("-depth"))


@login_required
def finance(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    month = _month(request)
    today = timezone.localdate()
    book = cash_book(unit, month)
    owed = services.owed_between(unit)
    closing = MonthClosing.objects.filter(unit=unit, month=month).first()
    closings = list(MonthClosing.objects.filter(unit=unit).order_by("-month")[:6])
    can_book = may_book(request.user, unit)
    reverse_form = ReverseForm() if can_book else None
    return render(
        request,
        "dues/finance.html",
        {
            "unit": unit,
            "month": month,
            "month_label": bulan(month),
            "prev": month_add(month, -1),
            "next": month_add(month, 1) if month < today.replace(day=1) else None,
            "book": book,
            "cash": services.cash_balance(unit),
            "owed": owed,
            "owed_up": sum(r["owed"] for r in owed["up"]),
            "owed_down": sum(r["owed"] for r in owed["down"]),
            "closing": closing,
            "closings": [(c, bulan(c.month)) for c in closings],
            "can_book": can_book,
            "can_close": can_book and closing is None and month < today.replace(day=1),
            "can_export": may(request.user, Entry, "export", unit.path),
            "reverse_form": reverse_form,
        },
    )


def _finance_url(unit: OrgUnit, month: datetime.date | None = None) -> str:
    url = reverse("dues:finance", args=[unit.pk])
    return f"{url}?bulan={month:%Y-%m}" if month else url


@login_required
def cash_new(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    if not may_book(request.user, unit):
        raise Http404
    services.categories_ensure(unit.organisation or unit)
    initial = {"direction": request.GET.get("jenis") or Direction.OUT}
    form = CashForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        organisation_id=unit.organisation_id or unit.pk,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.cash_post(
                actor=request.user,
                unit=unit,
                direction=data["direction"],
                category=data["category"],
                amount=data["amount"],
                description=data["description"],
                on=data["on"],
                receipt=data.get("receipt"),
                key=data["key"],
            )
        except ValidationError as exc:
            if _already(request, data["key"]):
                messages.info(request, _("Catatan ini sudah dibukukan; tidak dicatat dua kali."))
                return HttpResponseRedirect(_finance_url(unit))
            _refusal(form, exc)
        else:
            messages.success(request, _("Dicatat di buku kas: %(what)s.") % {"what": entry})
            return HttpResponseRedirect(_finance_url(unit, entry.on.replace(day=1)))
    return render(request, "dues/cash_form.html", {"unit": unit, "form": form})


@login_required
def remittance_new(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    if not may_book(request.user, unit):
        raise Http404
    above = _ancestors(unit)
    if not above:
        raise Http404
    owed = {r["counterparty_id"]: r["owed"] for r in services.owed_between(unit)["up"]}
    wanted = request.GET.get("ke", "")
    target = next((u for u in above if str(u.pk) == wanted), None) or next(
        (u for u in above if owed.get(u.pk, 0) > 0), above[0]
    )
    form = RemittanceForm(
        request.POST or None,
        initial={"to_unit": target.pk, "amount": owed.get(target.pk) or None},
        targets=[(u.pk, f"{u.name} ({u.code})") for u in above],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        to_unit = next(u for u in above if u.pk == data["to_unit"])
        try:
            services.remittance_post(
                actor=request.user,
                from_unit=unit,
                to_unit=to_unit,
                amount=data["amount"],
                on=data["on"],
                reference=data["reference"],
                key=data["key"],
            )
        except ValidationError as exc:
            if _already(request, data["key"]):
                messages.info(request, _("Setoran ini sudah dicatat; tidak dicatat dua kali."))
                return HttpResponseRedirect(_finance_url(unit))
            _refusal(form, exc)
        else:
            messages.success(
                request,
                _("Setoran %(amount)s ke %(unit)s dicatat.")
                % {"amount": rupiah(data["amount"]), "unit": to_unit.name},
            )
            return HttpResponseRedirect(_finance_url(unit))
    owed_rows = [(u, owed.get(u.pk, 0)) for u in above]
    return render(
        request, "dues/remittance_form.html", {"unit": unit, "form": form, "owed_rows": owed_rows}
    )


@require_POST
@login_required
def month_close(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    if not may_book(request.user, unit):
        raise Http404
    month = _month(request)
    try:
        closing = services.month_close(actor=request.user, unit=unit, month=month)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Buku %(month)s ditutup dengan saldo kas %(amount)s.")
            % {
                "month": bulan(month),
                "amount": rupiah(closing.cash_balance),
            },
        )
    return HttpResponseRedirect(_finance_url(unit, month))


@login_required
def entry_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(Entry.objects.restrict(request.user).select_related("unit"), pk=pk)
    if not may_book(request.user, entry.unit):
        raise Http404
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_reverse(
                actor=request.user, entry=entry, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _refusal(form, exc)
        else:
            messages.success(request, _("Dibatalkan: %(what)s.") % {"what": entry.description})
            payment = Payment.objects.filter(entry=entry).first()
            if payment is not None:
                return HttpResponseRedirect(reverse("dues:receipt", args=[payment.pk]))
            return HttpResponseRedirect(_finance_url(entry.unit))
    return render(request, "dues/reverse_form.html", {"entry": entry, "form": form})


@login_required
def cash_book_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The month's cash book as XLSX, recorded like every export."""
    unit = _unit(request, pk)
    if not may(request.user, Entry, "export", unit.path):
        raise Http404
    month = _month(request)
    book = cash_book(unit, month)
    headers = [
        _("Tanggal"),
        _("Uraian"),
        _("Kategori"),
        _("Masuk (Rp)"),
        _("Keluar (Rp)"),
        _("Saldo (Rp)"),
    ]
    rows: list[tuple[Any, ...]] = [
        (month, _("Saldo awal"), "", "", "", book["opening"]),
        *(
            (
                line["on"],
                line["description"],
                line["category"],
                line["in"] or "",
                line["out"] or "",
                line["balance"],
            )
            for line in book["lines"]
        ),
        (book["end"], _("Saldo akhir"), "", book["total_in"], book["total_out"], book["closing"]),
    ]
    exports.export_record(
        user=request.user,
        model=Entry._meta.label,
        file_format="xlsx",
        query=f"unit={unit.code}&bulan={month:%Y-%m}",
        unit_path=unit.path,
        row_count=len(book["lines"]),
    )
    fh = exports.xlsx_file(headers, rows, _("Buku kas"))
    filename = f"buku-kas-{re.sub(r'[^A-Za-z0-9-]+', '-', unit.code)}-{month:%Y-%m}.xlsx"
    return FileResponse(fh, as_attachment=True, filename=filename)


def cash_book_pdf(
    unit: OrgUnit, month: datetime.date, book: dict[str, Any], closing: MonthClosing | None
) -> bytes:
    """The month's cash book on A4, to print, sign and file: the union and unit, the opening
    balance, every line with its running balance, the totals, the closing balance, whether
    the month is closed, and the treasurer's and chair's signatures. In Indonesian whatever
    the reader's language, like the receipt."""
    rupiah, wrap = receipts._rupiah, receipts._wrap
    organisation = unit.organisation or unit
    out = io.BytesIO()
    width, height = A4
    pdf = Canvas(out, pagesize=A4)
    pdf.setTitle(f"Buku kas {unit.name} {bulan(month)}")
    pdf.setAuthor(organisation.name)
    red, ink, grey = HexColor("#b3261e"), HexColor("#222222"), HexColor("#666666")
    margin = 15 * mm
    left, right = margin, width - margin
    # column right edges (amounts) and left edges (text)
    x_date, x_desc, x_cat = left, left + 14 * mm, left + 73 * mm
    r_in, r_out, r_bal = left + 130 * mm, left + 155 * mm, right
    desc_w, cat_w = 57 * mm, 32 * mm
    size, step = 8.5, 4.2 * mm
    page_no = 1

    def header(first: bool) -> float:
        y = height - margin
        if first:
            pdf.setFillColor(red)
            pdf.setFont("Helvetica-Bold", 13)
            pdf.drawString(left, y - 4 * mm, organisation.name[:75])
            pdf.setFillColor(ink)
            if unit.pk != organisation.pk:
                pdf.setFont("Helvetica", 11)
                pdf.drawString(left, y - 10 * mm, f"{unit.name} ({unit.code})"[:85])
            pdf.setFont("Helvetica-Bold", 16)
            pdf.drawRightString(right, y - 4 * mm, "BUKU KAS")
            pdf.setFont("Helvetica", 11)
            pdf.drawRightString(right, y - 10 * mm, bulan(month))
            y -= 14 * mm
            pdf.setStrokeColor(red)
            pdf.setLineWidth(1.2)
            pdf.line(left, y, right, y)
            y -= 7 * mm
        else:
            pdf.setFont("Helvetica", 8)
            pdf.setFillColor(grey)
            pdf.drawString(left, y - 3 * mm, f"Buku kas {unit.name} · {bulan(month)}")
            pdf.setFillColor(ink)
            y -= 9 * mm
        pdf.setFont("Helvetica-Bold", size)
        pdf.drawString(x_date, y, "Tgl")
        pdf.drawString(x_desc, y, "Uraian")
        pdf.drawString(x_cat, y, "Kategori")
        pdf.drawRightString(r_in, y, "Masuk")
        pdf.drawRightString(r_out, y, "Keluar")
        pdf.drawRightString(r_bal, y, "Saldo")
        pdf.setStrokeColor(ink)
        pdf.setLineWidth(0.6)
        pdf.line(left, y - 1.6 * mm, right, y - 1.6 * mm)
        return y - step - 1.5 * mm

    def footer() -> None:
        pdf.setFont("Helvetica", 7.5)
        pdf.setFillColor(grey)
        pdf.drawRightString(right, margin / 2, f"Halaman {page_no}")
        pdf.setFillColor(ink)

    def room(y: float, needed: float) -> float:
        nonlocal page_no
        if y - needed >= margin + 4 * mm:
            return y
        footer()
        pdf.showPage()
        page_no += 1
        return header(first=False)

    y = header(first=True)
    pdf.setFont("Helvetica-Bold", size)
    pdf.drawString(x_date, y, f"{month:%d/%m}")
    pdf.drawString(x_desc, y, "Saldo awal")
    pdf.drawRightString(r_bal, y, rupiah(book["opening"]))
    y -= step
    for line in book["lines"]:
        description = line["description"] + (" (dibatalkan)" if line["reversed"] else "")
        desc = wrap(description, "Helvetica", size, desc_w) or [""]
        cat = wrap(str(line["category"]), "Helvetica", size, cat_w) or [""]
        height_needed = max(len(desc), len(cat)) * step
        y = room(y, height_needed)
        pdf.setFont("Helvetica", size)
        pdf.setFillColor(grey if line["reversed"] else ink)
        pdf.drawString(x_date, y, f"{line['on']:%d/%m}")
        for i, text in enumerate(desc):
            pdf.drawString(x_desc, y - i * step, text)
        for i, text in enumerate(cat):
            pdf.drawString(x_cat, y - i * step, text)
        if line["in"]:
            pdf.drawRightString(r_in, y, rupiah(line["in"]))
        if line["out"]:
            pdf.drawRightString(r_out, y, rupiah(line["out"]))
        pdf.drawRightString(r_bal, y, rupiah(line["balance"]))
        pdf.setFillColor(ink)
        y -= height_needed
    if not book["lines"]:
        pdf.setFont("Helvetica-Oblique", size)
        pdf.drawString(x_desc, y, "Tidak ada transaksi kas bulan ini.")
        y -= step

    y = room(y, 60 * mm)
    pdf.setLineWidth(0.6)
    pdf.line(left, y + step - 1.6 * mm, right, y + step - 1.6 * mm)
    y -= 1 * mm
    pdf.setFont("Helvetica-Bold", size)
    pdf.drawString(x_desc, y, "Jumlah")
    pdf.drawRightString(r_in, y, rupiah(book["total_in"]))
    pdf.drawRightString(r_out, y, rupiah(book["total_out"]))
    y -= step
    pdf.drawString(x_date, y, f"{book['end']:%d/%m}")
    pdf.drawString(x_desc, y, "Saldo akhir")
    pdf.drawRightString(r_bal, y, rupiah(book["closing"]))
    y -= 9 * mm

    pdf.setFont("Helvetica", 10)
    summary = [
        ("Saldo awal", rupiah(book["opening"])),
        ("Pemasukan", rupiah(book["total_in"])),
        ("Pengeluaran", rupiah(book["total_out"])),
        ("Saldo akhir", rupiah(book["closing"])),
    ]
    for label, value in summary:
        pdf.drawString(left, y, label)
        pdf.drawRightString(left + 70 * mm, y, value)
        y -= 5 * mm
    if closing is not None:
        y -= 1 * mm
        pdf.setFont("Helvetica-Bold", 10)
        closed_on = receipts.tanggal(timezone.localdate(closing.closed_at))
        pdf.drawString(left, y, f"Buku ditutup pada {closed_on}")
        y -= 5 * mm
    else:
        pdf.setFont("Helvetica-Oblique", 9)
        pdf.setFillColor(grey)
        pdf.drawString(left, y, "Buku bulan ini belum ditutup.")
        pdf.setFillColor(ink)
        y -= 5 * mm

    y -= 8 * mm
    pdf.setFont("Helvetica", 10)
    today = receipts.tanggal(timezone.localdate())
    pdf.drawCentredString(right - 35 * mm, y + 6 * mm, today)
    for x, role in ((left + 35 * mm, "Ketua"), (right - 35 * mm, "Bendahara")):
        pdf.drawCentredString(x, y, role)
        pdf.drawCentredString(x, y - 24 * mm, "( .............................. )")
    footer()
    pdf.showPage()
    pdf.save()
    return out.getvalue()


@login_required
def cash_book_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The month's cash book as an A4 PDF ("Cetak buku kas"), recorded like every export."""
    unit = _unit(request, pk)
    if not may(request.user, Entry, "export", unit.path):
        raise Http404
    month = _month(request)
    book = cash_book(unit, month)
    closing = MonthClosing.objects.filter(unit=unit, month=month).first()
    exports.export_record(
        user=request.user,
        model=Entry._meta.label,
        file_format="pdf",
        query=f"unit={unit.code}&bulan={month:%Y-%m}",
        unit_path=unit.path,
        row_count=len(book["lines"]),
    )
    response = HttpResponse(
        cash_book_pdf(unit, month, book, closing), content_type="application/pdf"
    )
    name = f"buku-kas-{re.sub(r'[^A-Za-z0-9-]+', '-', unit.code)}-{month:%Y-%m}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
