"""One declaration per model builds its screens; other apps register extra tabs.

    @registry.register
    class SectorScreens(ModelScreens):
        model = Sector
        path = "struktur/sektor"
        filterset_class = SectorFilterSet
        table_class = SectorTable
        form_class = SectorForm
        ...

See docs/development/adding-a-model.md.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.forms import BaseForm
from django.http import HttpRequest
from django.urls import path as url_path
from django.urls import reverse

from himpun.core import services
from himpun.core.models import BaseModel
from himpun.core.querysets import within_q


@dataclass(frozen=True)
class Tab:
    """A tab on a detail page. `context(request, obj)` returns the template's extra context."""

    slug: str
    label: str
    template: str
    order: int = 100
    context: Callable[[HttpRequest, Any], dict[str, Any]] | None = None
    visible: Callable[[HttpRequest, Any], bool] | None = None


@dataclass
class MenuLink:
    """A page outside the generic screens (a review queue) in a menu group; shown to users
    who may `action` on `model` somewhere."""

    label: str
    url_name: str
    icon: str
    model: type
    action: str = "view"
    order: int = 100

    @property
    def url_list(self) -> str:
        return reverse(self.url_name)

    @property
    def verbose_name_plural(self) -> str:
        return str(self.label)


class ModelScreens:
    """Everything the generic screens need to know about one model.

    Attributes:
        model: the model (a BaseModel subclass).
        path: URL prefix, in Indonesian (``"struktur/unit"``).
        filterset_class / table_class / form_class: the list filters, the table and the form.
        import_form_class: form that validates one CSV row (defaults to form_class); fields
            named in ``import_fields`` are the CSV columns.
        importer: the kind of a bulk importer (``himpun.imports``) the list's import button
            opens instead of the small CSV import.
        export_fields: field paths written by CSV/XLSX export (``values_list`` paths).
        detail_fields: fields shown on the profile tab.
        select_related: relations every list/detail query joins.
        menu_group / icon: where the model appears in the navigation.
        actions: the generic actions this model offers (others answer 404 and are not shown).
    """

    model: type[BaseModel]
    path: str
    filterset_class: Any
    table_class: Any
    form_class: type[BaseForm]
    import_form_class: type[BaseForm] | None = None
    import_fields: tuple[str, ...] = ()
    #: kind of a bulk importer (himpun.imports) that replaces the small CSV import on the list
    importer: str = ""
    export_fields: tuple[str, ...] = ()
    detail_fields: tuple[str, ...] = ()
    select_related: tuple[str, ...] = ()
    menu_group: str = ""
    icon: str = "bi-list"
    #: Generic actions offered; a model written only through its own workflow (a transfer is
    #: requested and accepted, not edited) offers ("view", "export").
    actions: tuple[str, ...] = ("view", "add", "change", "delete", "export")

    # -- names and urls ---------------------------------------------------------------------
    @property
    def name(self) -> str:
        return f"{self.model._meta.app_label}_{self.model._meta.model_name}"

    @property
    def label(self) -> str:
        return str(self.model._meta.label)

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def verbose_name_plural(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    @property
    def archivable(self) -> bool:
        return any(f.name == "archived_at" for f in self.model._meta.concrete_fields)

    def url(self, view: str, pk: Any = None, **kwargs: Any) -> str:
        args = [pk] if pk is not None else []
        args += list(kwargs.values())
        return reverse(f"{self.name}_{view}", args=args)

    @property
    def url_list(self) -> str:
        return self.url("list")

    @property
    def url_add(self) -> str:
        return self.url("add")

    @property
    def url_export(self) -> str:
        return self.url("export")

    @property
    def url_import(self) -> str:
        if self.importer:
            return reverse("imports:new", args=[self.importer])
        return self.url("import")

    @property
    def url_import_template(self) -> str:
        return self.url("import_template")

    @property
    def url_bulk(self) -> str:
        return self.url("bulk")

    def editable(self, obj: Any) -> bool:
        """Whether the detail page offers "Ubah" for `obj` (a closed evaluation: no). The
        edit page itself still answers, and the model's service refuses what it must."""
        return True

    # -- reading ----------------------------------------------------------------------------
    def queryset(self, request: HttpRequest, action: str = "view") -> QuerySet:
        qs = self.model.objects.restrict(request.user, action)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        return qs

    def filter(self, request: HttpRequest, qs: QuerySet, params: Any) -> tuple[Any, QuerySet]:
        """The filterset for `params` and the rows it selects: the one place where list and
        export decide what is shown (invalid filters show nothing, archived rows are hidden
        unless asked for)."""
        filterset = self.filterset_class(params, queryset=qs, request=request)
        return filterset, filterset.qs if filterset.is_valid() else qs.none()

    def table_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        """Extra keyword arguments for the list's table (see MemberScreens)."""
        return {}

    def narrow(self, request: HttpRequest, qs: QuerySet) -> QuerySet:
        """Limit a list to the unit chosen in the unit switcher, if any."""
        unit = getattr(request, "current_unit", None)
        if unit is None or self.model.scope_organisation_wide:
            return qs
        return qs.filter(within_q(self.model, unit.path))

    # -- writing (through services) ---------------------------------------------------------
    def form_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        return {"user": request.user}

    def create(self, *, request: HttpRequest, form: Any, batch: uuid.UUID | None = None) -> Any:
        return services.object_create(
            actor=request.user, instance=form.save(commit=False), batch=batch
        )

    def update(self, *, request: HttpRequest, form: Any, expected_version: int) -> Any:
        return services.object_update(
            actor=request.user, instance=form.save(commit=False), expected_version=expected_version
        )

    def delete(self, *, request: HttpRequest, obj: Any, batch: uuid.UUID | None = None) -> None:
        services.object_delete(actor=request.user, instance=obj, batch=batch)

    def archive(
        self,
        *,
        request: HttpRequest,
        obj: Any,
        archive: bool = True,
        batch: uuid.UUID | None = None,
    ) -> Any:
        return services.object_archive(
            actor=request.user, instance=obj, archive=archive, batch=batch
        )


@dataclass
class Registry:
    screens: dict[type, ModelScreens] = field(default_factory=dict)
    tabs: dict[type, list[Tab]] = field(default_factory=dict)
    links: dict[str, list[MenuLink]] = field(default_factory=dict)

    def register(self, cls: type[ModelScreens]) -> type[ModelScreens]:
        self.screens[cls.model] = cls()
        return cls

    def add_tab(self, model: type, tab: Tab) -> None:
        self.tabs.setdefault(model, []).append(tab)
        self.tabs[model].sort(key=lambda t: t.order)

    def add_link(self, group: str, link: MenuLink) -> None:
        self.links.setdefault(group, []).append(link)
        self.links[group].sort(key=lambda x: x.order)

    def for_model(self, model: type) -> ModelScreens:
        return self.screens[model]

    def all(self) -> list[ModelScreens]:
        return list(self.screens.values())

    def urls(self) -> list[Any]:
        from himpun.core import views

        patterns = []
        for s in self.all():
            p, n = s.path, s.name
            kw = {"screens": s}
            patterns += [
                url_path(f"{p}/", views.ObjectListView.as_view(**kw), name=f"{n}_list"),
                url_path(f"{p}/tambah/", views.ObjectCreateView.as_view(**kw), name=f"{n}_add"),
                url_path(f"{p}/ekspor/", views.ObjectExportView.as_view(**kw), name=f"{n}_export"),
                url_path(f"{p}/impor/", views.ObjectImportView.as_view(**kw), name=f"{n}_import"),
                url_path(
                    f"{p}/impor/contoh.csv",
                    views.ObjectImportTemplateView.as_view(**kw),
                    name=f"{n}_import_template",
                ),
                url_path(f"{p}/massal/", views.ObjectBulkView.as_view(**kw), name=f"{n}_bulk"),
                url_path(
                    f"{p}/<int:pk>/", views.ObjectDetailView.as_view(**kw), name=f"{n}_detail"
                ),
                url_path(
                    f"{p}/<int:pk>/ubah/", views.ObjectEditView.as_view(**kw), name=f"{n}_edit"
                ),
                url_path(
                    f"{p}/<int:pk>/hapus/",
                    views.ObjectDeleteView.as_view(**kw),
                    name=f"{n}_delete",
                ),
                url_path(
                    f"{p}/<int:pk>/<slug:tab>/",
                    views.ObjectDetailView.as_view(**kw),
                    name=f"{n}_tab",
                ),
            ]
        return patterns


registry = Registry()
