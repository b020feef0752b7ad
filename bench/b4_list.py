"""B4: the member list page, 50 rows, filtered, scoped to a regional user.

Builds the synthetic confederation of the chosen size (himpun.demo.synthetic) in the database
of HIMPUN_DATABASE_URL, gives a user the Sekretaris role at a level-2 unit (a Wilayah), and
requests /anggota/ through Django's test client exactly as the browser does: the full page
for a first visit, and the #results partial (HX-Request, HX-Target: results) that htmx fetches
when a filter changes or a page link is followed. Filters: status aktif with gender,
employment status, a surname search, a first-name search, a unit subtree, sorting and deeper
pages. Times the server side of each request (middleware, queries, template) and counts its
queries, which must not depend on the data size: the count per kind of request is compared
with the latest run at size S (the baseline), as is p95.

    scripts/with-postgres.sh .venv/bin/python bench/b4_list.py --size M [--explain]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

from b3_search import database_ensure, percentile

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himpun.settings")

GOAL_P95_MS = 150  # at L
RESULTS = Path(__file__).parent / "results"


def baseline(vendor: str) -> dict | None:
    """The latest B4 result at size S on the same database."""
    runs = sorted(RESULTS.glob(f"b4-S-{vendor}-*.json"))
    return json.loads(runs[-1].read_text()) if runs else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="S")
    parser.add_argument("--requests", type=int, default=120)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest")
    parser.add_argument("--code", help="use this generated organisation if it exists (e.g. B6's)")
    args = parser.parse_args()

    database_ensure()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from himpun.accounts.models import Role, RoleAssignment, User
    from himpun.accounts.services import roles_sync
    from himpun.demo.synthetic import generate
    from himpun.members.models import Member
    from himpun.structure.models import OrgUnit

    if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    org = OrgUnit.objects.filter(parent__isnull=True, code=args.code).first() if args.code else None
    generate_s = None
    if org is None:
        started = time.perf_counter()
        code = args.code or f"B4{args.size}{time.strftime('%H%M%S')}"
        org = generate(size=args.size, seed=args.seed, code=code).organisation
        generate_s = round(time.perf_counter() - started, 1)
    members = Member.objects.filter(organisation=org).count()
    units = OrgUnit.objects.filter(organisation=org).count()

    roles_sync()
    region = OrgUnit.objects.filter(organisation=org, depth=2).order_by("path")[0]
    below = list(
        OrgUnit.objects.filter(organisation=org, depth=3, path__startswith=region.path).values_list(
            "code", flat=True
        )
    )
    user, _ = User.objects.get_or_create(username=f"b4-{args.size}-{org.code}")
    RoleAssignment.objects.get_or_create(
        user=user, role=Role.objects.get(name="Sekretaris"), unit=region
    )
    in_region = Member.objects.filter(
        unit__path__gte=region.path, unit__path__lt=f"{int(region.path) + 1:0{len(region.path)}d}"
    )
    in_scope = in_region.count()
    sample = [
        (n,)
        for (n,) in in_region.filter(status="aktif").order_by("id").values_list("full_name")[:500]
        if len(n.split()[0]) >= 4 and len(n.split()[-1]) >= 4
    ]

    rng = random.Random(args.seed)
    partial = {"HX-Request": "true", "HX-Target": "results"}

    def request(i: int) -> tuple[str, dict, dict]:
        # words of 4 letters or more: the search then always adds its typo-tolerant lookup,
        # so a kind of request always makes the same queries
        name = [w for w in sample[rng.randrange(len(sample))][0].split() if len(w) >= 4]
        kinds = [
            ("status", {"status": "aktif"}),
            ("status+gender", {"status": "aktif", "gender": rng.choice("LP")}),
            ("status+employment", {"status": "aktif", "employment_status": "pkwt"}),
            ("status+surname", {"status": "aktif", "q": name[-1]}),
            ("status+first_name", {"status": "aktif", "q": name[0]}),
            ("status+unit", {"status": "aktif", "within": rng.choice(below)}),
            ("status+sort", {"status": "aktif", "sort": rng.choice(["-number", "unit"])}),
            ("status+page", {"status": "aktif", "page": rng.randrange(2, 6)}),
        ]
        kind, params = kinds[i % len(kinds)]
        headers = partial if (i // len(kinds)) % 4 else {}  # 3 partials for each full page
        return ("partial " if headers else "page ") + kind, {"per_page": 50, **params}, headers

    client = Client()
    client.force_login(user)

    def run(params: dict, headers: dict) -> tuple[float, int, int, list[dict]]:
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            response = client.get("/anggota/", params, headers=headers)
            ms = (time.perf_counter() - t) * 1000
        assert response.status_code == 200, response.status_code
        rows = len(re.findall(rb"<tr[ >]", response.content)) - 1  # less the header row
        return ms, len(ctx.captured_queries), rows, ctx.captured_queries

    for i in range(16):  # warm the caches and the connection
        _kind, params, headers = request(i)
        run(params, headers)
    timings: dict[str, list[float]] = {}
    queries: dict[str, set[int]] = {}
    rows_seen: dict[str, list[int]] = {}
    slowest: tuple[float, str, list[dict]] = (0.0, "", [])
    for i in range(args.requests):
        kind, params, headers = request(i)
        ms, n, rows, captured = run(params, headers)
        timings.setdefault(kind, []).append(ms)
        queries.setdefault(kind, set()).add(n)
        rows_seen.setdefault(kind, []).append(rows)
        if ms > slowest[0]:
            slowest = (ms, kind, captured)
    everything = [t for ts in timings.values() for t in ts]
    query_counts = {k: sorted(v) for k, v in sorted(queries.items())}
    flat = all(len(v) == 1 for v in query_counts.values())

    base = baseline(connection.vendor) if args.size != "S" else None
    same_as_s = None
    if base:
        same_as_s = {k: v for k, v in base["queries_per_request"].items() if k in query_counts}
        same_as_s = same_as_s == {k: v for k, v in query_counts.items() if k in same_as_s}

    result = {
        "benchmark": "B4",
        "size": args.size,
        "database": connection.vendor,
        "members": members,
        "units": units,
        "scope": f"region {region.code}",
        "members_in_scope": in_scope,
        "generate_s": generate_s,
        "requests": len(everything),
        "per_page": 50,
        "p50_ms": round(statistics.median(everything), 1),
        "p95_ms": round(percentile(everything, 95), 1),
        "by_kind_p95_ms": {k: round(percentile(v, 95), 1) for k, v in sorted(timings.items())},
        "rows_per_request": {k: round(statistics.mean(v), 1) for k, v in sorted(rows_seen.items())},
        "queries_per_request": query_counts,
        "queries_flat_within_run": flat,
        "queries_same_as_S": same_as_s,
        "baseline_S_p95_ms": base["p95_ms"] if base else None,
        "ratio_p95_to_S": round(percentile(everything, 95) / base["p95_ms"], 2) if base else None,
        "goal_p95_ms": GOAL_P95_MS,
    }
    print(f"B4 member list · {args.size} · {connection.vendor} · {members:,} members")
    print(f"  scope {region.code}: {in_scope:,} members; 50 rows a page")
    print(f"{'kind':<28}{'p95 ms':>9}{'queries':>9}{'rows':>7}")
    for k, v in result["by_kind_p95_ms"].items():
        q = ",".join(map(str, query_counts[k]))
        print(f"{k:<28}{v:>9}{q:>9}{result['rows_per_request'][k]:>7}")
    print(f"{'all p50':<28}{result['p50_ms']:>9}")
    print(f"{'all p95':<28}{result['p95_ms']:>9}   goal ≤ {GOAL_P95_MS} at L")
    if base:
        print(
            f"{'S p95 (baseline)':<28}{base['p95_ms']:>9}   ratio {result['ratio_p95_to_S']}, "
            f"query counts {'the same' if same_as_s else 'DIFFERENT'} as at S"
        )
    print(f"query count flat within the run: {'yes' if flat else 'NO'}")

    if args.explain and connection.vendor == "postgresql":
        ms, kind, captured = slowest
        worst = max(captured, key=lambda q: float(q["time"]))
        print(f"\nslowest request: {kind} {ms:.1f} ms; its slowest query ({worst['time']} s):")
        print(worst["sql"][:2000])
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + worst["sql"])
            plan = "\n".join(r[0] for r in cur.fetchall())
        print(plan)
        result["slowest"] = {"kind": kind, "ms": round(ms, 1), "sql": worst["sql"], "plan": plan}

    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"b4-{args.size}-{connection.vendor}-{stamp}.json").write_text(
        json.dumps(result, indent=2)
    )
    if not flat or same_as_s is False:
        sys.exit(1)


if __name__ == "__main__":
    sys.exit(main())
