"""A synthetic confederation for benchmarks (../BENCHMARKS.md sizes S, M, L).

`generate` builds, in one transaction and through the fast path (COPY on PostgreSQL,
batched inserts on SQLite):
- the level kinds, a dozen sectors and the units, level by level, each unit with its kind
  (Federasi, Wilayah, Cabang, Kawasan, PUK, or Komperata for domestic workers), sector and
  region; one employer per PUK. Primary keys are reserved first, so every row is written
  once with its path and references;
- the members, streamed and never held in memory as a whole, numbered exactly as
  `member_number_next` numbers them; the number sequences are stored with their last value,
  so a later registration in a generated unit continues the sequence;
- the status history (joining, and a second step for those no longer active) and the unit
  counters, both set-based from the members just written.

Reproducible with a seed: the same seed gives the same units, names and numbers (database
ids aside). Every person and company is made up.
"""

from __future__ import annotations

import bisect
import datetime
import functools
import random
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Count
from django.utils import timezone

from himpun.core.bulk import ids_draw
from himpun.core.scoping import segment
from himpun.core.services import object_create
from himpun.demo.dupset import FAMILY, FIRST_M, FIRST_W, MIDDLE
from himpun.members.choices import Status
from himpun.members.models import DEFAULT_NUMBER_FORMAT, Member, NumberSequence, StatusChange
from himpun.members.services import COUNTED, member_join_counters_rebuild
from himpun.members.validation import name_key, search_name
from himpun.structure.models import Employer, LevelKind, OrgUnit, Sector, UnitCounter
from himpun.structure.regions import children as region_children
from himpun.structure.services import MEMBERS, organisation_create


@dataclass(frozen=True)
class Size:
    members: int
    #: children per unit at each level below the top (the last level holds the members)
    fanout: tuple[int, ...]


SIZES = {
    "XS": Size(2_000, (3, 3, 4)),
    "S": Size(10_000, (5, 5, 11)),  # ~300 units
    "M": Size(1_000_000, (10, 10, 10, 19)),  # ~20k units
    "L": Size(5_000_000, (10, 10, 10, 10, 9)),  # ~100k units, 6 levels
}

#: The day the synthetic history ends (fixed, so a seed always gives the same data).
TODAY = datetime.date(2026, 11, 1)

#: Level kinds by the number of levels below the top; the last level is the PUK (or, for
#: domestic workers, the community-based Komperata, allowed in the same place).
KINDS = {
    3: ["Konfederasi", "Federasi", "Wilayah", "PUK"],
    4: ["Konfederasi", "Federasi", "Wilayah", "Cabang", "PUK"],
    5: ["Konfederasi", "Federasi", "Wilayah", "Cabang", "Kawasan", "PUK"],
}
COMMUNITY_KIND = "Komperata"

# (code, name, share of women, employment status mix)
FACTORY = (("pkwtt", 0.50), ("pkwt", 0.28), ("alih_daya", 0.14), ("harian_lepas", 0.08))
SECTORS = {
    "logam": ("Logam", 0.15, FACTORY),
    "elektronik": ("Elektronik", 0.60, FACTORY),
    "otomotif": ("Otomotif", 0.15, FACTORY),
    "tekstil-garmen": ("Tekstil dan Garmen", 0.80, FACTORY),
    "kimia": ("Kimia", 0.30, FACTORY),
    "farmasi": ("Farmasi", 0.60, FACTORY),
    "makanan-minuman": ("Makanan dan Minuman", 0.55, FACTORY),
    "pertambangan": ("Pertambangan", 0.08, (("pkwtt", 0.45), ("pkwt", 0.25), ("alih_daya", 0.30))),
    "transportasi": (
        "Transportasi",
        0.10,
        (("pkwtt", 0.45), ("pkwt", 0.25), ("alih_daya", 0.20), ("harian_lepas", 0.10)),
    ),
    "prt": ("Pekerja Rumah Tangga", 0.95, (("prt", 1.0),)),
    "ojek-daring": ("Ojek Daring", 0.10, (("mitra", 1.0),)),
    "perkebunan": (
        "Perkebunan",
        0.40,
        (("pkwtt", 0.35), ("pkwt", 0.15), ("harian_lepas", 0.45), ("alih_daya", 0.05)),
    ),
}
COMMUNITY_SECTORS = {"prt"}

