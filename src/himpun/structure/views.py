"""The tree page, lazy children, moving a unit, the region picker."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from himpun.structure.forms import MoveForm, RegionWidget
from himpun.structure.models import OrgUnit
from himpun.structure.selectors import scope_roots, unit_children
from himpun.structure.services import unit_move


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    """The organisation tree from the user's top units; children load when opened."""
    roots = scope_roots(request.user)
    if not roots:
        raise Http404
    return render(request, "structure/tree.html", {"nodes": roots})


@login_required
def tree_children(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(OrgUnit.objects.restrict(request.user), pk=pk)
    return render(
        request, "structure/tree.html#nodes", {"nodes": unit_children(request.user, unit)}
    )


@login_required
def move(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(OrgUnit.objects.restrict(request.user, "change"), pk=pk)
    form = MoveForm(request.POST or None, user=request.user, unit=unit)
    if request.method == "POST" and form.is_valid():
        try:
            unit_move(actor=request.user, unit=unit, new_parent=form.cleaned_data["parent"])
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("%(unit)s dipindahkan.") % {"unit": unit})
            return HttpResponseRedirect(unit.get_absolute_url())
    return render(request, "structure/move.html", {"object": unit, "form": form})


@login_required
def region_picker(request: HttpRequest) -> HttpResponse:
    """Re-render a region widget with the choices below what has been picked so far."""
    name = request.GET.get("field", "region_code")
    if not name.isidentifier():
        raise Http404
    depth = min(max(int(request.GET.get("depth", "3") or 3), 1), 4)
    widget = RegionWidget(depth=depth)
    value = widget.value_from_datadict(request.GET, {}, name)
    return HttpResponse(widget.render(name, value))
