"""The generated tests every registered model inherits (NetBox's ViewTestCases, made for
Himpun's subtree scoping). A model's test case names the model and says how to make one
of its objects, what a valid form looks like and what a CSV import looks like.

The world (tests/conftest.py): org1 → A, B and org2 → C. `admin1` holds Admin at org1's
top unit; `admin_a` holds Admin at A only; `nobody` holds no role.
"""

from __future__ import annotations

import io
from typing import Any, ClassVar

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from himpun.core.models import AuditEntry, ExportRecord
from himpun.core.registry import registry


def body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


class ScreenCase:
    model: ClassVar[type]
    #: Whether rows belong to units inside one organisation (vs organisation-wide config).
    subtree_scoped: ClassVar[bool] = True
    #: Pinned number of queries of the list page; must not grow with the number of rows.
    list_queries: ClassVar[int]

    # -- what each model's case provides ---------------------------------------------------
    def make(self, w: Any, owner: Any, name: str) -> Any:
        raise NotImplementedError

    def create_data(self, w: Any) -> dict[str, Any]:
        raise NotImplementedError

    def change_data(self, w: Any, obj: Any, name: str) -> dict[str, Any]:
        raise NotImplementedError

    def csv_text(self, w: Any) -> str | None:
        """Header, one good row, then one bad row (the bad one is reported, the good goes in)."""
        return None

    def label(self, obj: Any) -> str:
        return str(obj)

    # -- helpers ---------------------------------------------------------------------------
    @property
    def s(self):
        return registry.for_model(self.model)

    def urls(self, obj: Any) -> dict[str, str]:
        s = self.s
        return {
            "list": s.url("list"),
            "add": s.url("add"),
            "export": s.url("export") + "?format=csv",
            "import": s.url("import"),
            "detail": s.url("detail", obj.pk),
            "edit": s.url("edit", obj.pk),
            "delete": s.url("delete", obj.pk),
        }

    def not_offered(self, client: Any, w: Any, action: str, url: str) -> bool:
        """A model written only through its own workflow answers 404 to a generic action it
        does not offer, even for a user who may do everything."""
        if action in self.s.actions:
            return False
        client.force_login(w.admin1)
        assert client.get(url).status_code == 404
        assert client.post(url, {}).status_code == 404
        return True

    def owner_in(self, w: Any) -> Any:
        return w.a

    def owner_out(self, w: Any) -> Any:
        return w.c

    # -- the tests -------------------------------------------------------------------------
    def test_anonymous_is_sent_to_login(self, client, world):
        obj = self.make(world, self.owner_in(world), "Satu")
        for name, url in self.urls(obj).items():
            response = client.get(url)
            assert response.status_code == 302, name
            assert "/akun/masuk/" in response["Location"], name

    def test_user_without_role_gets_404(self, client, world):
        obj = self.make(world, self.owner_in(world), "Satu")
        client.force_login(world.nobody)
        for name, url in self.urls(obj).items():
            assert client.get(url).status_code == 404, name

    def test_list_detail_and_tabs(self, client, world):
        obj = self.make(world, self.owner_in(world), "Dalam Lingkup")
        other = self.make(world, self.owner_out(world), "Luar Lingkup")
        client.force_login(world.admin1)
        listing = body(client.get(self.s.url("list")))
        assert self.label(obj) in listing
        assert self.label(other) not in listing
        detail = client.get(self.s.url("detail", obj.pk))
        assert detail.status_code == 200
        request = RequestFactory().get("/")
        request.user = world.admin1
        for tab in registry.tabs.get(self.model, []):
            # A tab shown only for some objects (a converted contact's history) answers 404
            # for the others, like any page that is not there.
            shown = tab.visible is None or tab.visible(request, obj)
            status = client.get(self.s.url("tab", obj.pk, tab=tab.slug)).status_code
            assert status == (200 if shown else 404), tab.slug
        assert client.get(self.s.url("tab", obj.pk, tab="riwayat")).status_code == 200
        assert client.get(self.s.url("tab", obj.pk, tab="tidak-ada")).status_code == 404

    def test_htmx_list_returns_only_results(self, client, world):
        obj = self.make(world, self.owner_in(world), "Dalam Lingkup")
        client.force_login(world.admin1)
        response = client.get(
            self.s.url("list"),
            {"q": self.label(obj)[:6]},
            headers={"HX-Request": "true", "HX-Target": "results"},
        )
        html = body(response)
        assert response.status_code == 200
        assert '<div id="results">' in html
        assert "<html" not in html

    def test_out_of_scope_objects_answer_404(self, client, world):
        other = self.make(world, self.owner_out(world), "Luar Lingkup")
        client.force_login(world.admin1)
        for name in ("detail", "edit", "delete"):
            assert client.get(self.urls(other)[name]).status_code == 404, name
        assert client.post(self.urls(other)["delete"], {"mode": "delete"}).status_code == 404
        assert self.model._base_manager.filter(pk=other.pk).exists()

    def test_sibling_subtree_is_out_of_scope(self, client, world):
        if not self.subtree_scoped:
            pytest.skip("organisation-wide configuration is shared inside an organisation")
        sibling = self.make(world, world.b, "Saudara")
        client.force_login(world.admin_a)
        assert client.get(self.s.url("detail", sibling.pk)).status_code == 404
        assert self.label(sibling) not in body(client.get(self.s.url("list")))

    def test_create(self, client, world):
        if self.not_offered(client, world, "add", self.s.url("add")):
            return
        client.force_login(world.admin1)
        assert client.get(self.s.url("add")).status_code == 200
        before = self.model._base_manager.count()
        response = client.post(self.s.url("add"), self.create_data(world))
        assert response.status_code == 302, body(response)
        assert self.model._base_manager.count() == before + 1
        created = self.model._base_manager.latest("pk")
        assert AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(self.model),
            object_id=str(created.pk),
            action="create",
        ).exists()

    def test_create_with_empty_form_shows_errors(self, client, world):
        if self.not_offered(client, world, "add", self.s.url("add")):
            return
        client.force_login(world.admin1)
        before = self.model._base_manager.count()
        response = client.post(self.s.url("add"), {})
        assert response.status_code == 200
        assert "invalid-feedback" in body(response)
        assert self.model._base_manager.count() == before

    def test_edit_and_stale_edit_conflict(self, client, world):
        obj = self.make(world, self.owner_in(world), "Semula")
        if self.not_offered(client, world, "change", self.s.url("edit", obj.pk)):
            return
        client.force_login(world.admin1)
        assert client.get(self.s.url("edit", obj.pk)).status_code == 200
        stale = obj.version
        first = self.change_data(world, obj, "Perubahan Pertama")
        response = client.post(self.s.url("edit", obj.pk), {**first, "_version": stale})
        assert response.status_code == 302, body(response)
        obj.refresh_from_db()
        assert obj.version == stale + 1
        second = self.change_data(world, obj, "Perubahan Basi")
        response = client.post(self.s.url("edit", obj.pk), {**second, "_version": stale})
        assert response.status_code == 409
        assert "data-conflict" in body(response)
        fresh = self.model._base_manager.get(pk=obj.pk)
        assert fresh.version == stale + 1
        assert "Perubahan Basi" not in str(fresh.__dict__)
        updates = AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(self.model),
            object_id=str(obj.pk),
            action="update",
        )
        assert updates.count() == 1
        history = body(client.get(self.s.url("tab", obj.pk, tab="riwayat")))
        fields = {f.attname: f for f in self.model._meta.concrete_fields}
        for attname in updates.get().changes:
            label = str(fields[attname].verbose_name)
            assert (
                f'<span class="fw-semibold" data-field>{label[:1].upper()}{label[1:]}</span>'
                in history
            )

    def test_delete_or_archive(self, client, world):
        obj = self.make(world, self.owner_in(world), "Akan Dihapus")
        if self.not_offered(client, world, "delete", self.s.url("delete", obj.pk)):
            assert self.model._base_manager.filter(pk=obj.pk).exists()
            return
        client.force_login(world.admin1)
        assert client.get(self.s.url("delete", obj.pk)).status_code == 200
        if self.s.archivable:
            response = client.post(self.s.url("delete", obj.pk), {"mode": "archive"}, follow=True)
            assert response.status_code == 200
            assert self.model._base_manager.get(pk=obj.pk).archived_at is not None
            assert self.label(obj) not in body(client.get(self.s.url("list")))
            assert self.label(obj) in body(client.get(self.s.url("list"), {"archived": "on"}))
        response = client.post(self.s.url("delete", obj.pk), {"mode": "delete"})
        assert response.status_code in (302, 409)
        if response.status_code == 302:
            assert not self.model._base_manager.filter(pk=obj.pk).exists()

    def test_bulk_delete_is_one_recorded_batch(self, client, world):
        objs = [self.make(world, self.owner_in(world), f"Massal {i}") for i in range(2)]
        if self.not_offered(client, world, "delete", self.s.url("bulk")):
            return
        client.force_login(world.admin1)
        pks = [o.pk for o in objs]
        confirm = client.post(self.s.url("bulk"), {"select": pks, "mode": "delete"})
        assert confirm.status_code == 200
        assert self.model._base_manager.filter(pk__in=pks).count() == 2  # not yet
        client.post(self.s.url("bulk"), {"select": pks, "mode": "delete", "confirm": "1"})
        entries = AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(self.model),
            object_id__in=[str(p) for p in pks],
            action="delete",
        )
        gone = not self.model._base_manager.filter(pk__in=pks).exists()
        if gone:
            assert entries.count() == 2
            assert len({e.batch for e in entries}) == 1

    def test_export_csv_and_xlsx_are_scoped_and_recorded(self, client, world):
        obj = self.make(world, self.owner_in(world), "Ekspor Dalam")
        other = self.make(world, self.owner_out(world), "Ekspor Luar")
        client.force_login(world.admin1)
        response = client.get(self.s.url("export"), {"format": "csv"})
        text = body(response)
        assert response.status_code == 200
        assert self.label(obj) in text or str(getattr(obj, "name", obj)) in text
        assert "Ekspor Luar" not in text
        record = ExportRecord.objects.latest("at")
        assert record.user == world.admin1
        assert record.row_count == len(text.strip().splitlines()) - 1
        response = client.get(self.s.url("export"), {"format": "xlsx"})
        data = b"".join(response.streaming_content)
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        rows = sheet.to_python()
        assert len(rows) - 1 == record.row_count
        assert not any("Ekspor Luar" in str(cell) for row in rows for cell in row)
        assert ExportRecord.objects.filter(file_format="xlsx").count() == 1
        assert other.pk  # exists, yet absent from both files

    def test_import_csv_keeps_good_rows_reports_bad(self, client, world):
        text = self.csv_text(world)
        if text is None:
            pytest.skip("this model has no CSV import")
        client.force_login(world.admin1)
        before = self.model._base_manager.count()
        upload = io.BytesIO(text.encode())
        upload.name = "data.csv"
        response = client.post(self.s.url("import"), {"file": upload})
        html = body(response)
        assert response.status_code == 200, html
        assert self.model._base_manager.count() == before + 1
        assert "data-import-errors" in html
        assert "<td>3</td>" in html

    def test_list_query_count_is_pinned_and_flat(self, client, world):
        client.force_login(world.admin1)
        for i in range(3):
            self.make(world, self.owner_in(world), f"Hitung {i}")
        assert client.get(self.s.url("list")).status_code == 200  # warm caches
        with CaptureQueriesContext(connection) as few:
            client.get(self.s.url("list"))
        for i in range(3, 30):
            self.make(world, self.owner_in(world), f"Hitung {i}")
        with CaptureQueriesContext(connection) as many:
            client.get(self.s.url("list"))
        assert len(many) == len(few)
        assert len(many) == self.list_queries, [q["sql"][:120] for q in many.captured_queries]
