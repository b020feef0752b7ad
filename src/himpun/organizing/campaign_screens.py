"""Campaign screens: the list, form and profile through the generic screens, plus the
"Kemajuan" (progress against goals, with a chart) and "Kegiatan" (activity log) tabs.
Activities are recorded on the campaign page (campaign_views.py); their own screens only
list, export and delete them."""

from __future__ import annotations

from typing import Any

import django_filters
import django_tables2 as tables
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himpun.accounts.models import User
from himpun.core.filtersets import ObjectFilterSet, SubtreeFilter
from himpun.core.forms import ScopedModelForm, style_widgets
from himpun.core.querysets import may, permission_name
from himpun.core.registry import ModelScreens, Tab, registry
from himpun.core.scoping import scope_paths
from himpun.core.tables import LinkColumn, ObjectTable
from himpun.organizing import campaigns
from himpun.organizing.choices import ActivityKind
from himpun.organizing.models import Campaign, CampaignActivity
from himpun.structure.regions import region_label

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
#: Activities shown on the campaign's tab (the newest); all of them are in the list.
LOG_ROWS = 100

# --- campaigns --------------------------------------------------------------------------------


class CampaignFilterSet(ObjectFilterSet):
    search_fields = ("name", "description", "unit__name", "unit__code")
    within = SubtreeFilter()
    period = django_filters.ChoiceFilter(
        label=_("Masa"),
        method="filter_period",
        choices=(
            ("berjalan", _("Sedang berjalan")),
            ("akan", _("Akan datang")),
            ("selesai", _("Sudah selesai")),
        ),
        empty_label=_("Semua"),
    )

    class Meta:
        model = Campaign
        fields = ["sector"]

    def filter_period(self, qs: Any, name: str, value: str) -> Any:
        today = timezone.localdate()
        if value == "berjalan":
            return qs.filter(starts_on__lte=today, ends_on__gte=today)
        if value == "akan":
            return qs.filter(starts_on__gt=today)
        if value == "selesai":
            return qs.filter(ends_on__lt=today)
        return qs


class CampaignTable(ObjectTable):
    name = LinkColumn(verbose_name=_("Kampanye"))
    unit = tables.Column(verbose_name=_("Unit"), order_by=("unit__path",))
    starts_on = tables.DateColumn(verbose_name=_("Mulai"), format="d/m/Y")
    ends_on = tables.DateColumn(verbose_name=_("Selesai"), format="d/m/Y")
    goal_members = tables.Column(
        verbose_name=_("Target anggota baru"), attrs={"td": {"class": "text-end"}}
    )
    goal_density = tables.Column(
        verbose_name=_("Target kepadatan"), attrs={"td": {"class": "text-end"}}
    )

    class Meta(ObjectTable.Meta):
        model = Campaign
        fields = ("select", "name", "unit", "starts_on", "ends_on", "goal_members", "goal_density")

    def render_goal_density(self, value: Any) -> str:
        return f"{value:g}%".replace(".", ",")


class OrganiserField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        full = obj.get_full_name()
        return f"{full} ({obj.username})" if full else obj.username


