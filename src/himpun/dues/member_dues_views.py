"""A member's dues account: the wage that percentage dues are taken from, and the date of the
signed check-off authorisation."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from himpun.core.forms import style_widgets
from himpun.core.querysets import may
from himpun.core.registry import registry
from himpun.dues.forms import AmountField, DateField
from himpun.dues.models import MemberDues, Payment
from himpun.dues.services import member_dues_update
from himpun.members.models import Member


class MemberDuesForm(forms.Form):
    wage = AmountField(
        label=gettext_lazy("Upah per bulan (Rp)"),
        required=False,
        allow_zero=True,
        help_text=gettext_lazy("Untuk iuran persen dari upah. Kosongkan bila tidak diketahui."),
    )
    checkoff_authorised_on = DateField(
        label=gettext_lazy("Surat kuasa potong upah ditandatangani"),
        required=False,
        help_text=gettext_lazy(
            "KEP.187/MEN/X/2004: upah hanya boleh dipotong dengan kuasa tertulis anggota."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


@login_required
def member_dues_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(Member.objects.restrict(request.user).select_related("unit"), pk=pk)
    if not may(request.user, Payment, "add", member.unit.path):
        raise Http404
    account = MemberDues.objects.filter(member=member).first()
    initial = (
        {"wage": account.wage, "checkoff_authorised_on": account.checkoff_authorised_on}
        if account
        else {}
    )
    tab_url = registry.for_model(Member).url("tab", member.pk, tab="iuran")
    form = MemberDuesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            member_dues_update(
                actor=request.user,
                member=member,
                wage=form.cleaned_data["wage"],
                checkoff_authorised_on=form.cleaned_data["checkoff_authorised_on"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Data iuran anggota disimpan."))
            return HttpResponseRedirect(tab_url)
    return render(
        request,
        "dues/member_dues_form.html",
        {"form": form, "member": member, "tab_url": tab_url},
    )
