"""A messy member file for the import benchmark (../BENCHMARKS.md, B1): the spreadsheet a
union secretary really sends.

Indonesian headers; the unit given by its code, sometimes by its name; phones in every form
(0812-3456-7890, +62 812 3456 7890, 62812…, 812… where Excel ate the 0, (0812) 3456…); dates
as 17/08/1990, 17-08-1990, 17 Agustus 1990, 17-Agu-90, 1990-08-17 and, in XLSX, also real
date cells and bare Excel serial numbers; NIK with spaces or dots; names in upper, lower and
title case. 5% of the rows are duplicates: the same person again in the file (another
spelling, other formats, the same NIK) or a member already in the database (the same NIK,
or the same member number when the member has no NIK). 1% are invalid, each with exactly one
defect: a bad NIK, an impossible date, a phone "12345", an empty name, markup in the name, a
unit code that does not exist.

Written streaming (csv module, xlsxwriter in constant_memory mode): memory stays flat
whatever the number of rows. Reproducible with a seed; the rows taken from the database are
the same for the same database (chosen by member id relative to the organisation's first).

New people never collide with each other or with the database: their NIK serials are
5000–9999 (the generator's are below 5000) and unique per row, their phones have one digit
more than the generator's and are unique per row.
"""

from __future__ import annotations

import csv
import datetime
import random
from collections import Counter, deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db.models import F, Min
from django.db.models.functions import Mod

from himpun.demo.dupset import FAMILY, FIRST_M, FIRST_W, MIDDLE, _retyped_name
from himpun.members.models import Member
from himpun.structure.models import OrgUnit
from himpun.structure.regions import children as region_children

HEADERS = [
    "No",
    "Nama Lengkap",
    "Jenis Kelamin",
    "Tempat Lahir",
    "Tgl Lahir",
    "NIK",
    "No HP",
    "Email",
    "Unit",
    "Perusahaan",
    "Bagian",
    "Status Kerja",
    "Tgl Bergabung",
    "No Anggota",
]
DUPLICATE_SHARE = 0.05
INVALID_SHARE = 0.01
INVALID_KINDS = ("nik", "date", "phone", "empty_name", "markup", "unit")

MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
MONTHS_SHORT = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
GENDER_WORDS = {
    "L": ["L", "L", "Laki-laki", "LAKI-LAKI", "LK", "Pria", "l"],
    "P": ["P", "P", "Perempuan", "PEREMPUAN", "PR", "Wanita", "p"],
}
EMPLOYMENT_WORDS = {
    "pkwtt": ["PKWTT", "Tetap", "tetap", "Karyawan Tetap"],
    "pkwt": ["PKWT", "Kontrak", "kontrak"],
    "alih_daya": ["Outsourcing", "Alih Daya", "OS"],
    "harian_lepas": ["Harian Lepas", "Harian", "BHL"],
    "mitra": ["Mitra", "Mitra Pengemudi"],
    "prt": ["PRT", "Pekerja Rumah Tangga"],
    "informal": ["Informal"],
    "": [""],
}
DEPARTMENTS = ["Produksi", "Gudang", "QC", "Maintenance", "Perakitan", "Packing", "Sewing", ""]
PLACES = ["Jakarta", "Bekasi", "Karawang", "Bandung", "Semarang", "Surabaya", "Medan", "Brebes"]
MAILS = ["gmail.com", "gmail.com", "yahoo.co.id", "yahoo.com", "ymail.com"]
EXCEL_EPOCH = datetime.date(1899, 12, 30)
NIK_SERIALS = 5000  # new people: 5000–9999 (the generator uses 1–4999)


# -- how a secretary types things ------------------------------------------------------------


def _date_text(rng: random.Random, d: datetime.date) -> str:
    roll = rng.random()
    if roll < 0.35:
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    if roll < 0.55:
        return f"{d.day:02d}-{d.month:02d}-{d.year}"
    if roll < 0.7:
        return f"{d.day} {MONTHS[d.month - 1]} {d.year}"
    if roll < 0.85:
        return f"{d.day:02d}-{MONTHS_SHORT[d.month - 1]}-{d.year % 100:02d}"
    if roll < 0.93:
        return f"{d.day}/{d.month}/{d.year}"
    return d.isoformat()


def _date(rng: random.Random, d: datetime.date | None, xlsx: bool) -> Any:
    """A date as text, or in XLSX sometimes a real date cell or a bare serial number."""
    if d is None:
        return ""
    if xlsx:
        roll = rng.random()
        if roll < 0.4:
            return d  # a date cell
        if roll < 0.55:
            return (d - EXCEL_EPOCH).days  # a serial number, the date format lost
    return _date_text(rng, d)


