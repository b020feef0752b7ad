"""Duplicate detection quality on the labelled synthetic set (himpun.demo.dupset).

Loads N made-up people (a fifth typed in twice with realistic slips, plus namesakes, people
born the same day and spouses sharing a phone) into a fresh database, runs the organisation
scan, and compares the pairs found with the true pairs. Three seeds; prints a table and
writes JSON to bench/results/.

    HIMPUN_DATA_DIR=$(mktemp -d) .venv/bin/python bench/duplicates_quality.py --people 20000
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himpun.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--seeds", default="1,2,3")
    args = parser.parse_args()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from himpun.demo.dupset import labelled_set, load_set, score
    from himpun.members.duplicates import Rules, duplicates_detect
    from himpun.members.models import Member
    from himpun.structure.services import unit_create

    call_command("migrate", verbosity=0)
    runs = []
    for seed in (int(s) for s in args.seeds.split(",")):
        org = unit_create(actor=None, parent=None, kind=None, code=f"DQ{seed}", name="Uji")
        unit = org  # the people sit in the organisation's top unit; scoping plays no part
        records, truth = labelled_set(args.people, seed)
        ids = load_set(unit, records)
        index = {pk: i for i, pk in enumerate(ids)}
        started = time.perf_counter()
        found = duplicates_detect(Member.objects.filter(organisation=org), Rules())
        seconds = time.perf_counter() - started
        pairs = {tuple(sorted((index[a], index[b]))) for a, b in found}
        result = score(pairs, truth) | {"seed": seed, "records": len(records), "scan_s": seconds}
        runs.append(result)
        print(
            f"seed {seed}: {len(records):,} records, {result['pairs_true']} true pairs, "
            f"found {result['pairs_found']}, precision {result['precision']:.3f}, "
            f"recall {result['recall']:.3f}, scan {seconds:.2f} s"
        )
    summary = {
        "benchmark": "duplicates-quality",
        "database": connection.vendor,
        "people": args.people,
        "precision_median": statistics.median(r["precision"] for r in runs),
        "recall_median": statistics.median(r["recall"] for r in runs),
        "scan_s_median": round(statistics.median(r["scan_s"] for r in runs), 2),
        "runs": runs,
    }
    print(
        f"median precision {summary['precision_median']:.3f} · "
        f"recall {summary['recall_median']:.3f} · scan {summary['scan_s_median']} s"
    )
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"duplicates-{connection.vendor}-{stamp}.json").write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
