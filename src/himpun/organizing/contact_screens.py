"""Screens of the contact pipeline: contacts (list, form, CSV import, the "Perkembangan" tab
with the stage and assessment history) and the organisation's stages (settings); plus the
"Pengorganisasian" tab of a member who was a contact. Writes go through
organizing.contacts."""

from __future__ import annotations

from typing import Any

import django_filters
import django_tables2 as tables
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from himpun.core.filtersets import ObjectFilterSet, SubtreeFilter
from himpun.core.forms import ScopedModelForm
from himpun.core.querysets import may, permission_name
from himpun.core.registry import ModelScreens, Tab, registry
from himpun.core.scoping import ancestor_ids, scope_paths
from himpun.core.tables import LinkColumn, ObjectTable
from himpun.members.models import Member
from himpun.members.validation import phone_clean
from himpun.organizing import contacts
from himpun.organizing.choices import Assessment
from himpun.organizing.models import Contact, Stage
from himpun.structure.filtersets import OrganisationConfigFilterSet
from himpun.structure.forms import UnitCodeField, WorkplaceField
from himpun.structure.models import OrgUnit, Workplace

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

#: Bootstrap colour of each assessment badge: 1 (leader) green … 5 (hostile) red.
ASSESSMENT_BADGES = {
    1: "text-bg-success",
    2: "bg-success-subtle text-success-emphasis border border-success-subtle",
    3: "text-bg-warning",
    4: "bg-danger-subtle text-danger-emphasis border border-danger-subtle",
    5: "text-bg-danger",
}


def ensure_stages_for(user: Any) -> None:
    """Seed the pipeline of the organisations the user works in (lazily, like the cash-book
    categories): a no-op query once they have theirs."""
    if user is None or not user.is_authenticated:
        return
    if user.is_superuser:
        ids = list(OrgUnit._base_manager.filter(parent__isnull=True).values_list("pk", flat=True))
    else:
        paths = scope_paths(user, permission_name(Contact, "view"))
        ids = sorted({ancestor_ids(p)[0] for p in paths})
    if ids:
        contacts.stages_ensure_for(ids)


# --- contacts: filters and table ---------------------------------------------------------------


