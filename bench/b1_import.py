"""B1: member import — validate, normalise, dedupe, number, record the job — against baselines.

In one run, on the database in HIMPUN_DATABASE_URL (created if missing):
1. builds the synthetic confederation (size S: 300 units, 10,000 members) to import into;
2. writes the messy member file (demo.messy: mixed formats, 5% duplicates in the file and
   against the database, 1% invalid rows) with --rows rows, as CSV and/or XLSX;
3. the ceiling (PostgreSQL): raw COPY of the same CSV into an unlogged table of text columns;
4. the import, exactly as `himpun import members FILE --unit ORG` runs it, in a child process
   so its peak memory (max RSS) is its own;
5. the same file again: nothing may change (created = updated = 0);
6. baselines on a 10,000-row sample: django-import-export (a ModelResource over Member) and a
   per-row ModelForm save (the member form + member_register), each in a fresh organisation.
Prints a table and writes JSON to bench/results/.

    scripts/with-postgres.sh .venv/bin/python bench/b1_import.py --rows 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himpun.settings")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from b3_search import database_ensure  # noqa: E402


def run_import(
    path: Path,
    unit: str,
    *,
    check: bool = False,
    kind: str = "members",
    options: tuple[str, ...] = (),
) -> tuple[float, float, str]:
    """`himpun import` in a child process: (seconds, peak RSS in MB, its summary line)."""
    cmd = [sys.executable, "-m", "himpun", "import", kind, str(path), "--unit", unit, *options]
    if check:
        cmd.append("--check")
    started = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603  our own command line
        cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)  # reaps the child: its own peak memory
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code:
        raise SystemExit(f"import failed ({code}): {out}")
    return seconds, usage.ru_maxrss / 1024, out.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--sample", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-baselines", action="store_true")
    args = parser.parse_args()

    database_ensure()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from himpun.demo.messy import messy_file
    from himpun.demo.synthetic import generate
    from himpun.imports.models import ImportJob
    from himpun.members.models import Member

    call_command("migrate", verbosity=0)
    from himpun.accounts.models import User

    if not User.objects.filter(is_superuser=True).exists():
        User.objects.create_superuser("bench", password=None)
    code = f"B1{args.seed}"
    data = generate(size="S", seed=args.seed, code=code)
    org = data.organisation
    tmp = Path(tempfile.mkdtemp(prefix="himpun-b1-"))
    result: dict = {
        "benchmark": "B1",
        "database": connection.vendor,
        "rows": args.rows,
        "members_before": data.members,
        "runs": {},
    }
    for fmt in args.formats.split(","):
        path = tmp / f"anggota.{fmt}"
        t = time.perf_counter()
        made = messy_file(
            path, rows=args.rows, seed=args.seed, organisation=org, fmt=fmt, against_db=1
        )
        write_s = time.perf_counter() - t
        run: dict = {"file_mb": round(path.stat().st_size / 2**20, 1), "write_s": round(write_s, 1)}
        run["file"] = {k: v for k, v in made.items() if isinstance(v, int)}

        if fmt == "csv" and connection.vendor == "postgresql":
            run["copy_ceiling_s"] = round(copy_ceiling(path), 2)

        before = Member.objects.count()
        last_id = Member.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        seconds, rss, line = run_import(path, code)
        job = ImportJob.objects.order_by("-pk").first()
        run.update(
            seconds=round(seconds, 1),
            rows_per_s=round(args.rows / seconds),
            peak_rss_mb=round(rss),
            created=job.created,
            updated=job.updated,
            unchanged=job.unchanged,
            failed=job.failed,
            warned=job.warned,
            members_added=Member.objects.count() - before,
            summary=line,
        )
        if "copy_ceiling_s" in run:
            run["ratio_to_copy"] = round(seconds / run["copy_ceiling_s"], 1)
        if connection.vendor == "postgresql" and run["members_added"]:
            run["write_floor_s"] = round(write_floor(org.pk, last_id), 2)
            run["ratio_to_write_floor"] = round(seconds / run["write_floor_s"], 1)
        seconds2, rss2, _line = run_import(path, code)
        again = ImportJob.objects.order_by("-pk").first()
        run["reimport"] = {
            "seconds": round(seconds2, 1),
            "peak_rss_mb": round(rss2),
            "created": again.created,
            "updated": again.updated,
            "unchanged": again.unchanged,
            "failed": again.failed,
            "changes_nothing": again.created == 0 and again.updated == 0,
        }
        result["runs"][fmt] = run
        # the next format imports the same people: start it from a fresh organisation
        data = generate(size="S", seed=args.seed, code=f"{code}{fmt[0].upper()}")
        org, code = data.organisation, data.organisation.code

    if not args.skip_baselines:
        result["baselines"] = baselines(tmp, args.sample, args.seed)
        ours = result["runs"].get("csv", next(iter(result["runs"].values())))
        for b in result["baselines"].values():
            b["himpun_speedup"] = round(ours["rows_per_s"] / b["rows_per_s"], 1)

    print(f"B1 import · {connection.vendor} · {args.rows:,} rows")
    print(
        f"{'format':<8}{'s':>8}{'rows/s':>10}{'×COPY':>7}{'RSS MB':>8}{'new':>9}{'upd':>7}"
        f"{'same':>7}{'fail':>7}  re-import"
    )
    for fmt, r in result["runs"].items():
        print(
            f"{fmt:<8}{r['seconds']:>8}{r['rows_per_s']:>10,}{r.get('ratio_to_copy', '-'):>7}"
            f"{r['peak_rss_mb']:>8}{r['created']:>9,}{r['updated']:>7,}{r['unchanged']:>7,}"
            f"{r['failed']:>7,}  "
            + ("changes nothing" if r["reimport"]["changes_nothing"] else "CHANGED")
        )
    for fmt, r in result["runs"].items():
        if "write_floor_s" in r:
            print(
                f"{fmt}: the database alone needs {r['write_floor_s']} s to store these members "
                f"(indexes, triggers, foreign keys); the import takes "
                f"{r['ratio_to_write_floor']}× that"
            )
    for name, b in result.get("baselines", {}).items():
        print(f"baseline {name:<22}{b['rows_per_s']:>10,} rows/s  (Himpun {b['himpun_speedup']}×)")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"b1-{args.rows}-{connection.vendor}-{stamp}.json").write_text(
        json.dumps(result, indent=2)
    )


def copy_ceiling(path: Path) -> float:
    """Raw COPY of the CSV into an unlogged table of text columns: the fastest the database
    can take these bytes, with no parsing, checking or indexing."""
    from django.db import connection

    with open(path, encoding="utf-8-sig") as fh:
        header = fh.readline()
    delimiter = ";" if header.count(";") > header.count(",") else ","
    n = len(header.split(delimiter))
    cols = ", ".join(f"c{i} text" for i in range(n))
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS b1_ceiling")
        cur.execute(f"CREATE UNLOGGED TABLE b1_ceiling ({cols})")
        started = time.perf_counter()
        sql = f"COPY b1_ceiling FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER '{delimiter}')"
        with cur.connection.cursor().copy(sql) as copy, open(path, "rb") as fh:
            while block := fh.read(1 << 20):
                copy.write(block)
        seconds = time.perf_counter() - started
        cur.execute("DROP TABLE b1_ceiling")
    return seconds


def write_floor(organisation_id: int, after_id: int) -> float:
    """The database's own cost of storing the imported members: the same finished rows (ids
    above `after_id`) INSERTed once more (numbers prefixed with "~", so the unique keys hold)
    into `members_member` with all its indexes and triggers, the deferred foreign-key checks
    forced, then rolled back. No import can be faster than this on this schema; the COPY
    ceiling leaves all of it out."""
    from django.db import connection, transaction

    from himpun.members.models import Member

    columns = [f.column for f in Member._meta.concrete_fields if f.column != "id"]
    select = ", ".join("'~' || number" if c == "number" else c for c in columns)
    with connection.cursor() as cur, transaction.atomic():
        started = time.perf_counter()
        cur.execute(
            f"INSERT INTO members_member ({', '.join(columns)}) "  # noqa: S608  our columns
            f"SELECT {select} FROM members_member WHERE organisation_id = %s AND id > %s",
            [organisation_id, after_id],
        )
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the commit's foreign-key checks
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def baselines(tmp: Path, n: int, seed: int) -> dict:
    """What a Django developer would write: django-import-export, and a form saved per row."""
    import csv

    from django.db import transaction

    from himpun.accounts.models import User
    from himpun.demo.messy import messy_file
    from himpun.demo.synthetic import generate
    from himpun.members.forms import MemberForm
    from himpun.members.services import member_register

    user = User.objects.filter(is_superuser=True).first()
    results = {}

    # 1. a per-row ModelForm save (the member form, then the registering service)
    data = generate(size="XS", seed=seed, code=f"B1F{seed}")
    path = tmp / "sample-form.csv"
    messy_file(path, rows=n, seed=seed, organisation=data.organisation, fmt="csv")
    leaves = {code: pk for pk, _p, code in data.leaves}
    started = time.perf_counter()
    ok = 0
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            form = MemberForm(
                data={
                    "unit": leaves.get(row.get("Unit", ""), ""),
                    "full_name": row.get("Nama Lengkap", ""),
                    "gender": (row.get("Jenis Kelamin", "") or "L")[:1].upper(),
                    "nik": row.get("NIK", ""),
                    "phone": row.get("No HP", ""),
                    "status": "aktif",
                },
                user=user,
            )
            if form.is_valid():
                fields = {
                    k: v
                    for k, v in form.cleaned_data.items()
                    if k not in ("unit", "full_name", "status", "photo") and v not in (None, "")
                }
                with transaction.atomic():
                    member_register(
                        actor=user,
                        unit=form.cleaned_data["unit"],
                        full_name=form.cleaned_data["full_name"],
                        **fields,
                    )
                ok += 1
    seconds = time.perf_counter() - started
    results["modelform_per_row"] = {
        "rows": n,
        "saved": ok,
        "seconds": round(seconds, 1),
        "rows_per_s": round(n / seconds),
    }

    # 2. django-import-export with a plain ModelResource
    try:
        import tablib
        from import_export import resources
    except ImportError:
        return results
    from himpun.members.models import Member

    data = generate(size="XS", seed=seed + 1, code=f"B1X{seed}")
    path = tmp / "sample-iex.csv"
    messy_file(path, rows=n, seed=seed, organisation=data.organisation, fmt="csv")
    org_id = data.organisation.pk
    leaves = {code: pk for pk, _p, code in data.leaves}

    class MemberResource(resources.ModelResource):
        class Meta:
            model = Member
            fields = ("id", "organisation", "unit", "full_name", "gender", "nik", "phone")
            import_id_fields = ("id",)

    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    dataset = tablib.Dataset(
        headers=["id", "organisation", "unit", "full_name", "gender", "nik", "phone"]
    )
    for r in rows:
        dataset.append(
            [
                "",
                org_id,
                leaves.get(r.get("Unit", ""), ""),
                r.get("Nama Lengkap", ""),
                (r.get("Jenis Kelamin", "") or "L")[:1].upper(),
                r.get("NIK", "")[:16],
                r.get("No HP", "")[:20],
            ]
        )
    started = time.perf_counter()
    outcome = MemberResource().import_data(dataset, dry_run=False, raise_errors=False)
    seconds = time.perf_counter() - started
    results["django_import_export"] = {
        "rows": n,
        "saved": outcome.totals.get("new", 0),
        "seconds": round(seconds, 1),
        "rows_per_s": round(n / seconds),
    }
    return results


if __name__ == "__main__":
    main()
