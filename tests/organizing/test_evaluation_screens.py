"""Screens of evaluations and follow-up plans: the generated screen tests, the evaluation's
tabs, closing, the inline plan, status buttons, printing, the XLSX plan and the unit's
"Tindak lanjut" tab."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from himpun.core.models import ExportRecord
from himpun.organizing.choices import ActionStatus, PeriodKind
from himpun.organizing.evaluations import action_item_create, evaluation_close, evaluation_create
from himpun.organizing.models import ActionItem, Evaluation
from tests.screen_case import ScreenCase, body

D = datetime.date


def make_evaluation(unit, title="Evaluasi semester 1", **kw) -> Evaluation:
    fields = {"period_kind": PeriodKind.SEMESTER, "year": 2026, "number": 1, **kw}
    return evaluation_create(actor=None, unit=unit, title=title, **fields)


def evaluation_form(unit, title: str, **kw) -> dict:
    return {
        "unit": unit.pk,
        "title": title,
        "period_kind": "semester",
        "year": 2026,
        "number": 1,
        "facilitator": "Nur Yasin",
        "obstacles": "Fleksibilisasi kerja",
        **kw,
    }


class TestEvaluationScreens(ScreenCase):
    model = Evaluation
    list_queries = 7

    def make(self, w, owner, name):
        return make_evaluation(owner, name)

    def create_data(self, w):
        return evaluation_form(w.a, "Evaluasi Baru")

    def change_data(self, w, obj, name):
        return evaluation_form(obj.unit, name)


class TestActionItemScreens(ScreenCase):
    model = ActionItem
    list_queries = 6

    def make(self, w, owner, name):
        return action_item_create(
            actor=None, unit=owner, title=name, owner="Sari", due_on=D(2026, 9, 1)
        )

    def create_data(self, w):
        return {
            "unit": w.a.pk,
            "title": "Kunjungan Baru",
            "owner": "Budi",
            "due_on": "2026-09-01",
            "status": "rencana",
        }

    def change_data(self, w, obj, name):
        return {
            "unit": obj.unit_id,
            "title": name,
            "owner": obj.owner,
            "due_on": obj.due_on.isoformat(),
            "status": obj.status,
        }


# --- the evaluation page ----------------------------------------------------------------------


def tab(ev: Evaluation, slug: str) -> str:
    return reverse("organizing_evaluation_tab", args=[ev.pk, slug])


def test_period_out_of_range_on_the_form_is_a_clear_error(client, world):
    client.force_login(world.admin1)
    response = client.post(
        reverse("organizing_evaluation_add"), evaluation_form(world.a, "Salah", number=3)
    )
    assert response.status_code == 200
    assert "Periode ke-3 tidak ada" in body(response)
    assert not Evaluation.objects.exists()


def test_results_notes_and_plan_tabs(client, world):
    ev = make_evaluation(world.a, obstacles="PHK massal", case_studies="PT Maju")
    client.force_login(world.admin1)
    html = body(client.get(tab(ev, "hasil")))
    assert 'data-result="anggota-baru"' in html
    assert "data-live" in html
    assert "data-close-evaluation" in html
    notes = body(client.get(tab(ev, "catatan")))
    assert "PHK massal" in notes
    assert "PT Maju" in notes
    plan = body(client.get(tab(ev, "tindak-lanjut")))
    assert "data-plan-empty" in plan
    assert "data-action-form" in plan


def test_close_button_freezes_and_edit_is_refused_with_a_message(client, world):
    ev = make_evaluation(world.a)
    client.force_login(world.admin1)
    edit_url = reverse("organizing_evaluation_edit", args=[ev.pk])
    assert edit_url in body(client.get(ev.get_absolute_url()))
    response = client.post(reverse("organizing:evaluation_close", args=[ev.pk]))
    assert response.status_code == 302
    ev.refresh_from_db()
    assert ev.closed_at is not None
    assert ev.results
    html = body(client.get(tab(ev, "hasil")))
    assert "data-frozen" in html
    assert edit_url not in body(client.get(ev.get_absolute_url()))  # no "Ubah" once closed
    assert "data-close-evaluation" not in html
    edit = body(client.get(reverse("organizing_evaluation_edit", args=[ev.pk])))
    assert 'name="title"' in edit
    assert "disabled" in edit
    response = client.post(
        reverse("organizing_evaluation_edit", args=[ev.pk]),
        {**evaluation_form(world.a, "Diubah"), "_version": ev.version},
    )
    assert response.status_code == 200
    assert "sudah ditutup" in body(response)
    assert Evaluation.objects.get(pk=ev.pk).title == "Evaluasi semester 1"
    # closing twice says so, and changes nothing
    closed_at = ev.closed_at
    client.post(reverse("organizing:evaluation_close", args=[ev.pk]), follow=True)
    assert Evaluation.objects.get(pk=ev.pk).closed_at == closed_at


def test_inline_add_and_status_buttons(client, world):
    ev = make_evaluation(world.a)
    client.force_login(world.admin_a)
    url = reverse("organizing:evaluation_action_add", args=[ev.pk])
    response = client.post(url, {"title": "", "owner": "Sari", "due_on": "2026-08-01"})
    assert response.status_code == 400
    assert "invalid-feedback" in body(response)
    assert not ActionItem.objects.exists()
    response = client.post(
        url, {"title": "Rapat pleno", "owner": "Sari", "due_on": "2026-08-01", "note": "PUK"}
    )
    assert response.status_code == 302
    item = ActionItem.objects.get()
    assert (item.evaluation, item.unit, item.status) == (ev, world.a, ActionStatus.PLANNED)
    plan = tab(ev, "tindak-lanjut")
    assert "Rapat pleno" in body(client.get(plan))

    status_url = reverse("organizing:action_status", args=[item.pk])
    response = client.post(status_url, {"status": "selesai", "next": plan})
    assert response.status_code == 302
    assert response["Location"] == plan
    item.refresh_from_db()
    assert item.status == "selesai"
    assert item.done_on == timezone.localdate()
    # a foreign "next" is not followed
    response = client.post(status_url, {"status": "berjalan", "next": "https://contoh.com/"})
    assert response["Location"] == item.get_absolute_url()
    item.refresh_from_db()
    assert item.status == "berjalan"
    assert item.done_on is None


def test_the_plan_is_404_outside_scope(client, world):
    ev = make_evaluation(world.b)
    item = action_item_create(
        actor=None, evaluation=ev, title="Rahasia B", owner="X", due_on=D(2026, 8, 1)
    )
    client.force_login(world.admin_a)
    for url in (
        reverse("organizing:evaluation_print", args=[ev.pk]),
        reverse("organizing:evaluation_plan_xlsx", args=[ev.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for url, data in (
        (reverse("organizing:evaluation_close", args=[ev.pk]), {}),
        (reverse("organizing:evaluation_action_add", args=[ev.pk]), {"title": "x"}),
        (reverse("organizing:action_status", args=[item.pk]), {"status": "selesai"}),
    ):
        assert client.post(url, data).status_code == 404, url
    ev.refresh_from_db()
    item.refresh_from_db()
    assert ev.closed_at is None
    assert item.status == "rencana"
    assert ActionItem.objects.count() == 1
    assert not ExportRecord.objects.exists()
    client.force_login(world.nobody)
    assert client.get(reverse("organizing:evaluation_print", args=[ev.pk])).status_code == 404


def test_print_page_has_results_notes_and_plan(client, world):
    ev = make_evaluation(world.a, obstacles="Kontrak pendek", facilitator="Nur Yasin")
    action_item_create(actor=None, evaluation=ev, title="Rapat", owner="Sari", due_on=D(2026, 8, 1))
    client.force_login(world.admin1)
    html = body(client.get(reverse("organizing:evaluation_print", args=[ev.pk])))
    assert "data-print-results" in html
    assert "data-print-plan" in html
    assert "Kontrak pendek" in html
    assert "Rapat" in html
    assert "Nur Yasin" in html
    assert "size: A4" in html


def test_plan_xlsx_reads_back_and_is_recorded(client, world):
    ev = make_evaluation(world.a)
    action_item_create(
        actor=None, evaluation=ev, title="Pelatihan organiser", owner="Nur", due_on=D(2026, 8, 1)
    )
    action_item_create(
        actor=None,
        evaluation=ev,
        title="=HYPERLINK(1)",
        owner="Sari",
        due_on=D(2026, 9, 1),
        status=ActionStatus.DONE,
        done_on=D(2026, 8, 30),
    )
    client.force_login(world.admin1)
    response = client.get(reverse("organizing:evaluation_plan_xlsx", args=[ev.pk]))
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[0][:5] == ["No.", "Kegiatan", "Penanggung jawab", "Tenggat", "Status"]
    assert rows[1][1:4] == ["Pelatihan organiser", "Nur", "2026-08-01"]
    assert rows[2][1] == "=HYPERLINK(1)"  # text, never a formula
    assert rows[2][4:6] == ["Selesai", "2026-08-30"]
    record = ExportRecord.objects.get()
    assert (record.user, record.model, record.row_count) == (
        world.admin1,
        "organizing.actionitem",
        2,
    )
    assert record.unit_path == world.a.path


# --- the unit page ----------------------------------------------------------------------------


def test_unit_tab_lists_open_items_overdue_first_with_an_alert(client, world):
    today = timezone.localdate()
    for title, unit, due, status in (
        ("Nanti", world.a, today + datetime.timedelta(days=10), "rencana"),
        ("Hari ini", world.a, today, "berjalan"),
        ("Terlambat", world.a, today - datetime.timedelta(days=3), "rencana"),
        ("Selesai", world.a, today - datetime.timedelta(days=30), "selesai"),
        ("Saudara", world.b, today - datetime.timedelta(days=3), "rencana"),
    ):
        action_item_create(
            actor=None, unit=unit, title=title, owner="Sari", due_on=due, status=status
        )
    client.force_login(world.admin_a)
    url = reverse("structure_orgunit_tab", args=[world.a.pk, "tindak-lanjut"])
    html = body(client.get(url))
    assert "data-overdue-alert" in html
    assert "1 kegiatan tindak lanjut lewat tenggat" in html
    order = [html.index(t) for t in ("Terlambat", "Hari ini", "Nanti")]
    assert order == sorted(order)
    assert "Selesai</a>" not in html
    assert "Saudara" not in html
    assert html.count("data-overdue ") + html.count("data-overdue>") == 1

    # from the organisation's top, the sibling's overdue item shows too
    client.force_login(world.admin1)
    html = body(client.get(reverse("structure_orgunit_tab", args=[world.org1.pk, "tindak-lanjut"])))
    assert "2 kegiatan tindak lanjut lewat tenggat" in html


def test_unit_tab_without_items_has_no_alert(client, world):
    client.force_login(world.admin_a)
    html = body(client.get(reverse("structure_orgunit_tab", args=[world.a.pk, "tindak-lanjut"])))
    assert "data-no-actions" in html
    assert "data-overdue-alert" not in html


def test_overdue_filter_on_the_action_list(client, world):
    today = timezone.localdate()
    action_item_create(
        actor=None, unit=world.a, title="Lewat", owner="Sari", due_on=today - datetime.timedelta(1)
    )
    action_item_create(actor=None, unit=world.a, title="Tepat hari ini", owner="Budi", due_on=today)
    client.force_login(world.admin1)
    url = reverse("organizing_actionitem_list")
    html = body(client.get(url, {"overdue": "on"}))
    assert "Lewat" in html
    assert "Tepat hari ini" not in html
    html = body(client.get(url, {"owner": "bud"}))
    assert "Tepat hari ini" in html
    assert ">Lewat<" not in html
    html = body(client.get(url, {"due_from": today.isoformat(), "within": world.a.code}))
    assert "Tepat hari ini" in html
    assert ">Lewat<" not in html


@pytest.mark.parametrize("closed", [False, True])
def test_results_tab_query_count_does_not_depend_on_the_plan(
    client, world, closed, django_assert_max_num_queries
):
    ev = make_evaluation(world.a)
    for i in range(15):
        action_item_create(
            actor=None, evaluation=ev, title=f"K{i}", owner="S", due_on=D(2026, 8, 1)
        )
    if closed:
        evaluation_close(actor=None, evaluation=ev)
    client.force_login(world.admin1)
    client.get(tab(ev, "tindak-lanjut"))
    with django_assert_max_num_queries(30):
        assert client.get(tab(ev, "tindak-lanjut")).status_code == 200
