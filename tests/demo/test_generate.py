"""`himpun generate` and the messy member file: reproducible, counted right, usable by the app."""

from __future__ import annotations

import csv
import datetime
import re
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from python_calamine import CalamineWorkbook

from himpun.core.scoping import ancestor_paths
from himpun.demo.messy import HEADERS, MONTHS, MONTHS_SHORT, messy_file
from himpun.demo.synthetic import SIZES, TODAY, generate
from himpun.members.models import Member, NumberSequence, StatusChange
from himpun.members.search import member_search
from himpun.members.services import COUNTED, joined_q, member_register, members_as_of
from himpun.structure.models import Employer, OrgUnit, Sector, UnitCounter
from himpun.structure.services import MEMBERS

MEMBER_FIELDS = (
    "number",
    "full_name",
    "gender",
    "birth_date",
    "nik",
    "phone",
    "status",
    "status_since",
    "joined_on",
    "employment_status",
    "unit__code",
)


@pytest.fixture
def xs(db):
    return generate(size="XS", seed=5, code="GENA")


def people(org: OrgUnit) -> list[tuple]:
    return list(Member.objects.filter(organisation=org).order_by("id").values_list(*MEMBER_FIELDS))


def test_same_seed_same_confederation(xs):
    again = generate(size="XS", seed=5, code="GENB")
    other = generate(size="XS", seed=6, code="GENC")
    assert people(again.organisation) == people(xs.organisation)
    assert people(other.organisation) != people(xs.organisation)
    units = OrgUnit.objects.order_by("path").values_list("code", "name", "kind__name")
    assert (
        list(units.filter(organisation=again.organisation))[1:]
        == list(units.filter(organisation=xs.organisation))[1:]
    )  # all but the top, whose code differs


def test_counts(xs):
    org = xs.organisation
    members = Member.objects.filter(organisation=org)
    assert members.count() == xs.members == SIZES["XS"].members
    assert OrgUnit.objects.filter(organisation=org).count() == xs.units == 1 + 3 + 9 + 36
    assert Sector.objects.filter(organisation=org).count() == 12
    kinds = set(OrgUnit.objects.filter(organisation=org).values_list("depth", "kind__name"))
    assert kinds == {
        (0, "Konfederasi"),
        (1, "Federasi"),
        (2, "Wilayah"),
        (3, "PUK"),
        (3, "Komperata"),  # domestic workers organise where they live
    }
    assert not OrgUnit.objects.filter(organisation=org, kind__isnull=True).exists()
    # every PUK has its employer, and its members work there; Komperata have none
    leaves = OrgUnit.objects.filter(organisation=org, depth=3)
    puks = leaves.filter(kind__is_community=False)
    assert puks.count() == Employer.objects.filter(unit__organisation=org).count() == xs.employers
    assert not puks.filter(employer__isnull=True).exists()
    assert not leaves.filter(kind__is_community=True, employer__isnull=False).exists()
    assert not members.filter(unit__kind__is_community=False, employer__isnull=True).exists()
    assert set(members.values_list("status", flat=True)) >= {"aktif", "nonaktif", "keluar"}


def test_status_history(xs):
    members = Member.objects.filter(organisation=xs.organisation)
    later = members.exclude(status__in=["aktif", "calon"]).count()
    history = StatusChange.objects.filter(member__organisation=xs.organisation)
    assert history.count() == xs.history == xs.members + later
    # the history tells each member's status as of today, and when they joined
    as_of = members_as_of(members, TODAY)
    assert not [m for m in as_of if m.status_on != m.status]
    first = history.filter(status="aktif").values_list("member_id", "on")
    joined = dict(members.exclude(number="").values_list("id", "joined_on"))
    assert dict(first) == joined


