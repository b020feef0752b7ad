"""Generic screens built from a ModelScreens declaration, plus home and health check."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import EmptyPage, Page
from django.db import connection, transaction
from django.db.models import FileField, Model
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django_tables2 import RequestConfig
from django_tables2.paginators import LazyPaginator

from himpun.core import exports, imports
from himpun.core.models import AuditEntry, new_batch
from himpun.core.querysets import has_scope
from himpun.core.registry import ModelScreens, Tab, registry
from himpun.core.services import DeleteRefused, EditConflict

PER_PAGE = 25


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database status, for monitors and `make run`."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        db = "ok"
    except Exception:  # any database failure is reported, not raised
        db = "error"
    status = 200 if db == "ok" else 503
    return JsonResponse(
        {"status": "ok" if db == "ok" else "error", "database": db, "vendor": connection.vendor},
        status=status,
    )


class ScreenView(View):
    """Base of the generic screens: login required, and a scope for the action, else 404."""

    screens: ModelScreens = None  # type: ignore[assignment]
    action = "view"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if self.action not in self.screens.actions:
            raise Http404
        if not has_scope(request.user, self.screens.model, self.action):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, pk: int, action: str | None = None) -> Model:
        return get_object_or_404(self.screens.queryset(self.request, action or self.action), pk=pk)

    def can(self, action: str, obj: Model | None = None) -> bool:
        if action not in self.screens.actions:
            return False
        if obj is None:
            return has_scope(self.request.user, self.screens.model, action)
        return self.screens.queryset(self.request, action).filter(pk=obj.pk).exists()

    def base_context(self, **extra: Any) -> dict[str, Any]:
        s = self.screens
        return {
            "screens": s,
            "model_name": s.verbose_name,
            "model_name_plural": s.verbose_name_plural,
            **extra,
        }


class ObjectListView(ScreenView):
    template_name = "core/list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        s = self.screens
        qs = s.narrow(request, s.queryset(request))
        filterset, rows = s.filter(request, qs, request.GET)
        can_bulk = self.can("delete")
        table = s.table_class(rows, bulk=can_bulk, **s.table_kwargs(request))
        RequestConfig(
            request, paginate={"per_page": PER_PAGE, "paginator_class": LazyPaginator}
        ).configure(table)
        query = request.GET.copy()
        query.pop("page", None)
        ctx = self.base_context(
            table=table,
            filterset=filterset,
            can_add=self.can("add"),
            can_export=self.can("export"),
            can_bulk=can_bulk,
            querystring=query.urlencode(),
        )
        template = self.template_name
        if request.htmx and request.htmx.target == "results":
            template += "#results"
        return render(request, template, ctx)


class ObjectDetailView(ScreenView):
    template_name = "core/detail.html"

    def tabs(self, obj: Model) -> list[Tab]:
        builtin = [
            Tab("profil", _("Profil"), "core/tabs/profile.html", order=0),
            Tab("riwayat", _("Riwayat"), "core/tabs/history.html", order=1000),
        ]
        extra = registry.tabs.get(type(obj), [])
        tabs = sorted([*builtin, *extra], key=lambda t: t.order)
        return [t for t in tabs if t.visible is None or t.visible(self.request, obj)]

    def get(self, request: HttpRequest, pk: int, tab: str = "profil") -> HttpResponse:
        obj = self.get_object(pk)
        tabs = self.tabs(obj)
        current = next((t for t in tabs if t.slug == tab), None)
        if current is None:
            raise Http404
        ctx = self.base_context(
            object=obj,
            tabs=tabs,
            tab=current,
            can_change=self.can("change", obj) and self.screens.editable(obj),
            can_delete=self.can("delete", obj),
        )
        if current.slug == "profil":
            ctx["fields"] = display_fields(obj, self.screens.detail_fields)
        elif current.slug == "riwayat":
            ctx["entries"] = history(obj)
        if current.context:
            ctx.update(current.context(request, obj))
        return render(request, self.template_name, ctx)


def lazy_page(queryset: Any, per_page: int, number: Any) -> Page:
    """A page of `queryset` without counting it (`LazyPaginator`: at the top of a
    confederation a COUNT scans millions of rows). A page past the end — an old link, a
    hand-typed number — gives the first page, as the lists do, not an error."""
    paginator = LazyPaginator(queryset, per_page)
    try:
        return paginator.get_page(number)
    except EmptyPage:
        return paginator.page(1)


def display_fields(obj: Model, names: tuple[str, ...]) -> list[tuple[str, Any]]:
    out = []
    for name in names:
        field = obj._meta.get_field(name)
        if hasattr(field, "display_value"):
            value = field.display_value(getattr(obj, name))
        elif getattr(field, "choices", None):
            value = getattr(obj, f"get_{name}_display")()
        else:
            value = getattr(obj, name)
        out.append((str(field.verbose_name), value))
    return out


def history(obj: Model) -> list[dict[str, Any]]:
    """Audit entries of `obj`, newest first, described for people."""
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    )[:200]
    return describe(type(obj), list(entries))


def _label(model: type[Model], name: str) -> str:
    """The label of a changed name that is not a column (a many-to-many list, recorded with
    the names of its rows): its field's verbose name when there is one."""
    try:
        return str(model._meta.get_field(name).verbose_name)
    except (FieldDoesNotExist, AttributeError):
        return name


