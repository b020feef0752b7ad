"""Digital recruitment: join links per unit (screens, tabs, QR poster), the public join form
and the secretary's queue of applicants."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import django_filters
import django_tables2 as tables
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from himpun.core.filtersets import ObjectFilterSet, SubtreeFilter
from himpun.core.querysets import has_scope
from himpun.core.registry import ModelScreens, Tab, registry
from himpun.core.scoping import subtree_q
from himpun.core.tables import LinkColumn, ObjectTable
from himpun.members import join
from himpun.members.choices import Channel, Status
from himpun.members.models import JoinLink, Member, StatusChange
from himpun.members.services import member_status_change
from himpun.structure.models import OrgUnit

TEMPLATES = "members/join/"
#: Applicants per page of the queue.
QUEUE_PAGE = 50


# -- join links: the generic screens -----------------------------------------------------------


class JoinLinkFilterSet(ObjectFilterSet):
    search_fields = ("label", "unit__name", "unit__code")
    within = SubtreeFilter()
    channel = django_filters.ChoiceFilter(
        choices=Channel.choices,
        label=gettext_lazy("Jalur rekrutmen"),
        empty_label=gettext_lazy("Semua"),
    )

    class Meta:
        model = JoinLink
        fields = ["channel"]


class JoinLinkTable(ObjectTable):
    label = LinkColumn(verbose_name=gettext_lazy("Nama tautan"))
    unit = tables.Column(verbose_name=gettext_lazy("Unit"), order_by=("unit__name",))
    channel = tables.Column(verbose_name=gettext_lazy("Jalur rekrutmen"))
    application_count = tables.Column(
        verbose_name=gettext_lazy("Pendaftar"), attrs={"td": {"class": "text-end"}}
    )
    poster = tables.Column(
        verbose_name=gettext_lazy("Poster"), accessor="pk", orderable=False, empty_values=()
    )

    class Meta(ObjectTable.Meta):
        model = JoinLink
        fields = ("select", "label", "unit", "channel", "application_count", "poster")

    def render_poster(self, value: int) -> str:
        return format_html(
            '<a href="{}" hx-boost="false"><i class="bi bi-file-earmark-pdf"></i> PDF</a>',
            reverse("members:join_poster", args=[value]),
        )


@registry.register
class JoinLinkScreens(ModelScreens):
    model = JoinLink
    path = "anggota/tautan-daftar"
    filterset_class = JoinLinkFilterSet
    table_class = JoinLinkTable
    form_class = join.JoinLinkForm
    export_fields = ("label", "unit__code", "unit__name", "channel", "created_at", "archived_at")
    detail_fields = ("label", "unit", "channel", "created_at")
    select_related = ("unit",)
    menu_group = "anggota"
    icon = "bi-qr-code"

    def filter(self, request: HttpRequest, qs: QuerySet, params: Any) -> tuple[Any, QuerySet]:
        filterset, rows = super().filter(request, qs, params)
        return filterset, rows.annotate(application_count=Count("applications"))


def _share_context(request: HttpRequest, link: JoinLink) -> dict[str, Any]:
    url = join.join_url(request, link)
    text = _("Ayo gabung serikat! Daftar di sini: %(url)s") % {"url": url}
    return {
        "join_url": url,
        "whatsapp_url": "https://wa.me/?text=" + quote(text),
        "waiting": _waiting(request, Q(join_link=link)),
    }


registry.add_tab(
    JoinLink,
    Tab(
        "bagikan",
        gettext_lazy("Bagikan"),
        TEMPLATES + "tab_share.html",
        order=5,
        context=_share_context,
    ),
)


# -- the unit's "Pendaftaran daring" tab ---------------------------------------------------------


def _waiting(request: HttpRequest, q: Q) -> int:
    """Applicants in the user's scope waiting for a decision (one COUNT)."""
    return (
        Member.objects.restrict(request.user)
        .filter(q, status=Status.APPLICANT, archived_at__isnull=True)
        .count()
    )


