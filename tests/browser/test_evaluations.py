"""Seed 001: KSPI's garment sector reviews its organising at the semester's end and hands out
a follow-up plan; the federation secretary sees the plan, adds to it, moves it, prints it
and closes the evaluation — on a desktop and on a phone."""

from __future__ import annotations

import datetime

import pytest

from himpun.organizing.choices import PeriodKind
from himpun.organizing.evaluations import action_item_create, evaluation_create
from himpun.organizing.models import ActionItem, Evaluation, Indicator, Target
from himpun.organizing.results import indicators_ensure
from himpun.structure.models import OrgUnit, Sector
from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


def _evaluation() -> Evaluation:
    kspi = OrgUnit.objects.get(code="KSPI", parent__isnull=True)
    garmen = Sector.objects.get(organisation=kspi, code="garmen-tekstil")
    today = datetime.date.today()  # noqa: DTZ011  the browser shows the server's today
    ev = evaluation_create(
        actor=None,
        unit=kspi,
        sector=garmen,
        title="Evaluasi organising sektor garmen–tekstil",
        period_kind=PeriodKind.SEMESTER,
        year=today.year,
        number=1 if today.month <= 6 else 2,
        held_on=today,
        facilitator="Nur Yasin",
        obstacles="Fleksibilisasi kerja dan kontrak pendek; pelanggaran hak normatif.",
        good_practices="Advokasi kasus upah membuka jalan ke anggota baru.",
        case_studies="PSP SPN PT Garmen Tangerang Nusantara: kontrak diubah menjadi tetap.",
    )
    for title, owner, days, unit_code in (
        ("Pendidikan kader organiser sektor garmen", "Bidang Organising KSPI", -5, "KSPI"),
        ("Pemetaan pabrik garmen di Tangerang", "DPC SPN Kab. Tangerang", 20, "SPN-TGR"),
    ):
        action_item_create(
            actor=None,
            evaluation=ev,
            unit=OrgUnit.objects.get(code=unit_code, organisation=kspi)
            if unit_code != "KSPI"
            else kspi,
            title=title,
            owner=owner,
            due_on=today + datetime.timedelta(days=days),
        )
    # the garment units' targets for the semester (the sector's target is their sum)
    indicators_ensure(kspi)
    tgr = OrgUnit.objects.get(code="SPN-TGR", organisation=kspi)
    for code, value in (("anggota-baru", 60), ("unit-baru", 2), ("kontak-maju", 20)):
        Target.objects.create(
            unit=tgr,
            indicator=Indicator.objects.get(organisation=kspi, code=code),
            period_kind=ev.period_kind,
            year=ev.year,
            number=ev.number,
            starts_on=ev.starts_on,
            ends_on=ev.ends_on,
            value=value,
        )
    return ev


def test_sector_evaluation_with_its_follow_up_plan(page):
    ev = _evaluation()
    login(page, "admin")
    page.goto(f"{page.base}/pengorganisasian/evaluasi/{ev.pk}/hasil/")
    assert page.locator("[data-result]").count() >= 6
    assert page.locator("[data-live]").is_visible()
    assert page.locator('[data-result="unit-baru"]').get_attribute("data-status") == "tercapai"
    shot(page, "evaluation-results-desktop")

    page.get_by_role("link", name="Catatan").click()
    assert "kontrak pendek" in page.locator("[data-obstacles]").inner_text()
    shot(page, "evaluation-notes-desktop")

    page.get_by_role("link", name="Rencana tindak lanjut").click()
    overdue = page.locator("[data-plan] [data-overdue]")
    assert overdue.count() == 1
    assert "Pendidikan kader" in overdue.inner_text()
    page.fill("#id_title", "Rapat evaluasi triwulan berikutnya")
    page.fill("#id_owner", "Sekretariat KSPI")
    page.fill("#id_due_on", (datetime.date.today() + datetime.timedelta(days=40)).isoformat())  # noqa: DTZ011
    page.get_by_role("button", name="Tambah ke rencana").click()
    page.wait_for_selector(".alert-success")
    assert page.locator("[data-plan] > li").count() == 3
    page.locator("[data-plan] [data-overdue] [data-done]").click()
    page.wait_for_selector(".alert-success")
    assert page.locator("[data-plan] [data-overdue]").count() == 0
    done = ActionItem.objects.get(title__startswith="Pendidikan kader")
    assert done.status == "selesai"
    assert done.done_on is not None
    shot(page, "evaluation-plan-desktop")

    # on a phone: nothing scrolls sideways
    page.set_viewport_size({"width": 360, "height": 780})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "evaluation-plan-360")
    page.goto(f"{page.base}/pengorganisasian/evaluasi/{ev.pk}/hasil/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "evaluation-results-360")

    # close: confirm, results frozen
    page.once("dialog", lambda d: d.accept())
    page.locator("[data-close-evaluation]").click()
    page.wait_for_selector("[data-frozen]")
    assert Evaluation.objects.get(pk=ev.pk).closed_at is not None
    assert page.locator("[data-close-evaluation]").count() == 0
    shot(page, "evaluation-closed-360")

    # the printable page: A4, the sheet alone
    page.goto(f"{page.base}/pengorganisasian/evaluasi/{ev.pk}/cetak/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "evaluation-print-360")
    page.set_viewport_size({"width": 1280, "height": 860})
    page.emulate_media(media="print")
    assert not page.locator("nav.navbar").is_visible()
    assert page.locator("[data-print-plan] tbody tr").count() == 3
    shot(page, "evaluation-print")
    page.emulate_media(media="screen")


def test_unit_page_shows_overdue_follow_up(page):
    _evaluation()
    tgr = OrgUnit.objects.get(code="SPN-TGR", organisation__code="KSPI")
    action_item_create(
        actor=None,
        unit=tgr,
        title="Kunjungan ke pabrik PT Busana Prima",
        owner="Ketua DPC",
        due_on=datetime.date.today() - datetime.timedelta(days=2),  # noqa: DTZ011
    )
    kspi = OrgUnit.objects.get(code="KSPI", parent__isnull=True)
    login(page, "admin")
    page.goto(f"{page.base}/struktur/unit/{kspi.pk}/tindak-lanjut/")
    assert "2 kegiatan" in page.locator("[data-overdue-alert]").inner_text()
    first = page.locator("[data-unit-actions] > li").first
    assert first.get_attribute("data-overdue") is not None
    shot(page, "unit-follow-up-desktop")
    page.set_viewport_size({"width": 360, "height": 780})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "unit-follow-up-360")
