"""Transfers and duplicate review on a phone: the screens a secretary uses between units."""

from __future__ import annotations

import datetime

import pytest

from himpun.members.models import DuplicateCandidate, Member
from himpun.members.services import member_register
from himpun.structure.models import OrgUnit
from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


def test_transfer_requested_by_one_komperata_and_accepted_by_another(page, browser):
    member = member_register(
        actor=None,
        unit=OrgUnit.objects.get(code="KMP-PEJUANG"),
        full_name="Warsini Lestari",
        gender="P",
    )
    page.set_viewport_size({"width": 360, "height": 780})
    login(page, "komperata")
    page.goto(f"{page.base}/anggota/{member.pk}/mutasi/")
    page.click("summary")
    page.fill("#id_to_unit_code", "KMP-MASNAGA")
    page.fill("#id_reason", "Pindah majikan ke Mustika Jaya")
    shot(page, "transfer-request-360")
    page.get_by_role("button", name="Kirim permintaan").click()
    page.wait_for_url(f"**/anggota/{member.pk}/mutasi/")
    assert "menunggu persetujuan" in page.locator(".alert-success").inner_text()
    assert "Menunggu persetujuan" in page.locator("main").inner_text()
    # The sending side sees the request but cannot accept it.
    page.click("main .list-group a")
    assert page.get_by_role("button", name="Terima anggota").count() == 0
    assert page.get_by_role("button", name="Batalkan permintaan").count() == 1

    other = browser.new_context(viewport={"width": 360, "height": 780}, locale="id-ID")
    try:
        receiver = other.new_page()
        receiver.base = page.base
        login(receiver, "admin")
        receiver.goto(page.url)
        shot(receiver, "transfer-decide-360")
        receiver.get_by_role("button", name="Terima anggota").click()
        receiver.wait_for_load_state()
        assert "kini anggota" in receiver.locator(".alert-success").inner_text()
    finally:
        other.close()
    member.refresh_from_db()
    assert member.unit.code == "KMP-MASNAGA"
    # The member has left the komperata secretary's scope.
    response = page.goto(f"{page.base}/anggota/{member.pk}/")
    assert response.status == 404


def test_review_and_merge_a_duplicate(page):
    unit = OrgUnit.objects.get(code="KMP-PEJUANG")
    born = datetime.date(1985, 3, 9)
    keep = member_register(
        actor=None, unit=unit, full_name="Siti Nur Aminah", gender="P", birth_date=born
    )
    member_register(
        actor=None,
        unit=unit,
        full_name="SITI AMINAH",
        gender="P",
        birth_date=born,
        phone="+6281311112222",
    )
    pair = DuplicateCandidate.objects.get(member_a=keep)
    page.set_viewport_size({"width": 360, "height": 780})
    login(page, "komperata")
    page.goto(page.base + "/anggota/duplikat/")
    page.click("[data-pair]")
    page.wait_for_url(f"**/anggota/duplikat/{pair.pk}/")
    shot(page, "duplicate-review-360")
    page.check(f"input[name=keep][value='{keep.pk}']")
    page.get_by_role("button", name="Gabungkan").click()
    page.wait_for_url(f"**/anggota/{keep.pk}/")
    assert "digabung" in page.locator(".alert-success").inner_text()
    assert Member.objects.get(pk=keep.pk).phone == "+6281311112222"
