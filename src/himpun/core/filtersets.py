"""FilterSet base: one search box over `search_fields`, archived rows hidden unless asked,
and pickers limited to the user's scope."""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from himpun.core.forms import style_widgets
from himpun.core.models import BaseModel
from himpun.core.querysets import within_q


def _unchanged(queryset: QuerySet, name: str, value: Any) -> QuerySet:
    return queryset


class SubtreeFilter(django_filters.CharFilter):
    """Rows of one unit's subtree, the unit given by its code (a text box, not a list of
    100,000 units). Only units the user may see are found."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Di bawah unit (kode)"))
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        value = (value or "").strip()
        if not value:
            return qs
        from himpun.structure.models import OrgUnit

        user = getattr(self.parent.request, "user", None)
        unit = OrgUnit.objects.restrict(user).filter(code__iexact=value).order_by("path").first()
        if unit is None:
            return qs.none()
        return qs.filter(within_q(qs.model, unit.path))


class ObjectFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Cari"))
    archived = django_filters.BooleanFilter(
        method=_unchanged,  # applied in `qs`, so that by default archived rows are hidden
        label=_("Termasuk yang diarsipkan"),
        widget=forms.CheckboxInput,
    )
    search_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        if not self.archivable:
            self.filters.pop("archived")
        for f in self.filters.values():
            qs = getattr(f, "queryset", None)
            if isinstance(qs, QuerySet) and issubclass(qs.model, BaseModel):
                f.queryset = qs.restrict(user, "view")
        for field in self.form.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = _("Semua")
        style_widgets(self.form)

    @property
    def archivable(self) -> bool:
        return any(f.name == "archived_at" for f in self._meta.model._meta.concrete_fields)

    @property
    def qs(self) -> QuerySet:
        qs = super().qs
        if self.archivable and not self.form.cleaned_data.get("archived"):
            qs = qs.filter(archived_at__isnull=True)
        return qs

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value or not self.search_fields:
            return queryset
        q = reduce(or_, (Q(**{f"{f}__icontains": value}) for f in self.search_fields))
        return queryset.filter(q)
