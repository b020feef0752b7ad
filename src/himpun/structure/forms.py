"""Forms for units, level kinds, sectors, employers and workplaces."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from himpun.core.forms import ScopedModelForm
from himpun.structure import regions
from himpun.structure.bargaining import (
    active_members_by_workplace,
    pkb_dates_check,
    pkb_default_expiry,
)
from himpun.structure.models import (
    Employer,
    LevelKind,
    OrgUnit,
    Sector,
    Workplace,
    WorkplaceSection,
)
from himpun.structure.services import unit_check_code, unit_check_placement

LEVELS = (_("Provinsi"), _("Kabupaten/kota"), _("Kecamatan"), _("Kelurahan/desa"))


class RegionWidget(forms.Widget):
    """Cascading pickers provinsi → kabupaten/kota → kecamatan (→ desa).

    Without JavaScript the form still submits; with HTMX, changing a picker reloads the
    widget with the next level's choices (view `structure:region_picker`).
    """

    template_name = "structure/widgets/region.html"

    def __init__(self, depth: int = 3, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.depth = depth

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        ctx = super().get_context(name, value, attrs)
        selected = regions.chain(value or "")
        levels = []
        parent: str | None = None
        for i in range(self.depth):
            if i > 0 and (len(selected) < i):
                choices: list[tuple[str, str]] = []
            else:
                choices = regions.children(parent)
            current = selected[i] if i < len(selected) else ""
            levels.append(
                {"name": f"{name}_{i}", "label": LEVELS[i], "choices": choices, "value": current}
            )
            parent = current or None
        ctx["widget"]["levels"] = levels
        ctx["widget"]["depth"] = self.depth
        return ctx

    def value_from_datadict(self, data: Any, files: Any, name: str) -> str:
        if name in data:  # a single code (CSV import, API)
            return str(data.get(name) or "").strip()
        code = ""
        for i in range(self.depth):
            value = (data.get(f"{name}_{i}") or "").strip()
            # a lower level only counts if it lies inside the level above it
            if not value or (code and not value.startswith(code + ".")):
                break
            code = value
        return code

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and f"{name}_0" not in data


class OrgUnitForm(ScopedModelForm):
    class Meta:
        model = OrgUnit
        fields = [
            "parent",
            "kind",
            "code",
            "name",
            "sector",
            "region_code",
            "employer",
            "workplace",
            "registration_number",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # moving is its own action (it rewrites the subtree); the parent is fixed here
            del self.fields["parent"]
            org_id = self.instance.organisation_id
            self.fields["kind"].queryset = LevelKind.objects.filter(organisation_id=org_id)
            self.fields["sector"].queryset = Sector.objects.filter(organisation_id=org_id)
        else:
            self.fields["parent"].required = True
            self.fields["parent"].queryset = OrgUnit.objects.restrict(self.user, "add").filter(
                archived_at__isnull=True
            )
        self.fields["kind"].required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        parent = data.get("parent") if "parent" in self.fields else self.instance.parent
        kind, code = data.get("kind"), data.get("code")
        try:
            if kind is not None:
                unit_check_placement(parent=parent, kind=kind)
                if self.instance.pk:
                    child_kinds = LevelKind.objects.filter(units__parent=self.instance).distinct()
                    refused = [k for k in child_kinds if not k.parents.filter(pk=kind.pk).exists()]
                    if refused:
                        raise ValidationError(
                            {
                                "kind": _(
                                    "Sub-unit berjenis %(kinds)s tidak boleh di bawah %(kind)s."
                                )
                                % {"kinds": ", ".join(map(str, refused)), "kind": kind}
                            }
                        )
            if code:
                # a top organisation's code is unique among top organisations
                org_id = parent.organisation_id if parent else None
                unit_check_code(organisation_id=org_id, code=code, exclude_pk=self.instance.pk)
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        return data


class UnitCodeField(forms.ModelChoiceField):
    """A unit picked by its code in a CSV row; "ORG:CODE" when the code is ambiguous."""

    def to_python(self, value: Any) -> OrgUnit | None:
        if value in self.empty_values:
            return None
        value = str(value).strip()
        qs = self.queryset
        if ":" in value:
            org_code, value = value.split(":", 1)
            qs = qs.filter(organisation__code=org_code)
        found = list(qs.filter(code=value)[:2])
        if not found:
            raise ValidationError(
                _("Unit berkode %(code)s tidak ditemukan."), params={"code": value}
            )
        if len(found) > 1:
            raise ValidationError(
                _("Kode %(code)s dipakai di beberapa organisasi; tulis KODEORGANISASI:%(code)s."),
                params={"code": value},
            )
        return found[0]


class OrgUnitImportForm(OrgUnitForm):
    parent = UnitCodeField(queryset=OrgUnit.objects.all(), label=_("Kode unit induk"))
    kind = forms.CharField(label=_("Jenis (nama atau kode)"))

    class Meta(OrgUnitForm.Meta):
        fields = ["parent", "kind", "code", "name", "region_code", "registration_number"]
        widgets: dict[str, Any] = {}

    def clean_kind(self) -> LevelKind:
        parent = self.cleaned_data.get("parent")
        value = self.cleaned_data["kind"].strip()
        if parent is None:
            raise ValidationError(_("Jenis tidak dapat diperiksa tanpa unit induk yang sah."))
        kinds = LevelKind.objects.filter(organisation_id=parent.organisation_id)
        kind = kinds.filter(code__iexact=value).first() or kinds.filter(name__iexact=value).first()
        if kind is None:
            raise ValidationError(_("Jenis %(kind)s tidak dikenal."), params={"kind": value})
        return kind


class MoveForm(forms.Form):
    parent = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), label=_("Induk baru"))

    def __init__(self, *args: Any, user: Any, unit: OrgUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from himpun.core.forms import style_widgets
        from himpun.core.scoping import subtree_q

        self.fields["parent"].queryset = (
            OrgUnit.objects.restrict(user, "change")
            .filter(organisation_id=unit.organisation_id, archived_at__isnull=True)
            .exclude(subtree_q("path", unit.path))
            .select_related("kind")
        )
        style_widgets(self)


class LevelKindForm(ScopedModelForm):
    class Meta:
        model = LevelKind
        fields = ["organisation", "name", "code", "order", "parents", "is_community"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = OrgUnit.objects.restrict(self.user, "view").filter(
            parent__isnull=True
        )
        org_id = self.instance.organisation_id or self.initial.get("organisation")
        if org_id:
            self.fields["parents"].queryset = LevelKind.objects.filter(organisation_id=org_id)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        org = data.get("organisation")
        for kind in data.get("parents") or []:
            if org and kind.organisation_id != org.pk:
                self.add_error("parents", _("Jenis induk harus dari organisasi yang sama."))
                break
        return data


class SectorForm(ScopedModelForm):
    class Meta:
        model = Sector
        fields = ["organisation", "name", "code"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = OrgUnit.objects.restrict(self.user, "view").filter(
            parent__isnull=True
        )


class EmployerForm(ScopedModelForm):
    class Meta:
        model = Employer
        fields = ["unit", "name", "sector", "region_code", "address"]
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class WorkplaceForm(ScopedModelForm):
    class Meta:
        model = Workplace
        fields = [
            "unit",
            "employer",
            "name",
            "region_code",
            "address",
            "headcount",
            "unions_present",
            "pkb_signed_on",
            "pkb_expires_on",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "pkb_signed_on": DATE,
            "pkb_expires_on": DATE,
        }
        help_texts = {
            "headcount": _("Seluruh pekerja di lokasi ini, anggota atau bukan."),
            "pkb_expires_on": _(
                "Kosongkan untuk memakai 2 tahun sejak ditandatangani. Paling lama 2 tahun, "
                "dapat diperpanjang 1 tahun (Pasal 123)."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.warnings: list[str] = []
        self.fields["unions_present"].min_value = 1
        self.fields["unions_present"].widget.attrs["min"] = 1

    def clean_unions_present(self) -> int:
        value = self.cleaned_data["unions_present"]
        if value is None or value < 1:
            raise ValidationError(
                _("Paling sedikit 1: serikat kita sendiri termasuk dalam hitungan.")
            )
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        signed, expires = data.get("pkb_signed_on"), data.get("pkb_expires_on")
        if signed and not expires and "pkb_expires_on" not in self.errors:
            data["pkb_expires_on"] = pkb_default_expiry(signed)
        try:
            pkb_dates_check(signed_on=signed, expires_on=data.get("pkb_expires_on"))
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                self.add_error(field, errors)
        headcount = data.get("headcount")
        if self.instance.pk and headcount is not None:
            members = active_members_by_workplace([self.instance.pk]).get(self.instance.pk, 0)
            if members > headcount:
                self.warnings.append(
                    _(
                        "Jumlah pekerja (%(headcount)s) lebih kecil dari jumlah anggota aktif "
                        "di tempat kerja ini (%(members)s). Data tetap disimpan; periksa lagi."
                    )
                    % {"headcount": headcount, "members": members}
                )
        return data


class WorkplaceSectionForm(ScopedModelForm):
    class Meta:
        model = WorkplaceSection
        fields = ["workplace", "department", "shift", "headcount"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.warnings: list[str] = []
        self.fields["workplace"].queryset = self.fields["workplace"].queryset.select_related(
            "employer"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("department") or "").strip() and not (data.get("shift") or "").strip():
            raise ValidationError(_("Isi bagian/departemen, shift, atau keduanya."))
        workplace, headcount = data.get("workplace"), data.get("headcount")
        if workplace is not None and headcount is not None and workplace.headcount is not None:
            others = sum(
                s.headcount
                for s in workplace.sections.exclude(pk=self.instance.pk).only("headcount")
            )
            if others + headcount > workplace.headcount:
                self.warnings.append(
                    _(
                        "Jumlah pekerja semua bagian (%(sum)s) melebihi jumlah pekerja tempat "
                        "kerja (%(headcount)s)."
                    )
                    % {"sum": others + headcount, "headcount": workplace.headcount}
                )
        return data


class WorkplaceField(forms.ModelChoiceField):
    """A workplace named in a CSV row by its number (id) or by its exact name."""

    def to_python(self, value: Any) -> Workplace | None:
        if value in self.empty_values:
            return None
        value = str(value).strip()
        if value.isdigit():
            found = list(self.queryset.filter(pk=int(value))[:1])
        else:
            found = list(self.queryset.filter(name__iexact=value)[:2])
        if not found:
            raise ValidationError(
                _("Tempat kerja %(name)s tidak ditemukan."), params={"name": value}
            )
        if len(found) > 1:
            raise ValidationError(
                _("Nama %(name)s dipakai beberapa tempat kerja; tulis nomornya (id)."),
                params={"name": value},
            )
        return found[0]


class WorkplaceSectionImportForm(WorkplaceSectionForm):
    workplace = WorkplaceField(
        queryset=Workplace.objects.all(), label=_("Tempat kerja (nomor atau nama)")
    )


class EmployerImportForm(EmployerForm):
    unit = UnitCodeField(queryset=OrgUnit.objects.all(), label=_("Kode unit pengelola"))

    class Meta(EmployerForm.Meta):
        widgets: dict[str, Any] = {}


class LevelKindImportForm(LevelKindForm):
    organisation = UnitCodeField(queryset=OrgUnit.objects.all(), label=_("Kode organisasi"))

    class Meta(LevelKindForm.Meta):
        fields = ["organisation", "name", "code", "order", "is_community"]


class SectorImportForm(SectorForm):
    organisation = UnitCodeField(queryset=OrgUnit.objects.all(), label=_("Kode organisasi"))

    class Meta(SectorForm.Meta):
        pass
