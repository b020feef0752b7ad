"""Member cards (KTA): issue, verify and print.

A card's QR opens a public page at ``/k/<signed>/``. ``signed`` is the card's random token
signed with the site's secret (``Signer(salt="himpun.kta")``): a forged or altered link is
refused before any database lookup, and no sequential id ever appears in a public URL. The
page shows only whether the card is valid, the member's first name, unit and status
(`card_status`). Reissuing a card revokes every earlier one, so a lost card stops verifying.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable
from typing import Any

import segno
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps
from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import FILL_NON_ZERO, Canvas

from himpun.core.services import audit_record, jsonable, snapshot
from himpun.members.choices import Status
from himpun.members.models import Card, Member, MembershipRule

SALT = "himpun.kta"
DEFAULT_VALIDITY_YEARS = 5

# -- issuing and verifying --------------------------------------------------------------------


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def card_sign(card: Card) -> str:
    """The public part of a card's URL: its token and a signature over it."""
    return _signer().sign(card.token)


def card_verify_url(request: HttpRequest | None, card: Card) -> str:
    """The absolute address the card's QR encodes.

    Without a request (a command, a task) the base is the first of
    ``CSRF_TRUSTED_ORIGINS`` — the site's public origin in a deployment."""
    path = reverse("members:card_verify", args=[card_sign(card)])
    if request is not None:
        return request.build_absolute_uri(path)
    origins = getattr(settings, "CSRF_TRUSTED_ORIGINS", [])
    return origins[0].rstrip("/") + path if origins else path


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def card_is_valid(card: Card, today: datetime.date | None = None) -> bool:
    """Not revoked, not expired, and its member still active (not archived or merged)."""
    member = card.member
    today = today or timezone.localdate()
    return (
        card.revoked_at is None
        and card.valid_until >= today
        and member.status == Status.ACTIVE
        and member.archived_at is None
        and member.merged_into_id is None
    )


@transaction.atomic
def card_issue(*, actor: Any, member: Member) -> Card:
    """Issue a card to an active, numbered member; every earlier card of theirs is revoked."""
    member = Member._base_manager.select_for_update().get(pk=member.pk)
    if member.archived_at is not None or member.merged_into_id is not None:
        raise ValidationError(
            _("Anggota ini sudah diarsipkan atau digabung; KTA tidak dapat diterbitkan.")
        )
    if member.status != Status.ACTIVE or not member.number:
        raise ValidationError(
            _("KTA hanya dapat diterbitkan untuk anggota berstatus aktif yang sudah bernomor.")
        )
    rule = MembershipRule.objects.filter(organisation_id=member.organisation_id).first()
    years = (rule.card_validity_years if rule else 0) or DEFAULT_VALIDITY_YEARS
    today = timezone.localdate()
    now = timezone.now()
    user = actor if getattr(actor, "pk", None) else None
    for old in Card.objects.select_for_update().filter(member=member, revoked_at__isnull=True):
        Card.objects.filter(pk=old.pk).update(revoked_at=now)
        audit_record(
            actor=actor,
            action="update",
            instance=old,
            changes={"revoked_at": [None, jsonable(now)]},
        )
    card = Card.objects.create(
        member=member,
        number=member.number,
        issued_on=today,
        valid_until=_add_years(today, years),
        issued_by=user,
    )
    # The token is left out: with the site's key it would make the public link.
    changes = {k: v for k, v in snapshot(card).items() if k != "token"}
    audit_record(actor=actor, action="create", instance=card, changes=changes)
    return card


def card_status(signed: str) -> dict[str, Any] | None:
    """What the public page may show about the card behind `signed`, or None when the link is
    forged, altered or unknown. Only these four items: nothing else leaves the database."""
    try:
        token = _signer().unsign(signed)
    except signing.BadSignature:
        return None  # refused without touching the database
    card = Card.objects.select_related("member__unit").filter(token=token).first()
    if card is None:
        return None
    member = card.member
    words = member.full_name.split()
    return {
        "valid": card_is_valid(card),
        "first_name": words[0] if words else "",
        "unit": member.unit.name,
        "status": member.get_status_display(),
    }


