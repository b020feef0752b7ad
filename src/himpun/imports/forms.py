"""Upload and column-mapping forms of the import pages."""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from himpun.core.forms import style_widgets
from himpun.core.querysets import permission_name
from himpun.core.scoping import scope_paths, subtrees_q
from himpun.imports.engine import Importer
from himpun.imports.models import ImportJob
from himpun.structure.forms import UnitCodeField
from himpun.structure.models import OrgUnit

ACCEPT = ".csv,.txt,.xlsx,.xlsm,.xls,.ods"


class UploadForm(forms.Form):
    # A code, not a dropdown: a confederation has 100,000 units.
    unit = UnitCodeField(
        label=_("Kode unit tujuan"),
        queryset=OrgUnit.objects.none(),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
        help_text=_(
            "Baris tanpa kolom unit masuk ke unit ini; unit di kolom berkas harus di bawahnya."
        ),
    )
    file = forms.FileField(
        label=_("Berkas"),
        help_text=_("CSV, XLSX atau ODS. Baris pertama berisi nama kolom."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args: Any, user: Any, importer: Importer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = OrgUnit.objects.filter(archived_at__isnull=True).order_by("path")
        if not user.is_superuser:
            paths = scope_paths(user, permission_name(importer.model, "add"))
            units = units.filter(subtrees_q("path", paths)) if paths else units.none()
        self.fields["unit"].queryset = units
        for name, field in importer.option_fields.items():
            self.fields[name] = copy.deepcopy(field)  # the importer's own stays untouched
        self.option_names = list(importer.option_fields)
        style_widgets(self)

    def options(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.option_names}


class MappingForm(forms.Form):
    """One choice per column of the file: which field it fills, or none."""

    template_name = forms.CharField(
        label=_("Simpan pemetaan ini sebagai templat (nama)"),
        required=False,
        max_length=80,
        help_text=_("Berkas berikutnya dengan kolom yang sama langsung memakai pemetaan ini."),
    )

    def __init__(self, *args: Any, job: ImportJob, importer: Importer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— lewati kolom ini —"))] + [
            (f.name, f"{f.label}{' *' if f.required else ''}") for f in importer.fields
        ]
        self.columns = []
        for i, header in enumerate(job.header):
            name = f"col_{i}"
            self.fields[name] = forms.ChoiceField(
                label=header or _("(kolom %(n)s tanpa nama)") % {"n": i + 1},
                choices=choices,
                required=False,
                initial=job.mapping[i] if i < len(job.mapping) else "",
            )
            self.columns.append(name)
        self.order_fields([*self.columns, "template_name"])
        style_widgets(self)

    def mapping(self) -> list[str]:
        return [self.cleaned_data.get(c) or "" for c in self.columns]
