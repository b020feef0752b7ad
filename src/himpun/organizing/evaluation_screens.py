"""Screens for evaluations and their follow-up plans: lists, forms, the evaluation's tabs
(results against targets, notes, the plan) and the "Tindak lanjut" tab on a unit's page."""

from __future__ import annotations

from typing import Any

import django_filters
import django_tables2 as tables
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from himpun.core.filtersets import ObjectFilterSet, SubtreeFilter
from himpun.core.forms import ScopedModelForm
from himpun.core.querysets import may
from himpun.core.registry import ModelScreens, Tab, registry
from himpun.core.tables import LinkColumn, ObjectTable
from himpun.organizing import evaluations
from himpun.organizing.choices import OPEN_ACTIONS, ActionStatus
from himpun.organizing.models import ActionItem, Evaluation
from himpun.structure.models import OrgUnit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

#: Action items listed on a unit's "Tindak lanjut" tab (the rest are in the filtered list).
TAB_LIMIT = 100

STATUS_BADGE = {
    ActionStatus.PLANNED: "text-bg-secondary",
    ActionStatus.ONGOING: "text-bg-primary",
    ActionStatus.DONE: "text-bg-success",
    ActionStatus.CANCELLED: "text-bg-light border",
}


# --- filters ----------------------------------------------------------------------------------


class EvaluationFilterSet(ObjectFilterSet):
    search_fields = ("title", "facilitator", "unit__name")
    within = SubtreeFilter()
    closed = django_filters.BooleanFilter(
        field_name="closed_at", lookup_expr="isnull", exclude=True, label=_("Sudah ditutup")
    )

    class Meta:
        model = Evaluation
        fields = ["q", "period_kind", "year", "sector", "closed", "within"]


class ActionItemFilterSet(ObjectFilterSet):
    search_fields = ("title", "owner", "note")
    owner = django_filters.CharFilter(lookup_expr="icontains", label=_("Penanggung jawab"))
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label=_("Lewat tenggat"), widget=forms.CheckboxInput
    )
    due_from = django_filters.DateFilter(
        field_name="due_on", lookup_expr="gte", label=_("Tenggat dari"), widget=DATE
    )
    due_to = django_filters.DateFilter(
        field_name="due_on", lookup_expr="lte", label=_("Tenggat sampai"), widget=DATE
    )
    within = SubtreeFilter()

    class Meta:
        model = ActionItem
        fields = ["q", "status", "overdue", "owner", "due_from", "due_to", "within"]

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(status__in=OPEN_ACTIONS, due_on__lt=timezone.localdate())


# --- tables -----------------------------------------------------------------------------------


class EvaluationTable(ObjectTable):
    title = LinkColumn()
    unit = tables.Column(order_by=("unit__name",))
    sector = tables.Column(order_by=("sector__name",))
    period = tables.Column(
        verbose_name=_("periode"), empty_values=(), order_by=("starts_on", "period_kind")
    )
    held_on = tables.DateColumn(format="d/m/Y")
    closed_at = tables.Column(verbose_name=_("status"), empty_values=())

    class Meta(ObjectTable.Meta):
        model = Evaluation
        fields = ("select", "title", "unit", "sector", "period", "held_on", "closed_at")

    def render_period(self, record: Evaluation) -> str:
        return evaluations.period_label(record)

    def render_closed_at(self, value: Any) -> str:
        if value:
            return format_html('<span class="badge text-bg-secondary">{}</span>', _("Ditutup"))
        return format_html('<span class="badge text-bg-info">{}</span>', _("Terbuka"))


class ActionItemTable(ObjectTable):
    title = LinkColumn()
    owner = tables.Column()
    due_on = tables.Column()
    status = tables.Column()
    unit = tables.Column(order_by=("unit__name",))
    evaluation = tables.Column(order_by=("evaluation__title",))

    class Meta(ObjectTable.Meta):
        model = ActionItem
        fields = ("select", "title", "owner", "due_on", "status", "unit", "evaluation")

    def render_due_on(self, value: Any, record: ActionItem) -> str:
        text = value.strftime("%d/%m/%Y")
        if evaluations.is_overdue(record):
            return format_html(
                '<span class="text-danger fw-semibold" data-overdue>'
                '<i class="bi bi-exclamation-triangle-fill"></i> {}</span>',
                text,
            )
        return text

    def render_status(self, value: Any, record: ActionItem) -> str:
        return format_html(
            '<span class="badge {}">{}</span>',
            STATUS_BADGE.get(record.status, "text-bg-secondary"),
            record.get_status_display(),
        )