def cards_current(members: QuerySet) -> QuerySet:
    """The valid card of each of `members` (reissuing revokes the others), in print order."""
    today = timezone.localdate()
    return (
        Card.objects.filter(
            member__in=members.values("pk"),
            revoked_at__isnull=True,
            valid_until__gte=today,
            member__status=Status.ACTIVE,
            member__archived_at__isnull=True,
            member__merged_into__isnull=True,
        )
        .select_related("member__unit", "member__organisation")
        .order_by("member__unit__path", "member__search_name", "pk")
    )


# -- printing ---------------------------------------------------------------------------------

CARD_W = 85.6 * mm  # ID-1, the size of a bank card or a KTP
CARD_H = 54 * mm
MARGIN = 3.5 * mm
SHEET_COLS, SHEET_ROWS = 2, 5
GAP_X, GAP_Y = 5 * mm, 3 * mm

RED = HexColor("#b3261e")
INK = HexColor("#212529")
MUTED = HexColor("#5c636a")
PALE = HexColor("#f6d9d7")
PLACEHOLDER = HexColor("#e9ecef")
SILHOUETTE = HexColor("#adb5bd")
CUT = Color(0.6, 0.6, 0.6)

BAND_H = 11 * mm
PHOTO_W, PHOTO_H = 24 * mm, 32 * mm
PHOTO_PX = (284, 378)  # 300 dpi at the printed size
QR_SIZE = 16 * mm


def cards_pdf(cards: Iterable[Card], *, sheet: bool, request: HttpRequest | None = None) -> bytes:
    """Cards as a PDF: one card-sized page per card, or A4 sheets of ten with cut marks.

    Each card's member, unit and organisation should be loaded (`cards_current`)."""
    buf = io.BytesIO()
    size = A4 if sheet else (CARD_W, CARD_H)
    pdf = Canvas(buf, pagesize=size, pageCompression=1)
    pdf.setTitle(_("Kartu Tanda Anggota"))
    pdf.setCreator("Himpun")
    per_page = SHEET_COLS * SHEET_ROWS
    left = (A4[0] - SHEET_COLS * CARD_W - (SHEET_COLS - 1) * GAP_X) / 2
    top = A4[1] - (A4[1] - SHEET_ROWS * CARD_H - (SHEET_ROWS - 1) * GAP_Y) / 2
    count = 0
    for card in cards:
        if not sheet:
            if count:
                pdf.showPage()
            _draw_card(pdf, card, card_verify_url(request, card))
        else:
            slot = count % per_page
            if count and not slot:
                pdf.showPage()
            col, row = slot % SHEET_COLS, slot // SHEET_COLS
            x = left + col * (CARD_W + GAP_X)
            y = top - (row + 1) * CARD_H - row * GAP_Y
            _cut_marks(pdf, x, y)
            pdf.saveState()
            pdf.translate(x, y)
            _draw_card(pdf, card, card_verify_url(request, card))
            pdf.restoreState()
        count += 1
    if not count:
        pdf.setFont("Helvetica", 10)
        pdf.drawString(MARGIN, size[1] / 2, _("Tidak ada KTA."))
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def _cut_marks(pdf: Canvas, x: float, y: float) -> None:
    """Short grey lines off each corner, inside the gaps, for a guillotine or scissors."""
    offset, length = 0.5 * mm, 2 * mm
    pdf.saveState()
    pdf.setStrokeColor(CUT)
    pdf.setLineWidth(0.3)
    for cx, dx in ((x, -1), (x + CARD_W, 1)):
        for cy, dy in ((y, -1), (y + CARD_H, 1)):
            pdf.line(cx + dx * offset, cy, cx + dx * (offset + length), cy)
            pdf.line(cx, cy + dy * offset, cx, cy + dy * (offset + length))
    pdf.restoreState()