class ContactFilterSet(ObjectFilterSet):
    search_fields = ("full_name", "phone")
    within = SubtreeFilter()
    stage = django_filters.ModelChoiceFilter(
        queryset=Stage.objects.filter(archived_at__isnull=True), label=_("Tahap")
    )
    assessment = django_filters.ChoiceFilter(
        choices=[*Assessment.choices, ("kosong", _("Belum dinilai"))],
        label=_("Penilaian"),
        method="filter_assessment",
        empty_label=_("Semua"),
    )
    workplace = django_filters.ModelChoiceFilter(
        queryset=Workplace.objects.filter(archived_at__isnull=True), label=_("Tempat kerja")
    )
    department = django_filters.CharFilter(
        label=_("Bagian"), method="filter_department", widget=forms.HiddenInput
    )
    overdue = django_filters.BooleanFilter(
        label=_("Langkah berikutnya terlambat"), method="filter_overdue", widget=forms.CheckboxInput
    )
    converted = django_filters.BooleanFilter(
        label=_("Sudah menjadi anggota"),
        field_name="member",
        lookup_expr="isnull",
        exclude=True,
        widget=forms.NullBooleanSelect,
    )

    class Meta:
        model = Contact
        fields = ["stage", "assessment", "workplace"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["stage"].queryset = self.filters["stage"].queryset.order_by(
            "organisation_id", "order"
        )

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        q = Q(full_name__icontains=value)
        digits = "".join(c for c in value if c.isdigit())
        if len(digits) >= 4:
            # "0812-3456" finds "+6281234567890": phones are stored in E.164
            if digits.startswith("0"):
                digits = "62" + digits[1:]
            q |= Q(phone__contains=digits)
        return queryset.filter(q)

    def filter_assessment(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if value == "kosong":
            return qs.filter(assessment__isnull=True)
        return qs.filter(assessment=value) if value else qs

    def filter_department(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if value == "-":  # the wall chart's "(tanpa bagian)" row
            return qs.filter(department="")
        return qs.filter(department__iexact=value.strip()) if value else qs

    def filter_overdue(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value:
            return qs.filter(next_step_due__lt=timezone.localdate(), member__isnull=True)
        return qs


def assessment_badge(value: int | None) -> str:
    if not value:
        return format_html('<span class="text-body-secondary small">{}</span>', _("belum"))
    return format_html(
        '<span class="badge {}" title="{}" data-assessment="{}">{}</span>',
        ASSESSMENT_BADGES.get(value, "text-bg-secondary"),
        Assessment(value).label,
        value,
        Assessment(value).label,
    )


class ContactTable(ObjectTable):
    full_name = tables.Column(verbose_name=_("Nama"))
    workplace = tables.Column(
        verbose_name=_("Tempat kerja / bagian"), order_by=("workplace__name", "department")
    )
    stage = tables.Column(verbose_name=_("Tahap"), order_by=("stage__order",))
    assessment = tables.Column(verbose_name=_("Penilaian"), default="")
    next_step = tables.Column(verbose_name=_("Langkah berikutnya"), order_by=("next_step_due",))

    class Meta(ObjectTable.Meta):
        model = Contact
        fields = ("select", "full_name", "workplace", "stage", "assessment", "next_step")

    def render_full_name(self, value: str, record: Contact) -> str:
        # straight to the progress tab, where the buttons are
        return format_html(
            '<a href="{}perkembangan/" hx-boost="false">{}</a>{}',
            record.get_absolute_url(),
            value,
            format_html(' <i class="bi bi-person-check text-success" title="{}"></i>', _("Anggota"))
            if record.member_id
            else "",
        )

    def render_workplace(self, value: Workplace, record: Contact) -> str:
        return format_html(
            '{}<div class="small text-body-secondary">{}</div>',
            value.name,
            " · ".join(x for x in (record.department, record.shift) if x),
        )

    def render_stage(self, value: Stage) -> str:
        return value.name

    def render_assessment(self, record: Contact) -> str:
        return assessment_badge(record.assessment)

    def render_next_step(self, value: str, record: Contact) -> str:
        due = record.next_step_due
        if due is None:
            return value
        late = due < timezone.localdate() and not record.member_id
        return format_html(
            '{}<div class="small {}"{}>{}{}</div>',
            value,
            "text-danger fw-semibold" if late else "text-body-secondary",
            format_html(" data-overdue") if late else "",
            format_html('<i class="bi bi-exclamation-triangle"></i> ') if late else "",
            f"{due:%d/%m/%Y}",
        )


# --- contacts: forms ---------------------------------------------------------------------------


class MemberNumberField(forms.ModelChoiceField):
    """A member named by their member number (a text box: a union has too many members for
    a list)."""

    widget = forms.TextInput

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Member):
            return value.number
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            found = Member._base_manager.filter(pk=value).values_list("number", flat=True).first()
            return found or value
        return value

    def to_python(self, value: Any) -> Member | None:
        if value in self.empty_values:
            return None
        value = str(value).strip()
        found = list(self.queryset.filter(number__iexact=value)[:2])
        if len(found) != 1:
            raise ValidationError(
                _("Anggota bernomor %(number)s tidak ditemukan."), params={"number": value}
            )
        return found[0]


class ContactForm(ScopedModelForm):
    phone = forms.CharField(
        label=_("Nomor HP"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "placeholder": "0812-3456-7890"}),
    )
    known_by = MemberNumberField(
        queryset=Member.objects.all(),
        required=False,
        label=_("Dikenal oleh (nomor anggota)"),
        help_text=_("Nomor anggota yang mengenal pekerja ini."),
    )

    class Meta:
        model = Contact
        fields = [
            "unit",
            "full_name",
            "phone",
            "workplace",
            "department",
            "shift",
            "community",
            "known_by",
            "stage",
            "assessment",
            "channel",
            "campaign",
            "next_step",
            "next_step_due",
            "notes",
        ]
        widgets = {"next_step_due": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = self.fields["unit"].queryset.order_by("path")
        self.fields["workplace"].queryset = self.fields["workplace"].queryset.select_related(
            "employer"
        )
        stage = self.fields["stage"]
        if isinstance(stage, forms.ModelChoiceField):
            stage.queryset = stage.queryset.filter(is_member=False).order_by(
                "organisation_id", "order"
            )
        if self.instance.pk and self.instance.member_id:
            # a member's contact stays at the membership stage
            del self.fields["stage"]
        elif not self.instance.pk:
            stage.required = False
            stage.help_text = _("Kosongkan untuk tahap pertama.")
        self.fields["assessment"].help_text = _("1 = pemimpin … 5 = memusuhi.")
        if self.instance.pk:
            self.initial["phone"] = self.instance.phone

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if any(c in name for c in "<>{}"):
            raise ValidationError(_("Nama tidak boleh berisi tanda < > { }."))
        return name

    def clean_phone(self) -> str:
        return phone_clean(self.cleaned_data.get("phone", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        unit = data.get("unit")
        stage = data.get("stage")
        org_id = (unit.organisation_id or unit.pk) if unit is not None else None
        if stage is not None and org_id is not None and stage.organisation_id != org_id:
            self.add_error("stage", _("Tahap ini milik organisasi lain."))
        campaign = data.get("campaign")
        if campaign is not None and unit is not None:
            same_org = campaign.unit.organisation_id == unit.organisation_id
            if not same_org:
                self.add_error("campaign", _("Kampanye ini milik organisasi lain."))
        return data


class StageCodeField(forms.CharField):
    """A stage named in a CSV row by its code or its name (resolved in the form's clean)."""


class ContactImportForm(ContactForm):
    unit = UnitCodeField(queryset=OrgUnit.objects.all(), label=_("Kode unit"))
    workplace = WorkplaceField(
        queryset=Workplace.objects.all(), required=False, label=_("Tempat kerja (nomor atau nama)")
    )
    stage = StageCodeField(required=False, label=_("Tahap (kode atau nama)"))  # type: ignore[assignment]

    class Meta(ContactForm.Meta):
        widgets: dict[str, Any] = {}

    def clean_stage(self) -> str:
        return (self.cleaned_data.get("stage") or "").strip()

    def clean(self) -> dict[str, Any]:
        text = self.cleaned_data.get("stage") or ""
        unit = self.cleaned_data.get("unit")
        self.cleaned_data["stage"] = None
        if text and unit is not None:
            org_id = unit.organisation_id or unit.pk
            contacts.stages_ensure(unit)
            qs = Stage._base_manager.filter(
                organisation_id=org_id, archived_at__isnull=True, is_member=False
            )
            found = qs.filter(code__iexact=text).first() or qs.filter(name__iexact=text).first()
            if found is None:
                self.add_error("stage", _("Tahap %(stage)s tidak dikenal.") % {"stage": text})
            else:
                self.cleaned_data["stage"] = found
        return super().clean()


@registry.register
class ContactScreens(ModelScreens):
    model = Contact
    path = "organisasi/kontak"
    filterset_class = ContactFilterSet
    table_class = ContactTable
    form_class = ContactForm
    import_form_class = ContactImportForm
    import_fields = (
        "unit",
        "full_name",
        "phone",
        "workplace",
        "department",
        "shift",
        "community",
        "stage",
        "assessment",
        "channel",
        "next_step",
        "next_step_due",
        "notes",
    )
    export_fields = (
        "full_name",
        "phone",
        "unit__code",
        "workplace__name",
        "department",
        "shift",
        "community",
        "known_by__number",
        "stage__name",
        "assessment",
        "channel",
        "campaign__name",
        "next_step",
        "next_step_due",
        "notes",
        "member__number",
        "converted_at",
    )
    detail_fields = (
        "full_name",
        "phone",
        "unit",
        "workplace",
        "department",
        "shift",
        "community",
        "known_by",
        "stage",
        "assessment",
        "channel",
        "campaign",
        "next_step",
        "next_step_due",
        "notes",
        "member",
        "converted_at",
    )
    select_related = ("unit", "workplace", "stage")
    menu_group = "organising"
    icon = "bi-person-lines-fill"

    def filter(self, request: HttpRequest, qs: QuerySet, params: Any) -> tuple[Any, QuerySet]:
        ensure_stages_for(request.user)
        return super().filter(request, qs, params)

    def form_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        ensure_stages_for(request.user)
        return super().form_kwargs(request)

    def create(self, *, request: HttpRequest, form: Any, batch: Any = None) -> Contact:
        return contacts.contact_create(
            actor=request.user, contact=form.save(commit=False), batch=batch
        )

    def update(self, *, request: HttpRequest, form: Any, expected_version: int) -> Contact:
        return contacts.contact_update(
            actor=request.user, contact=form.save(commit=False), expected_version=expected_version
        )


def _progress_context(request: HttpRequest, contact: Contact) -> dict[str, Any]:
    can_change = may(request.user, Contact, "change", contact.unit.path)
    open_ = contact.member_id is None and contact.archived_at is None
    return {
        "history": contacts.contact_history(contact),
        "badges": ASSESSMENT_BADGES,
        "can_move": can_change and open_,
        "can_assess": can_change and contact.archived_at is None,
        "can_convert": can_change and open_ and may(request.user, Member, "add", contact.unit.path),
        "overdue": bool(
            contact.next_step_due
            and contact.next_step_due < timezone.localdate()
            and contact.member_id is None
        ),
        "member_visible": bool(
            contact.member_id
            and Member.objects.restrict(request.user).filter(pk=contact.member_id).exists()
        ),
    }


registry.add_tab(
    Contact,
    Tab(
        "perkembangan",
        _("Perkembangan"),
        "organizing/contact_progress.html",
        order=5,
        context=_progress_context,
    ),
)


# --- a member who was a contact ----------------------------------------------------------------


def _member_contacts(request: HttpRequest, member: Member) -> list[Contact]:
    cache = getattr(request, "_himpun_member_contacts", None)
    if cache is None or cache[0] != member.pk:
        found = list(
            Contact.objects.restrict(request.user)
            .filter(member=member)
            .select_related("stage", "workplace", "known_by")
        )
        cache = (member.pk, found)
        request._himpun_member_contacts = cache  # type: ignore[attr-defined]
    return cache[1]


def _member_tab_context(request: HttpRequest, member: Member) -> dict[str, Any]:
    return {
        "contact_rows": [
            (c, contacts.contact_history(c)) for c in _member_contacts(request, member)
        ],
        "badges": ASSESSMENT_BADGES,
    }


registry.add_tab(
    Member,
    Tab(
        "pengorganisasian",
        _("Pengorganisasian"),
        "organizing/contact_member_tab.html",
        order=40,
        context=_member_tab_context,
        visible=lambda request, member: bool(_member_contacts(request, member)),
    ),
)


# --- stages ------------------------------------------------------------------------------------


class StageFilterSet(OrganisationConfigFilterSet):
    class Meta:
        model = Stage
        fields = ["organisation", "is_member"]


class StageTable(ObjectTable):
    name = LinkColumn(verbose_name=_("Nama"))
    code = tables.Column(verbose_name=_("Kode"))
    order = tables.Column(verbose_name=_("Urutan"))
    is_member = tables.BooleanColumn(verbose_name=_("Tahap keanggotaan"))
    organisation = tables.Column(verbose_name=_("Organisasi"))

    class Meta(ObjectTable.Meta):
        model = Stage
        fields = ("select", "name", "code", "order", "is_member", "organisation")


class StageForm(ScopedModelForm):
    class Meta:
        model = Stage
        fields = ["organisation", "name", "code", "order", "is_member"]
        help_texts = {"order": _("Tahap dengan urutan lebih besar berarti lebih maju.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = OrgUnit.objects.restrict(self.user, "view").filter(
            parent__isnull=True
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        org = data.get("organisation")
        code = data.get("code")
        if org is not None and code:
            taken = Stage._base_manager.filter(organisation=org, code=code).exclude(
                pk=self.instance.pk
            )
            if taken.exists():
                self.add_error("code", _("Kode ini sudah dipakai tahap lain di organisasi ini."))
        return data


class StageImportForm(StageForm):
    organisation = UnitCodeField(queryset=OrgUnit.objects.all(), label=_("Kode organisasi"))


@registry.register
class StageScreens(ModelScreens):
    model = Stage
    path = "organisasi/tahap"
    filterset_class = StageFilterSet
    table_class = StageTable
    form_class = StageForm
    import_form_class = StageImportForm
    import_fields = ("organisation", "name", "code", "order", "is_member")
    export_fields = ("organisation__code", "name", "code", "order", "is_member")
    detail_fields = ("organisation", "name", "code", "order", "is_member")
    select_related = ("organisation",)
    menu_group = "pengaturan"
    icon = "bi-bar-chart-steps"

    def filter(self, request: HttpRequest, qs: QuerySet, params: Any) -> tuple[Any, QuerySet]:
        ensure_stages_for(request.user)
        return super().filter(request, qs, params)


# --- the workplace's wall chart, summed up on the workplace page --------------------------------


def _workplace_tab_context(request: HttpRequest, workplace: Workplace) -> dict[str, Any]:
    chart = contacts.wall_chart(
        workplace=workplace,
        contacts=Contact.objects.restrict(request.user),
        members=Member.objects.restrict(request.user),
    )
    return {
        "chart": chart,
        "supporters": chart.total.cells[1].count + chart.total.cells[2].count,
    }


registry.add_tab(
    Workplace,
    Tab(
        "bagan-dinding",
        _("Bagan dinding"),
        "organizing/contact_workplace_tab.html",
        order=30,
        context=_workplace_tab_context,
        visible=lambda request, workplace: may(request.user, Contact, "view", workplace.unit.path),
    ),
)
