"""Form base classes: Bootstrap widgets, pickers limited to the user's scope."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from himpun.core.models import BaseModel


def style_widgets(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class ScopedModelForm(forms.ModelForm):
    """A ModelForm whose pickers offer only rows the user may see (archived rows hidden)."""

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                model = field.queryset.model
                if issubclass(model, BaseModel):
                    qs = field.queryset.restrict(user, "view")
                    if any(f.name == "archived_at" for f in model._meta.concrete_fields):
                        qs = qs.filter(archived_at__isnull=True)
                    field.queryset = qs
                if field.empty_label is not None:
                    field.empty_label = _("— pilih —")
        style_widgets(self)