def _draw_card(pdf: Canvas, card: Card, url: str) -> None:
    """One card with its lower-left corner at the origin. Positions are in mm from there; the
    text column runs down from the photo's top, the QR sits in the lower-right corner."""
    member = card.member
    # the band: organisation and title
    pdf.setFillColor(RED)
    pdf.rect(0, CARD_H - BAND_H, CARD_W, BAND_H, stroke=0, fill=1)
    pdf.setFillColor(white)
    org_w = CARD_W - 2 * MARGIN
    _text(pdf, member.organisation.name, "Helvetica-Bold", 8.5, 6, MARGIN, 48.4 * mm, org_w)
    pdf.setFillColor(PALE)
    pdf.setFont("Helvetica-Bold", 6)
    pdf.drawString(MARGIN, 45.2 * mm, _("KARTU TANDA ANGGOTA"), charSpace=1)

    photo_y = 5.5 * mm
    _photo(pdf, member, MARGIN, photo_y)

    x0 = MARGIN + PHOTO_W + 3 * mm
    full_w = CARD_W - MARGIN - x0
    qr_x, qr_y = CARD_W - MARGIN - QR_SIZE, 6 * mm
    beside_qr = qr_x - 2 * mm - x0
    y = (photo_y + PHOTO_H) / mm - 1.3  # label cap height level with the photo's top

    _label(pdf, _("Nama"), x0, y * mm)
    names = _wrap(member.full_name, "Helvetica-Bold", 10, 8.5, 7, full_w, max_lines=2)
    one_line = len(names) == 1
    y -= 3.7 if one_line else 3.0
    pdf.setFillColor(INK)
    for line, size in names:
        pdf.setFont("Helvetica-Bold", size)
        pdf.drawString(x0, y * mm, line)
        y -= 3.3 if one_line else 2.9
    y -= 0.1 if one_line else 0.3

    _label(pdf, _("No. anggota"), x0, y * mm)
    y -= 3.1
    pdf.setFillColor(INK)
    _text(pdf, card.number, "Helvetica-Bold", 8.5, 6, x0, y * mm, full_w)
    y -= 4.6 if one_line else 3.9

    _label(pdf, _("Unit"), x0, y * mm)
    y -= 3.0
    pdf.setFillColor(INK)
    for line, size in _wrap(member.unit.name, "Helvetica", 7.5, 7, 6, beside_qr, max_lines=2):
        pdf.setFont("Helvetica", size)
        pdf.drawString(x0, y * mm, line)
        y -= 2.7
    y -= 0.9

    _label(pdf, _("Berlaku sampai"), x0, y * mm)
    y -= 3.1
    pdf.setFillColor(INK)
    until = formats.date_format(card.valid_until, "DATE_FORMAT")
    _text(pdf, until, "Helvetica-Bold", 8, 6, x0, y * mm, beside_qr)

    # the QR, and what it is for
    _qr(pdf, url, qr_x, qr_y, QR_SIZE)
    pdf.setFillColor(MUTED)
    hint = _("Pindai untuk memeriksa")
    size = _fit_size(hint, "Helvetica", 4.4, 3.5, QR_SIZE + 3 * mm)
    pdf.setFont("Helvetica", size)
    pdf.drawCentredString(qr_x + QR_SIZE / 2, 3.4 * mm, hint)


def _label(pdf: Canvas, text: str, x: float, y: float) -> None:
    pdf.setFillColor(MUTED)
    pdf.setFont("Helvetica", 5.4)
    pdf.drawString(x, y, text)


def _fit_size(text: str, font: str, size: float, smallest: float, width: float) -> float:
    while size > smallest and stringWidth(text, font, size) > width:
        size -= 0.25
    return max(size, smallest)


def _ellipsis(text: str, font: str, size: float, width: float) -> str:
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _text(
    pdf: Canvas, text: str, font: str, size: float, smallest: float, x: float, y: float, w: float
) -> None:
    """One line: shrunk to fit down to `smallest`, then shortened with an ellipsis."""
    size = _fit_size(text, font, size, smallest, w)
    pdf.setFont(font, size)
    pdf.drawString(x, y, _ellipsis(text, font, size, w))


