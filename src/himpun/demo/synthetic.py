"""A synthetic confederation for benchmarks (../BENCHMARKS.md sizes S, M, L).

Units are created level by level in bulk; members are streamed to PostgreSQL with COPY
(SQLite: batched inserts), never held in memory as a whole. Unit counters are rebuilt once at
the end. Reproducible with a seed. Every person is made up.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from himpun.core.scoping import segment
from himpun.demo.dupset import FAMILY, FIRST_M, FIRST_W, MIDDLE
from himpun.members.models import Member
from himpun.members.validation import name_key, search_name
from himpun.structure.models import OrgUnit
from himpun.structure.services import unit_create


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


@dataclass
class Generated:
    organisation: OrgUnit
    units: int
    members: int
    leaves: list[tuple[int, str, str]]  # (id, path, code)


def _units(org: OrgUnit, fanout: tuple[int, ...]) -> list[tuple[int, str, str]]:
    now = timezone.now()
    level = [(org.pk, org.path, org.code)]
    for depth, n in enumerate(fanout, start=1):
        rows = []
        for parent_id, parent_path, parent_code in level:
            for i in range(n):
                code = f"{parent_code}.{i + 1}" if depth > 1 else f"F{i + 1}"
                rows.append(
                    OrgUnit(
                        organisation_id=org.pk,
                        parent_id=parent_id,
                        code=code[:30],
                        name=f"Unit {code}",
                        path=f"tmp-{parent_path}-{i}",
                        depth=depth,
                        created_at=now,
                        updated_at=now,
                    )
                )
        created: list[OrgUnit] = []
        for i in range(0, len(rows), 5000):
            created += OrgUnit.objects.bulk_create(rows[i : i + 5000])
        if any(u.pk is None for u in created):
            by_path = dict(
                OrgUnit.objects.filter(path__startswith="tmp-").values_list("path", "pk")
            )
            for u in created:
                u.pk = by_path[u.path]
        parents = {pid: ppath for pid, ppath, _c in level}
        for u in created:
            u.path = parents[u.parent_id] + segment(u.pk)
        for i in range(0, len(created), 5000):
            OrgUnit.objects.bulk_update(created[i : i + 5000], ["path"])
        level = [(u.pk, u.path, u.code) for u in created]
    return level


def _people(rng: random.Random, n: int, leaves: list[tuple[int, str, str]], org_id: int):
    today = datetime.date(2026, 11, 1)
    per_leaf = max(1, n // len(leaves))
    for i in range(n):
        unit_id, _path, code = leaves[min(i // per_leaf, len(leaves) - 1)]
        female = rng.random() < 0.45
        words = [rng.choice(FIRST_W if female else FIRST_M)]
        if rng.random() < 0.35:
            words.append(rng.choice(MIDDLE))
        words.append(rng.choice(FAMILY))
        name = " ".join(words)
        born = datetime.date(1965, 1, 1) + datetime.timedelta(days=rng.randrange(0, 14600))
        day = born.day + (40 if female else 0)
        roll = rng.random()
        status = "aktif" if roll < 0.85 else "nonaktif" if roll < 0.93 else "keluar"
        yield (
            org_id,
            unit_id,
            f"{code[:40]}-{i + 1:07d}",
            name,
            search_name(name),
            name_key(name),
            "P" if female else "L",
            born,
            f"3275{rng.randrange(10, 99)}{day:02d}{born.month:02d}{born.year % 100:02d}"
            f"{rng.randrange(1, 9999):04d}"
            if rng.random() < 0.7
            else "",
            f"+628{rng.randrange(11, 99)}{rng.randrange(10_000_000, 99_999_999)}",
            status,
            today,
            today - datetime.timedelta(days=rng.randrange(0, 3650)),
        )


COLUMNS = (
    "organisation_id",
    "unit_id",
    "number",
    "full_name",
    "search_name",
    "search_key",
    "gender",
    "birth_date",
    "nik",
    "phone",
    "status",
    "status_since",
    "joined_on",
)


def _copy_rows(rows: Iterator[tuple]) -> int:
    """COPY members in (PostgreSQL); columns not named take their database defaults."""
    now = timezone.now()
    fixed = {
        "created_at": now,
        "updated_at": now,
        "version": 1,
        "birth_place": "",
        "email": "",
        "region_code": "",
        "address": "",
        "department": "",
        "shift": "",
        "job_title": "",
        "employment_status": "",
        "recruitment_channel": "",
        "consent_text": "",
        "consent_method": "",
        "photo": "",
    }
    columns = [*COLUMNS, *fixed]
    count = 0
    with connection.cursor() as cur:
        sql = f"COPY members_member ({', '.join(columns)}) FROM STDIN"
        with cur.connection.cursor().copy(sql) as copy:
            for row in rows:
                copy.write_row((*row, *fixed.values()))
                count += 1
    return count


def _insert_rows(rows: Iterator[tuple]) -> int:
    now = timezone.now()
    batch: list[Member] = []
    count = 0
    for row in rows:
        m = Member(**dict(zip(COLUMNS, row, strict=True)), created_at=now, updated_at=now)
        batch.append(m)
        if len(batch) == 5000:
            Member.objects.bulk_create(batch)
            count += len(batch)
            batch = []
    Member.objects.bulk_create(batch)
    return count + len(batch)


def generate(*, size: str, seed: int = 1, code: str = "SYN") -> Generated:
    spec = SIZES[size]
    rng = random.Random(seed)
    with transaction.atomic():
        org = unit_create(
            actor=None, parent=None, kind=None, code=code, name="Konfederasi Sintetis"
        )
        leaves = _units(org, spec.fanout)
        rows = _people(rng, spec.members, leaves, org.pk)
        n = _copy_rows(rows) if connection.vendor == "postgresql" else _insert_rows(rows)
    units = OrgUnit.objects.filter(organisation=org).count() + 1
    return Generated(org, units, n, leaves)
