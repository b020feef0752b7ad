"""A worker joins on a phone without JavaScript; the secretary accepts her from the queue."""

from __future__ import annotations

import pytest

from himpun.members import join
from himpun.members.choices import Status
from himpun.members.models import JoinLink, Member
from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


def test_worker_joins_without_javascript_and_secretary_accepts(page, browser, monkeypatch):
    # No sleeping past the bot check: in this test a person may send the form at once.
    monkeypatch.setattr(join, "MIN_SECONDS", 0)

    # the secretary makes a link for her komperata, from the unit's page
    page.set_viewport_size(PHONE)
    login(page, "komperata")
    page.goto(page.base + "/struktur/")
    page.get_by_role("link", name="Komperata Pejuang").first.click()
    page.get_by_role("link", name="Pendaftaran daring").click()
    page.get_by_role("link", name="Buat tautan").click()
    page.fill("#id_label", "Poster pasar Pejuang")
    page.select_option("#id_channel", "poster")
    page.get_by_role("button", name="Simpan").click()
    page.wait_for_url("**/anggota/tautan-daftar/*/")
    link = JoinLink.objects.get(label="Poster pasar Pejuang")
    assert link.unit.code == "KMP-PEJUANG"
    page.get_by_role("link", name="Bagikan").click()
    assert page.locator("[data-join-url]").input_value().endswith(f"/gabung/{link.token}/")
    shot(page, "join-link-share-360")
    page.goto(f"{page.base}/struktur/unit/{link.unit_id}/pendaftaran/")
    assert page.locator("[data-join-link]").count() == 1
    shot(page, "join-unit-tab-360")

    # a worker opens it on her phone, JavaScript off
    worker = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="id-ID")
    form = worker.new_page()
    form.set_default_timeout(10_000)
    form.goto(f"{page.base}/gabung/{link.token}/")
    assert "Komperata Pejuang" in form.locator("header").inner_text()
    assert form.locator("[data-consent]").inner_text().startswith("Saya setuju")
    form.fill("#id_full_name", "Suminah Rahayu")
    form.check("#id_gender_1")  # Perempuan
    form.fill("#id_birth_date", "1988-04-17")
    form.fill("#id_phone", "0813-2222-4444")
    form.fill("#id_workplace", "Rumah tangga di Perumahan Pejuang")
    form.select_option("#id_employment_status", "prt")
    form.check("#id_consent")
    shot(form, "join-form-360")
    form.get_by_role("button", name="Kirim pendaftaran").click()
    form.wait_for_url("**/terima-kasih/")
    thanks = form.locator("body").inner_text()
    assert "Terima kasih" in thanks
    assert "Suminah" not in thanks
    assert "0813" not in thanks
    shot(form, "join-thanks-360")
    worker.close()

    applicant = Member.objects.get(full_name="Suminah Rahayu")
    assert applicant.status == Status.APPLICANT
    assert applicant.join_link == link

    # the secretary finds her in the queue and accepts her
    page.goto(page.base + "/anggota/calon/")
    card = page.locator(f"[data-applicant='{applicant.pk}']")
    assert "0813-2222-4444" in card.inner_text()
    shot(page, "join-queue-360")
    card.get_by_role("button", name="Terima").click()
    page.wait_for_load_state()
    applicant.refresh_from_db()
    assert applicant.status == Status.ACTIVE
    assert applicant.number
    assert f"nomor {applicant.number}" in page.locator("main").inner_text()
    assert page.locator(f"[data-applicant='{applicant.pk}']").count() == 0
    shot(page, "join-queue-accepted-360")
