"""B5: a month of payroll check-off for N members, then arrears for the whole organisation.

In one run, on the database in HIMPUN_DATABASE_URL (created if missing):
1. builds a synthetic confederation of --members members (himpun.demo.synthetic, with the
   unit fan-out of the nearest standard size), a fixed dues policy of Rp 50.000, a split
   between four levels at its top, and every member's dues account paid up to last month;
2. writes the check-off file (No Anggota;NIK;Nama;Potongan Iuran) for every active member;
3. (a) imports it as `iuran` into the organisation's top unit with `himpun import iuran FILE
   --unit ORG --month …` in a child process (the seconds include its start-up), and
   checks the books: ledger_check() is empty and the dues income of all units together
   equals the sum of the payments, to the rupiah;
4. (b) recomputes arrears for the whole organisation (services.arrears_recompute).
Prints a table and writes JSON to bench/results/. Goals (BENCHMARKS.md): 1M check-off
≤ 60 s; arrears for 5M ≤ 120 s.

    scripts/with-postgres.sh .venv/bin/python bench/b5_dues.py --members 100000
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himpun.settings")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from b1_import import run_import  # noqa: E402
from b3_search import database_ensure  # noqa: E402

GOAL_CHECKOFF_S = 60  # 1M members
GOAL_ARREARS_S = 120  # 5M members
MONTH = datetime.date(2026, 10, 1)
DUES = 50_000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument(
        "--arrears-only",
        action="store_true",
        help="only (b): arrears for the whole organisation (for L, where a check-off file "
        "of 4 million rows would take most of an hour)",
    )
    args = parser.parse_args()

    database_ensure()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Sum

    from himpun.accounts.models import User
    from himpun.demo.synthetic import KINDS, SIZES, Size, generate
    from himpun.dues.choices import Account, Basis, Method
    from himpun.dues.models import (
        CheckoffBatch,
        DuesPolicy,
        Payment,
        Posting,
        SplitRule,
        SplitShare,
    )
    from himpun.dues.services import arrears_recompute, ledger_check
    from himpun.imports.models import ImportJob
    from himpun.members.models import Member
    from himpun.structure.models import LevelKind

    call_command("migrate", verbosity=0)
    user = User.objects.filter(is_superuser=True).order_by("pk").first()
    if user is None:
        user = User.objects.create_superuser("bench", password=None)

    # -- 1. the organisation ------------------------------------------------------------------
    nearest = min(SIZES.values(), key=lambda s: abs(s.members - args.members))
    SIZES["B5"] = Size(args.members, nearest.fanout)
    code = f"B5{time.strftime('%H%M%S')}"
    t = time.perf_counter()
    data = generate(size="B5", seed=args.seed, code=code)
    generate_s = time.perf_counter() - t
    org = data.organisation
    DuesPolicy.objects.create(
        unit=org, effective_from=datetime.date(2020, 1, 1), basis=Basis.FIXED, amount=DUES
    )
    rule = SplitRule.objects.create(unit=org, effective_from=datetime.date(2020, 1, 1))
    kinds = {k.name: k for k in LevelKind.objects.filter(organisation=org)}
    names = KINDS[len(nearest.fanout)]
    # PUK 50%, the level above 25%, the federation 15%, the confederation 10% (ratios of
    # AD/ART in use; a share that does not divide leaves rupiah to the largest remainders)
    for kind, bp in zip(
        [kinds[n] for n in (names[-1], names[-2], names[1], names[0])],
        (5000, 2500, 1500, 1000),
        strict=True,
    ):
        SplitShare.objects.create(rule=rule, level=kind, share_bp=bp)

    # The steady state of a union whose members pay every month: every member has a dues
    # account, paid up to the month before (a first month instead would create a million
    # accounts owing years and make them nonaktif; that is the arrears run's job, not B5's).
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO dues_memberdues (member_id, owed_from, unpaid_from, "
            "inactive_for_arrears) SELECT id, %s, %s, FALSE FROM members_member "
            "WHERE organisation_id = %s",
            [MONTH, MONTH, org.pk],
        )

    # A union's database is in its steady state when the month's file arrives: autovacuum
    # has long since visited the members loaded years ago. Straight after a bulk load it
    # has not, and the import would pay for the load's first-touch work (hint bits, the
    # statistics of a million new rows) while autovacuum runs alongside.
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")

    if args.arrears_only:
        return arrears_only(org, user, data, generate_s)

    # -- 2. the file --------------------------------------------------------------------------
    tmp = Path(tempfile.mkdtemp(prefix="himpun-b5-"))
    path = tmp / "potongan.csv"
    t = time.perf_counter()
    rows = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write("No Anggota;NIK;Nama;Potongan Iuran\n")
        active = (
            Member.objects.filter(organisation=org, status="aktif")
            .order_by("unit_id", "pk")
            .values_list("number", "nik", "full_name")
        )
        for number, nik, name in active.iterator(chunk_size=10_000):
            fh.write(f"{number};{nik or ''};{name};Rp 50.000\n")
            rows += 1
    write_s = time.perf_counter() - t

    # -- 3. (a) the check-off import ------------------------------------------------------------
    # in a child process, as the worker or the command line runs it (this process holds the
    # generator's millions of objects, which would slow its garbage collector)
    options = ("--month", f"{MONTH:%Y-%m}", "--total", str(rows * DUES), "--batch", str(args.batch))
    tracked = statements_reset()
    checkoff_s, peak_mb, summary = run_import(path, org.code, kind="iuran", options=options)
    database_time = statements_top() if tracked else []
    job = ImportJob.objects.filter(kind="iuran", unit=org).latest("pk")
    batch = CheckoffBatch.objects.get(job=job)
    problems = ledger_check()
    payments = Payment.objects.filter(unit__organisation=org, method=Method.CHECKOFF)
    paid = payments.aggregate(s=Sum("amount"))["s"] or 0
    income = -(
        Posting.objects.filter(entry__organisation=org, account=Account.DUES_INCOME).aggregate(
            s=Sum("amount")
        )["s"]
        or 0
    )
    entries = batch.entries.count()

    # the same file again posts nothing
    reimport_s, _mb, _summary = run_import(path, org.code, kind="iuran", options=options)
    again = ImportJob.objects.filter(kind="iuran", unit=org).latest("pk")

    # -- 4. (b) arrears for the whole organisation -----------------------------------------------
    t = time.perf_counter()
    arrears = arrears_recompute(actor=user, organisation=org)
    arrears_s = time.perf_counter() - t
    arrears["owing"] = owing_count(org)

    result = {
        "benchmark": "B5",
        "database": connection.vendor,
        "members": data.members,
        "units": data.units,
        "generate_s": round(generate_s, 1),
        "file_rows": rows,
        "file_write_s": round(write_s, 1),
        "checkoff": {
            "seconds": round(checkoff_s, 1),
            "rows_per_s": round(rows / checkoff_s),
            "peak_rss_mb": round(peak_mb),
            "summary": summary,
            "posted": batch.posted,
            "posted_total": batch.posted_total,
            "queued": batch.queued,
            "failed": job.failed,
            "entries": entries,
            "message": job.message,
            "ledger_problems": problems,
            "payments_total": paid,
            "dues_income_total": income,
            "balances": not problems and paid == income == batch.posted_total,
            "goal_s_for_1M": GOAL_CHECKOFF_S,
        },
        "reimport": {
            "seconds": round(reimport_s, 1),
            "created": again.created,
            "unchanged": again.unchanged,
            "posts_nothing": again.created == 0,
        },
        "arrears": {"seconds": round(arrears_s, 1), **arrears, "goal_s_for_5M": GOAL_ARREARS_S},
    }
    result["checkoff"]["statements"] = database_time
    c = result["checkoff"]
    print(f"B5 dues · {connection.vendor} · {data.members:,} members, {data.units:,} units")
    print(f"{'step':<28}{'s':>8}{'rows/s':>10}  notes")
    print(
        f"{'check-off import':<28}{c['seconds']:>8}{c['rows_per_s']:>10,}  "
        f"{c['posted']:,} posted in {entries:,} entries, {c['queued']:,} queued, "
        f"{c['failed']:,} failed; ledger "
        + ("balances to the rupiah" if c["balances"] else f"DOES NOT BALANCE {problems}")
    )
    print(
        f"{'same file again':<28}{result['reimport']['seconds']:>8}{'':>10}  "
        + ("posts nothing" if result["reimport"]["posts_nothing"] else "POSTED AGAIN")
    )
    print(
        f"{'arrears, whole organisation':<28}{arrears_s:>8.1f}{'':>10}  "
        f"{arrears['owing']:,} owing, {arrears['inactivated']:,} made nonaktif"
    )
    if database_time:
        print("check-off, the database's own time (pg_stat_statements):")
        for r in database_time:
            print(f"  {r['seconds']:8.1f} s  {r['calls']:>6}×  {r['sql']}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"b5-{args.members}-{connection.vendor}-{stamp}.json").write_text(
        json.dumps(result, indent=2)
    )


def statements_reset() -> bool:
    """Empty pg_stat_statements when the server tracks statements (shared_preload_libraries
    = pg_stat_statements); False when it does not."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return False
    try:
        with connection.cursor() as cur:
            cur.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            cur.execute("SELECT pg_stat_statements_reset()")
    except Exception:  # not loaded on this server: the figures are optional
        return False
    return True