# (short name, name, sectors of its units: the first is the federation's own)
FEDERATIONS = [
    ("FSP LEM", "Federasi Serikat Pekerja Logam, Elektronik dan Mesin", ["logam", "elektronik"]),
    ("FSP TSK", "Federasi Serikat Pekerja Tekstil, Sandang dan Kulit", ["tekstil-garmen"]),
    ("FSP PRT", "Federasi Serikat Pekerja Rumah Tangga", ["prt"]),
    (
        "FSP KEP",
        "Federasi Serikat Pekerja Kimia, Energi dan Pertambangan",
        ["kimia", "pertambangan"],
    ),
    ("FSP FARKES", "Federasi Serikat Pekerja Farmasi dan Kesehatan", ["farmasi"]),
    (
        "FSP RTMM",
        "Federasi Serikat Pekerja Rokok, Tembakau, Makanan dan Minuman",
        ["makanan-minuman"],
    ),
    ("FSP TL", "Federasi Serikat Pekerja Transportasi dan Logistik", ["transportasi"]),
    ("FSP OTOMOTIF", "Federasi Serikat Pekerja Otomotif dan Komponen", ["otomotif", "logam"]),
    ("FSP BUN", "Federasi Serikat Pekerja Perkebunan", ["perkebunan"]),
    ("SPDI", "Serikat Pengemudi Daring Indonesia", ["ojek-daring", "transportasi"]),
]

COMPANY_FIRST = [
    "Sinar",
    "Mitra",
    "Cahaya",
    "Indo",
    "Sumber",
    "Karya",
    "Bintang",
    "Mega",
    "Nusa",
    "Prima",
    "Tunas",
    "Surya",
    "Duta",
    "Multi",
    "Buana",
    "Anugerah",
    "Citra",
    "Graha",
    "Panca",
    "Bumi",
    "Inti",
    "Sentral",
    "Putra",
    "Harapan",
]
COMPANY_WORD = {
    "logam": ["Logam", "Baja", "Metalindo", "Steel", "Cor"],
    "elektronik": ["Elektronik", "Elektrindo", "Semikonduktor", "Komponen"],
    "otomotif": ["Motor", "Otomotif", "Autoparts", "Komponen"],
    "tekstil-garmen": ["Tekstil", "Garmen", "Busana", "Sandang", "Apparel"],
    "kimia": ["Kimia", "Chemical", "Plastik", "Polimer"],
    "farmasi": ["Farma", "Farmasi", "Medika"],
    "makanan-minuman": ["Pangan", "Food", "Boga", "Minuman"],
    "pertambangan": ["Tambang", "Mineral", "Batubara", "Energi"],
    "transportasi": ["Logistik", "Transportasi", "Ekspres", "Kargo"],
    "ojek-daring": ["Aplikasi", "Digital", "Teknologi"],
    "perkebunan": ["Agro", "Sawit", "Perkebunan", "Plantation"],
}
COMPANY_LAST = [
    "Abadi",
    "Perkasa",
    "Mandiri",
    "Sejahtera",
    "Utama",
    "Makmur",
    "Lestari",
    "Sentosa",
    "Jaya",
    "Persada",
    "Nusantara",
    "Indonesia",
    "Gemilang",
    "Raya",
]
DEPARTMENTS = {
    "logam": ["Produksi", "Pengecoran", "Pengelasan", "Gudang", "QC", "Maintenance"],
    "elektronik": ["Produksi", "Perakitan", "SMT", "QC", "Gudang", "Maintenance"],
    "otomotif": ["Perakitan", "Pengecatan", "Press", "Welding", "QC", "Gudang"],
    "tekstil-garmen": ["Sewing", "Cutting", "Finishing", "Packing", "QC", "Gudang"],
    "kimia": ["Produksi", "Laboratorium", "Gudang", "Utility", "QC"],
    "farmasi": ["Produksi", "Pengemasan", "Laboratorium", "Gudang", "QC"],
    "makanan-minuman": ["Produksi", "Pengemasan", "Gudang", "QC", "Distribusi"],
    "pertambangan": ["Tambang", "Pengolahan", "Alat Berat", "K3", "Gudang"],
    "transportasi": ["Pengemudi", "Gudang", "Bongkar Muat", "Administrasi"],
    "ojek-daring": [""],
    "perkebunan": ["Panen", "Perawatan", "Pabrik Kelapa Sawit", "Pembibitan"],
    "prt": [""],
}
BIRTH_PLACES = [
    "Jakarta",
    "Bekasi",
    "Bogor",
    "Bandung",
    "Karawang",
    "Purwakarta",
    "Tangerang",
    "Serang",
    "Cirebon",
    "Tegal",
    "Brebes",
    "Semarang",
    "Solo",
    "Klaten",
    "Boyolali",
    "Yogyakarta",
    "Kebumen",
    "Cilacap",
    "Surabaya",
    "Sidoarjo",
    "Pasuruan",
    "Malang",
    "Kediri",
    "Jember",
    "Medan",
    "Deli Serdang",
    "Palembang",
    "Lampung",
    "Makassar",
    "Batam",
]
#: How a member stands today: share of members (cumulative below).
STATUS_MIX = (
    (Status.ACTIVE, 0.80),
    (Status.INACTIVE, 0.05),
    (Status.LEFT, 0.085),
    (Status.APPLICANT, 0.03),
    (Status.EXPELLED, 0.01),
    (Status.DECEASED, 0.01),
    (Status.REJECTED, 0.015),
)
#: Why a member's last step happened, for the history.
REASONS = {
    Status.INACTIVE: "Tidak membayar iuran tiga bulan",
    Status.LEFT: "Mengundurkan diri",
    Status.EXPELLED: "Melanggar AD/ART",
    Status.DECEASED: "Meninggal dunia",
    Status.REJECTED: "Bukan pekerja di wilayah unit ini",
}
#: NIK serials 0001–4999 are the database's; the messy file uses 5000–9999 for new people.
NIK_SERIALS = (1, 5000)