def _phone(rng: random.Random, national: str, xlsx: bool) -> Any:
    """`national` is "8123456789012"-like (no leading 0)."""
    a, b, c = national[:3], national[3:7], national[7:]
    roll = rng.random()
    if roll < 0.3:
        return f"0{a}-{b}-{c}"
    if roll < 0.45:
        return f"+62 {a} {b} {c}"
    if roll < 0.6:
        return f"62{national}"
    if roll < 0.72:
        return int(national) if xlsx else national  # Excel ate the leading 0
    if roll < 0.82:
        return f"(0{a}) {b}-{c}"
    if roll < 0.92:
        return f"0{a} {b} {c}"
    return f"0{national}"


def _nik(rng: random.Random, nik: str) -> str:
    if not nik:
        return ""
    roll = rng.random()
    if roll < 0.6:
        return nik
    if roll < 0.8:
        return f"{nik[:4]} {nik[4:8]} {nik[8:12]} {nik[12:]}"
    if roll < 0.95:
        return f"{nik[:2]}.{nik[2:4]}.{nik[4:6]}.{nik[6:12]}.{nik[12:]}"
    return f" {nik} "


def _name(rng: random.Random, name: str) -> str:
    roll = rng.random()
    if roll < 0.25:
        name = name.upper()
    elif roll < 0.35:
        name = name.lower()
    elif roll < 0.4:
        name = "  " + name.replace(" ", "  ") + " "
    return name


def _word(rng: random.Random, words: list[str]) -> str:
    return words[int(rng.random() * len(words))]


# -- the people ----------------------------------------------------------------------------


