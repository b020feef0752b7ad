"""The public join form: the application service, the forms, the abuse protections and the
QR poster.

What protects the form (docs/architecture.md, "The public join form"):

- a honeypot field hidden with CSS: a person leaves it empty, a form-filling bot does not;
- a signed timestamp: a submission sooner than `MIN_SECONDS` after the form was shown, or
  with a tampered signature, is a bot;
- a limit per client address and per link, counted in `JoinAttempt` rows that hold only a
  keyed hash of the address;
- the answer to a bot, and to a worker who is already a member or already waiting, is the
  same thank-you page a real applicant sees: the public learns nothing about who is a member.
"""

from __future__ import annotations

import datetime
import enum
import hashlib
import hmac
import io
import ipaddress
import time
from typing import Any
from urllib.parse import urlsplit

import segno
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.signing import (
    BadSignature,
    SignatureExpired,
    TimestampSigner,
    b62_decode,
    b62_encode,
)
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from himpun.core.forms import ScopedModelForm, style_widgets
from himpun.core.querysets import permission_name
from himpun.core.scoping import scope_paths, subtrees_q
from himpun.members.choices import ConsentMethod, EmploymentStatus, Gender, Status
from himpun.members.models import DEFAULT_CONSENT, JoinAttempt, JoinLink, Member, MembershipRule
from himpun.members.services import member_register
from himpun.members.validation import nik_clean, phone_clean
from himpun.structure.models import OrgUnit

#: A person needs longer than this to fill the form; a bot posting at once does not.
MIN_SECONDS = 3
#: A form left open longer than this must be sent again (with the input kept).
MAX_AGE_SECONDS = 2 * 60 * 60
#: Submissions allowed from one client address in an hour, and through one link in a day.
#: Mobile carriers put many phones behind one address (CGNAT); raise the first if workers
#: at one factory gate are turned away.
PER_ADDRESS_PER_HOUR = 5
PER_LINK_PER_DAY = 200
#: Attempt rows older than this are deleted (the longest window above).
KEEP_ATTEMPTS = datetime.timedelta(days=1)
#: An application is not stored again while the same phone (or NIK) is already waiting or a
#: member in the organisation. A worker who left or was rejected may apply again.
OPEN_STATUSES = (Status.APPLICANT, Status.ACTIVE, Status.INACTIVE)

_SALT = "himpun.members.join"


# -- links and units ---------------------------------------------------------------------------


def public_link(token: str) -> JoinLink | None:
    """The link behind a public token, or None when it is unknown or out of use (the link or
    its unit archived)."""
    if not token or len(token) > 64:
        return None
    return (
        JoinLink._base_manager.select_related("unit")
        .filter(token=token, archived_at__isnull=True, unit__archived_at__isnull=True)
        .first()
    )


def units_where(user: Any, model: type, action: str) -> QuerySet:
    """Units (not archived) inside the user's scope for `action` on `model`: the units a row
    of `model` may be placed in."""
    qs = OrgUnit.objects.filter(archived_at__isnull=True)
    if user is None or not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    paths = scope_paths(user, permission_name(model, action))
    return qs.filter(subtrees_q("path", paths)) if paths else qs.none()


def join_url(request: HttpRequest, link: JoinLink) -> str:
    """The absolute address of a link's public form, as printed on posters and in the QR.

    Behind nginx Django sees plain HTTP (docs/deployment.md), so when the request's host is
    one of `CSRF_TRUSTED_ORIGINS` (which names the public https origin) that origin is used."""
    path = reverse("members:join", args=[link.token])
    host = request.get_host()
    for origin in getattr(settings, "CSRF_TRUSTED_ORIGINS", []):
        parts = urlsplit(origin)
        if parts.netloc == host and parts.scheme in ("http", "https"):
            return f"{parts.scheme}://{parts.netloc}{path}"
    return request.build_absolute_uri(path)


def consent_text_for(unit: OrgUnit) -> str:
    """The consent text of the unit's organisation (its membership rule, else the default)."""
    rule = (
        MembershipRule._base_manager.filter(organisation_id=unit.organisation_id)
        .only("consent_text")
        .first()
    )
    text = rule.consent_text if rule else ""
    return text if text.strip() else DEFAULT_CONSENT


# -- the signed timestamp ----------------------------------------------------------------------


class Stamp(enum.Enum):
    OK = "ok"
    EARLY = "early"  # sooner than MIN_SECONDS: a bot
    EXPIRED = "expired"  # older than MAX_AGE_SECONDS: send again
    BAD = "bad"  # missing, tampered, or for another link: a bot
    CHANGED = "changed"  # the consent text changed since the form was shown: agree again


