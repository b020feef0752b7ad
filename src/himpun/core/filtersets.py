"""FilterSet base: one search box over `search_fields`, archived rows hidden unless asked."""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from himpun.core.forms import style_widgets
from himpun.core.models import BaseModel


class ObjectFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Cari"))
    search_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        for f in self.filters.values():
            qs = getattr(f, "queryset", None)
            if isinstance(qs, QuerySet) and issubclass(qs.model, BaseModel):
                f.queryset = qs.restrict(user, "view")
        if self.archivable:
            self.filters["archived"] = django_filters.BooleanFilter(
                method="filter_archived",
                label=_("Termasuk yang diarsipkan"),
                widget=django_filters.widgets.forms.CheckboxInput,
            )
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

    def filter_archived(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset  # applied in `qs`, so that the default hides archived rows

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value or not self.search_fields:
            return queryset
        q = reduce(or_, (Q(**{f"{f}__icontains": value}) for f in self.search_fields))
        return queryset.filter(q)
