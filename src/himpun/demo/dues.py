"""Demo dues: each organisation's policy and split (the FSPMI split is FSP LEM SPSI's AD/ART
pattern from ../shared/DOMAIN.md), example minimum wages, a few months of payments at PUK-SAM
and the domestic workers' groups, a cash book with spending, a remittance and a closed month.
The minimum wages are round example figures, not the official ones."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from himpun.dues.choices import Basis, Direction, Method
from himpun.dues.models import CashCategory, DuesPolicy, MinimumWage, SplitRule, SplitShare
from himpun.dues.services import (
    arrears_recompute,
    cash_post,
    categories_ensure,
    month_add,
    month_close,
    monthly_dues,
    payment_post,
    remittance_post,
)
from himpun.members.choices import Status
from himpun.members.models import Member
from himpun.structure.models import LevelKind, OrgUnit

#: (organisation, region, year, amount): example figures for the demo only.
MINIMUM_WAGES = [
    ("KSPI", "32.16", 5_550_000),
    ("KSPI", "32.15", 5_600_000),
    ("KSPI", "36.03", 4_900_000),
    ("KSPI", "32", 2_300_000),
    ("KSPI", "31", 5_400_000),
]

#: (unit that sets it, [(level code, basis points, label)]): FSPMI follows the AD/ART pattern
#: of FSP LEM SPSI — PUK 50%, branch 25% (22.5 + 2.5 confederation), province 15% (12.5 + 2.5),
#: national 10% (7.5 + 2.5).
SPLITS = [
    (
        "KSPI",
        "FSPMI",
        "AD/ART FSPMI: PUK 50%, PC 25%, DPW 15%, DPP 10% (termasuk bagian KSPI)",
        [
            ("puk", 5000, "PUK"),
            ("pc", 2250, "PC"),
            ("konfederasi", 250, "KSPI dari bagian PC"),
            ("dpw", 1250, "DPW"),
            ("konfederasi", 250, "KSPI dari bagian DPW"),
            ("federasi", 750, "DPP federasi"),
            ("konfederasi", 250, "KSPI dari bagian DPP"),
        ],
    ),
]


def demo_dues(*, today: datetime.date | None = None) -> int:
    """Load the demo's dues once (a second run changes nothing). Returns payments posted."""
    if DuesPolicy.objects.exists():
        return 0
    today = today or timezone.localdate()
    start = month_add(today.replace(day=1), -2)  # dues count from two months ago
    with transaction.atomic():
        for org in OrgUnit.objects.filter(parent__isnull=True):
            categories_ensure(org)
        kspi = OrgUnit.objects.get(code="KSPI", parent__isnull=True)
        for org_code, region, amount in MINIMUM_WAGES:
            org = OrgUnit.objects.get(code=org_code, parent__isnull=True)
            MinimumWage.objects.create(
                organisation=org, region_code=region, year=today.year, amount=amount
            )
        DuesPolicy.objects.create(
            unit=kspi,
            effective_from=start,
            basis=Basis.MINIMUM_WAGE,
            rate_bp=100,
            note="1% dari UMK (AD/ART)",
        )
        for org in OrgUnit.objects.filter(parent__isnull=True).exclude(pk=kspi.pk):
            DuesPolicy.objects.create(
                unit=org,
                effective_from=start,
                basis=Basis.FIXED,
                amount=5_000 if org.code == "PRT-BKS" else 20_000,
                note="Iuran tetap per bulan",
            )
        for org_code, unit_code, note, shares in SPLITS:
            unit = OrgUnit.objects.get(code=unit_code, organisation__code=org_code)
            rule = SplitRule.objects.create(unit=unit, effective_from=start, note=note)
            kinds = {k.code: k for k in LevelKind.objects.filter(organisation=unit.organisation)}
            SplitShare.objects.bulk_create(
                SplitShare(rule=rule, level=kinds[code], share_bp=bp, label=label)
                for code, bp, label in shares
            )
    return _payments(today, start)


def _payments(today: datetime.date, start: datetime.date) -> int:
    from himpun.accounts.models import User

    treasurer = (
        User.objects.filter(username="bendahara").first()
        or User.objects.filter(is_superuser=True).first()
    )
    if treasurer is None:
        return 0
    sam = OrgUnit.objects.get(code="PUK-SAM", organisation__code="KSPI")
    posted = 0
    with transaction.atomic():
        members = list(
            Member.objects.filter(unit=sam, status=Status.ACTIVE)
            .select_related("unit")
            .order_by("pk")[:60]
        )
        last_month = month_add(today.replace(day=1), -1)
        for i, member in enumerate(members):
            dues = monthly_dues(member, start) or 0
            if not dues or i % 5 == 4:  # one in five has not paid: the reminders list
                continue
            months = 2 if i % 3 == 0 else 1
            payment_post(
                actor=treasurer,
                member=member,
                amount=dues * months,
                months=months,
                method=Method.TRANSFER if i % 4 == 0 else Method.CASH,
                on=last_month + datetime.timedelta(days=i % 20),
                reference="BRI 0231" + f"{i:04d}" if i % 4 == 0 else "",
            )
            posted += 1
        org = sam.organisation
        cats = {c.code: c for c in CashCategory.objects.filter(organisation=org)}
        for day, code, amount, text in (
            (3, "fotokopi", 45_000, "Fotokopi undangan rapat anggota"),
            (8, "transport", 120_000, "Transport pengurus ke kantor PC"),
            (15, "rapat", 250_000, "Konsumsi rapat pengurus"),
            (21, "atk", 37_500, "Buku kas dan map"),
        ):
            cash_post(
                actor=treasurer,
                unit=sam,
                direction=Direction.OUT,
                category=cats[code],
                amount=amount,
                description=text,
                on=last_month + datetime.timedelta(days=day),
            )
        pc = sam.parent
        remittance_post(
            actor=treasurer,
            from_unit=sam,
            to_unit=pc,
            amount=200_000,
            on=last_month + datetime.timedelta(days=25),
            reference="transfer BRI",
        )
        month_close(actor=treasurer, unit=sam, month=last_month)
        cash_post(
            actor=treasurer,
            unit=sam,
            direction=Direction.OUT,
            category=cats["fotokopi"],
            amount=15_000,
            description="Fotokopi selebaran",
            on=today.replace(day=1),
        )
        for org in OrgUnit.objects.filter(parent__isnull=True):
            arrears_recompute(actor=treasurer, organisation=org, on=today)
    return posted
