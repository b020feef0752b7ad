"""A secretary issues a member card on a phone; anyone scanning its QR sees that it is valid."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from himpun.members.models import Member
from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


def photo_file() -> dict:
    """A made-up portrait: a face-coloured oval on a blue background."""
    img = Image.new("RGB", (900, 1200), (110, 150, 195))
    draw = ImageDraw.Draw(img)
    draw.ellipse((250, 200, 650, 660), fill=(225, 185, 150))
    draw.rectangle((150, 760, 750, 1200), fill=(60, 60, 95))
    out = io.BytesIO()
    img.save(out, "PNG")
    return {"name": "foto.png", "mimeType": "image/png", "buffer": out.getvalue()}


def test_register_issue_card_download_pdf_and_verify_anonymously(page, browser):
    page.set_viewport_size({"width": 360, "height": 780})
    login(page, "komperata")
    # registered through the form, as a secretary does
    page.goto(page.base + "/anggota/tambah/")
    page.select_option("#id_unit", label="Komperata Pejuang")
    page.fill("#id_full_name", "Sumarni Handayani")
    page.select_option("#id_gender", "P")
    page.fill("#id_phone", "0812-7777-8888")
    page.get_by_role("button", name="Simpan").click()
    page.wait_for_url("**/anggota/*/")
    member = Member.objects.get(full_name="Sumarni Handayani")
    assert member.number

    # a photo through the edit form (multipart), shown small on the profile
    page.goto(f"{page.base}/anggota/{member.pk}/ubah/")
    page.set_input_files("#id_photo", files=[photo_file()])
    page.get_by_role("button", name="Simpan").click()
    page.wait_for_url(f"**/anggota/{member.pk}/")
    assert page.locator("img[data-photo]").evaluate("img => img.naturalWidth") == 450
    shot(page, "member-photo-360")

    page.get_by_role("link", name="Kartu").click()
    page.wait_for_url(f"**/anggota/{member.pk}/kartu/")
    shot(page, "member-cards-empty-360")
    page.get_by_role("button", name="Terbitkan KTA").click()
    page.wait_for_url(f"**/anggota/{member.pk}/kartu/")
    assert "diterbitkan" in page.locator(".alert-success").inner_text()
    assert page.locator("[data-card]").count() == 1
    shot(page, "member-cards-360")

    with page.expect_download() as download:
        page.click("a[data-card-pdf]")
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"%PDF")

    verify_url = page.get_attribute("a[data-verify-url]", "href")
    assert verify_url.startswith(page.base + "/k/")
    anonymous = browser.new_context(viewport={"width": 360, "height": 780}, locale="id-ID")
    try:
        public = anonymous.new_page()
        response = public.goto(verify_url)
        assert response.status == 200
        assert response.headers["cache-control"] == "no-store"
        result = public.locator("h1").inner_text()
        assert result == "KTA berlaku"
        assert member.full_name.split()[0] in public.locator("main").inner_text()
        assert member.number not in public.content()
        shot(public, "card-verify-360")

        response = public.goto(verify_url[:-3] + "xx/")
        assert response.status == 404
        assert public.locator("h1").inner_text() == "KTA tidak berlaku"
        shot(public, "card-verify-unknown-360")
    finally:
        anonymous.close()