def test_counters_equal_a_recount(xs):
    org = xs.organisation
    path_of = dict(OrgUnit.objects.filter(organisation=org).values_list("id", "path"))
    id_of = {p: i for i, p in path_of.items()}
    expected: Counter = Counter()
    direct: Counter = Counter()
    for unit_id, status in Member.objects.filter(organisation=org).values_list("unit_id", "status"):
        keys = [f"status.{status}"] + ([MEMBERS] if status in COUNTED else [])
        for key in keys:
            direct[(unit_id, key)] += 1
            for p in ancestor_paths(path_of[unit_id]):
                expected[(id_of[p], key)] += 1
    counters = UnitCounter.objects.filter(unit__organisation=org)
    stored = {
        (u, k): (d, t)
        for u, k, d, t in counters.exclude(key__startswith="joins.").values_list(
            "unit_id", "key", "direct", "total"
        )
    }
    assert stored == {k: (direct[k], t) for k, t in expected.items()}
    # The joins counters (new members per month): every member who joined, once, at the top.
    joined = Member.objects.filter(organisation=org).filter(joined_q()).count()
    assert joined > 0
    assert (
        sum(
            counters.filter(unit=org, key__regex=r"^joins\.\d{4}-\d{2}$").values_list(
                "total", flat=True
            )
        )
        == joined
    )
    assert (
        stored[(org.pk, MEMBERS)][1]
        == Member.objects.filter(organisation=org, status__in=COUNTED).count()
    )


def test_numbers_follow_the_app_and_continue(xs):
    org = xs.organisation
    sequences = NumberSequence.objects.filter(organisation=org)
    assert sequences.count() == xs.sequences
    issued: Counter = Counter()
    highest: dict[str, int] = {}
    for number in (
        Member.objects.filter(organisation=org).exclude(number="").values_list("number", flat=True)
    ):
        prefix, seq = number[:-6], int(number[-6:])
        issued[prefix] += 1
        highest[prefix] = max(highest.get(prefix, 0), seq)
    # gapless from 1, and each sequence holds the last number issued
    assert dict(sequences.values_list("prefix", "last")) == dict(issued) == highest
    assert not Member.objects.filter(organisation=org, status="calon").exclude(number="").exists()

    seq = sequences.filter(prefix__endswith="-2026-").order_by("prefix").first()
    unit = OrgUnit.objects.get(organisation=org, code=seq.prefix.removesuffix("-2026-"))
    root_before = UnitCounter.objects.get(unit=org, key=MEMBERS).total
    member = member_register(
        actor=None, unit=unit, full_name="Budi Baru", gender="L", on=datetime.date(2026, 11, 2)
    )
    assert member.number == f"{seq.prefix}{seq.last + 1:06d}"
    assert UnitCounter.objects.get(unit=org, key=MEMBERS).total == root_before + 1


def test_generated_members_are_searchable(xs):
    qs = Member.objects.filter(organisation=xs.organisation)
    sample = list(qs.exclude(nik="").exclude(phone="").order_by("id")[:5])
    for m in sample:
        assert m.search_name
        assert m.search_key
        assert m in member_search(qs, m.full_name)
        assert m in member_search(qs, m.nik)
        assert m in member_search(qs, "0" + m.phone[3:])
        if m.number:
            assert m in member_search(qs, m.number)
        # PostgreSQL forgives a letter left out, through the words of names (which the
        # generator collects itself: its bulk load runs without triggers)
        words = m.full_name.split()
        last = max(words, key=len)
        if connection.vendor == "postgresql" and len(last) >= 5:
            typo = last[:2] + last[3:]
            assert m in member_search(qs, m.full_name.replace(last, typo)), typo


def test_command(db, tmp_path, capsys):
    path = tmp_path / "anggota.csv"
    call_command("generate", size="XS", code="CLI", messy=str(path), messy_rows=200)
    out = capsys.readouterr()
    assert "2.000 anggota" in out.out
    assert "200 baris" in out.out
    assert "riwayat status" in out.err  # a progress line per phase
    assert path.exists()
    with pytest.raises(CommandError, match="sudah ada"):
        call_command("generate", size="XS", code="CLI")


# -- the messy file ------------------------------------------------------------------------


def read_csv(path, delimiter=",") -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh, delimiter=delimiter))


def read_xlsx(path) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


MONTH = {m.lower(): i + 1 for i, m in enumerate(MONTHS)} | {
    m.lower(): i + 1 for i, m in enumerate(MONTHS_SHORT)
}


def parse_date(value) -> datetime.date | None:
    """What an importer must understand; ValueError for an impossible date."""
    if value in ("", None):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, float):  # an Excel serial number
        return datetime.date(1899, 12, 30) + datetime.timedelta(days=int(value))
    if m := re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)", value):
        return datetime.date(int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"(\d{1,2})[/\- ]([A-Za-z]+|\d{1,2})[/\- ](\d{2}|\d{4})", value)
    if not m:
        raise ValueError(value)
    month = int(m[2]) if m[2].isdigit() else MONTH[m[2].lower()]
    year = int(m[3]) if len(m[3]) == 4 else 2000 + int(m[3]) if int(m[3]) < 30 else 1900 + int(m[3])
    return datetime.date(year, month, int(m[1]))


