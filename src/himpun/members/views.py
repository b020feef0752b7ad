"""Change a member's status (aktif → nonaktif → keluar …)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from himpun.members.forms import StatusForm
from himpun.members.models import Member
from himpun.members.services import member_status_change


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
