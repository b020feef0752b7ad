"""Generated screen tests for contacts and pipeline stages (see tests/screen_case.py)."""

from __future__ import annotations

from himpun.core.services import object_create
from himpun.organizing import contacts
from himpun.organizing.models import Contact, Stage
from tests.screen_case import ScreenCase


def first_stage(unit) -> Stage:
    return contacts.first_stage(unit)


class TestContactScreens(ScreenCase):
    model = Contact
    list_queries = 9

    def make(self, w, owner, name):
        return contacts.contact_create(
            actor=None,
            contact=Contact(unit=owner, full_name=name, phone="+6281234500001", assessment=2),
        )

    def create_data(self, w):
        return {
            "unit": w.a.pk,
            "full_name": "Rina Kontak Baru",
            "phone": "0812-3456-7890",
            "department": "Produksi",
            "assessment": "2",
            "next_step": "Ajak rapat",
            "next_step_due": "2026-01-10",
        }

    def change_data(self, w, obj, name):
        return {
            "unit": obj.unit_id,
            "full_name": name,
            "phone": obj.phone,
            "stage": obj.stage_id,
            "assessment": "3",
        }

    def csv_text(self, w):
        return (
            "unit,full_name,phone,department,stage,assessment\n"
            "A,Tono Dari CSV,0812-1111-2222,Gudang,kontak-poin,1\n"
            "A,Nomor Salah,12,Gudang,informasi,9\n"
        )


class TestStageScreens(ScreenCase):
    model = Stage
    subtree_scoped = False
    list_queries = 8

    def owner_in(self, w):
        return w.org1

    def owner_out(self, w):
        return w.org2

    def make(self, w, owner, name):
        code = f"t{Stage.objects.count()}"
        org = owner.organisation or owner
        return object_create(
            actor=None, instance=Stage(organisation=org, name=name, code=code, order=50)
        )

    def create_data(self, w):
        return {"organisation": w.org1.pk, "name": "Rapat akbar", "code": "rapat", "order": 25}

    def change_data(self, w, obj, name):
        return {"organisation": obj.organisation_id, "name": name, "code": obj.code, "order": 5}

    def csv_text(self, w):
        return "organisation,name,code,order\nORGA,Aksi,aksi,35\nORGA,Tanpa kode,,x\n"