def check(rows: list[list], org: OrgUnit) -> dict[str, int]:
    """Recount the file as an importer would: invalid rows, then duplicates by NIK (in the
    file and in the database) or member number (in the database)."""
    from himpun.members.validation import nik_clean, phone_clean

    leaves = OrgUnit.objects.filter(organisation=org, children__isnull=True)
    units = set(leaves.values_list("code", flat=True)) | set(leaves.values_list("name", flat=True))
    members = Member.objects.filter(organisation=org)
    db_niks = set(members.exclude(nik="").values_list("nik", flat=True))
    db_numbers = set(members.exclude(number="").values_list("number", flat=True))
    seen: set[str] = set()
    counts: Counter = Counter()
    for values in rows:
        row = dict(zip(HEADERS, values, strict=True))
        name = str(row["Nama Lengkap"]).strip()
        phone = row["No HP"]
        try:
            nik, _warnings = nik_clean(str(row["NIK"]))
            phone_clean(str(int(phone)) if isinstance(phone, float) else str(phone))
            parse_date(row["Tgl Lahir"])
            parse_date(row["Tgl Bergabung"])
            ok = name and "<" not in name and str(row["Unit"]) in units
        except (ValidationError, ValueError, KeyError):
            ok = False
        if not ok:
            counts["invalid"] += 1
        elif nik in db_niks or row["No Anggota"] in db_numbers:
            counts["duplicates_in_db"] += 1
        elif nik and nik in seen:
            counts["duplicates_in_file"] += 1
        seen.add(nik)
    return counts


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_messy_file(xs, tmp_path, fmt):
    path = tmp_path / f"anggota.{fmt}"
    counts = messy_file(path, rows=400, seed=2, organisation=xs.organisation, fmt=fmt, against_db=8)
    assert counts["rows"] == 400
    assert counts["invalid"] == 4
    assert counts["duplicates_in_db"] == 8
    assert counts["duplicates_in_file"] == 20 - 8
    assert counts["new"] == 400 - 4 - 20
    rows = read_csv(path) if fmt == "csv" else read_xlsx(path)
    assert rows[0] == HEADERS
    assert len(rows) == 401
    found = check(rows[1:], xs.organisation)
    assert found == {k: counts[k] for k in ("invalid", "duplicates_in_db", "duplicates_in_file")}


def test_messy_file_is_reproducible_and_messy(xs, tmp_path):
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    for path, seed in ((a, 4), (b, 4), (c, 5)):
        messy_file(path, rows=300, seed=seed, organisation=xs.organisation, delimiter=";")
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()
    rows = read_csv(a, delimiter=";")[1:]
    phones = [r[HEADERS.index("No HP")] for r in rows]
    assert any(p.startswith("0") and "-" in p for p in phones)
    assert any(p.startswith("+62 ") for p in phones)
    assert any(p.startswith("8") for p in phones)  # Excel ate the 0
    births = [r[HEADERS.index("Tgl Lahir")] for r in rows]
    assert any(re.fullmatch(r"\d\d/\d\d/\d{4}", d) for d in births)
    assert any(re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}", d) for d in births)
    assert any(re.fullmatch(r"\d\d-[A-Z][a-z]{2}-\d\d", d) for d in births)
    niks = [r[HEADERS.index("NIK")] for r in rows]
    assert any(" " in n.strip() for n in niks)
    assert any("." in n for n in niks)
    names = [r[HEADERS.index("Nama Lengkap")] for r in rows]
    assert any(n.isupper() for n in names)
    assert any(n.islower() for n in names)

    xa, xb = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    for path in (xa, xb):
        messy_file(path, rows=300, seed=4, organisation=xs.organisation, fmt="xlsx")
    cells = read_xlsx(xa)
    assert cells == read_xlsx(xb)
    kinds = {type(r[HEADERS.index("Tgl Lahir")]) for r in cells[1:]}
    assert {datetime.date, float, str} <= kinds  # date cells, serials and text
