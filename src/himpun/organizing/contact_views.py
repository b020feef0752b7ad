"""Contact pages outside the generic screens: moving a contact along the pipeline, rating
it, converting it into a member; the wall chart of a workplace; the pipeline funnel of a
unit ("Alur kontak") with its table and XLSX export."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from himpun.core import exports
from himpun.core.forms import style_widgets
from himpun.core.querysets import has_scope, may, permission_name
from himpun.core.registry import MenuLink, registry
from himpun.core.scoping import SEGMENT, scope_paths, subtree_q
from himpun.members.choices import Gender, Status
from himpun.members.models import Member
from himpun.organizing import contacts
from himpun.organizing.choices import Assessment
from himpun.organizing.contact_screens import ASSESSMENT_BADGES, ensure_stages_for
from himpun.organizing.models import Contact, Stage
from himpun.structure.forms import UnitCodeField
from himpun.structure.models import OrgUnit, Workplace

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# --- forms -------------------------------------------------------------------------------------


class _ActionForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("Tanggal"), widget=DATE)
    note = forms.CharField(label=gettext_lazy("Catatan"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


class StageChangeForm(_ActionForm):
    stage = forms.ModelChoiceField(
        queryset=Stage.objects.none(), label=gettext_lazy("Tahap baru"), empty_label=None
    )
    field_order = ["stage", "on", "note"]

    def __init__(self, *args: Any, contact: Contact, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = (
            Stage._base_manager.filter(
                organisation_id=contact.unit.organisation_id or contact.unit_id,
                archived_at__isnull=True,
                is_member=False,
            )
            .exclude(pk=contact.stage_id)
            .order_by("order", "name")
        )
        style_widgets(self)


class AssessForm(_ActionForm):
    # A plain field: an assessment outside 1–5 reaches the service, which explains it.
    assessment = forms.CharField(
        label=gettext_lazy("Penilaian"),
        widget=forms.RadioSelect(choices=Assessment.choices),
    )
    field_order = ["assessment", "on", "note"]

    def __init__(self, *args: Any, contact: Contact, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessment"].initial = contact.assessment
        style_widgets(self)
        self.fields["assessment"].widget.attrs["class"] = "form-check-input"


class ConvertForm(_ActionForm):
    gender = forms.ChoiceField(
        label=gettext_lazy("Jenis kelamin"), choices=Gender.choices, widget=forms.RadioSelect
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status awal"),
        choices=[(Status.ACTIVE, Status.ACTIVE.label), (Status.APPLICANT, Status.APPLICANT.label)],
        initial=Status.ACTIVE,
    )
    unit = UnitCodeField(
        queryset=OrgUnit.objects.none(),
        required=False,
        label=gettext_lazy("Unit anggota (kode)"),
        help_text=gettext_lazy("Kosongkan untuk unit kontak ini."),
    )
    field_order = ["gender", "status", "unit", "on", "note"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = OrgUnit.objects.restrict(user, "view").filter(
            archived_at__isnull=True
        )
        self.fields["on"].label = gettext_lazy("Tanggal bergabung")
        style_widgets(self)
        self.fields["gender"].widget.attrs["class"] = "form-check-input"


# --- contact actions ---------------------------------------------------------------------------


def _contact(request: HttpRequest, pk: int) -> Contact:
    """A contact the user may change, else 404 (missing and out of scope look the same)."""
    return get_object_or_404(
        Contact.objects.restrict(request.user, "change").select_related("unit", "stage"), pk=pk
    )


def _action(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    contact = _contact(request, pk)
    data = request.POST if request.method == "POST" else None
    if kind == "stage":
        form: forms.Form = StageChangeForm(data, contact=contact)
        title = _("Ubah tahap")
    elif kind == "assess":
        form = AssessForm(data, contact=contact)
        title = _("Nilai kontak")
    else:
        if not may(request.user, Member, "add", contact.unit.path):
            raise Http404
        form = ConvertForm(data, user=request.user)
        title = _("Jadikan anggota")
    if data is not None and form.is_valid():
        d = form.cleaned_data
        try:
            if kind == "stage":
                contacts.contact_stage_change(
                    actor=request.user,
                    contact=contact,
                    stage=d["stage"],
                    on=d["on"],
                    note=d["note"],
                )
                messages.success(request, _("Tahap %(obj)s diubah.") % {"obj": contact})
            elif kind == "assess":
                contacts.contact_assess(
                    actor=request.user,
                    contact=contact,
                    assessment=d["assessment"],
                    on=d["on"],
                    note=d["note"],
                )
                messages.success(request, _("Penilaian %(obj)s dicatat.") % {"obj": contact})
            else:
                unit = d["unit"] or contact.unit
                if not may(request.user, Member, "add", unit.path):
                    raise ValidationError(
                        {"unit": _("Anda tidak berwenang menambah anggota di unit tersebut.")}
                    )
                member = contacts.contact_convert(
                    actor=request.user,
                    contact=contact,
                    gender=d["gender"],
                    unit=unit,
                    status=d["status"],
                    on=d["on"],
                    note=d["note"],
                )
                messages.success(
                    request, _("%(obj)s sekarang tercatat sebagai anggota.") % {"obj": member}
                )
                return HttpResponseRedirect(member.get_absolute_url())
            return HttpResponseRedirect(contact.get_absolute_url() + "perkembangan/")
        except ValidationError as exc:
            _errors_onto(form, exc)
    return render(
        request,
        "organizing/contact_action.html",
        {"contact": contact, "form": form, "title": title, "kind": kind},
        status=400 if data is not None else 200,
    )


def _errors_onto(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def contact_stage(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, "stage")


def contact_assess(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, "assess")


def contact_convert(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, "convert")


# --- the wall chart ----------------------------------------------------------------------------


def wall_chart(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not has_scope(request.user, Contact, "view"):
        raise Http404
    workplace = get_object_or_404(
        Workplace.objects.restrict(request.user).select_related("employer", "unit"), pk=pk
    )
    by = "shift" if request.GET.get("baris") == "shift" else "department"
    chart = contacts.wall_chart(
        workplace=workplace,
        contacts=Contact.objects.restrict(request.user),
        members=Member.objects.restrict(request.user),
        by=by,
    )
    list_url = reverse("organizing_contact_list")
    return render(
        request,
        "organizing/wall_chart.html",
        {
            "chart": chart,
            "workplace": workplace,
            "by": by,
            "badges": ASSESSMENT_BADGES,
            "list_url": list_url,
            "names_per_cell": contacts.NAMES_PER_CELL,
            "supporters": chart.total.cells[1].count + chart.total.cells[2].count,
            "can_add": may(request.user, Contact, "add", workplace.unit.path),
        },
    )


# --- the funnel --------------------------------------------------------------------------------


def _funnel(request: HttpRequest, pk: int) -> contacts.Funnel:
    unit = get_object_or_404(OrgUnit.objects.restrict(request.user), pk=pk)
    if not may(request.user, Contact, "view", unit.path):
        raise Http404
    return contacts.funnel(contacts=Contact.objects.restrict(request.user), unit=unit)


def funnel_home(request: HttpRequest) -> HttpResponse:
    """The menu's entry: the current unit, or the top of the user's reach."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not has_scope(request.user, Contact, "view"):
        raise Http404
    unit = getattr(request, "current_unit", None)
    if unit is None or not may(request.user, Contact, "view", unit.path):
        if request.user.is_superuser:
            unit = OrgUnit.objects.filter(parent__isnull=True).order_by("path").first()
        else:
            paths = sorted(scope_paths(request.user, permission_name(Contact, "view")))
            unit = OrgUnit.objects.filter(path=paths[0]).first() if paths else None
    if unit is None:
        raise Http404
    return redirect("organizing:funnel", unit.pk)