class _People:
    """New people with identifiers unique in the file and absent from the database."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.with_nik = 0
        self.with_phone = 0
        self.regions = [
            code.replace(".", "")
            for province in ("31", "32", "33", "35", "36")
            for regency, _name in region_children(province)[:8]
            for code, _n in region_children(regency)[:10]
        ]

    def new(self, unit: tuple[str, str, str, str]) -> dict[str, Any]:
        rng = self.rng
        female = rng.random() < 0.5
        words = [_word(rng, FIRST_W if female else FIRST_M)]
        if rng.random() < 0.35:
            words.append(_word(rng, MIDDLE))
        words.append(_word(rng, FAMILY))
        born = datetime.date(1966, 1, 1) + datetime.timedelta(days=int(rng.random() * 365 * 40))
        nik = ""
        if rng.random() < 0.8:
            k = self.with_nik
            self.with_nik += 1
            region = self.regions[k % len(self.regions)]
            day = born.day + (40 if female else 0)
            serial = NIK_SERIALS + (k // len(self.regions)) % NIK_SERIALS
            nik = f"{region}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"
        phone = ""
        if rng.random() < 0.9:
            k = self.with_phone
            self.with_phone += 1
            phone = f"8{11 + int(rng.random() * 88)}{(k * 387_420_489 + 104_729) % 10**9:09d}"
        code, name, company, employment = unit
        joined = None
        if rng.random() < 0.7:
            joined = datetime.date(2016, 1, 1) + datetime.timedelta(days=int(rng.random() * 3900))
        return {
            "full_name": " ".join(words),
            "gender": "P" if female else "L",
            "birth_place": _word(rng, PLACES),
            "birth_date": born,
            "nik": nik,
            "phone": phone,
            "email": f"{words[0].lower()}.{words[-1].lower()}{1 + int(rng.random() * 998)}"
            f"@{_word(rng, MAILS)}"
            if rng.random() < 0.3
            else "",
            "unit": code,
            "unit_name": name,
            "company": company,
            "department": _word(rng, DEPARTMENTS) if company else "",
            "employment": employment or _word(rng, ["pkwtt", "pkwtt", "pkwt", "alih_daya"]),
            "joined_on": joined,
            "number": "",
        }


def _row(
    rng: random.Random, no: int, p: dict[str, Any], xlsx: bool, *, unique_names: set[str]
) -> list[Any]:
    unit = p["unit"]
    if p["unit_name"] in unique_names and rng.random() < 0.1:
        unit = p["unit_name"]  # the unit by its name, as people say it
    company = p["company"]
    if company and rng.random() < 0.15:
        company = company.upper()
    return [
        no,
        _name(rng, p["full_name"]),
        _word(rng, GENDER_WORDS[p["gender"]]),
        p["birth_place"],
        _date(rng, p["birth_date"], xlsx),
        _nik(rng, p["nik"]),
        _phone(rng, p["phone"], xlsx) if p["phone"] else "",
        p["email"].upper() if p["email"] and rng.random() < 0.1 else p["email"],
        unit,
        company,
        p["department"],
        _word(rng, EMPLOYMENT_WORDS.get(p["employment"], [""])),
        _date(rng, p["joined_on"], xlsx),
        p["number"],
    ]


def _again(rng: random.Random, p: dict[str, Any]) -> dict[str, Any]:
    """The same person typed in again by someone else: the NIK (or number) stays."""
    copy = dict(p)
    if rng.random() < 0.6:
        copy["full_name"] = _retyped_name(rng, p["full_name"])
    if rng.random() < 0.2:
        copy["phone"] = ""
    if rng.random() < 0.3:
        copy["email"] = ""
    return copy


def _spoil(rng: random.Random, row: list[Any], kind: str, missing_unit: str) -> None:
    """Give a row exactly one defect."""
    col = {h: i for i, h in enumerate(HEADERS)}
    if kind == "nik":
        digits = "".join(c for c in str(row[col["NIK"]]) if c.isdigit()) or "3275011708905001"
        row[col["NIK"]] = digits[:-1] if rng.random() < 0.5 else digits[:10] + "O" + digits[11:]
    elif kind == "date":
        row[col["Tgl Lahir"]] = rng.choice(
            ["31/02/1990", "30-02-1985", "32/13/1979", "31 April 1988"]
        )
    elif kind == "phone":
        row[col["No HP"]] = "12345"
    elif kind == "empty_name":
        row[col["Nama Lengkap"]] = ""
    elif kind == "markup":
        row[col["Nama Lengkap"]] = f"<script>alert('{row[col['Nama Lengkap']]}')</script>"
    elif kind == "unit":
        row[col["Unit"]] = missing_unit


# -- the file --------------------------------------------------------------------------------


def _from_database(organisation: OrgUnit, wanted: int) -> Iterator[dict[str, Any]]:
    """Active members of `organisation`, every k-th by id (relative to the first), streamed."""
    if wanted <= 0:
        return
    members = Member._base_manager.filter(
        organisation=organisation, archived_at__isnull=True, status="aktif"
    )
    stats = members.aggregate(first=Min("id"))
    total = members.count()
    if not total:
        return
    k = max(1, total // (wanted * 2))
    rows = (
        members.annotate(r=Mod(F("id") - stats["first"], k))
        .filter(r=0)
        .order_by("id")
        .values(
            "full_name",
            "gender",
            "birth_place",
            "birth_date",
            "nik",
            "phone",
            "email",
            "unit__code",
            "unit__name",
            "employer__name",
            "department",
            "employment_status",
            "joined_on",
            "number",
        )
    )
    for m in rows.iterator(chunk_size=2000):
        yield {
            **m,
            "phone": m["phone"].removeprefix("+62"),
            "unit": m["unit__code"],
            "unit_name": m["unit__name"],
            "company": m["employer__name"] or "",
            "employment": m["employment_status"],
            # matched by NIK, or by member number when there is no NIK
            "number": m["number"] if not m["nik"] or _gives_number(m["number"]) else "",
        }


def _gives_number(number: str) -> bool:
    """About every other member with a NIK writes their member number down too."""
    return sum(map(ord, number)) % 2 == 0


def _units(organisation: OrgUnit) -> tuple[list[tuple[str, str, str, str]], set[str], str]:
    """The organisation's leaf units (code, name, company, employment status), the names that
    name one unit only, and a code no unit has."""
    leaves = list(
        OrgUnit._base_manager.filter(
            organisation=organisation, children__isnull=True, archived_at__isnull=True
        )
        .exclude(pk=organisation.pk)
        .order_by("code")
        .values_list("code", "name", "employer__name", "sector__code")
    )
    if not leaves:
        raise ValueError(f"{organisation.code} has no units to put members in.")
    special = {"prt": "prt", "ojek-daring": "mitra"}
    units = [(c, n, e or "", special.get(s or "", "")) for c, n, e, s in leaves]
    names = Counter(n for _c, n, _e, _s in units)
    codes = set(
        OrgUnit._base_manager.filter(organisation=organisation).values_list("code", flat=True)
    )
    unique = {n for n, count in names.items() if count == 1 and n not in codes}
    missing = "F0.404"
    while OrgUnit._base_manager.filter(organisation=organisation, code__iexact=missing).exists():
        missing += "0"
    return units, unique, missing


class _CsvOut:
    def __init__(self, path: Path, delimiter: str) -> None:
        self.fh = path.open("w", newline="", encoding="utf-8-sig")
        self.writer = csv.writer(self.fh, delimiter=delimiter)

    def write(self, row: list[Any]) -> None:
        self.writer.writerow(row)

    def close(self) -> None:
        self.fh.close()


class _XlsxOut:
    def __init__(self, path: Path) -> None:
        import xlsxwriter

        self.book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        self.sheet = self.book.add_worksheet("Anggota")
        self.date_format = self.book.add_format({"num_format": "dd/mm/yyyy"})
        self.row = 0

    def write(self, row: list[Any]) -> None:
        sheet, r = self.sheet, self.row
        for c, value in enumerate(row):
            if isinstance(value, datetime.date):
                sheet.write_datetime(r, c, value, self.date_format)
            elif isinstance(value, int):
                sheet.write_number(r, c, value)
            elif value != "":
                sheet.write_string(r, c, value)
        self.row += 1

    def close(self) -> None:
        self.book.close()


def messy_file(
    path: str | Path,
    *,
    rows: int,
    seed: int,
    organisation: OrgUnit,
    fmt: str = "csv",
    against_db: int = 0,
    delimiter: str = ",",
) -> dict[str, Any]:
    """Write `rows` member rows for `organisation`'s leaf units to `path` (fmt "csv" or
    "xlsx"; CSV with `delimiter`, e.g. ";" as Indonesian Excel saves it).

    `against_db` rows repeat active members already in the database (as many as can be found);
    the rest of the 5% duplicates repeat earlier rows of the file. Returns the counts the
    import must find: rows, new, duplicates_in_file, duplicates_in_db, invalid (and by kind).
    """
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"Unknown format {fmt!r}: csv or xlsx.")
    rng = random.Random(seed)
    xlsx = fmt == "xlsx"
    units, unique_names, missing_unit = _units(organisation)
    n_invalid = round(rows * INVALID_SHARE)
    n_db = min(max(0, against_db), rows - n_invalid)
    n_file = max(0, min(round(rows * DUPLICATE_SHARE) - n_db, rows - n_invalid - n_db))
    special = rng.sample(range(rows), n_invalid + n_db + n_file)
    kinds = dict.fromkeys(special[:n_invalid], "invalid")
    kinds.update(dict.fromkeys(special[n_invalid : n_invalid + n_db], "db"))
    kinds.update(dict.fromkeys(special[n_invalid + n_db :], "file"))

    people = _People(rng)
    database = _from_database(organisation, n_db)
    recent: deque[dict[str, Any]] = deque(maxlen=2000)  # originals a duplicate may repeat
    owed = 0  # file duplicates not yet written (no original with a NIK so far)
    counts: Counter[str] = Counter()
    out = _XlsxOut(Path(path)) if xlsx else _CsvOut(Path(path), delimiter)
    try:
        out.write(HEADERS)
        for no in range(1, rows + 1):
            kind = kinds.get(no - 1, "new")
            if kind == "file":
                owed += 1
            if kind == "db":
                person = next(database, None)
                if person is not None:
                    counts["duplicates_in_db"] += 1
                    out.write(_row(rng, no, _again(rng, person), xlsx, unique_names=unique_names))
                    continue
                kind = "new"
            if kind in ("new", "file") and owed and recent:
                owed -= 1
                original = recent[rng.randrange(len(recent))]
                counts["duplicates_in_file"] += 1
                out.write(_row(rng, no, _again(rng, original), xlsx, unique_names=unique_names))
                continue
            person = people.new(units[int(rng.random() * len(units))])
            row = _row(rng, no, person, xlsx, unique_names=unique_names)
            if kind == "invalid":
                defect = INVALID_KINDS[counts["invalid"] % len(INVALID_KINDS)]
                _spoil(rng, row, defect, missing_unit)
                counts["invalid"] += 1
                counts[f"invalid_{defect}"] += 1
            elif person["nik"]:
                recent.append(person)
            out.write(row)
    finally:
        out.close()
    result = {
        "rows": rows,
        "duplicates_in_file": counts["duplicates_in_file"],
        "duplicates_in_db": counts["duplicates_in_db"],
        "invalid": counts["invalid"],
    }
    result["new"] = rows - sum(
        result[k] for k in ("duplicates_in_file", "duplicates_in_db", "invalid")
    )
    result["invalid_by_kind"] = {k: counts[f"invalid_{k}"] for k in INVALID_KINDS}
    return result