def describe(model: type[Model], entries: list[AuditEntry]) -> list[dict[str, Any]]:
    """Entries with field labels and related rows by name (one query per foreign key
    field, not per entry)."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    wanted: dict[str, set[Any]] = {}
    for e in entries:
        if e.action in ("update", "move"):
            for name, pair in e.changes.items():
                field = fields.get(name)
                if field is not None and field.related_model is not None:
                    wanted.setdefault(name, set()).update(v for v in pair if v is not None)
    names = {
        attname: {
            pk: str(o)
            for pk, o in fields[attname].related_model._base_manager.in_bulk(list(pks)).items()
        }
        for attname, pks in wanted.items()
    }
    out = []
    for e in entries:
        changes = []
        if e.action in ("update", "move"):
            for name, (before, after) in e.changes.items():
                field = fields.get(name)
                label = str(field.verbose_name) if field is not None else _label(model, name)
                if isinstance(field, FileField):
                    # A stored file's name says nothing to a person: say what happened.
                    before = _("ada") if before else None
                    after = (_("diganti") if before else _("ditambahkan")) if after else None
                    changes.append((label, before, after))
                    continue
                lookup = names.get(name, {})
                changes.append((label, lookup.get(before, before), lookup.get(after, after)))
        out.append({"entry": e, "changes": changes})
    return out


class ObjectCreateView(ScreenView):
    action = "add"
    template_name = "core/form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = self.screens.form_class(
            initial=request.GET.dict(), **self.screens.form_kwargs(request)
        )
        return render(request, self.template_name, self.base_context(form=form, creating=True))

    def post(self, request: HttpRequest) -> HttpResponse:
        s = self.screens
        form = s.form_class(request.POST, request.FILES, **s.form_kwargs(request))
        if form.is_valid():
            obj = save_in_scope(self, form, lambda: s.create(request=request, form=form))
            if obj is not None:
                messages.success(request, _("%(obj)s tersimpan.") % {"obj": obj})
                warn(request, form)
                return HttpResponseRedirect(obj.get_absolute_url())
        return render(request, self.template_name, self.base_context(form=form, creating=True))


def save_in_scope(view: ScreenView, form: Any, save: Any) -> Model | None:
    """Run `save` and keep it only if the saved object is still inside the user's scope."""
    try:
        with transaction.atomic():
            obj = save()
            if not view.can(view.action, obj):
                raise _OutOfScope
            return obj
    except _OutOfScope:
        form.add_error(None, _("Anda tidak berwenang menyimpan data ini di unit tersebut."))
    except (DeleteRefused, ValidationError) as exc:  # a service refused the change
        form.add_error(None, getattr(exc, "messages", None) or str(exc))
    return None


class _OutOfScope(Exception):
    pass


