"""Generated screen tests for members and their numbering rules, plus search."""

from __future__ import annotations

import pytest

from himpun.core.services import object_create
from himpun.members.models import Member, MembershipRule
from himpun.members.services import member_register
from tests.screen_case import ScreenCase
from tests.structure.test_screens import OrganisationConfigCase


class TestMemberScreens(ScreenCase):
    model = Member
    list_queries = 7  # with the scope size read from the unit counters

    def make(self, w, owner, name):
        return member_register(
            actor=None, unit=owner, full_name=name, gender="P", phone="+6281234567890"
        )

    def create_data(self, w):
        return {
            "unit": w.a.pk,
            "full_name": "Sri Wahyuni",
            "gender": "P",
            "status": "aktif",
            "nik": "3275 0141 0890 0003",
            "phone": "0812-1111-2222",
            "birth_date": "1990-08-01",
        }

    def change_data(self, w, obj, name):
        return {"full_name": name, "gender": "P", "phone": "081299998888"}


class TestMembershipRuleScreens(OrganisationConfigCase):
    model = MembershipRule

    def make(self, w, owner, name):
        rule = MembershipRule.objects.filter(organisation=owner.organisation).first()
        if rule:
            MembershipRule.objects.filter(pk=rule.pk).update(number_format=name + "-{seq:04}")
            rule.refresh_from_db()
            return rule
        return object_create(
            actor=None,
            instance=MembershipRule(
                organisation=owner.organisation, number_format=name + "-{seq:04}"
            ),
        )

    def label(self, obj):
        return obj.number_format

    def test_bulk_delete_is_one_recorded_batch(self):
        pytest.skip("one rule per organisation: there is nothing to select in bulk")

    def test_list_query_count_is_pinned_and_flat(self):
        pytest.skip("one rule per organisation: the list cannot grow within one")

    def create_data(self, w):
        MembershipRule.objects.filter(organisation=w.org1).delete()
        return {"organisation": w.org1.pk, "number_format": "{org_code}-{seq:06}"}

    def change_data(self, w, obj, name):
        return {"organisation": obj.organisation_id, "number_format": name + "-{seq:05}"}


def search(client, q):
    return client.get(
        "/anggota/", {"q": q}, headers={"HX-Request": "true", "HX-Target": "results"}
    ).content.decode()


def test_search_by_name_phone_nik_and_number(client, world):
    m = member_register(
        actor=None,
        unit=world.a,
        full_name="Siti Nurhaliza",
        gender="P",
        phone="+6281234567890",
        nik="3275014108900003",
    )
    member_register(actor=None, unit=world.c, full_name="Siti Di Luar", gender="P")
    client.force_login(world.admin1)
    for q in (
        "siti nur",
        "NURHALIZA",
        "0812-3456-7890",
        "62 812 3456 7890",
        "3275014108900003",
        m.number,
    ):
        page = search(client, q)
        assert "Siti Nurhaliza" in page, q
        assert "Siti Di Luar" not in page, q
    assert "Siti Nurhaliza" not in search(client, "Budi")


def test_form_rejects_script_in_name_and_warns_on_nik_mismatch(client, world):
    client.force_login(world.admin1)
    response = client.post(
        "/anggota/tambah/",
        {"unit": world.a.pk, "full_name": "<script>x", "gender": "P", "status": "aktif"},
    )
    assert "tidak boleh berisi" in response.content.decode()
    response = client.post(
        "/anggota/tambah/",
        {
            "unit": world.a.pk,
            "full_name": "Budi",
            "gender": "L",
            "status": "aktif",
            "nik": "3275014108900003",
        },
        follow=True,
    )
    assert "Jenis kelamin menurut NIK berbeda" in response.content.decode()
    assert Member.objects.filter(full_name="Budi").exists()


def test_status_change_screen(client, world):
    m = member_register(actor=None, unit=world.a, full_name="Rina", gender="P")
    client.force_login(world.admin1)
    url = f"/anggota/{m.pk}/ubah-status/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"status": "nonaktif", "on": "2099-01-01", "reason": "Uji"})
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.status == "nonaktif"
    client.force_login(world.admin_a)
    other = member_register(actor=None, unit=world.b, full_name="Lain", gender="P")
    assert client.get(f"/anggota/{other.pk}/ubah-status/").status_code == 404


def test_the_list_offers_the_import_engine_not_the_small_csv_import(client, world):
    client.force_login(world.admin1)
    html = client.get("/anggota/").content.decode()
    assert 'href="/impor/baru/members/"' in html
    assert client.get("/anggota/impor/").status_code == 404
    assert client.get("/anggota/impor/contoh.csv").status_code == 404


def test_a_small_scope_is_sorted_after_filtering(client, world):
    """A regional user's list reads their members and sorts them (the counters say they are
    few), instead of walking the whole organisation's sort index; the order is the same."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for name in ("Citra", "Ani", "Budi", "Ani"):
        member_register(actor=None, unit=world.a, full_name=name, gender="P")
    client.force_login(world.admin_a)
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/anggota/").content.decode()
    listing = next(q["sql"] for q in queries if 'FROM "members_member"' in q["sql"])
    assert "||" in listing or "CONCAT" in listing.upper()
    assert html.index("Ani") < html.index("Budi") < html.index("Citra")
    html = client.get("/anggota/?sort=-full_name").content.decode()
    assert html.index("Citra") < html.index("Budi") < html.index("Ani")
