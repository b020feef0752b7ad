"""The demo's organising year (seed 004): 651 new members targeted by three federations."""

from __future__ import annotations

import datetime
from decimal import Decimal

from himpun.accounts.models import User
from himpun.demo.organizing import CONTACTS, demo_organizing
from himpun.demo.services import demo_load
from himpun.organizing.choices import PeriodKind, Source, TargetMode
from himpun.organizing.models import ActionItem, Contact, Evaluation, Indicator
from himpun.organizing.results import Progress, children_results, period_bounds
from himpun.structure.models import OrgUnit


def test_demo_region_targets_651_and_has_a_year_of_progress(db):
    today = datetime.date(2026, 11, 23)
    demo_load(password="demo-sandi-123")
    assert demo_organizing(today=today) > 600
    assert demo_organizing(today=today) == 0  # runs once

    region = OrgUnit.objects.get(code="KORWIL-LPG")
    indicator = Indicator.objects.get(organisation=region.organisation, source=Source.JOINS)
    start, end = period_bounds(PeriodKind.YEAR, 2026, 1)
    parent, children = children_results(
        user=User.objects.get(username="admin"),
        unit=region,
        indicator=indicator,
        starts_on=start,
        ends_on=end,
        today=today,
    )
    assert parent.target == Decimal(651)
    assert parent.target_mode == TargetMode.SUM
    by_code = {c.unit.code: c for c in children}
    assert {code: c.target for code, c in by_code.items()} == {
        "LPG-HUKATAN": 300,
        "LPG-KAMIPARHO": 200,
        "LPG-NIKEUBA": 151,
    }
    # Ten whole months and 23 days of November, at 26, 12 and 14 a month.
    assert by_code["LPG-HUKATAN"].result == 26 * 10 + 26 * 23 // 30
    assert by_code["LPG-KAMIPARHO"].result == 12 * 10 + 12 * 23 // 30
    assert by_code["LPG-NIKEUBA"].result == 14 * 10 + 14 * 23 // 30
    assert by_code["LPG-HUKATAN"].status == Progress.ON_TRACK
    assert by_code["LPG-KAMIPARHO"].status == Progress.BEHIND
    assert parent.result == sum(c.result for c in children)

    # Leaders moved two stages along, supporters one: counted up to the region.
    forward = Indicator.objects.get(organisation=region.organisation, source=Source.CONTACTS)
    moved = children_results(
        user=User.objects.get(username="admin"),
        unit=region,
        indicator=forward,
        starts_on=start,
        ends_on=end,
        today=today,
    )[0]
    leaders = sum(c[0] for c in CONTACTS.values())
    supporters = sum(c[1] for c in CONTACTS.values())
    assert moved.result == 2 * leaders + supporters
    assert Contact.objects.filter(workplace__name="Kebun Natar").count() == sum(
        sum(v) for v in CONTACTS.values()
    )
    evaluation = Evaluation.objects.get(unit=region)
    assert evaluation.closed_at is not None
    assert evaluation.results[0]["indicator_code"] == "anggota-baru"
    assert ActionItem.objects.filter(evaluation=evaluation).count() == 4