class _Signer(TimestampSigner):
    def __init__(self, at: float | None = None) -> None:
        super().__init__(salt=_SALT)
        self.at = at

    def timestamp(self) -> str:
        return b62_encode(int(time.time() if self.at is None else self.at))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def stamp_make(
    link: JoinLink, consent_text: str, *, at: float | None = None, ready: bool = False
) -> str:
    """The hidden value that says when (`at`, default now) the form was shown, for which link
    and with which consent text. `ready`: dated `MIN_SECONDS` back, so it may be sent at once
    (a form shown again to a person who already filled it)."""
    if ready:
        at = time.time() - MIN_SECONDS
    return _Signer(at).sign(f"{link.token}.{_digest(consent_text)}")


def stamp_check(value: str, link: JoinLink, consent_text: str) -> Stamp:
    signer = _Signer()
    try:
        signed = signer.unsign(value or "", max_age=MAX_AGE_SECONDS)
        shown_at = b62_decode(value.rsplit(signer.sep, 2)[-2])
    except SignatureExpired:
        return Stamp.EXPIRED
    except (BadSignature, ValueError):
        return Stamp.BAD
    token, _sep, digest = signed.partition(".")
    if not hmac.compare_digest(token, link.token):
        return Stamp.BAD
    if time.time() - shown_at < MIN_SECONDS:
        return Stamp.EARLY
    if digest != _digest(consent_text):
        return Stamp.CHANGED
    return Stamp.OK


# -- throttling --------------------------------------------------------------------------------


def client_address(request: HttpRequest) -> str:
    """The address of the client that sent the request.

    REMOTE_ADDR is the peer that connected. X-Forwarded-For is written by the client and can
    say anything, so it is only read when `HIMPUN_TRUSTED_PROXIES` (the number of reverse
    proxies in front of Himpun, e.g. 1 for nginx) says so, and then only the entry appended
    by the outermost trusted proxy is used. Behind nginx without that setting every request
    comes from 127.0.0.1 and shares one limit."""
    address = request.META.get("REMOTE_ADDR", "")
    hops = int(getattr(settings, "HIMPUN_TRUSTED_PROXIES", 0) or 0)
    if hops > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        entries = [e.strip() for e in forwarded.split(",") if e.strip()]
        if len(entries) >= hops:
            address = entries[-hops]
    return address