def _unit_joining(request: HttpRequest, unit: OrgUnit) -> dict[str, Any]:
    links = list(
        JoinLink.objects.restrict(request.user)
        .filter(unit=unit, archived_at__isnull=True)
        .annotate(application_count=Count("applications"))
        .order_by("label")
    )
    for link in links:
        link.public_url = join.join_url(request, link)
    can_add = join.units_where(request.user, JoinLink, "add").filter(pk=unit.pk).exists()
    return {
        "join_links": links,
        "can_add_link": can_add,
        "waiting": _waiting(request, subtree_q("unit__path", unit.path)),
    }


registry.add_tab(
    OrgUnit,
    Tab(
        "pendaftaran",
        gettext_lazy("Pendaftaran daring"),
        TEMPLATES + "tab_unit.html",
        order=30,
        context=_unit_joining,
        visible=lambda request, unit: has_scope(request.user, JoinLink, "view"),
    ),
)


# -- poster and QR -----------------------------------------------------------------------------


def _link_for_staff(request: HttpRequest, pk: int) -> JoinLink:
    """A link in the user's view scope and in use; 404 otherwise."""
    qs = JoinLink.objects.restrict(request.user).filter(archived_at__isnull=True)
    return get_object_or_404(qs.select_related("unit"), pk=pk)


