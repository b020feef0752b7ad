"""B6: generate the synthetic confederation (`himpun generate`), timed per phase.

Builds the confederation of the chosen size (see himpun.demo.synthetic) in the database of
HIMPUN_DATABASE_URL (created when missing), checks what it made — members, units, status
history, number sequences and the unit counters against a GROUP BY recount — and optionally
writes the messy member file too. Prints a table and writes JSON to bench/results/.

    scripts/with-postgres.sh .venv/bin/python bench/b6_generate.py --size M
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from b3_search import database_ensure

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himpun.settings")

GOAL_S = 900  # size L


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="S")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--messy-rows", type=int, default=0, help="also write a messy file")
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--code", help="organisation code (default: B6<size><time>)")
    args = parser.parse_args()

    database_ensure()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count, Exists, OuterRef, Sum

    from himpun.demo.messy import messy_file
    from himpun.demo.synthetic import SIZES, generate
    from himpun.members.models import Member, NumberSequence, StatusChange
    from himpun.members.services import COUNTED
    from himpun.structure.models import Employer, OrgUnit, UnitCounter
    from himpun.structure.services import MEMBERS

    call_command("migrate", verbosity=0)
    code = args.code or f"B6{args.size}{time.strftime('%H%M%S')}"

    def progress(phase: str, seconds: float, made: dict[str, int]) -> None:
        what = ", ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in made.items())
        print(f"  {phase:<9} {seconds:7.1f} s  {what}", file=sys.stderr, flush=True)

    started = time.perf_counter()
    data = generate(size=args.size, seed=args.seed, code=code, progress=progress)
    total_s = time.perf_counter() - started
    org = data.organisation

    # -- checks ------------------------------------------------------------------------------
    members = Member.objects.filter(organisation=org)
    by_status = dict(members.values_list("status").annotate(n=Count("id")).order_by())
    counted = sum(n for s, n in by_status.items() if s in COUNTED)
    later = sum(n for s, n in by_status.items() if s not in ("aktif", "calon"))
    direct = {
        (unit_id, f"status.{status}"): n
        for unit_id, status, n in members.values_list("unit_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    }
    stored = {
        (unit_id, key): d
        for unit_id, key, d in UnitCounter.objects.filter(
            unit__organisation=org, key__startswith="status."
        ).values_list("unit_id", "key", "direct")
        if d
    }
    root = dict(UnitCounter.objects.filter(unit=org).values_list("key", "total"))
    numbered = members.exclude(number="").count()
    sequence_sum = (
        NumberSequence.objects.filter(organisation=org).aggregate(s=Sum("last"))["s"] or 0
    )

    def missing(qs, model, field):  # rows whose `field` points to no `model` row
        return qs.filter(~Exists(model._base_manager.filter(pk=OuterRef(field)))).count()

    # The load may skip PostgreSQL's per-row foreign-key checks (see synthetic.py): check
    # every reference it wrote, set-based.
    orphans = (
        missing(members, OrgUnit, "unit_id")
        + missing(members.exclude(employer=None), Employer, "employer_id")
        + missing(OrgUnit.objects.filter(organisation=org), OrgUnit, "parent_id")
        - 1  # the top has no parent
        + missing(
            OrgUnit.objects.filter(organisation=org).exclude(employer=None), Employer, "employer_id"
        )
        + missing(Employer.objects.all(), OrgUnit, "unit_id")
        + missing(StatusChange.objects.all(), Member, "member_id")
        + missing(UnitCounter.objects.all(), OrgUnit, "unit_id")
    )
    checks = {
        "members": sum(by_status.values()) == SIZES[args.size].members == data.members,
        "units": OrgUnit.objects.filter(organisation=org).count() == data.units,
        "history": StatusChange.objects.filter(member__organisation=org).count()
        == data.members + later
        == data.history,
        "counters_root": root.get(MEMBERS) == counted,
        "counters_direct": direct == stored,
        "sequences": sequence_sum == numbered,  # gapless from 1 in every prefix
        "references": orphans == 0,
    }

    messy: dict = {}
    if args.messy_rows:
        path = Path(tempfile.mkdtemp()) / f"anggota.{args.format}"
        t = time.perf_counter()
        counts = messy_file(
            path,
            rows=args.messy_rows,
            seed=args.seed,
            organisation=org,
            fmt=args.format,
            against_db=args.messy_rows // 40,
        )
        seconds = time.perf_counter() - t
        messy = {
            **counts,
            "format": args.format,
            "seconds": round(seconds, 2),
            "rows_per_s": round(args.messy_rows / seconds),
            "bytes": path.stat().st_size,
        }
        path.unlink()

    result = {
        "benchmark": "B6",
        "size": args.size,
        "database": connection.vendor,
        "seed": args.seed,
        "members": data.members,
        "units": data.units,
        "employers": data.employers,
        "status_changes": data.history,
        "number_sequences": data.sequences,
        "unit_counters": data.counters,
        "seconds": data.seconds,
        "total_s": round(total_s, 1),
        "members_per_s": round(data.members / total_s),
        "rows_per_s": round(
            (data.members + data.history + data.counters + data.sequences + data.units) / total_s
        ),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "checks": checks,
        "messy": messy or None,
        "goal_s": GOAL_S,
        "goal_size": "L",
    }
    print(f"B6 generate · {args.size} · {connection.vendor} · {data.members:,} members")
    print(f"{'phase':<12}{'seconds':>10}")
    for phase, s in data.seconds.items():
        print(f"{phase:<12}{s:>10.1f}")
    print(f"{'total':<12}{total_s:>10.1f}   goal ≤ {GOAL_S} at L")
    print(f"{'members/s':<12}{result['members_per_s']:>10,}")
    print(f"{'peak RSS MB':<12}{result['peak_rss_mb']:>10,}")
    if messy:
        print(f"{'messy file':<12}{messy['seconds']:>10.1f}   {messy['rows_per_s']:,} rows/s")
    print("checks: " + ", ".join(f"{k} {'ok' if v else 'FAILED'}" for k, v in checks.items()))
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"b6-{args.size}-{connection.vendor}-{stamp}.json").write_text(
        json.dumps(result, indent=2)
    )
    if not all(checks.values()):
        sys.exit(1)


if __name__ == "__main__":
    sys.exit(main())
