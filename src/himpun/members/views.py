"""Member workflows beyond editing: status changes and transfers between units."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from himpun.core.querysets import has_scope, may
from himpun.core.views import display_fields, lazy_page
from himpun.members.choices import DuplicateState
from himpun.members.duplicates import duplicate_dismiss, member_merge
from himpun.members.forms import StatusForm, TransferDecisionForm, TransferRequestForm
from himpun.members.models import DuplicateCandidate, Member, Transfer
from himpun.members.services import (
    member_status_change,
    member_transfer_accept,
    member_transfer_cancel,
    member_transfer_reject,
    member_transfer_request,
)


@login_required
def status_change(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(Member.objects.restrict(request.user, "change"), pk=pk)
    form = StatusForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            member_status_change(
                actor=request.user,
                member=member,
                status=form.cleaned_data["status"],
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Status %(name)s diperbarui.") % {"name": member})
            return HttpResponseRedirect(member.get_absolute_url() + "status/")
    return render(request, "members/status_form.html", {"object": member, "form": form})


@login_required
def transfer_request(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(
        Member.objects.restrict(request.user, "change").select_related("unit"), pk=pk
    )
    form = TransferRequestForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = member_transfer_request(
                actor=request.user,
                member=member,
                to_unit=form.cleaned_data["to_unit_code"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc, {"to_unit": "to_unit_code"})
        else:
            messages.success(
                request,
                _("Permintaan mutasi ke %(unit)s dikirim; menunggu persetujuan unit penerima.")
                % {"unit": transfer.to_unit},
            )
            return HttpResponseRedirect(member.get_absolute_url() + "mutasi/")
    return render(request, "members/transfer_form.html", {"object": member, "form": form})


@login_required
def transfer_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept or reject (the receiving unit) or cancel (the sending unit) a transfer."""
    transfer = get_object_or_404(
        Transfer.objects.restrict(request.user).select_related("from_unit", "to_unit", "member"),
        pk=pk,
    )
    decision = request.POST.get("decision")
    side = transfer.from_unit if decision == "batal" else transfer.to_unit
    if request.method != "POST" or not may(request.user, Transfer, "change", side.path):
        raise Http404
    form = TransferDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for e in form.errors.values() for m in e))
        return HttpResponseRedirect(transfer.get_absolute_url() + "putusan/")
    note = form.cleaned_data["note"]
    service = {
        "terima": member_transfer_accept,
        "tolak": member_transfer_reject,
        "batal": member_transfer_cancel,
    }.get(decision)
    if service is None:
        raise Http404
    try:
        service(actor=request.user, transfer=transfer, note=note)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        text = {
            "terima": _("%(name)s kini anggota %(unit)s."),
            "tolak": _("Mutasi %(name)s ke %(unit)s ditolak."),
            "batal": _("Permintaan mutasi %(name)s ke %(unit)s dibatalkan."),
        }[decision]
        messages.success(request, text % {"name": transfer.member, "unit": transfer.to_unit})
    return HttpResponseRedirect(transfer.get_absolute_url() + "putusan/")


def _errors_to_form(form, exc: ValidationError, rename: dict[str, str]) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(rename.get(field), errors)
    else:
        form.add_error(None, exc.messages)


# -- duplicates ----------------------------------------------------------------------------

#: Fields shown side by side when comparing two records.
COMPARE_FIELDS = (
    "number",
    "full_name",
    "status",
    "unit",
    "gender",
    "birth_place",
    "birth_date",
    "nik",
    "phone",
    "email",
    "employer",
    "department",
    "joined_on",
)


DUPLICATES_PER_PAGE = 50


def _visible_pairs(user) -> QuerySet:
    """Open pairs whose two records the user may both see (a pair half out of scope is
    someone else's to decide, and showing it would leak the other record)."""
    visible = Member.objects.restrict(user).filter(archived_at__isnull=True).values("pk")
    return DuplicateCandidate.objects.filter(
        state=DuplicateState.OPEN, member_a__in=visible, member_b__in=visible
    ).select_related("member_a__unit", "member_b__unit")


@login_required
def duplicate_list(request: HttpRequest) -> HttpResponse:
    if not has_scope(request.user, Member, "view"):
        raise Http404
    # Most certain first; no COUNT (a first import can queue thousands of pairs).
    page = lazy_page(
        _visible_pairs(request.user).order_by("-score", "-id"),
        DUPLICATES_PER_PAGE,
        request.GET.get("halaman"),
    )
    return render(request, "members/duplicates.html", {"pairs": page.object_list, "page": page})


@login_required
def duplicate_review(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(_visible_pairs(request.user), pk=pk)
    a, b = candidate.member_a, candidate.member_b
    changeable = Member.objects.restrict(request.user, "change").filter(pk__in=[a.pk, b.pk])
    can_decide = changeable.count() == 2
    if request.method == "POST":
        if not can_decide:
            raise Http404
        try:
            if request.POST.get("decision") == "bukan":
                duplicate_dismiss(actor=request.user, candidate=candidate)
                messages.success(request, _("Ditandai bukan duplikat."))
            else:
                keep = a if request.POST.get("keep") == str(a.pk) else b
                drop = b if keep is a else a
                if request.POST.get("keep") not in (str(a.pk), str(b.pk)):
                    raise ValidationError(_("Pilih data yang dipertahankan."))
                survivor = member_merge(actor=request.user, survivor=keep, duplicate=drop)
                messages.success(
                    request,
                    _("Data digabung ke %(name)s; riwayat dan kartu ikut pindah.")
                    % {"name": survivor},
                )
                return HttpResponseRedirect(survivor.get_absolute_url())
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(request.path)
        return HttpResponseRedirect(reverse("members:duplicates"))
    rows = [
        (label, va, vb, va != vb)
        for (label, va), (_label, vb) in zip(
            display_fields(a, COMPARE_FIELDS), display_fields(b, COMPARE_FIELDS), strict=True
        )
    ]
    return render(
        request,
        "members/duplicate_review.html",
        {"candidate": candidate, "a": a, "b": b, "rows": rows, "can_decide": can_decide},
    )