def _cumulative(mix: Iterable[tuple[str, float]]) -> tuple[list[str], list[float]]:
    names, bounds, total = [], [], 0.0
    for name, share in mix:
        total += share
        names.append(str(name))
        bounds.append(total)
    bounds[-1] = 1.0
    return names, bounds


@dataclass
class Generated:
    organisation: OrgUnit
    units: int
    members: int
    leaves: list[tuple[int, str, str]]  # (id, path, code)
    employers: int = 0
    history: int = 0
    counters: int = 0
    sequences: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class _Node:
    id: int
    path: str
    code: str
    depth: int
    sector: str
    region: str  # "32" (a province) or "32.16" (a regency)
    federation: int  # index into FEDERATIONS
    company: str = ""  # PUK: its employer's name
    employer_id: int | None = None


#: progress(phase, seconds, {what: how many})
Progress = Callable[[str, float, dict[str, int]], None]


# -- writing in bulk -----------------------------------------------------------------------


def _defaults(model: type[models.Model], columns: Sequence[str], now: Any) -> dict[str, Any]:
    """Values for the NOT NULL columns a COPY does not name (Django defaults live in Python)."""
    fixed: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if f.primary_key or f.attname in columns:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            fixed[f.column] = now
        elif f.has_default():
            fixed[f.column] = f.get_default()
        elif not f.null:
            fixed[f.column] = ""
    return fixed


def _write(model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple]) -> int:
    """Write rows of `columns` (attnames) into `model`'s table: COPY on PostgreSQL, batched
    inserts elsewhere. Streams: the rows are consumed one by one."""
    fixed = _defaults(model, columns, timezone.now())
    names = [model._meta.get_field(c).column for c in columns] + list(fixed)
    table = connection.ops.quote_name(model._meta.db_table)
    count = 0
    if connection.vendor == "postgresql":
        tail = tuple(fixed.values())
        sql = f"COPY {table} ({', '.join(names)}) FROM STDIN"
        with connection.cursor() as cur, cur.connection.cursor() as raw, raw.copy(sql) as copy:
            for row in rows:
                copy.write_row(row + tail)
                count += 1
        return count
    prepared = {f.column: f for f in model._meta.concrete_fields}
    tail = tuple(prepared[c].get_db_prep_save(v, connection) for c, v in fixed.items())
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608
    with connection.cursor() as cur:
        batch: list[tuple] = []
        for row in rows:
            batch.append(row + tail)
            if len(batch) == 2000:
                cur.executemany(sql, batch)
                count += len(batch)
                batch = []
        cur.executemany(sql, batch)
    return count + len(batch)


# -- units -----------------------------------------------------------------------------------


def _company(rng: random.Random, sector: str) -> str:
    name = f"PT {rng.choice(COMPANY_FIRST)} {rng.choice(COMPANY_WORD[sector])}"
    name += f" {rng.choice(COMPANY_LAST)}"
    return name + " Tbk" if rng.random() < 0.03 else name


