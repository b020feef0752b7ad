"""A secretary registers a member on a phone and finds her again."""

from __future__ import annotations

import pytest

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


def test_register_member_on_a_phone_and_find_her(page):
    page.set_viewport_size({"width": 360, "height": 780})
    login(page, "komperata")
    page.goto(page.base + "/anggota/tambah/")
    page.select_option("#id_unit", label="Komperata Pejuang")
    page.fill("#id_full_name", "Sumarni Handayani")
    page.select_option("#id_gender", "P")
    page.fill("#id_nik", "3275 0141 0890 0003")
    page.fill("#id_phone", "0812-7777-8888")
    page.fill("#id_birth_date", "1990-08-01")
    shot(page, "member-form-360")
    page.get_by_role("button", name="Simpan").click()
    page.wait_for_url("**/anggota/*/")
    assert page.locator("h1").inner_text() == "Sumarni Handayani"
    assert "0812-7777-8888" in page.locator("main").inner_text()
    shot(page, "member-page-360")
    page.get_by_role("link", name="Riwayat status").click()
    assert page.locator("a[href^='https://wa.me/6281277778888']").count() == 1
    shot(page, "member-status-360")
    page.goto(page.base + "/anggota/")
    page.fill("#id_q", "0812 7777 8888")
    page.wait_for_function(
        "document.querySelectorAll('#results tbody tr').length === 1"
        " && document.querySelector('#results tbody').innerText.includes('Sumarni')"
    )
    shot(page, "member-search-360")
