"""What a user sees: login, the tree, the language switch, list → filter → detail → edit."""

from __future__ import annotations

import pytest

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


def test_login_and_tree_navigation(page):
    page.goto(page.base + "/")
    assert "/akun/masuk/" in page.url
    shot(page, "login-360", width=360)
    page.set_viewport_size({"width": 1280, "height": 860})
    login(page, "admin")
    page.click("text=Buka pohon organisasi")
    tree = page.locator(".tree")
    tree.locator("summary", has_text="Konfederasi Serikat Pekerja Indonesia").click()
    fspmi = tree.locator("li[data-unit=FSPMI]")
    fspmi.wait_for()
    fspmi.locator("summary").first.click()
    tree.locator("li[data-unit=FSPMI-JABAR]").wait_for()
    shot(page, "tree-desktop")
    shot(page, "tree-360", width=360)
    # at 360 px the menu collapses behind the toggler and still works
    page.click(".navbar-toggler")
    page.locator("#nav").get_by_text("Pohon organisasi").wait_for(state="visible")


def test_komperata_coordinator_sees_only_her_komperata(page):
    login(page, "komperata")
    page.goto(page.base + "/struktur/")
    text = page.locator(".tree").inner_text()
    assert "Komperata Pejuang" in text
    assert "Cakung" not in text
    assert "FSPMI" not in text


def test_language_switch(page):
    login(page, "sekfed")
    assert page.locator("html").get_attribute("lang") == "id"
    page.locator("[data-language-switch] button").first.click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_text("Organisation tree").first.is_visible()
    page.locator("[data-language-switch] button").first.click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "id"


def test_list_filter_detail_edit(page):
    login(page, "sekfed")
    page.goto(page.base + "/struktur/unit/")
    rows = page.locator("#results tbody tr")
    assert rows.count() >= 5
    page.fill("#id_q", "Karawang")
    page.wait_for_function("document.querySelectorAll('#results tbody tr').length === 1")
    assert "q=Karawang" in page.url
    shot(page, "list-desktop")
    shot(page, "list-360", width=360)
    page.set_viewport_size({"width": 1280, "height": 860})
    page.locator("#results tbody a", has_text="Karawang").click()
    page.wait_for_url("**/struktur/unit/*/")
    shot(page, "detail-desktop")
    shot(page, "detail-360", width=360)
    page.set_viewport_size({"width": 1280, "height": 860})
    page.get_by_role("link", name="Ubah").click()
    page.fill("#id_name", "PC SPL FSPMI Kabupaten Karawang")
    shot(page, "edit-360", width=360)
    page.get_by_role("button", name="Simpan").click()
    page.wait_for_url("**/struktur/unit/*/")
    assert page.locator("h1").inner_text() == "PC SPL FSPMI Kabupaten Karawang"
    assert page.locator(".alert-success").is_visible()
    page.get_by_role("link", name="Riwayat").click()
    assert "Diubah" in page.locator("main").inner_text()
