"""Organising results at scale: how long the target table and a unit's results take at the
root of an organisation already in the database (the B5 organisation of 1M members, say).

    HIMPUN_DATABASE_URL=postgres://… .venv/bin/python bench/org_results.py [--org CODE]

Times each read twice and prints the second run with its query count. Reads only; places
nothing. For density, the organisation needs workplaces with headcounts and members placed
at them (see docs/performance.md, "Organising")."""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himpun.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org", help="code of the top organisation (default: the newest)")
    parser.add_argument("--year", type=int, help="default: this year")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.utils import timezone

    from himpun.accounts.models import User
    from himpun.organizing.results import (
        children_results,
        monthly_progress,
        organisation_indicators,
        period_bounds,
        unit_results,
    )
    from himpun.structure.models import OrgUnit

    settings.DEBUG = True  # to count queries
    tops = OrgUnit.objects.filter(parent__isnull=True)
    root = tops.get(code=args.org) if args.org else tops.order_by("-pk").first()
    year = args.year or timezone.localdate().year
    start, end = period_bounds("tahun", year, 1)
    today = min(timezone.localdate(), end)
    user = User.objects.filter(is_superuser=True).first()
    indicators = {i.source: i for i in organisation_indicators(root)}
    reads = {
        "unit_results, every indicator": lambda: unit_results(
            unit=root, starts_on=start, ends_on=end, today=today
        ),
        "target table, new members": lambda: children_results(
            user=user,
            unit=root,
            indicator=indicators["anggota_baru"],
            starts_on=start,
            ends_on=end,
            today=today,
        ),
        "target table, density": lambda: children_results(
            user=user,
            unit=root,
            indicator=indicators["kepadatan"],
            starts_on=start,
            ends_on=end,
            today=today,
        ),
        "monthly progress, new members": lambda: monthly_progress(
            units=[root],
            indicator=indicators["anggota_baru"],
            starts_on=start,
            ends_on=end,
            today=today,
        ),
    }
    print(f"{root.code}: {year}")
    for label, read in reads.items():
        for _run in range(2):
            reset_queries()
            started = time.perf_counter()
            read()
            seconds = time.perf_counter() - started
        print(f"{label:<34} {seconds * 1000:8.0f} ms {len(connection.queries):4d} queries")


if __name__ == "__main__":
    main()