def _place(name: str) -> str:
    for word in ("Kabupaten ", "Kota Administrasi ", "Kabupaten Administrasi ", "Kota "):
        if name.startswith(word):
            return name[len(word) :]
    return name


@functools.cache
def _regency_name(code: str) -> str:
    return dict(region_children(code[:2])).get(code, code)


def _child(rng: random.Random, parent: _Node, i: int, kind: str, leaf: bool) -> tuple[_Node, str]:
    """The i-th child of `parent`, a unit of `kind` (without id yet), and its name."""
    code = f"{parent.code}.{i + 1}" if parent.depth else f"F{i + 1}"
    if parent.depth == 0:
        fed = i % len(FEDERATIONS)
        short, name, sectors = FEDERATIONS[fed]
        if i >= len(FEDERATIONS):
            name += f" {i // len(FEDERATIONS) + 1}"
        return _Node(0, "", code, 1, sectors[0], "31", fed), name
    short, _name, sectors = FEDERATIONS[parent.federation]
    node = _Node(0, "", code, parent.depth + 1, sectors[0], parent.region, parent.federation)
    if parent.depth == 1:  # a province per Wilayah
        provinces = region_children(None)
        node.region, province = provinces[(i * 7 + parent.federation * 3) % len(provinces)]
        return node, f"DPW {short} {province}"
    if len(parent.region) == 2:  # below a province: a regency
        regencies = region_children(parent.region) or [(parent.region, parent.code)]
        node.region = regencies[rng.randrange(len(regencies))][0]
    if not leaf:
        regency = _regency_name(node.region)
        if kind == "Cabang":
            return node, f"DPC {short} {regency}"
        return node, f"Kawasan Industri {_place(regency)} {i + 1}"
    node.sector = sectors[rng.randrange(len(sectors))]
    if node.sector in COMMUNITY_SECTORS:
        districts = region_children(node.region) or [("", _place(_regency_name(node.region)))]
        return node, f"Komperata {districts[rng.randrange(len(districts))][1]}"
    node.company = _company(rng, node.sector)
    return node, f"PUK {short} {node.company}"


UNIT_COLUMNS = (
    "id",
    "organisation_id",
    "parent_id",
    "kind_id",
    "code",
    "name",
    "path",
    "depth",
    "sector_id",
    "region_code",
    "employer_id",
)


def _units(
    rng: random.Random, org: OrgUnit, fanout: tuple[int, ...]
) -> tuple[list[_Node], dict[int, int], list[list[int]], int]:
    """Create the tree below `org`, level by level, and one employer per PUK. Returns the
    leaves, each unit's parent, the unit ids by depth (top first) and the employers made."""
    names = KINDS[len(fanout)]
    kinds = {k.name: k.pk for k in LevelKind.objects.filter(organisation=org)}
    community = object_create(
        actor=None,
        instance=LevelKind(
            organisation=org,
            name=COMMUNITY_KIND,
            code=COMMUNITY_KIND.lower(),
            order=len(names) - 1,
            is_community=True,
        ),
    )
    community.parents.add(kinds[names[-2]])
    sectors = {s.code: s.pk for s in Sector.objects.filter(organisation=org)}
    level = [_Node(org.pk, org.path, org.code, 0, "", "", 0)]
    parent_of: dict[int, int] = {}
    by_depth: list[list[int]] = [[org.pk]]
    for depth, n in enumerate(fanout, start=1):
        leaf = depth == len(fanout)
        made = [
            (parent, *_child(rng, parent, i, names[depth], leaf))
            for parent in level
            for i in range(n)
        ]
        companies = [node for _parent, node, _name in made if node.company]
        # ids drawn first: rows go in with their ids, paths and references in one pass
        for node, employer_id in zip(companies, ids_draw(Employer, len(companies)), strict=True):
            node.employer_id = employer_id
        for (parent, node, _name), unit_id in zip(made, ids_draw(OrgUnit, len(made)), strict=True):
            node.id = unit_id
            node.path = parent.path + segment(unit_id)
            parent_of[unit_id] = parent.id
        rows = (
            (
                node.id,
                org.pk,
                parent.id,
                community.pk if leaf and node.sector in COMMUNITY_SECTORS else kinds[names[depth]],
                node.code[:30],
                name[:150],
                node.path,
                depth,
                sectors[node.sector],
                node.region,
                node.employer_id,
            )
            for parent, node, name in made
        )
        _write(OrgUnit, UNIT_COLUMNS, rows)
        level = [node for _parent, node, _name in made]
        by_depth.append([node.id for node in level])
    # The employers, managed by their PUK (written after it: the references are checked at
    # commit).
    employers = (
        (leaf.employer_id, leaf.id, leaf.company, sectors[leaf.sector], leaf.region)
        for leaf in level
        if leaf.company
    )
    made_employers = _write(
        Employer, ("id", "unit_id", "name", "sector_id", "region_code"), employers
    )
    return level, parent_of, by_depth, made_employers