@login_required
def poster(request: HttpRequest, pk: int) -> HttpResponse:
    link = _link_for_staff(request, pk)
    organisation = OrgUnit._base_manager.get(pk=link.unit.organisation_id)
    pdf = join.poster_pdf(
        unit_name=link.unit.name,
        organisation_name=organisation.name,
        url=join.join_url(request, link),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = slugify(f"poster {link.unit.code} {link.label}") or "poster"
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


def _qr(kind: str, content_type: str) -> Any:
    @login_required
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        link = _link_for_staff(request, pk)
        response = HttpResponse(
            join.qr_image(join.join_url(request, link), kind), content_type=content_type
        )
        download = request.GET.get("unduh")
        name = slugify(f"qr {link.unit.code} {link.label}") or "qr"
        disposition = "attachment" if download else "inline"
        response["Content-Disposition"] = f'{disposition}; filename="{name}.{kind}"'
        return response

    return view


# -- the public form ---------------------------------------------------------------------------


def _public(request: HttpRequest, template: str, ctx: dict[str, Any], status: int = 200):
    response = render(request, TEMPLATES + template, ctx, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    # Not "no-referrer": the browser would then post with Origin: null, which CSRF refuses.
    response["Referrer-Policy"] = "same-origin"
    return response


def _not_found(request: HttpRequest) -> HttpResponse:
    return _public(request, "not_found.html", {}, status=404)


@never_cache
def join_form(request: HttpRequest, token: str) -> HttpResponse:
    """The public form behind a join link: no login, works without JavaScript."""
    link = join.public_link(token)
    if link is None:
        return _not_found(request)
    consent = join.consent_text_for(link.unit)
    thanks = HttpResponseRedirect(reverse("members:join_thanks", args=[link.token]))
    notice = ""
    if request.method == "POST":
        key = join.address_key(join.client_address(request))
        refused = join.join_throttled(key=key, link=link)
        if refused:
            response = _public(request, "busy.html", {"link": link, "refused": refused}, status=429)
            response["Retry-After"] = "3600" if refused == "address" else "86400"
            return response
        state = join.stamp_check(request.POST.get("stamp", ""), link, consent)
        if request.POST.get("website") or state in (join.Stamp.BAD, join.Stamp.EARLY):
            # A bot: it is told what a person is told, and nothing is stored.
            join.join_attempt_record(key=key, link=link)
            return thanks
        data = request.POST.copy()
        if state is join.Stamp.CHANGED:
            data.pop("consent", None)  # the text changed: agree to the new one
            notice = _("Teks persetujuan baru saja diperbarui. Bacalah lalu centang lagi.")
        elif state is join.Stamp.EXPIRED:
            notice = _("Formulir ini sudah terlalu lama terbuka. Silakan kirim ulang formulir.")
        form = join.JoinForm(data)
        if state is join.Stamp.OK and form.is_valid():
            join.join_attempt_record(key=key, link=link)
            join.member_apply(link=link, consent_text=consent, **form.member_fields())
            return thanks
    else:
        form = join.JoinForm()
    ctx = {
        "link": link,
        "form": form,
        "consent": consent,
        "notice": notice,
        # after a notice the person has already spent time on the form: may send at once
        "stamp": join.stamp_make(link, consent, ready=bool(notice)),
    }
    return _public(request, "form.html", ctx)


@never_cache
def join_thanks(request: HttpRequest, token: str) -> HttpResponse:
    """The same page for everybody who sent the form: it shows nothing of what was sent."""
    link = join.public_link(token)
    if link is None:
        return _not_found(request)
    return _public(request, "thanks.html", {"link": link})


# -- the secretary's queue ---------------------------------------------------------------------


def _queue_unit(request: HttpRequest) -> OrgUnit | None:
    pk = request.GET.get("unit") or request.POST.get("unit") or ""
    if not pk.isdigit():
        return None
    return OrgUnit.objects.restrict(request.user).filter(pk=pk).first()


@login_required
def applicants(request: HttpRequest) -> HttpResponse:
    """Applicants (calon) in the user's scope, newest first, to accept or reject."""
    if not has_scope(request.user, Member, "view"):
        raise Http404
    unit = _queue_unit(request)
    note = StatusChange.objects.filter(member=OuterRef("pk"), status=Status.APPLICANT).order_by(
        "id"
    )
    qs = (
        Member.objects.restrict(request.user)
        .filter(status=Status.APPLICANT, archived_at__isnull=True)
        .select_related("unit", "join_link")
        .annotate(note=Subquery(note.values("reason")[:1]))
        .order_by("-created_at", "-pk")
    )
    if unit is not None:
        qs = qs.filter(subtree_q("unit__path", unit.path))
    page = Paginator(qs, QUEUE_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    changeable = set(
        Member.objects.restrict(request.user, "change")
        .filter(pk__in=[m.pk for m in rows])
        .values_list("pk", flat=True)
    )
    ctx = {
        "page": page,
        "rows": rows,
        "changeable": changeable,
        "unit": unit,
        "back": request.get_full_path(),
    }
    return render(request, TEMPLATES + "applicants.html", ctx)


def _decide(request: HttpRequest, pk: int, status: str) -> HttpResponse:
    member = get_object_or_404(
        Member.objects.restrict(request.user, "change").filter(status=Status.APPLICANT), pk=pk
    )
    reason = " ".join(request.POST.get("reason", "").split())[:200]
    try:
        member = member_status_change(
            actor=request.user, member=member, status=status, reason=reason
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if status == Status.ACTIVE:
            messages.success(
                request,
                _("%(name)s diterima sebagai anggota dengan nomor %(number)s.")
                % {"name": member.full_name, "number": member.number},
            )
        else:
            messages.success(request, _("Pendaftaran %(name)s ditolak.") % {"name": member})
    back = request.POST.get("back", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}):
        back = reverse("members:applicants")
    return HttpResponseRedirect(back)


@login_required
@require_POST
def applicant_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, Status.ACTIVE)


@login_required
@require_POST
def applicant_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, Status.REJECTED)


urlpatterns = [
    path("gabung/<str:token>/", join_form, name="join"),
    path("gabung/<str:token>/terima-kasih/", join_thanks, name="join_thanks"),
    path("anggota/tautan-daftar/<int:pk>/poster.pdf", poster, name="join_poster"),
    path("anggota/tautan-daftar/<int:pk>/qr.png", _qr("png", "image/png"), name="join_qr_png"),
    path("anggota/tautan-daftar/<int:pk>/qr.svg", _qr("svg", "image/svg+xml"), name="join_qr_svg"),
    path("anggota/calon/", applicants, name="applicants"),
    path("anggota/calon/<int:pk>/terima/", applicant_accept, name="applicant_accept"),
    path("anggota/calon/<int:pk>/tolak/", applicant_reject, name="applicant_reject"),
]