def owing_count(org) -> int:
    """Members who owe at least a month today (after the run, not timed: the run itself no
    longer counts them, months owed follow from each account's first unpaid month)."""
    from django.db.models import Q
    from django.utils import timezone

    from himpun.dues.models import MemberDues

    return MemberDues.objects.filter(
        Q(member__status="aktif") | Q(member__status="nonaktif"),
        member__organisation=org,
        member__archived_at__isnull=True,
        unpaid_from__lt=timezone.localdate().replace(day=1),
    ).count()


def statements_top(n: int = 12) -> list[dict]:
    """The statements that took the most time since the reset, COMMIT (deferred key
    checks) and COPY included."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 90), calls, "
            "round((total_exec_time / 1000)::numeric, 2) FROM pg_stat_statements "
            "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "ORDER BY total_exec_time DESC LIMIT %s",
            [n],
        )
        return [{"sql": q, "calls": c, "seconds": float(t)} for q, c, t in cur.fetchall()]


def arrears_only(org, user, data, generate_s: float) -> None:
    """Arrears for the whole organisation, one member in ten having missed the last three
    months (so the run also makes members nonaktif, with history and counters)."""
    from django.db import connection

    from himpun.dues.services import arrears_recompute

    with connection.cursor() as cur:
        # owing since three months before MONTH for every tenth member
        cur.execute(
            "UPDATE dues_memberdues SET owed_from = %s, unpaid_from = %s WHERE member_id IN "
            "(SELECT id FROM members_member WHERE organisation_id = %s AND id %% 10 = 0)",
            [datetime.date(MONTH.year, MONTH.month - 3, 1)] * 2 + [org.pk],
        )
    spent: dict[str, list[float]] = {}

    def timed(execute, sql, params, many, context):  # where the run's time goes, per statement
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            slot = spent.setdefault(" ".join(sql.split())[:90], [0, 0.0])
            slot[0] += 1
            slot[1] += time.perf_counter() - started

    t = time.perf_counter()
    with connection.execute_wrapper(timed):
        counts = arrears_recompute(actor=user, organisation=org)
    seconds = time.perf_counter() - t
    counts["owing"] = owing_count(org)
    statements = sorted(spent.items(), key=lambda kv: -kv[1][1])[:8]
    result = {
        "benchmark": "B5",
        "part": "arrears",
        "database": connection.vendor,
        "members": data.members,
        "units": data.units,
        "generate_s": round(generate_s, 1),
        "arrears": {"seconds": round(seconds, 1), **counts, "goal_s_for_5M": GOAL_ARREARS_S},
        "statements": [{"sql": k, "n": n, "seconds": round(t, 2)} for k, (n, t) in statements],
    }
    print(f"B5 arrears · {connection.vendor} · {data.members:,} members, {data.units:,} units")
    print(
        f"arrears, whole organisation {seconds:8.1f} s  {counts['owing']:,} owing, "
        f"{counts['inactivated']:,} made nonaktif"
    )
    for k, (n, t) in statements:
        print(f"  {t:8.1f} s  {n:>3}×  {k}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"b5-arrears-{data.members}-{connection.vendor}-{stamp}.json").write_text(
        json.dumps(result, indent=2)
    )


if __name__ == "__main__":
    main()