def warn(request: HttpRequest, form: Any) -> None:
    """Show a form's warnings (checks that inform but do not block the save)."""
    for text in getattr(form, "warnings", []):
        messages.warning(request, text)


class ObjectEditView(ScreenView):
    action = "change"
    template_name = "core/form.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self.get_object(pk)
        form = self.screens.form_class(instance=obj, **self.screens.form_kwargs(request))
        return render(
            request,
            self.template_name,
            self.base_context(form=form, object=obj, version=obj.version),
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        s = self.screens
        obj = self.get_object(pk)
        try:
            expected = int(request.POST.get("_version", ""))
        except ValueError:
            expected = obj.version
        form = s.form_class(request.POST, request.FILES, instance=obj, **s.form_kwargs(request))
        conflict = None
        if form.is_valid():
            try:
                saved = save_in_scope(
                    self,
                    form,
                    lambda: s.update(request=request, form=form, expected_version=expected),
                )
            except EditConflict as exc:
                conflict = exc
            else:
                if saved is not None:
                    messages.success(
                        request, _("Perubahan pada %(obj)s tersimpan.") % {"obj": saved}
                    )
                    return HttpResponseRedirect(saved.get_absolute_url())
        version = conflict.current.version if conflict else expected
        since = describe(type(obj), conflict.since) if conflict else []
        return render(
            request,
            self.template_name,
            self.base_context(
                form=form, object=obj, version=version, conflict=conflict, since=since
            ),
            status=409 if conflict else 200,
        )


class ObjectDeleteView(ScreenView):
    action = "delete"
    template_name = "core/confirm_delete.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self.get_object(pk)
        return render(request, self.template_name, self.base_context(object=obj))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        s = self.screens
        obj = self.get_object(pk)
        mode = request.POST.get("mode", "delete")
        try:
            if mode in ("archive", "restore") and s.archivable:
                s.archive(request=request, obj=obj, archive=mode == "archive")
                text = _("%(obj)s diarsipkan.") if mode == "archive" else _("%(obj)s dipulihkan.")
                messages.success(request, text % {"obj": obj})
                return HttpResponseRedirect(obj.get_absolute_url())
            s.delete(request=request, obj=obj)
        except DeleteRefused as exc:
            hint = _("Arsipkan saja: data tetap tersimpan tetapi tidak tampil di daftar.")
            error = f"{exc} {hint}" if s.archivable else str(exc)
            return render(
                request, self.template_name, self.base_context(object=obj, error=error), status=409
            )
        messages.success(request, _("%(obj)s dihapus.") % {"obj": obj})
        return HttpResponseRedirect(s.url("list"))


class ObjectBulkView(ScreenView):
    """Archive or delete the selected rows, after a confirmation page; one audit batch."""

    action = "delete"
    template_name = "core/confirm_bulk.html"

    def post(self, request: HttpRequest) -> HttpResponse:
        s = self.screens
        pks = [int(p) for p in request.POST.getlist("select") if p.isdigit()]
        mode = request.POST.get("mode", "delete")
        if mode not in ("delete", "archive") or (mode == "archive" and not s.archivable):
            raise Http404
        objs = list(s.queryset(request, "delete").filter(pk__in=pks)[:500])
        if not objs:
            messages.warning(request, _("Tidak ada baris yang dipilih."))
            return HttpResponseRedirect(s.url("list"))
        if request.POST.get("confirm") != "1":
            return render(request, self.template_name, self.base_context(objects=objs, mode=mode))
        batch = new_batch()
        done, refused = 0, []
        for obj in objs:
            try:
                if mode == "archive":
                    s.archive(request=request, obj=obj, batch=batch)
                else:
                    s.delete(request=request, obj=obj, batch=batch)
                done += 1
            except DeleteRefused as exc:
                refused.append(str(exc))
        messages.success(request, _("%(n)d baris diproses.") % {"n": done})
        for text in refused[:10]:
            messages.warning(request, text)
        return HttpResponseRedirect(s.url("list"))


class ObjectExportView(ScreenView):
    action = "export"

    def get(self, request: HttpRequest) -> HttpResponse:
        s = self.screens
        fmt = request.GET.get("format", "csv")
        if fmt not in ("csv", "xlsx"):
            raise Http404
        qs = s.narrow(request, s.queryset(request, "export"))
        params = request.GET.copy()
        params.pop("format", None)
        _filterset, rows_qs = s.filter(request, qs, params)
        rows_qs = rows_qs.order_by("pk")
        fields = s.export_fields
        headers = [export_header(s.model, f) for f in fields]
        count = rows_qs.count()
        unit = getattr(request, "current_unit", None)
        exports.export_record(
            user=request.user,
            model=s.label,
            file_format=fmt,
            query=params.urlencode(),
            unit_path=unit.path if unit else "",
            row_count=count,
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        filename = f"{s.model._meta.model_name}-{stamp}.{fmt}"
        rows = exports.export_rows(rows_qs, fields)
        if fmt == "csv":
            response = StreamingHttpResponse(
                exports.csv_stream(headers, rows), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        fh = exports.xlsx_file(headers, rows, s.verbose_name_plural)
        return FileResponse(fh, as_attachment=True, filename=filename)


def export_header(model: type[Model], path: str) -> str:
    """Column header for a `a__b` field path: the verbose names joined, "induk: kode"."""
    names = []
    for part in path.split("__"):
        field = model._meta.get_field(part)
        names.append(str(field.verbose_name))
        if field.related_model is not None:
            model = field.related_model
    return ": ".join(names)


class SmallImportView(ScreenView):
    """The small CSV import exists only for models that name their CSV columns."""

    action = "add"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not self.screens.import_fields:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ObjectImportView(SmallImportView):
    template_name = "core/import.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, self.base_context(columns=self.columns()))

    def columns(self) -> list[tuple[str, bool, str]]:
        form = self.import_form()
        return [
            (
                name,
                form.fields[name].required,
                str(form.fields[name].help_text or form.fields[name].label or ""),
            )
            for name in self.screens.import_fields
        ]

    def import_form(self, data: dict[str, str] | None = None) -> Any:
        cls = self.screens.import_form_class or self.screens.form_class
        return cls(data, **self.screens.form_kwargs(self.request))

    def post(self, request: HttpRequest) -> HttpResponse:
        s = self.screens
        upload = request.FILES.get("file")
        ctx = self.base_context(columns=self.columns())
        if upload is None:
            ctx["error"] = _("Pilih berkas CSV terlebih dahulu.")
            return render(request, self.template_name, ctx, status=400)
        required = {name for name, req, _help in ctx["columns"] if req}
        try:
            rows = imports.read_csv(upload.read(), s.import_fields, required)
        except imports.ImportFileError as exc:
            ctx["error"] = str(exc)
            return render(request, self.template_name, ctx, status=400)
        result = imports.ImportResult()
        batch = new_batch()
        for number, row in enumerate(rows, start=2):
            if not row:
                continue
            form = self.import_form(row)
            if not form.is_valid():
                result.errors.append(
                    imports.RowError(number, imports.form_errors_text(form.errors))
                )
                continue
            obj = save_in_scope(
                self, form, lambda f=form: s.create(request=request, form=f, batch=batch)
            )
            if obj is None:
                result.errors.append(
                    imports.RowError(number, imports.form_errors_text(form.errors))
                )
            else:
                result.created += 1
                result.warnings += [
                    imports.RowError(number, text) for text in getattr(form, "warnings", [])
                ]
        ctx["result"] = result
        return render(request, self.template_name, ctx)


class ObjectImportTemplateView(SmallImportView):
    def get(self, request: HttpRequest) -> HttpResponse:
        buf = io.StringIO()
        csv.writer(buf).writerow(self.screens.import_fields)
        response = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
        name = self.screens.model._meta.model_name
        response["Content-Disposition"] = f'attachment; filename="contoh-{name}.csv"'
        return response


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    from himpun.structure.selectors import scope_roots

    return render(request, "core/home.html", {"roots": scope_roots(request.user)})


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)
