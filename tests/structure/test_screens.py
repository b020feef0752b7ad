"""Generated screen tests for the structure models (see tests/screen_case.py)."""

from __future__ import annotations

from himpun.core.services import object_create
from himpun.structure.models import (
    Employer,
    LevelKind,
    OrgUnit,
    Sector,
    Workplace,
    WorkplaceSection,
)
from tests import factories
from tests.screen_case import ScreenCase


class TestOrgUnitScreens(ScreenCase):
    model = OrgUnit
    list_queries = 8

    def make(self, w, owner, name):
        u = factories.unit(owner)
        OrgUnit.objects.filter(pk=u.pk).update(name=name)
        u.refresh_from_db()
        return u

    def create_data(self, w):
        kind = w.org1.level_kinds.get(code="puk")
        return {
            "parent": w.a.pk,
            "kind": kind.pk,
            "code": "BARU-1",
            "name": "PUK Baru",
            "region_code_0": "32",
            "region_code_1": "32.16",
        }

    def change_data(self, w, obj, name):
        return {"kind": obj.kind_id, "code": obj.code, "name": name}

    def csv_text(self, w):
        return "parent,kind,code,name\nA,PUK,CSV-1,PUK dari CSV\nTIDAK-ADA,PUK,CSV-2,Induk salah\n"


class OrganisationConfigCase(ScreenCase):
    """Configuration owned by a whole organisation: shared inside it, invisible outside."""

    subtree_scoped = False
    list_queries = 7

    def owner_in(self, w):
        return w.org1

    def owner_out(self, w):
        return w.org2

    def make(self, w, owner, name):
        code = f"k{self.model.objects.count()}"
        return object_create(
            actor=None, instance=self.model(organisation=owner.organisation, name=name, code=code)
        )

    def change_data(self, w, obj, name):
        return {"organisation": obj.organisation_id, "name": name, "code": obj.code, "order": 1}


class TestLevelKindScreens(OrganisationConfigCase):
    model = LevelKind

    def create_data(self, w):
        return {"organisation": w.org1.pk, "name": "Komisariat", "code": "komisariat", "order": 9}

    def csv_text(self, w):
        return "organisation,name,code,order\nORGA,Seksi,seksi,5\nORGA,Tanpa kode,,x\n"


class TestSectorScreens(OrganisationConfigCase):
    model = Sector

    def create_data(self, w):
        return {"organisation": w.org1.pk, "name": "Logam", "code": "logam"}

    def csv_text(self, w):
        return "organisation,name,code\nORGA,Semen,semen\nORGB,Di luar lingkup,luar\n"


class TestEmployerScreens(ScreenCase):
    model = Employer
    list_queries = 7

    def make(self, w, owner, name):
        return object_create(actor=None, instance=Employer(unit=owner, name=name))

    def create_data(self, w):
        return {
            "unit": w.a.pk,
            "name": "PT Maju Bersama",
            "region_code_0": "32",
            "region_code_1": "32.16",
            "region_code_2": "32.16.01",
        }

    def change_data(self, w, obj, name):
        return {"unit": obj.unit_id, "name": name}

    def csv_text(self, w):
        return "unit,name,region_code\nA,PT Dari CSV,32.16\nA,PT Wilayah Salah,99.99\n"


class TestWorkplaceScreens(ScreenCase):
    model = Workplace
    list_queries = 7

    def make(self, w, owner, name):
        employer = object_create(actor=None, instance=Employer(unit=owner, name=f"PT {name}"))
        return object_create(
            actor=None, instance=Workplace(unit=owner, employer=employer, name=name, headcount=100)
        )

    def label(self, obj):
        return obj.name

    def create_data(self, w):
        employer = object_create(actor=None, instance=Employer(unit=w.a, name="PT Lokasi"))
        return {
            "unit": w.a.pk,
            "employer": employer.pk,
            "name": "Gudang Cibitung",
            "headcount": 250,
            "unions_present": 2,
            "pkb_signed_on": "2025-03-01",
            "pkb_expires_on": "2027-03-01",
        }

    def change_data(self, w, obj, name):
        return {
            "unit": obj.unit_id,
            "employer": obj.employer_id,
            "name": name,
            "headcount": 300,
            "unions_present": 1,
            "pkb_signed_on": "2025-01-15",
        }


class TestWorkplaceSectionScreens(ScreenCase):
    model = WorkplaceSection
    list_queries = 6

    def make(self, w, owner, name):
        employer = object_create(actor=None, instance=Employer(unit=owner, name=f"PT {name}"))
        place = object_create(
            actor=None,
            instance=Workplace(unit=owner, employer=employer, name=f"Pabrik {name}", headcount=90),
        )
        return object_create(
            actor=None,
            instance=WorkplaceSection(
                workplace=place, department=name, shift="Shift 1", headcount=30
            ),
        )

    def label(self, obj):
        return obj.department

    def _place(self, w, name="Pabrik Bagian"):
        employer = object_create(actor=None, instance=Employer(unit=w.a, name=f"PT {name}"))
        return object_create(
            actor=None,
            instance=Workplace(unit=w.a, employer=employer, name=name, headcount=200),
        )

    def create_data(self, w):
        return {"workplace": self._place(w).pk, "department": "Produksi", "headcount": 120}

    def change_data(self, w, obj, name):
        return {
            "workplace": obj.workplace_id,
            "department": name,
            "shift": obj.shift,
            "headcount": 40,
        }

    def csv_text(self, w):
        self._place(w, "Pabrik Impor")
        return (
            "workplace,department,shift,headcount\n"
            "Pabrik Impor,Gudang,Shift 2,35\n"
            "Pabrik Tidak Ada,Gudang,Shift 2,35\n"
        )