def _wrap(
    text: str,
    font: str,
    size: float,
    wrapped: float,
    smallest: float,
    width: float,
    *,
    max_lines: int,
) -> list[tuple[str, float]]:
    """`text` on one line, shrunk from `size` down to `wrapped` if need be; else wrapped at
    spaces on up to `max_lines` lines of `wrapped` points, shrunk together down to `smallest`
    and, at worst, shortened with an ellipsis."""
    one = _fit_size(text, font, size, wrapped, width)
    if stringWidth(text, font, one) <= width:
        return [(text, one)]
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if not current or stringWidth(trial, font, wrapped) <= width:
            current = trial
        else:
            lines.append(current)
            current = word
    lines.append(current)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], " ".join(lines[max_lines - 1 :])]
    fitted = min(_fit_size(line, font, wrapped, smallest, width) for line in lines)
    return [(_ellipsis(line, font, fitted, width), fitted) for line in lines]


def _photo(pdf: Canvas, member: Member, x: float, y: float) -> None:
    radius = 1.5 * mm
    pdf.saveState()
    clip = pdf.beginPath()
    clip.roundRect(x, y, PHOTO_W, PHOTO_H, radius)
    pdf.clipPath(clip, stroke=0, fill=0)
    image = _photo_reader(member)
    if image is not None:
        pdf.drawImage(image, x, y, PHOTO_W, PHOTO_H)
    else:
        pdf.setFillColor(PLACEHOLDER)
        pdf.rect(x, y, PHOTO_W, PHOTO_H, stroke=0, fill=1)
        pdf.setFillColor(SILHOUETTE)
        cx = x + PHOTO_W / 2
        pdf.circle(cx, y + PHOTO_H * 0.62, PHOTO_W * 0.2, stroke=0, fill=1)
        pdf.ellipse(
            cx - PHOTO_W * 0.36, y - PHOTO_H * 0.2, cx + PHOTO_W * 0.36, y + PHOTO_H * 0.42,
            stroke=0, fill=1,
        )  # fmt: skip
    pdf.restoreState()
    pdf.saveState()
    pdf.setStrokeColor(HexColor("#ced4da"))
    pdf.setLineWidth(0.4)
    pdf.roundRect(x, y, PHOTO_W, PHOTO_H, radius, stroke=1, fill=0)
    pdf.restoreState()


def _photo_reader(member: Member) -> ImageReader | None:
    """The member's photo cropped to the card's 3:4 box, as a small JPEG (embedded as is)."""
    if not member.photo:
        return None
    try:
        with member.photo.open("rb") as fh:
            img = Image.open(fh)
            img.draft("RGB", PHOTO_PX)
            img = ImageOps.fit(img.convert("RGB"), PHOTO_PX, Image.Resampling.LANCZOS)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None  # a missing or unreadable file prints the placeholder
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    out.seek(0)
    return ImageReader(out)


def _qr(pdf: Canvas, url: str, x: float, y: float, size: float) -> None:
    """The QR as vector squares (sharp at any printer resolution), with a white quiet zone."""
    matrix = segno.make(url, error="m", micro=False).matrix
    n = len(matrix)
    module = size / n
    pdf.saveState()
    pdf.setFillColor(white)
    pdf.rect(x - 2 * module, y - 2 * module, size + 4 * module, size + 4 * module, 0, 1)
    pdf.setFillColor(HexColor("#000000"))
    path = pdf.beginPath()
    for r, row in enumerate(matrix):
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                # a hair taller than a module, so that rows leave no seam when rendered
                top = y + size - (r + 1) * module
                path.rect(x + start * module, top - 0.15, (c - start) * module, module + 0.15)
            else:
                c += 1
    pdf.drawPath(path, stroke=0, fill=1, fillMode=FILL_NON_ZERO)  # overlaps stay black
    pdf.restoreState()