# --- forms ------------------------------------------------------------------------------------


class EvaluationForm(ScopedModelForm):
    class Meta:
        model = Evaluation
        fields = list(evaluations.EVALUATION_FIELDS)
        widgets = {
            "held_on": DATE,
            "obstacles": forms.Textarea(attrs={"rows": 4}),
            "good_practices": forms.Textarea(attrs={"rows": 4}),
            "case_studies": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "sector": _(
                "Kosongkan untuk evaluasi unit. Untuk evaluasi sektor (mis. garmen lintas "
                "federasi), hasilnya dijumlahkan dari unit sektor itu di bawah unit ini."
            ),
            "number": _("Semester 1–2 atau triwulan 1–4; 1 untuk setahun."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["year"].initial = timezone.localdate().year
        elif self.instance.closed_at is not None:
            # Shown read-only; saving is refused with the reason (see clean).
            for field in self.fields.values():
                field.disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.instance.pk and self.instance.closed_at is not None:
            raise ValidationError(evaluations.closed_message())
        if data.get("period_kind") and data.get("year") and data.get("number"):
            try:
                evaluations._bounds(data["period_kind"], data["year"], data["number"])
            except ValidationError as exc:
                self.add_error(None, exc)
        return data


class ActionItemForm(ScopedModelForm):
    class Meta:
        model = ActionItem
        fields = list(evaluations.ACTION_FIELDS)
        widgets = {
            "due_on": DATE,
            "done_on": DATE,
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"done_on": _("Terisi sendiri (hari ini) bila status Selesai.")}


class ActionItemInlineForm(forms.Form):
    """The short form under an evaluation's plan: what, who, by when (unit: the evaluation's
    or one below it)."""

    title = forms.CharField(label=_("Kegiatan"), max_length=200)
    owner = forms.CharField(label=_("Penanggung jawab"), max_length=150)
    due_on = forms.DateField(label=_("Tenggat"), widget=DATE)
    note = forms.CharField(label=_("Catatan"), required=False, widget=forms.TextInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from himpun.core.forms import style_widgets

        style_widgets(self)


# --- declarations -----------------------------------------------------------------------------


@registry.register
class EvaluationScreens(ModelScreens):
    model = Evaluation
    path = "pengorganisasian/evaluasi"
    filterset_class = EvaluationFilterSet
    table_class = EvaluationTable
    form_class = EvaluationForm
    export_fields = (
        "title",
        "unit__code",
        "unit__name",
        "sector__name",
        "period_kind",
        "year",
        "number",
        "starts_on",
        "ends_on",
        "held_on",
        "facilitator",
        "closed_at",
    )
    detail_fields = (
        "unit",
        "sector",
        "period_kind",
        "year",
        "number",
        "starts_on",
        "ends_on",
        "held_on",
        "facilitator",
        "closed_at",
    )
    select_related = ("unit", "sector")
    menu_group = "organising"
    icon = "bi-clipboard-check"

    def editable(self, obj: Any) -> bool:
        return obj.closed_at is None  # a closed evaluation is frozen; its plan still moves

    def _fields(self, form: Any) -> dict[str, Any]:
        return {name: form.cleaned_data[name] for name in evaluations.EVALUATION_FIELDS}

    def create(self, *, request: HttpRequest, form: Any, batch: Any = None) -> Evaluation:
        return evaluations.evaluation_create(actor=request.user, batch=batch, **self._fields(form))

    def update(self, *, request: HttpRequest, form: Any, expected_version: int) -> Evaluation:
        return evaluations.evaluation_update(
            actor=request.user,
            evaluation=form.instance,
            expected_version=expected_version,
            **self._fields(form),
        )


@registry.register
class ActionItemScreens(ModelScreens):
    model = ActionItem
    path = "pengorganisasian/tindak-lanjut"
    filterset_class = ActionItemFilterSet
    table_class = ActionItemTable
    form_class = ActionItemForm
    export_fields = (
        "title",
        "owner",
        "due_on",
        "status",
        "done_on",
        "unit__code",
        "unit__name",
        "evaluation__title",
        "note",
    )
    detail_fields = ("title", "owner", "due_on", "status", "done_on", "unit", "evaluation", "note")
    select_related = ("unit", "evaluation")
    menu_group = "organising"
    icon = "bi-list-check"

    def _fields(self, form: Any) -> dict[str, Any]:
        return {name: form.cleaned_data[name] for name in evaluations.ACTION_FIELDS}

    def create(self, *, request: HttpRequest, form: Any, batch: Any = None) -> ActionItem:
        return evaluations.action_item_create(actor=request.user, batch=batch, **self._fields(form))

    def update(self, *, request: HttpRequest, form: Any, expected_version: int) -> ActionItem:
        return evaluations.action_item_update(
            actor=request.user,
            item=form.instance,
            expected_version=expected_version,
            **self._fields(form),
        )


# --- tabs -------------------------------------------------------------------------------------


def _evaluation_rights(request: HttpRequest, evaluation: Evaluation) -> dict[str, Any]:
    path = evaluation.unit.path
    return {
        "can_close": evaluation.closed_at is None and may(request.user, Evaluation, "change", path),
        "can_export_plan": may(request.user, ActionItem, "export", path),
    }


def _results_context(request: HttpRequest, evaluation: Evaluation) -> dict[str, Any]:
    return {
        "rows": evaluations.display_rows(evaluations.evaluation_results(evaluation)),
        "period": evaluations.period_label(evaluation),
        **_evaluation_rights(request, evaluation),
    }


def plan_items(request: HttpRequest, evaluation: Evaluation) -> list[ActionItem]:
    """The evaluation's action items the user may see, with their overdue flag."""
    today = timezone.localdate()
    items = list(
        ActionItem.objects.restrict(request.user)
        .filter(evaluation=evaluation, archived_at__isnull=True)
        .select_related("unit")
        .order_by("due_on", "id")
    )
    for item in items:
        item.overdue = evaluations.is_overdue(item, today)
        item.badge = STATUS_BADGE.get(item.status, "text-bg-secondary")
    return items


def _plan_context(request: HttpRequest, evaluation: Evaluation) -> dict[str, Any]:
    path = evaluation.unit.path
    return {
        "items": plan_items(request, evaluation),
        "period": evaluations.period_label(evaluation),
        "can_add_action": may(request.user, ActionItem, "add", path),
        "can_move_action": may(request.user, ActionItem, "change", path),
        "action_form": ActionItemInlineForm(),
        "statuses": ActionStatus.choices,
        **_evaluation_rights(request, evaluation),
    }


def _notes_context(request: HttpRequest, evaluation: Evaluation) -> dict[str, Any]:
    return {
        "period": evaluations.period_label(evaluation),
        **_evaluation_rights(request, evaluation),
    }


registry.add_tab(
    Evaluation,
    Tab(
        "hasil",
        _("Hasil terhadap target"),
        "organizing/evaluation_results.html",
        order=5,
        context=_results_context,
    ),
)
registry.add_tab(
    Evaluation,
    Tab(
        "catatan", _("Catatan"), "organizing/evaluation_notes.html", order=6, context=_notes_context
    ),
)
registry.add_tab(
    Evaluation,
    Tab(
        "tindak-lanjut",
        _("Rencana tindak lanjut"),
        "organizing/evaluation_plan.html",
        order=7,
        context=_plan_context,
    ),
)


def _unit_actions_visible(request: HttpRequest, unit: OrgUnit) -> bool:
    return may(request.user, ActionItem, "view", unit.path)


def _unit_actions_context(request: HttpRequest, unit: OrgUnit) -> dict[str, Any]:
    today = timezone.localdate()
    visible = ActionItem.objects.restrict(request.user)
    items = list(
        evaluations.open_actions(unit, visible).select_related("unit", "evaluation")[
            : TAB_LIMIT + 1
        ]
    )
    more = len(items) > TAB_LIMIT
    items = items[:TAB_LIMIT]
    for item in items:
        item.overdue = item.due_on < today
        item.badge = STATUS_BADGE.get(item.status, "text-bg-secondary")
    return {
        "action_items": items,
        "action_more": more,
        "overdue_count": evaluations.overdue_actions(unit, today, visible).count(),
        "action_list_url": registry.for_model(ActionItem).url_list,
        "can_move_action": may(request.user, ActionItem, "change", unit.path),
    }


registry.add_tab(
    OrgUnit,
    Tab(
        "tindak-lanjut",
        _("Tindak lanjut"),
        "organizing/action_unit_tab.html",
        order=40,
        context=_unit_actions_context,
        visible=_unit_actions_visible,
    ),
)
