"""B3: typeahead search by name, phone, NIK and card number, scoped to a regional user.

Builds the synthetic confederation of the chosen size (see himpun.demo.synthetic) in a fresh
database, then times the member search as the list page runs it (scoped, first 20 rows) for a
mix of realistic queries, against the same filter forced to a sequential scan (the baseline,
on a sample of the queries). Prints a table and writes JSON to bench/results/.

    scripts/with-postgres.sh .venv/bin/python bench/b3_search.py --size M
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himpun.settings")


def database_ensure() -> None:
    """Create the database named in HIMPUN_DATABASE_URL when it does not exist yet."""
    url = os.environ.get("HIMPUN_DATABASE_URL")
    if not url:
        return
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    with psycopg.connect(
        dbname="postgres",
        user=cfg["USER"],
        host=cfg["HOST"],
        port=cfg["PORT"],
        password=cfg["PASSWORD"] or None,
        autocommit=True,
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]])
        if not exists.fetchone():
            conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="S")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--baseline", type=int, default=30)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument(
        "--reuse", action="store_true", help="measure a confederation built by an earlier run"
    )
    args = parser.parse_args()

    database_ensure()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from himpun.accounts.models import Role, RoleAssignment, User
    from himpun.accounts.services import roles_sync
    from himpun.demo.synthetic import SIZES, Generated, generate
    from himpun.members.models import Member
    from himpun.members.screens import member_list_order, members_in_scope_are_few
    from himpun.members.search import member_search
    from himpun.structure.models import OrgUnit

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    code = f"B3{args.size}"
    existing = OrgUnit.objects.filter(code=code, parent__isnull=True).first()
    if args.reuse and existing:
        leaves: list = []
        units = OrgUnit.objects.filter(organisation=existing).count() + 1
        members = Member.objects.filter(organisation=existing).count()
        data = Generated(existing, units, members, leaves)
    else:
        data = generate(size=args.size, seed=args.seed, code=code)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    generate_s = time.perf_counter() - started

    roles_sync()
    region = OrgUnit.objects.filter(organisation=data.organisation, depth=2).order_by("path")[0]
    user, _ = User.objects.get_or_create(username=f"b3-{args.size}")
    RoleAssignment.objects.get_or_create(
        user=user, role=Role.objects.get(name="Sekretaris"), unit=region
    )

    rng = random.Random(args.seed)
    in_region = Member.objects.filter(
        unit__path__gte=region.path, unit__path__lt=f"{int(region.path) + 1:0{len(region.path)}d}"
    )
    sample = list(
        in_region.order_by("?" if connection.vendor == "sqlite" else "pk").values_list(
            "full_name", "phone", "nik", "number"
        )[:5000]
    )
    rng.shuffle(sample)

    def typo(word: str) -> str:
        i = rng.randrange(1, len(word) - 1)
        return word[:i] + word[i + 1 :]

    queries: list[tuple[str, str]] = []
    for i in range(args.queries):
        name, phone, nik, number = sample[i % len(sample)]
        words = name.split()
        kind = ["name", "name_prefix", "name_typo", "phone", "phone_prefix", "nik", "number"][i % 7]
        if kind == "nik" and not nik:
            kind = "number"
        q = {
            "name": f"{words[0]} {words[-1]}",
            "name_prefix": words[-1][:4],
            "name_typo": f"{words[0]} {typo(words[-1])}",
            "phone": "0" + phone[3:6] + "-" + phone[6:10] + "-" + phone[10:],
            "phone_prefix": "0" + phone[3:10],
            "nik": nik,
            "number": number,
        }[kind]
        queries.append((kind, q))

    def run(q: str) -> tuple[float, int]:
        scoped = member_list_order(
            Member.objects.restrict(user), few=members_in_scope_are_few(user)
        )
        qs = member_search(scoped, q).select_related("unit")[:20]
        t = time.perf_counter()
        rows = list(qs)
        return (time.perf_counter() - t) * 1000, len(rows)

    for _kind, q in queries[:20]:  # warm the cache
        run(q)
    timings: dict[str, list[float]] = {}
    empty = 0
    for kind, q in queries:
        ms, n = run(q)
        timings.setdefault(kind, []).append(ms)
        empty += n == 0
    everything = [t for ts in timings.values() for t in ts]

    baseline: list[float] = []
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET enable_indexscan = off")
            cur.execute("SET enable_bitmapscan = off")
        for _kind, q in queries[: args.baseline]:
            baseline.append(run(q)[0])
        with connection.cursor() as cur:
            cur.execute("RESET enable_indexscan")
            cur.execute("RESET enable_bitmapscan")

    result = {
        "benchmark": "B3",
        "size": args.size,
        "database": connection.vendor,
        "members": data.members,
        "units": data.units,
        "scope": f"region {region.code}",
        "members_in_scope": in_region.count(),
        "generate_s": round(generate_s, 1),
        "queries": len(everything),
        "queries_without_result": empty,
        "p50_ms": round(statistics.median(everything), 2),
        "p95_ms": round(percentile(everything, 95), 2),
        "by_kind_p95_ms": {k: round(percentile(v, 95), 2) for k, v in sorted(timings.items())},
        "baseline_seqscan_p50_ms": round(statistics.median(baseline), 1) if baseline else None,
        "baseline_seqscan_p95_ms": round(percentile(baseline, 95), 1) if baseline else None,
        "goal_p95_ms": 50,
        "expected_members": SIZES[args.size].members,
    }
    print(f"B3 search · {args.size} · {connection.vendor} · {data.members:,} members")
    print(f"{'kind':<14}{'p95 ms':>10}")
    for k, v in result["by_kind_p95_ms"].items():
        print(f"{k:<14}{v:>10}")
    print(f"{'all p50':<14}{result['p50_ms']:>10}")
    print(f"{'all p95':<14}{result['p95_ms']:>10}   goal ≤ 50")
    if baseline:
        print(f"{'seqscan p95':<14}{result['baseline_seqscan_p95_ms']:>10}   (baseline)")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"b3-{args.size}-{connection.vendor}-{stamp}.json").write_text(
        json.dumps(result, indent=2)
    )


if __name__ == "__main__":
    sys.exit(main())