class CampaignForm(ScopedModelForm):
    organisers = OrganiserField(
        queryset=User.objects.none(),
        required=False,
        label=_("organiser"),
        help_text=_("Pengguna yang memegang peran di unit ini, di bawahnya, atau di atasnya."),
    )

    class Meta:
        model = Campaign
        fields = [
            "unit",
            "name",
            "description",
            "starts_on",
            "ends_on",
            "workplaces",
            "sector",
            "region_code",
            "goal_members",
            "goal_units",
            "goal_density",
            "organisers",
        ]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "workplaces": forms.SelectMultiple(attrs={"size": 6}),
        }
        help_texts = {
            "workplaces": _(
                "Kosongkan untuk kampanye per sektor atau wilayah. Tempat kerja harus berada "
                "di bawah unit penyelenggara."
            ),
            "goal_density": _("Anggota aktif dibagi jumlah pekerja di tempat kerja sasaran."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["workplaces"].queryset = self.fields["workplaces"].queryset.select_related(
            "unit", "employer"
        )
        user = self.user
        if user is not None and user.is_superuser:
            choices = User.objects.filter(is_active=True)
        else:
            paths = scope_paths(user, permission_name(Campaign, "view")) if user else []
            choices = campaigns.organisers_within(paths) if paths else User.objects.none()
        if self.instance.pk:
            # organisers already chosen stay visible (and are checked again on save)
            choices = User.objects.filter(
                Q(pk__in=choices.values("pk")) | Q(pk__in=self.instance.organisers.values("pk"))
            )
        self.fields["organisers"].queryset = choices.order_by("first_name", "username")
        style_widgets(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        unit = data.get("unit")
        sector = data.get("sector")
        if (
            unit is not None
            and sector is not None
            and sector.organisation_id != (unit.organisation_id or unit.pk)
        ):
            self.add_error("sector", _("Sektor ini milik organisasi lain."))
        if unit is not None:
            try:
                campaigns.campaign_check(
                    unit=unit,
                    starts_on=data.get("starts_on"),
                    ends_on=data.get("ends_on"),
                    workplaces=list(data.get("workplaces") or []),
                    organisers=list(data.get("organisers") or []),
                )
            except ValidationError as exc:
                self.add_error(None, exc)
        return data


@registry.register
class CampaignScreens(ModelScreens):
    model = Campaign
    path = "pengorganisasian/kampanye"
    filterset_class = CampaignFilterSet
    table_class = CampaignTable
    form_class = CampaignForm
    export_fields = (
        "name",
        "unit__code",
        "starts_on",
        "ends_on",
        "sector__name",
        "region_code",
        "goal_members",
        "goal_units",
        "goal_density",
        "description",
    )
    detail_fields = (
        "name",
        "unit",
        "starts_on",
        "ends_on",
        "sector",
        "region_code",
        "goal_members",
        "goal_units",
        "goal_density",
        "description",
    )
    select_related = ("unit",)
    menu_group = "organising"
    icon = "bi-megaphone"

    def create(self, *, request: HttpRequest, form: Any, batch: Any = None) -> Campaign:
        return campaigns.campaign_save(
            actor=request.user,
            campaign=form.save(commit=False),
            workplaces=list(form.cleaned_data["workplaces"]),
            organisers=list(form.cleaned_data["organisers"]),
        )

    def update(self, *, request: HttpRequest, form: Any, expected_version: int) -> Campaign:
        return campaigns.campaign_save(
            actor=request.user,
            campaign=form.save(commit=False),
            workplaces=list(form.cleaned_data["workplaces"]),
            organisers=list(form.cleaned_data["organisers"]),
            expected_version=expected_version,
        )


# --- activities -------------------------------------------------------------------------------


class CampaignActivityFilterSet(ObjectFilterSet):
    search_fields = ("note", "campaign__name")
    within = SubtreeFilter()

    class Meta:
        model = CampaignActivity
        fields = ["campaign", "kind"]


class DateLinkColumn(LinkColumn):
    def render(self, value: Any, record: Any) -> Any:
        return super().render(f"{value:%d/%m/%Y}", record)


class CampaignActivityTable(ObjectTable):
    on = DateLinkColumn(verbose_name=_("Tanggal"))
    campaign = tables.Column(verbose_name=_("Kampanye"), order_by=("campaign__name",))
    kind = tables.Column(verbose_name=_("Kegiatan"))
    count = tables.Column(verbose_name=_("Jumlah"), attrs={"td": {"class": "text-end"}})
    note = tables.Column(verbose_name=_("Catatan"))

    class Meta(ObjectTable.Meta):
        model = CampaignActivity
        fields = ("select", "on", "campaign", "kind", "count", "note")


class CampaignActivityForm(ScopedModelForm):
    """The activity form on the campaign page (the campaign is the page's)."""

    class Meta:
        model = CampaignActivity
        fields = ["on", "kind", "count", "note"]
        widgets = {"on": DATE, "count": forms.NumberInput(attrs={"min": 1})}

    def __init__(self, *args: Any, campaign: Campaign | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        if campaign is not None and not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault("on", min(max(today, campaign.starts_on), campaign.ends_on))
            self.initial.setdefault("kind", ActivityKind.VISIT)

    def clean(self) -> dict[str, Any]:
        # The service's checks, so that every message shows at once (the service checks again).
        data = super().clean()
        if self.campaign is not None:
            try:
                campaigns.campaign_activity_check(
                    campaign=self.campaign,
                    on=data.get("on"),
                    kind=data.get("kind"),
                    count=data.get("count"),
                )
            except ValidationError as exc:
                self.add_error(None, exc)
        return data


@registry.register
class CampaignActivityScreens(ModelScreens):
    """Recorded on the campaign page; here only listed, exported and deleted (a mistake)."""

    model = CampaignActivity
    path = "pengorganisasian/kegiatan-kampanye"
    filterset_class = CampaignActivityFilterSet
    table_class = CampaignActivityTable
    form_class = CampaignActivityForm
    export_fields = ("campaign__name", "campaign__unit__code", "on", "kind", "count", "note")
    detail_fields = ("campaign", "on", "kind", "count", "note", "actor")
    select_related = ("campaign",)
    actions = ("view", "delete", "export")
    icon = "bi-megaphone"


# --- tabs -------------------------------------------------------------------------------------


def may_record(user: Any, campaign: Campaign) -> bool:
    """Whether `user` may add activities to `campaign` (a right on the campaign or on its
    activities, at the campaign's unit)."""
    path = campaign.unit.path
    return may(user, Campaign, "change", path) or may(user, CampaignActivity, "add", path)


def _progress_context(request: HttpRequest, campaign: Campaign) -> dict[str, Any]:
    progress = campaigns.campaign_progress(campaign)
    chart = [g for g in progress.goals if g.goal is not None]
    return {
        "progress": progress,
        "organisers": list(campaign.organisers.order_by("first_name", "username")),
        "region_name": region_label(campaign.region_code),
        "chart_labels": [str(g.label) for g in chart],
        "chart_goals": [float(g.goal) for g in chart],
        "chart_expected": [float(g.expected or 0) for g in chart],
        "chart_results": [float(g.result or 0) for g in chart],
        "can_export_progress": may(request.user, Campaign, "export", campaign.unit.path),
    }


def _activities_context(request: HttpRequest, campaign: Campaign) -> dict[str, Any]:
    can_record = may_record(request.user, campaign) and campaign.archived_at is None
    form = getattr(request, "campaign_activity_form", None)
    if form is None and can_record:
        form = CampaignActivityForm(user=request.user, campaign=campaign)
    log = list(
        CampaignActivity.objects.restrict(request.user)
        .filter(campaign=campaign)
        .select_related("actor")[:LOG_ROWS]
    )
    return {
        "activity_form": form if can_record else None,
        "activity_log": log,
        "activity_more": len(log) == LOG_ROWS,
        "activity_kinds": ActivityKind.choices,
    }


registry.add_tab(
    Campaign,
    Tab(
        "kemajuan",
        _("Kemajuan"),
        "organizing/campaign_progress.html",
        order=10,
        context=_progress_context,
    ),
)
registry.add_tab(
    Campaign,
    Tab(
        "kegiatan",
        _("Kegiatan"),
        "organizing/campaign_activities.html",
        order=20,
        context=_activities_context,
    ),
)