# -- members ---------------------------------------------------------------------------------

MEMBER_COLUMNS = (
    "organisation_id",
    "unit_id",
    "number",
    "full_name",
    "search_name",
    "search_key",
    "gender",
    "birth_date",
    "birth_place",
    "nik",
    "phone",
    "email",
    "employer_id",
    "department",
    "employment_status",
    "status",
    "status_since",
    "joined_on",
)
_NUMBER = MEMBER_COLUMNS.index("number")
_JOINED = MEMBER_COLUMNS.index("joined_on")


def _counts(rng: random.Random, n: int, units: int) -> list[int]:
    """Members per leaf: uneven, as unions are, summing to exactly n."""
    weights = [rng.lognormvariate(0, 0.6) for _ in range(units)]
    scale = n / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(n - sum(counts)):
        counts[i % units] += 1
    return counts


def _members(
    rng: random.Random, org: OrgUnit, leaves: list[_Node], n: int, sequences: array
) -> Iterator[tuple]:
    """Member rows, leaf by leaf. Numbers follow the joining order within a leaf and year;
    each (leaf, year, last number) is appended to `sequences`."""
    statuses, status_bounds = _cumulative(STATUS_MIX)
    mixes = {code: _cumulative(info[2]) for code, info in SECTORS.items()}
    names: dict[str, tuple[str, str]] = {}
    head = DEFAULT_NUMBER_FORMAT.partition("{seq")[0]
    # Dates as ordinals and `int(rand() * n)` for choices: this loop runs 5 million times.
    today = TODAY.toordinal()
    earliest = today - 365 * 12
    first_born = datetime.date(1966, 1, 1).toordinal()
    date = datetime.date.fromordinal
    rand = rng.random
    active = str(Status.ACTIVE)
    applicant = str(Status.APPLICANT)
    unnumbered = {applicant, str(Status.REJECTED)}
    women_names, men_names = FIRST_W, FIRST_M
    nw, nm, nf, nmid, nplace = (
        len(FIRST_W),
        len(FIRST_M),
        len(FAMILY),
        len(MIDDLE),
        len(BIRTH_PLACES),
    )
    serial_low, serial_span = NIK_SERIALS[0], NIK_SERIALS[1] - NIK_SERIALS[0]
    for index, (leaf, count) in enumerate(zip(leaves, _counts(rng, n, len(leaves)), strict=True)):
        _sname, women, _mix = SECTORS[leaf.sector]
        employment, employment_bounds = mixes[leaf.sector]
        departments = DEPARTMENTS[leaf.sector]
        ndep = len(departments)
        nik_region = leaf.region.replace(".", "")[:4].ljust(4, "1")
        rows: list[list[Any]] = []
        for _ in range(count):
            female = rand() < women
            first = women_names[int(rand() * nw)] if female else men_names[int(rand() * nm)]
            family = FAMILY[int(rand() * nf)]
            if rand() < 0.35:
                full_name = f"{first} {MIDDLE[int(rand() * nmid)]} {family}"
            else:
                full_name = f"{first} {family}"
            keys = names.get(full_name)
            if keys is None:
                keys = names[full_name] = (search_name(full_name), name_key(full_name))
            born_day = first_born + int(rand() * 365 * 40)
            born = date(born_day)
            status = statuses[bisect.bisect(status_bounds, rand())]
            joined: datetime.date | None = None
            if status in unnumbered:
                since = date(today - int(rand() * (120 if status == applicant else 700)))
            else:
                start = max(earliest, born_day + 6575)  # 18 years old
                joined_day = start + int(rand() * (today - start + 1))
                joined = since = date(joined_day)
                if status != active:
                    room = today - joined_day
                    since = date(
                        joined_day + (30 + int(rand() * (room - 30)) if room > 30 else room)
                    )
            nik = ""
            if rand() < 0.75:
                day = born.day + (40 if female else 0)
                nik = (
                    f"{nik_region}{1 + int(rand() * 15):02d}{day:02d}{born.month:02d}"
                    f"{born.year % 100:02d}{serial_low + int(rand() * serial_span):04d}"
                )
            phone = ""
            if rand() < 0.9:
                phone = f"+628{11 + int(rand() * 88)}{10_000_000 + int(rand() * 90_000_000)}"
            email = ""
            if rand() < 0.2:
                email = f"{first.lower()}.{family.lower()}{1 + int(rand() * 999)}@contoh.id"
            rows.append(
                [
                    org.pk,
                    leaf.id,
                    "",
                    full_name,
                    keys[0],
                    keys[1],
                    "P" if female else "L",
                    born,
                    BIRTH_PLACES[int(rand() * nplace)],
                    nik,
                    phone,
                    email,
                    leaf.employer_id,
                    departments[int(rand() * ndep)],
                    employment[bisect.bisect(employment_bounds, rand())],
                    status,
                    since,
                    joined,
                ]
            )
        last: dict[int, int] = {}
        numbered = sorted((r for r in rows if r[_JOINED] is not None), key=lambda r: r[_JOINED])
        for row in numbered:
            year = row[_JOINED].year
            seq = last[year] = last.get(year, 0) + 1
            prefix = head.format(unit_code=leaf.code, org_code=org.code, year=year)
            row[_NUMBER] = f"{prefix}{seq:06d}"
        for year, seq in last.items():
            sequences.extend((index, year, seq))
        for row in rows:
            yield tuple(row)