def _hmac(kind: str, value: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def address_key(address: str) -> str:
    """A keyed hash of a client address: rows can be counted, the address cannot be read
    back. An IPv6 client owns a whole /64, so the /64 is what counts."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return _hmac("address", address)
    if ip.version == 6 and ip.ipv4_mapped is None:
        address = str(ipaddress.ip_network(f"{ip}/64", strict=False))
    elif ip.version == 6:
        address = str(ip.ipv4_mapped)
    return _hmac("address", address)


def link_key(link: JoinLink) -> str:
    return _hmac("link", str(link.pk))


def join_throttled(*, key: str, link: JoinLink) -> str | None:
    """ "address" or "link" when that limit is reached, else None."""
    now = timezone.now()
    recent = JoinAttempt.objects.filter(key=key, at__gte=now - datetime.timedelta(hours=1))
    if recent.count() >= PER_ADDRESS_PER_HOUR:
        return "address"
    today = JoinAttempt.objects.filter(key=link_key(link), at__gte=now - datetime.timedelta(days=1))
    if today.count() >= PER_LINK_PER_DAY:
        return "link"
    return None


def join_attempt_record(*, key: str, link: JoinLink) -> None:
    """Count one submission against the address and the link; forget old ones."""
    JoinAttempt.objects.filter(at__lt=timezone.now() - KEEP_ATTEMPTS).delete()
    JoinAttempt.objects.bulk_create([JoinAttempt(key=key), JoinAttempt(key=link_key(link))])


# -- the application ---------------------------------------------------------------------------


@transaction.atomic
def member_apply(
    *,
    link: JoinLink,
    consent_text: str,
    full_name: str,
    phone: str,
    nik: str = "",
    workplace: str = "",
    **fields: Any,
) -> Member | None:
    """An application from the public form: an applicant (calon) in the link's unit, with
    the consent text they agreed to, or None when the same phone or NIK is already waiting or
    a member in the organisation (nothing new is stored; the public is not told)."""
    unit = link.unit
    same = Q(phone=phone) | Q(nik=nik) if nik else Q(phone=phone)
    known = Member._base_manager.filter(
        same, organisation_id=unit.organisation_id, status__in=OPEN_STATUSES
    )
    if known.exists():
        return None
    # No employer is created from public input: the workplace the applicant typed is kept as
    # the note of the application, for the secretary to match.
    note = _("Tempat kerja (diisi pendaftar): %(name)s") % {"name": workplace} if workplace else ""
    return member_register(
        actor=None,
        unit=unit,
        full_name=full_name,
        status=Status.APPLICANT,
        reason=note[:200],
        phone=phone,
        nik=nik,
        recruitment_channel=link.channel,
        consent_text=consent_text,
        consent_method=ConsentMethod.ONLINE,
        join_link=link,
        **fields,
    )


# -- forms -------------------------------------------------------------------------------------


def _plain(value: str, markup_message: str = "") -> str:
    """Free text from the public: one line, no markup, nothing a spreadsheet would run."""
    value = " ".join(value.split())
    if any(c in value for c in "<>{}"):
        raise ValidationError(markup_message or _("Isian tidak boleh berisi tanda < > { }."))
    if value[:1] in ("=", "+", "-", "@"):
        raise ValidationError(_("Isian tidak boleh diawali tanda = + - @."))
    return value


class JoinForm(forms.Form):
    """What a worker fills in on a phone. Markup and spreadsheet formulas are refused."""

    full_name = forms.CharField(
        label=gettext_lazy("Nama lengkap"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name", "autocapitalize": "words"}),
        help_text=gettext_lazy("Sesuai KTP."),
    )
    gender = forms.ChoiceField(
        label=gettext_lazy("Jenis kelamin"), choices=Gender.choices, widget=forms.RadioSelect
    )
    birth_date = forms.DateField(
        label=gettext_lazy("Tanggal lahir"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    phone = forms.CharField(
        label=gettext_lazy("Nomor HP / WhatsApp"),
        max_length=24,
        widget=forms.TextInput(
            attrs={
                "type": "tel",
                "inputmode": "tel",
                "autocomplete": "tel",
                "placeholder": "0812-3456-7890",
            }
        ),
        help_text=gettext_lazy("Pengurus serikat akan menghubungi Anda di nomor ini."),
    )
    nik = forms.CharField(
        label=gettext_lazy("NIK"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=gettext_lazy("16 angka di KTP. Boleh dikosongkan."),
    )
    workplace = forms.CharField(
        label=gettext_lazy("Nama perusahaan / tempat kerja"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    department = forms.CharField(
        label=gettext_lazy("Bagian / departemen"), max_length=80, required=False
    )
    employment_status = forms.ChoiceField(
        label=gettext_lazy("Status kerja"),
        choices=[("", gettext_lazy("— pilih —")), *EmploymentStatus.choices],
        required=False,
    )
    consent = forms.BooleanField(
        label=gettext_lazy("Saya setuju"),
        error_messages={
            "required": gettext_lazy("Centang “Saya setuju” bila Anda ingin mendaftar.")
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)
        self.fields["gender"].widget.attrs["class"] = "form-check-input"

    def clean_full_name(self) -> str:
        name = _plain(self.cleaned_data["full_name"], _("Nama tidak boleh berisi tanda < > { }."))
        if not any(c.isalpha() for c in name):
            raise ValidationError(_("Tulis nama lengkap Anda."))
        return name

    def clean_phone(self) -> str:
        return phone_clean(self.cleaned_data["phone"])

    def clean_nik(self) -> str:
        # Region-prefix warnings are for the secretary's form; the public is not lectured.
        nik, _warnings = nik_clean(self.cleaned_data.get("nik", ""))
        return nik

    def clean_birth_date(self) -> datetime.date | None:
        value = self.cleaned_data.get("birth_date")
        today = timezone.localdate()
        if value and not (today.year - 100 <= value.year and value <= today):
            raise ValidationError(_("Tanggal lahir tidak masuk akal."))
        return value

    def clean_workplace(self) -> str:
        return _plain(self.cleaned_data.get("workplace", ""))

    def clean_department(self) -> str:
        return _plain(self.cleaned_data.get("department", ""))

    def member_fields(self) -> dict[str, Any]:
        """The cleaned data as keyword arguments of `member_apply`."""
        data = dict(self.cleaned_data)
        data.pop("consent")
        if data.get("birth_date") is None:
            data.pop("birth_date", None)
        return data


class JoinLinkForm(ScopedModelForm):
    class Meta:
        model = JoinLink
        fields = ["unit", "label", "channel"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # a link stays with its unit (its posters are printed); make a new one instead
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = (
                units_where(self.user, JoinLink, "add")
                .filter(pk__in=OrgUnit.objects.restrict(self.user, "view").values("pk"))
                .order_by("path")
            )
            self.fields["unit"].help_text = gettext_lazy(
                "Pendaftar masuk sebagai calon anggota unit ini."
            )
        self.fields["label"].help_text = gettext_lazy(
            "Untuk pengurus saja, misalnya “Poster gerbang pabrik” atau “Grup WhatsApp”."
        )
        self.fields["channel"].help_text = gettext_lazy(
            "Dicatat pada setiap pendaftar, untuk membandingkan jalur rekrutmen."
        )


# -- QR and poster -----------------------------------------------------------------------------


def qr_code(url: str) -> segno.QRCode:
    # Level M survives a crease or a smudge on a printed poster.
    return segno.make(url, error="m", micro=False)


def qr_image(url: str, kind: str) -> bytes:
    """The QR as PNG or SVG, big enough for a social media post."""
    buf = io.BytesIO()
    qr_code(url).save(buf, kind=kind, scale=16 if kind == "png" else 10, border=4)
    return buf.getvalue()


RED = (0.702, 0.149, 0.118)  # the union red of himpun.css, #b3261e


def poster_pdf(*, unit_name: str, organisation_name: str, url: str) -> bytes:
    """An A4 poster: headline, the unit, why join, the QR and the address under it."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    width, height = A4
    margin = 48
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=1)
    c.setTitle(_("Gabung serikat: %(unit)s") % {"unit": unit_name})
    c.setAuthor(organisation_name or unit_name)
    c.setCreator("Himpun")

    def centred(text: str, font: str, size: float, y: float, limit: float) -> float:
        """Draw `text` centred, wrapped to `limit` width; return the y below it."""
        for line in simpleSplit(text, font, size, limit):
            c.setFont(font, size)
            c.drawCentredString(width / 2, y, line)
            y -= size * 1.2
        return y

    # headline band
    band = 190
    c.setFillColorRGB(*RED)
    c.rect(0, height - band, width, band, stroke=0, fill=1)
    c.setFillColorRGB(1, 1, 1)
    centred(_("Ayo berserikat!"), "Helvetica-Bold", 56, height - 100, width - 2 * margin)
    centred(_("Gabung serikat"), "Helvetica", 30, height - 150, width - 2 * margin)

    # the unit
    c.setFillColorRGB(0.1, 0.1, 0.1)
    y = centred(unit_name, "Helvetica-Bold", 24, height - band - 44, width - 2 * margin)
    if organisation_name and organisation_name != unit_name:
        c.setFillColorRGB(0.35, 0.35, 0.35)
        y = centred(organisation_name, "Helvetica", 15, y + 2, width - 2 * margin)

    # why
    c.setFillColorRGB(0.1, 0.1, 0.1)
    y -= 10
    for line in (
        _("Bersama kita lebih kuat memperjuangkan upah layak dan hak normatif."),
        _("Ada masalah di tempat kerja? Serikat mendampingi Anda."),
        _("Kebebasan berserikat dilindungi undang-undang (UU 21/2000)."),
    ):
        y = centred("• " + line, "Helvetica", 15, y, width - 2 * margin) - 4

    # the QR: drawn module by module, so it stays sharp at any print size
    qr = qr_code(url)
    modules = len(qr.matrix)
    url_size = 13.0
    while stringWidth(url, "Courier-Bold", url_size) > width - 2 * margin and url_size > 7:
        url_size -= 0.5
    # top-down: the prompt, the QR with its quiet zone, the address, the footer
    c.setFillColorRGB(0.1, 0.1, 0.1)
    y = centred(_("Pindai kode QR ini untuk mendaftar:"), "Helvetica-Bold", 16, y - 26, width)
    room = min(y - (margin + 24) - url_size * 3, width - 2 * margin, 380)
    module = room / (modules + 8)  # four modules of quiet zone on each side
    side = module * modules
    left = (width - side) / 2
    top = y - module * 3
    c.setFillColorRGB(0, 0, 0)
    for row_index, row in enumerate(qr.matrix):
        y0 = top - (row_index + 1) * module
        run_start = None
        for col, dark in enumerate([*row, 0]):
            if dark and run_start is None:
                run_start = col
            elif not dark and run_start is not None:
                # a small overlap hides hairline gaps between modules in some viewers
                c.rect(
                    left + run_start * module,
                    y0 - 0.05,
                    (col - run_start) * module + 0.05,
                    module + 0.1,
                    stroke=0,
                    fill=1,
                )
                run_start = None

    # the address under it
    c.setFillColorRGB(0.1, 0.1, 0.1)
    c.setFont("Courier-Bold", url_size)
    c.drawCentredString(width / 2, top - side - module * 3 - url_size, url)
    c.setFont("Helvetica", 10)
    c.setFillColorRGB(0.35, 0.35, 0.35)
    c.drawCentredString(
        width / 2,
        margin,
        _("Data Anda hanya dipakai untuk keperluan keanggotaan serikat."),
    )
    c.showPage()
    c.save()
    return buf.getvalue()
