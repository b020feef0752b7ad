"""The screens of the dues rules: policies, splits between levels, minimum wages and
cash-book categories (lists, forms, filters and exports through the generic screens)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

import django_tables2 as tables
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from himpun.core import services
from himpun.core.filtersets import ObjectFilterSet, SubtreeFilter
from himpun.core.forms import ScopedModelForm
from himpun.core.registry import ModelScreens, registry
from himpun.core.tables import LinkColumn, ObjectTable
from himpun.dues.models import CashCategory, DuesPolicy, MinimumWage, SplitRule, SplitShare
from himpun.structure.filtersets import OrganisationConfigFilterSet
from himpun.structure.models import LevelKind, OrgUnit

# --- dues policies -----------------------------------------------------------------------------


class DuesPolicyFilterSet(ObjectFilterSet):
    search_fields = ("note", "unit__name", "unit__code")
    within = SubtreeFilter()

    class Meta:
        model = DuesPolicy
        fields = ["basis"]


class DuesPolicyTable(ObjectTable):
    unit = LinkColumn(verbose_name=_("Unit"), order_by=("unit__path",))
    effective_from = tables.DateColumn(verbose_name=_("Berlaku mulai"), format="d-m-Y")
    basis = tables.Column(verbose_name=_("Dasar"))
    amount = tables.TemplateColumn("{% load himpun %}{{ value|rupiah }}", verbose_name=_("Jumlah"))
    rate_bp = tables.Column(verbose_name=_("Persen"))
    joining_fee = tables.TemplateColumn(
        "{% load himpun %}{{ value|rupiah }}", verbose_name=_("Uang pangkal")
    )
    note = tables.Column(verbose_name=_("Dasar aturan"))

    class Meta(ObjectTable.Meta):
        model = DuesPolicy
        fields = (
            "select",
            "unit",
            "effective_from",
            "basis",
            "amount",
            "rate_bp",
            "joining_fee",
            "note",
        )

    def render_rate_bp(self, value: int) -> str:
        return f"{value / 100:g}%".replace(".", ",") if value else "—"


class DuesPolicyForm(ScopedModelForm):
    class Meta:
        model = DuesPolicy
        fields = [
            "unit",
            "effective_from",
            "basis",
            "amount",
            "rate_bp",
            "region_code",
            "joining_fee",
            "note",
        ]
        widgets = {"effective_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


@registry.register
class DuesPolicyScreens(ModelScreens):
    model = DuesPolicy
    path = "iuran/kebijakan"
    filterset_class = DuesPolicyFilterSet
    table_class = DuesPolicyTable
    form_class = DuesPolicyForm
    export_fields = (
        "unit__code",
        "effective_from",
        "basis",
        "amount",
        "rate_bp",
        "region_code",
        "joining_fee",
        "note",
    )
    detail_fields = (
        "unit",
        "effective_from",
        "basis",
        "amount",
        "rate_bp",
        "region_code",
        "joining_fee",
        "note",
    )
    select_related = ("unit",)
    menu_group = "pengaturan"
    icon = "bi-cash-coin"


# --- split rules -------------------------------------------------------------------------------

_SHARE_LINE = re.compile(r"^\s*(?P<level>[\w-]+)\s+(?P<pct>\d+(?:[.,]\d+)?)\s*%?\s*(?P<label>.*)$")


def shares_parse(text: str, organisation_id: int) -> list[tuple[LevelKind, int, str]]:
    """Lines "<level code> <percent> [note]" ("pc 22,5 bagian federasi") → shares in basis
    points, which must add up to exactly 100%."""
    kinds = {k.code: k for k in LevelKind.objects.filter(organisation_id=organisation_id)}
    shares, errors = [], []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        m = _SHARE_LINE.match(line)
        if not m:
            errors.append(_t("Baris %(n)s: tulis kode tingkatan lalu persennya.") % {"n": n})
            continue
        kind = kinds.get(m["level"].lower())
        if kind is None:
            errors.append(
                _t("Baris %(n)s: tingkatan “%(code)s” tidak dikenal (pilihan: %(codes)s).")
                % {"n": n, "code": m["level"], "codes": ", ".join(sorted(kinds))}
            )
            continue
        try:
            bp = Decimal(m["pct"].replace(",", ".")) * 100
        except InvalidOperation:
            errors.append(_t("Baris %(n)s: persen tidak terbaca.") % {"n": n})
            continue
        if bp != bp.to_integral_value() or bp <= 0:
            errors.append(_t("Baris %(n)s: persen paling teliti dua angka desimal.") % {"n": n})
            continue
        shares.append((kind, int(bp), m["label"].strip()))
    if not errors and sum(bp for _k, bp, _l in shares) != 10000:
        total = sum(bp for _k, bp, _l in shares) / 100
        errors.append(
            _t("Jumlah semua bagian harus 100%%, sekarang %(total)s%%.")
            % {"total": f"{total:g}".replace(".", ",")}
        )
    if errors:
        raise ValidationError(errors)
    return shares


def shares_text(rule: SplitRule) -> str:
    return "\n".join(
        f"{s.level.code} {s.share_bp / 100:g}".replace(".", ",")
        + (f" {s.label}" if s.label else "")
        for s in rule.shares.select_related("level").order_by("id")
    )


class SplitRuleFilterSet(ObjectFilterSet):
    search_fields = ("note", "unit__name", "unit__code")
    within = SubtreeFilter()

    class Meta:
        model = SplitRule
        fields: list[str] = []


class SplitRuleTable(ObjectTable):
    unit = LinkColumn(verbose_name=_("Unit"), order_by=("unit__path",))
    effective_from = tables.DateColumn(verbose_name=_("Berlaku mulai"), format="d-m-Y")
    note = tables.Column(verbose_name=_("Dasar aturan"))

    class Meta(ObjectTable.Meta):
        model = SplitRule
        fields = ("select", "unit", "effective_from", "note")


class SplitRuleForm(ScopedModelForm):
    shares_text = forms.CharField(
        label=_("Bagian per tingkatan"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Satu baris per penerima: kode tingkatan, persen, keterangan. Contoh: "
            "“puk 50”, “pc 22,5”, “konfederasi 2,5 dari bagian PC”. Jumlahnya harus 100%."
        ),
    )

    class Meta:
        model = SplitRule
        fields = ["unit", "effective_from", "note"]
        widgets = {"effective_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.fields["shares_text"].initial = shares_text(self.instance)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        unit: OrgUnit | None = data.get("unit")
        if unit is not None and data.get("shares_text"):
            try:
                data["shares"] = shares_parse(data["shares_text"], unit.organisation_id or unit.pk)
            except ValidationError as exc:
                self.add_error("shares_text", exc)
        return data


@transaction.atomic
def split_rule_save(*, actor: Any, rule: SplitRule, shares: list, expected_version: int | None):
    """Save a split rule with its shares (replacing the shares of an edited rule: a rule is a
    statement of the AD/ART, not money; payments already posted keep their split)."""
    if expected_version is None:
        rule = services.object_create(actor=actor, instance=rule)
    else:
        rule = services.object_update(actor=actor, instance=rule, expected_version=expected_version)
        SplitShare.objects.filter(rule=rule).delete()
    SplitShare.objects.bulk_create(
        SplitShare(rule=rule, level=kind, share_bp=bp, label=label) for kind, bp, label in shares
    )
    return rule


@registry.register
class SplitRuleScreens(ModelScreens):
    model = SplitRule
    path = "iuran/pembagian"
    filterset_class = SplitRuleFilterSet
    table_class = SplitRuleTable
    form_class = SplitRuleForm
    export_fields = ("unit__code", "effective_from", "note")
    detail_fields = ("unit", "effective_from", "note")
    select_related = ("unit",)
    menu_group = "pengaturan"
    icon = "bi-diagram-3"

    def create(self, *, request: HttpRequest, form: Any, batch: Any = None) -> SplitRule:
        return split_rule_save(
            actor=request.user,
            rule=form.save(commit=False),
            shares=form.cleaned_data["shares"],
            expected_version=None,
        )

    def update(self, *, request: HttpRequest, form: Any, expected_version: int) -> SplitRule:
        return split_rule_save(
            actor=request.user,
            rule=form.save(commit=False),
            shares=form.cleaned_data["shares"],
            expected_version=expected_version,
        )


# --- minimum wages and cash-book categories -----------------------------------------------------


class MinimumWageFilterSet(OrganisationConfigFilterSet):
    search_fields = ("region_code",)

    class Meta:
        model = MinimumWage
        fields = ["organisation", "year"]


class MinimumWageTable(ObjectTable):
    region_code = LinkColumn(verbose_name=_("Wilayah"))
    year = tables.Column(verbose_name=_("Tahun"))
    amount = tables.TemplateColumn("{% load himpun %}{{ value|rupiah }}", verbose_name=_("UMP/UMK"))

    class Meta(ObjectTable.Meta):
        model = MinimumWage
        fields = ("select", "region_code", "year", "amount")

    def render_region_code(self, record: MinimumWage) -> str:
        from himpun.structure.regions import region_label

        return region_label(record.region_code) or record.region_code


class _OrganisationForm(ScopedModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = OrgUnit.objects.restrict(self.user, "view").filter(
            parent__isnull=True
        )


class MinimumWageForm(_OrganisationForm):
    class Meta:
        model = MinimumWage
        fields = ["organisation", "region_code", "year", "amount"]


@registry.register
class MinimumWageScreens(ModelScreens):
    model = MinimumWage
    path = "iuran/upah-minimum"
    filterset_class = MinimumWageFilterSet
    table_class = MinimumWageTable
    form_class = MinimumWageForm
    export_fields = ("organisation__code", "region_code", "year", "amount")
    detail_fields = ("organisation", "region_code", "year", "amount")
    select_related = ("organisation",)
    menu_group = "pengaturan"
    icon = "bi-graph-up"


class CashCategoryFilterSet(OrganisationConfigFilterSet):
    class Meta:
        model = CashCategory
        fields = ["organisation", "direction"]


class CashCategoryTable(ObjectTable):
    name = LinkColumn(verbose_name=_("Nama"))
    code = tables.Column(verbose_name=_("Kode"))
    direction = tables.Column(verbose_name=_("Untuk"), default=_("Pemasukan dan pengeluaran"))

    class Meta(ObjectTable.Meta):
        model = CashCategory
        fields = ("select", "name", "code", "direction")


class CashCategoryForm(_OrganisationForm):
    class Meta:
        model = CashCategory
        fields = ["organisation", "name", "code", "direction"]


@registry.register
class CashCategoryScreens(ModelScreens):
    model = CashCategory
    path = "iuran/kategori-kas"
    filterset_class = CashCategoryFilterSet
    table_class = CashCategoryTable
    form_class = CashCategoryForm
    export_fields = ("organisation__code", "name", "code", "direction")
    detail_fields = ("organisation", "name", "code", "direction")
    select_related = ("organisation",)
    menu_group = "pengaturan"
    icon = "bi-tags"