def _sequences(org: OrgUnit, leaves: list[_Node], sequences: array) -> int:
    head = DEFAULT_NUMBER_FORMAT.partition("{seq")[0]
    rows = (
        (
            org.pk,
            head.format(
                unit_code=leaves[sequences[i]].code, org_code=org.code, year=sequences[i + 1]
            ),
            sequences[i + 2],
        )
        for i in range(0, len(sequences), 3)
    )
    return _write(NumberSequence, ("organisation_id", "prefix", "last"), rows)


# -- history and counters --------------------------------------------------------------------


def _history(org: OrgUnit) -> int:
    """Each member's joining (or application) and, for those no longer active, the step that
    made them so: two INSERT … SELECT over the members just written."""
    q = connection.ops.quote_name
    col = {f.attname: q(f.column) for f in StatusChange._meta.concrete_fields}
    history, members = q(StatusChange._meta.db_table), q(Member._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    into = (
        f"INSERT INTO {history} ({col['member_id']}, {col['status']}, {col['on']}, "
        f"{col['reason']}, {col['actor_id']}, {col['recorded_at']}) "
    )
    active, applicant = str(Status.ACTIVE), str(Status.APPLICANT)
    first = (
        "SELECT id, CASE WHEN number = '' THEN %s ELSE %s END, "  # noqa: S608  no user text
        f"COALESCE(joined_on, status_since), '', NULL, %s FROM {members} "
        "WHERE organisation_id = %s"
    )
    reasons = " ".join(["WHEN %s THEN %s"] * len(REASONS))
    second = (
        f"SELECT id, status, status_since, CASE status {reasons} ELSE '' END, NULL, %s "  # noqa: S608
        f"FROM {members} WHERE organisation_id = %s AND status NOT IN (%s, %s)"
    )
    reason_params = [str(x) for pair in REASONS.items() for x in pair]
    n = 0
    with connection.cursor() as cur:
        cur.execute(into + first, [applicant, active, now, org.pk])
        n += cur.rowcount
        cur.execute(into + second, [*reason_params, now, org.pk, active, applicant])
        n += cur.rowcount
    return n


def _counters(org: OrgUnit, parent_of: dict[int, int], by_depth: list[list[int]]) -> int:
    """Rebuild the unit counters of `org` from one GROUP BY: direct counts per unit and key,
    rolled up the tree level by level."""
    direct: dict[int, dict[str, int]] = {}
    grouped = (
        Member._base_manager.filter(organisation=org, archived_at__isnull=True)
        .values_list("unit_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for unit_id, status, n in grouped:
        keys = direct.setdefault(unit_id, {})
        keys[f"status.{status}"] = keys.get(f"status.{status}", 0) + n
        if status in COUNTED:
            keys[MEMBERS] = keys.get(MEMBERS, 0) + n
    totals: dict[int, dict[str, int]] = {u: dict(keys) for u, keys in direct.items()}
    for level in reversed(by_depth[1:]):
        for unit_id in level:
            mine = totals.get(unit_id)
            if not mine:
                continue
            up = totals.setdefault(parent_of[unit_id], {})
            for key, n in mine.items():
                up[key] = up.get(key, 0) + n
    UnitCounter.objects.filter(unit__organisation=org).delete()
    rows = (
        (unit_id, key, direct.get(unit_id, {}).get(key, 0), total)
        for unit_id, keys in totals.items()
        for key, total in keys.items()
    )
    written = _write(UnitCounter, ("unit_id", "key", "direct", "total"), rows)
    # The joins counters (new members per month and channel) from the members table, by the
    # same rule as every member write.
    return written + member_join_counters_rebuild(organisation_id=org.pk)


def _reference_triggers(*, enabled: bool) -> bool:
    """Switch PostgreSQL's per-row foreign-key checks for this transaction; True if done.

    Django's foreign keys are deferred: every row written here would queue one check per
    reference, run at commit (about 20 million for size L, minutes of work). The rows are
    consistent by construction, and tests and B6 check them set-based, so where allowed (a
    superuser, as on the benchmark's throw-away cluster) the load skips them, as PostgreSQL's
    bulk-loading advice (drop the foreign keys, load, add them back) would."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cur:
        cur.execute("SELECT current_setting('is_superuser') = 'on'")
        if not cur.fetchone()[0]:
            return False
        role = "DEFAULT" if enabled else "replica"
        cur.execute(f"SET LOCAL session_replication_role = {role}")
    return True


# -- the whole ---------------------------------------------------------------------------------


def generate(
    *, size: str, seed: int = 1, code: str = "SYN", progress: Progress | None = None
) -> Generated:
    """Build the synthetic confederation `code` of `size` (see SIZES) in one transaction.

    `progress(phase, seconds, made)` is told when each phase ends, with what it made."""
    spec = SIZES[size]
    rng = random.Random(seed)
    seconds: dict[str, float] = {}
    started = time.perf_counter()

    def done(phase: str, **made: int) -> None:
        nonlocal started
        now = time.perf_counter()
        seconds[phase] = round(now - started, 2)
        started = now
        if progress:
            progress(phase, seconds[phase], made)

    with transaction.atomic():
        org = organisation_create(
            actor=None, code=code, name="Konfederasi Sintetis", kind_names=KINDS[len(spec.fanout)]
        )
        Sector.objects.bulk_create(
            Sector(organisation=org, code=c, name=info[0]) for c, info in SECTORS.items()
        )
        unchecked = _reference_triggers(enabled=False)
        leaves, parent_of, by_depth, employers = _units(rng, org, spec.fanout)
        units = sum(len(level) for level in by_depth)
        done("units", units=units, sectors=len(SECTORS), employers=employers)

        sequences = array("i")
        members = _write(
            Member, MEMBER_COLUMNS, _members(rng, org, leaves, spec.members, sequences)
        )
        numbered = _sequences(org, leaves, sequences)
        done("members", members=members, sequences=numbered)

        history = _history(org)
        done("history", status_changes=history)

        counters = _counters(org, parent_of, by_depth)
        if unchecked:
            _reference_triggers(enabled=True)
            # the replica role also silenced the trigger that collects the words of names
            # for typo-tolerant search (members migration 0005): collect them once here
            with connection.cursor() as cur:
                cur.execute(
                    "INSERT INTO members_nameword (word) SELECT DISTINCT w FROM ("
                    " SELECT unnest(string_to_array(search_name, ' ')) AS w"
                    " FROM members_member WHERE organisation_id = %s"
                    ") s WHERE length(w) >= 3 ON CONFLICT DO NOTHING",
                    [org.pk],
                )
        done("counters", counters=counters)

        if connection.vendor == "postgresql":  # fresh statistics for the planner
            with connection.cursor() as cur:
                for model in (OrgUnit, Employer, Member, StatusChange, NumberSequence, UnitCounter):
                    cur.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
            done("analyze")
    done("commit")

    return Generated(
        organisation=org,
        units=units,
        members=members,
        leaves=[(leaf.id, leaf.path, leaf.code) for leaf in leaves],
        employers=employers,
        history=history,
        counters=counters,
        sequences=numbered,
        seconds=seconds,
    )
