"""Health check, the registry meta-test, CSV import bad input, demo organisation."""

from __future__ import annotations

import importlib
import io
import pkgutil

import pytest
from django.utils import timezone

import tests
from himpun.core.registry import registry
from himpun.structure.models import OrgUnit
from tests.screen_case import ScreenCase


def test_healthz_reports_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_every_registered_model_has_a_screen_test_case():
    for module in pkgutil.walk_packages(tests.__path__, "tests."):
        importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    covered = {case.model for case in subclasses(ScreenCase) if hasattr(case, "model")}
    missing = [s.label for s in registry.all() if s.model not in covered]
    assert not missing, f"registered models without a ScreenCase test: {missing}"


def upload(client, text: bytes, url: str = "/struktur/sektor/impor/"):
    f = io.BytesIO(text)
    f.name = "data.csv"
    return client.post(url, {"file": f})


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Berkas kosong"),
        (b"organisation,name,code\n", "hanya berisi kepala kolom"),
        (b"organisation,name\nORGA,Kimia\n", "kolom wajib tidak ada: code"),
        (b"organisation,name,code,warna\nORGA,Kimia,kimia,merah\n", "kolom tidak dikenal: warna"),
        ("organisation,name,code\nORGA,Kimia Ã,kimia\n".encode("cp1252"), "bukan UTF-8"),
    ],
)
def test_csv_import_rejects_bad_files_whole(client, world, content, message):
    client.force_login(world.admin1)
    from himpun.structure.models import Sector

    before = Sector.objects.count()
    response = upload(client, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Sector.objects.count() == before


def test_csv_import_semicolons_and_bom(client, world):
    from himpun.structure.models import Sector

    client.force_login(world.admin1)
    response = upload(client, "\ufefforganisation;name;code\nORGA;Semen;semen\n".encode())
    assert response.status_code == 200
    assert Sector.objects.filter(code="semen", organisation=world.org1).exists()


def test_demo_organisation_loads_once(db):
    from himpun.demo.services import demo_load

    first = demo_load(password="demo-sandi-123")
    assert first.created > 50
    assert OrgUnit.objects.filter(organisation__code="PRT-BKS", kind__code="komperata").count() == 6
    assert OrgUnit.objects.filter(organisation__code="KSPI", kind__code="federasi").count() == 6
    again = demo_load(password="demo-sandi-123")
    assert again.created == 0


def test_komperata_coordinator_sees_only_the_komperata(client, db):
    from himpun.accounts.models import User
    from himpun.demo.services import demo_load

    demo_load(password="demo-sandi-123")
    client.force_login(User.objects.get(username="komperata"))
    page = client.get("/struktur/").content.decode()
    assert "Komperata Pejuang" in page
    assert "Komperata Cakung" not in page
    assert "FSPMI" not in page
    fspmi = OrgUnit.objects.get(code="FSPMI")
    assert client.get(f"/struktur/unit/{fspmi.pk}/").status_code == 404


def test_demo_members_and_waiting_work(db):
    """Seed 000's 163 domestic workers over the six Bekasi komperata, a few thousand members
    in the federations, and something waiting in each queue; a second run adds nothing."""
    from himpun.demo.services import demo_load, demo_members, demo_workflows
    from himpun.members.models import DuplicateCandidate, JoinLink, Member, Transfer
    from himpun.structure.models import OrgUnit

    demo_load(password="demo-sandi-123")
    assert demo_members() > 2500
    assert demo_workflows() > 0
    prt = OrgUnit.objects.get(code="PRT-BKS", parent__isnull=True)
    komperata = Member.objects.filter(organisation=prt, join_link__isnull=True)
    assert komperata.count() == 163
    assert komperata.values("unit").distinct().count() == 6
    assert set(Member.objects.values_list("status", flat=True)) >= {"aktif", "nonaktif", "calon"}
    assert Transfer.objects.filter(state="diminta").count() == 1
    assert DuplicateCandidate.objects.filter(state="terbuka").exists()
    assert JoinLink.objects.count() == 2
    assert Member.objects.filter(join_link__isnull=False, status="calon").count() == 3
    assert (demo_members(), demo_workflows()) == (0, 0)

    # dues: payments split by the FSPMI rule, a cash book with a closed month, arrears
    from himpun.demo.dues import demo_dues
    from himpun.dues.models import MemberDues, MonthClosing
    from himpun.dues.services import cash_balance, ledger_check, owed_between

    assert demo_dues() > 30
    sam = OrgUnit.objects.get(code="PUK-SAM")
    assert ledger_check() == []
    assert cash_balance(sam) > 0
    assert MonthClosing.objects.filter(unit=sam).count() == 1
    owed = {r["counterparty__code"]: r["owed"] for r in owed_between(sam)["up"]}
    assert set(owed) == {"FSPMI-BKS", "FSPMI-JABAR", "FSPMI", "KSPI"}
    this_month = timezone.localdate().replace(day=1)
    assert MemberDues.objects.filter(unpaid_from__gte=this_month).exists()  # paid up
    assert MemberDues.objects.filter(unpaid_from__lt=this_month).exists()  # owing
    assert demo_dues() == 0


def test_exports_never_turn_a_text_into_a_formula():
    """CSV injection: a name typed as "=HYPERLINK(…)" stays text in CSV and in XLSX."""
    import io

    from python_calamine import CalamineWorkbook

    from himpun.core import exports

    rows = [('=HYPERLINK("http://x","klik")', "+6281234567890", "-5", "@SUM(A1)", "Siti")]
    text = "".join(exports.csv_stream(["a", "b", "c", "d", "e"], rows))
    line = text.splitlines()[1]
    assert line.startswith("\"'=HYPERLINK(")
    assert ",+6281234567890,-5,'@SUM(A1),Siti" in line
    fh = exports.xlsx_file(["a", "b", "c", "d", "e"], rows, "x")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(fh.read())).get_sheet_by_index(0)
    assert sheet.to_python()[1] == list(rows[0])  # the very text, not a formula's result