#: Workplaces listed under the funnel (those with the most open contacts).
WORKPLACES_LISTED = 30


def funnel(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    ensure_stages_for(request.user)
    rep = _funnel(request, pk)
    unit = rep.unit
    up = unit.path[:-SEGMENT]
    parent = unit.parent_id if up and may(request.user, Contact, "view", up) else None
    places = list(
        Contact.objects.restrict(request.user)
        .filter(
            subtree_q("unit__path", unit.path),
            archived_at__isnull=True,
            member__isnull=True,
            workplace__isnull=False,
        )
        .order_by()
        .values("workplace_id", "workplace__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "workplace__name")[:WORKPLACES_LISTED]
    )
    total = rep.total
    rows = [(s, n, round(n * 100 / total, 1) if total else 0) for s, n in rep.rows]
    return render(
        request,
        "organizing/funnel.html",
        {
            "report": rep,
            "unit": unit,
            "parent": parent,
            "rows": rows,
            "places": places,
            "chart": {
                "labels": [s.name for s, _n in rep.rows],
                "values": [n for _s, n in rep.rows],
            },
            "chart_height": 60 + 44 * len(rows),
            "can_export": may(request.user, Contact, "export", unit.path),
            "list_url": reverse("organizing_contact_list"),
        },
    )


def funnel_export(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    rep = _funnel(request, pk)
    if not may(request.user, Contact, "export", rep.unit.path):
        raise Http404
    headers, rows = rep.table()
    exports.export_record(
        user=request.user,
        model="organizing.funnel",
        file_format="xlsx",
        query="",
        unit_path=rep.unit.path,
        row_count=len(rows) - 1,  # the stages, not the total line
    )
    fh = exports.xlsx_file(headers, rows, _("Alur kontak"))
    stamp = timezone.localdate().strftime("%Y%m%d")
    return FileResponse(
        fh, as_attachment=True, filename=f"alur-kontak-{rep.unit.code}-{stamp}.xlsx"
    )


urlpatterns = [
    path("organisasi/kontak/<int:pk>/ubah-tahap/", contact_stage, name="contact_stage"),
    path("organisasi/kontak/<int:pk>/nilai/", contact_assess, name="contact_assess"),
    path("organisasi/kontak/<int:pk>/jadikan-anggota/", contact_convert, name="contact_convert"),
    path("organisasi/dinding/<int:pk>/", wall_chart, name="wall_chart"),
    path("organisasi/saluran-kontak/", funnel_home, name="funnel_home"),
    path("organisasi/saluran-kontak/<int:pk>/", funnel, name="funnel"),
    path("organisasi/saluran-kontak/<int:pk>/xlsx/", funnel_export, name="funnel_export"),
]

# Registered here (this module is imported with the URLs, before any page is drawn).
registry.add_link(
    "organising",
    MenuLink(
        gettext_lazy("Alur kontak"),
        "organizing:funnel_home",
        "bi-funnel",
        Contact,
        "view",
        order=20,
    ),
)
