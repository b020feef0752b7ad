"""Member cards and photos: issue, print (one card or A4 sheets), the public verification page,
the member's photo, and the "Kartu" tab on the member page."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from himpun.core import exports
from himpun.core.querysets import has_scope
from himpun.core.registry import Tab, registry
from himpun.members.cards import (
    card_is_valid,
    card_issue,
    card_status,
    card_verify_url,
    cards_current,
    cards_pdf,
)
from himpun.members.choices import Status
from himpun.members.models import Card, Member

#: Most cards in one printed PDF; a larger selection is refused with a message.
MAX_CARDS = 500


def _member(request: HttpRequest, pk: int, action: str) -> Member:
    return get_object_or_404(
        Member.objects.restrict(request.user, action).select_related("unit", "organisation"),
        pk=pk,
    )


def _cards_tab_url(member: Member) -> str:
    return reverse("members_member_tab", args=[member.pk, "kartu"])


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _record_print(request: HttpRequest, query: str, count: int) -> None:
    """Printing cards hands member data to paper: recorded like any export."""
    unit = getattr(request, "current_unit", None)
    exports.export_record(
        user=request.user,
        model=Card._meta.label,
        file_format="pdf",
        query=query,
        unit_path=unit.path if unit else "",
        row_count=count,
    )


@require_POST
@login_required
def card_issue_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk, "change")
    try:
        card = card_issue(actor=request.user, member=member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("KTA %(number)s diterbitkan, berlaku sampai %(date)s.")
            % {"number": card.number, "date": _date(card.valid_until)},
        )
    return HttpResponseRedirect(_cards_tab_url(member))


@require_GET
@login_required
def card_pdf_view(request: HttpRequest, pk: int, card_pk: int) -> HttpResponse:
    member = _member(request, pk, "view")
    card = get_object_or_404(Card, pk=card_pk, member=member, revoked_at__isnull=True)
    card.member = member
    _record_print(request, f"kartu={card.pk}", 1)
    data = cards_pdf([card], sheet=False, request=request)
    return _pdf_response(data, f"kta-{_safe(card.number)}.pdf")


@require_GET
def cards_print_view(request: HttpRequest) -> HttpResponse:
    """A4 sheets of the valid cards of the members the list's filter selects (`?within=PUK-A`,
    `?status=aktif`, …), optionally narrowed to `?ids=1,2,3`."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not has_scope(request.user, Member, "export"):
        raise Http404
    screens = registry.for_model(Member)
    params = request.GET.copy()
    ids = [int(i) for i in re.split(r"[,\s]+", params.pop("ids", [""])[0]) if i.isdigit()]
    members = screens.narrow(request, screens.queryset(request, "export"))
    _filterset, members = screens.filter(request, members, params)
    if ids:
        members = members.filter(pk__in=ids)
    cards = cards_current(members)
    count = cards.count()
    back = f"{screens.url_list}?{params.urlencode()}" if params else screens.url_list
    if not count:
        messages.warning(request, _("Tidak ada KTA berlaku untuk anggota yang dipilih."))
        return HttpResponseRedirect(back)
    if count > MAX_CARDS:
        messages.error(
            request,
            _(
                "%(count)d KTA terpilih; paling banyak %(max)d KTA dalam satu PDF. "
                "Persempit saringan, misalnya per unit."
            )
            % {"count": count, "max": MAX_CARDS},
        )
        return HttpResponseRedirect(back)
    _record_print(request, request.GET.urlencode(), count)
    data = cards_pdf(cards, sheet=True, request=request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _pdf_response(data, f"kta-{stamp}.pdf")


@require_GET
def card_verify_view(request: HttpRequest, signed: str) -> HttpResponse:
    """Public: what a QR on a card opens. No login, no navigation, four items at most."""
    status = card_status(signed)
    response = render(
        request,
        "members/cards/verify.html",
        {"status": status, "checked_at": timezone.now()},
        status=200 if status else 404,
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
@login_required
def photo_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's photo, only for those who may see the member (never a public media URL)."""
    member = _member(request, pk, "view")
    if not member.photo:
        raise Http404
    try:
        fh = member.photo.open("rb")
    except OSError as exc:
        raise Http404 from exc
    response = FileResponse(fh, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=300"
    return response


def _date(day: Any) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "kartu"


# -- the "Kartu" tab ----------------------------------------------------------------------------


def _cards_context(request: HttpRequest, member: Member) -> dict[str, Any]:
    today = timezone.localdate()
    cards = list(Card.objects.filter(member=member).select_related("issued_by"))
    current = None
    for card in cards:
        card.member = member
        card.is_valid = card_is_valid(card, today)
        if card.revoked_at:
            card.state = _("Dicabut")
        elif card.valid_until < today:
            card.state = _("Kedaluwarsa")
        elif not card.is_valid:
            card.state = _("Tidak berlaku")
        else:
            card.state = _("Berlaku")
        if card.is_valid and current is None:
            current = card
    issuable = (
        member.status == Status.ACTIVE
        and bool(member.number)
        and member.archived_at is None
        and member.merged_into_id is None
    )
    can_change = Member.objects.restrict(request.user, "change").filter(pk=member.pk).exists()
    return {
        "cards": cards,
        "current": current,
        "verify_url": card_verify_url(request, current) if current else "",
        "can_issue": can_change and issuable,
        "issue_blocked": can_change and not issuable,
        "can_print_unit": has_scope(request.user, Member, "export"),
    }


registry.add_tab(
    Member,
    Tab("kartu", gettext_lazy("Kartu"), "members/cards/tab.html", order=20, context=_cards_context),
)

urlpatterns = [
    path("anggota/<int:pk>/kartu/terbitkan/", card_issue_view, name="card_issue"),
    path("anggota/<int:pk>/kartu/<int:card_pk>.pdf", card_pdf_view, name="card_pdf"),
    path("anggota/kartu/cetak.pdf", cards_print_view, name="cards_print"),
    path("anggota/<int:pk>/foto.jpg", photo_view, name="photo"),
    path("k/<str:signed>/", card_verify_view, name="card_verify"),
]