def test_any_lookup_matches_in(db):
    """`field__any` gives what `field__in` gives, on SQLite and on PostgreSQL (one array)."""
    from himpun.structure.models import OrgUnit
    from tests import factories

    org = factories.org("ANYL")
    units = [factories.unit(org, f"ANY{i}") for i in range(3)]
    ids = [u.pk for u in units[:2]]
    assert set(OrgUnit.objects.filter(pk__any=ids)) == set(OrgUnit.objects.filter(pk__in=ids))
    assert set(OrgUnit.objects.filter(code__any=["ANY2", "TIDAK"])) == {units[2]}
    assert not OrgUnit.objects.filter(pk__any=[]).exists()
    assert set(OrgUnit.objects.filter(parent_id__any=[org.pk])) == set(units)


def test_any_lookup_strings_sent_as_array_text(db):
    """Keys with quotes, backslashes, commas, braces and spaces match exactly; a key longer
    than the column is not cut to a shorter one that would match another record."""
    from himpun.core.lookups import pg_array
    from himpun.structure.models import OrgUnit
    from tests import factories

    org = factories.org("ANYS")
    odd = ['A"B', "C\\D", "E,F", "{G}", "H I", ""]
    for i, code in enumerate(odd):
        OrgUnit.objects.filter(pk=factories.unit(org, f"ANYS{i}").pk).update(code=code)
    found = set(OrgUnit.objects.filter(code__any=odd).values_list("code", flat=True))
    assert found == set(odd)
    assert not OrgUnit.objects.filter(code__any=["NULL"]).exists()
    width = OrgUnit._meta.get_field("code").max_length
    OrgUnit.objects.filter(pk=factories.unit(org, "ANYSL").pk).update(code="L" * width)
    assert OrgUnit.objects.filter(code__any=["L" * width]).count() == 1
    assert not OrgUnit.objects.filter(code__any=["L" * width + "Z"]).exists()
    assert pg_array([1, 2]) == "{1,2}"
    assert pg_array(['a"b']) == '{"a\\"b"}'
    assert pg_array([1, "a"]) == [1, "a"]


def test_ids_drawn_before_the_rows_are_never_handed_out_again(world):
    """`ids_draw` takes ids before the rows exist (an import prepares a batch where it reads
    it); rows carrying them go in as they are, and the table's own numbering continues past
    them, on SQLite as on PostgreSQL."""
    from himpun.core.bulk import ids_draw, rows_insert
    from himpun.structure.models import UnitCounter

    first = UnitCounter.objects.create(unit=world.a, key="uji.satu")
    drawn = ids_draw(UnitCounter, 3)
    assert len(set(drawn)) == 3
    assert min(drawn) > first.pk
    rows = [{"id": pk, "unit_id": world.a.pk, "key": f"uji.{pk}", "total": 7} for pk in drawn[:2]]
    assert rows_insert(UnitCounter, rows) == drawn[:2]
    assert dict(UnitCounter.objects.filter(pk__in=drawn).values_list("pk", "total")) == {
        drawn[0]: 7,
        drawn[1]: 7,
    }
    after = UnitCounter.objects.create(unit=world.a, key="uji.dua")
    assert after.pk > max(drawn)  # the third, drawn and never written, is not reused


def test_a_page_past_the_end_of_an_uncounted_list_is_the_first(client, world):
    """Lists paged without a COUNT cannot know their last page: an old link or a typed
    number past the end shows the first page, never a server error."""
    from himpun.core.views import lazy_page
    from himpun.structure.models import OrgUnit

    units = OrgUnit.objects.order_by("pk")
    assert list(lazy_page(units, 2, "99").object_list) == list(units[:2])
    assert list(lazy_page(units, 2, "x").object_list) == list(units[:2])
    client.force_login(world.admin1)
    for url in (
        f"/struktur/kepadatan/{world.org1.pk}/?halaman=99",
        "/iuran/potong-upah/?halaman=99",
        f"/iuran/tunggakan/{world.org1.pk}/?halaman=99",
        "/anggota/duplikat/?halaman=99",
    ):
        assert client.get(url).status_code == 200, url
