"""Demo organising (seed 004): the KSBSI Lampung region whose three federations target 651 new
members in a year, with a year of progress; a workplace with its wall chart of contacts; a
campaign; and one semester evaluation with its follow-up plan (seed 001)."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from himpun.demo.members import UNIT_DEPARTMENTS, nik_for, person
from himpun.members.choices import Channel, EmploymentStatus
from himpun.members.services import member_register
from himpun.structure.models import OrgUnit

#: (unit code, target, new members a month so far, recruitment channels in that federation's
#: mix): HUKATAN is ahead through advocacy, KAMIPARHO behind, NIKEUBA already there through
#: social media — so the target table and the channels report each have something to say.
SEED_004 = [
    (
        "LPG-HUKATAN",
        300,
        26,
        [Channel.ADVOCACY] * 5 + [Channel.REFERRAL] * 2 + [Channel.POSTER],
    ),
    ("LPG-KAMIPARHO", 200, 12, [Channel.TOP_DOWN] * 3 + [Channel.POSTER, Channel.REFERRAL]),
    (
        "LPG-NIKEUBA",
        151,
        14,
        [Channel.SOCIAL_MEDIA] * 4 + [Channel.REFERRAL, Channel.ADVOCACY],
    ),
]
#: Where each federation's new members join: its PK if it has one, else the DPC itself.
JOIN_UNIT = {"LPG-HUKATAN": "PK-SAWIT"}


def demo_recruits(*, today: datetime.date | None = None, seed: int = 4) -> int:
    """A year of new members in the three Lampung federations, month by month up to today
    (called once, by demo_organizing)."""
    today = today or timezone.localdate()
    rng = random.Random(seed)
    created = 0
    for code, _target, per_month, channels in SEED_004:
        unit = OrgUnit.objects.get(code=JOIN_UNIT.get(code, code), organisation__code="KSBSI")
        with transaction.atomic():
            for month in range(1, today.month + 1):
                last_day = today.day if month == today.month else 28
                # The current month is under way: only part of its recruits so far.
                n = per_month if month < today.month else per_month * today.day // 30
                for _ in range(n):
                    p = person(rng, women_share=0.35)
                    joined = datetime.date(today.year, month, rng.randint(1, last_day))
                    extra = {}
                    if unit.workplace_id:
                        extra = {
                            "employer": unit.employer,
                            "workplace": unit.workplace,
                            "department": rng.choice(UNIT_DEPARTMENTS[unit.code]),
                        }
                    member_register(
                        actor=None,
                        unit=unit,
                        full_name=p["full_name"],
                        on=joined,
                        joined_on=joined,
                        gender=p["gender"],
                        birth_date=p["birth_date"],
                        phone=p["phone"],
                        nik=nik_for(rng, unit.region_code or "18.71", p["gender"], p["birth_date"]),
                        recruitment_channel=rng.choice(channels).value,
                        employment_status=EmploymentStatus.PERMANENT.value,
                        **extra,
                    )
                    created += 1
    return created


#: The wall chart at PT Sawit Lampung Makmur's Kebun Natar: (department, headcount), the
#: departments of the demo's members there (UNIT_DEPARTMENTS).
SECTIONS = [("Panen", 520), ("Perawatan", 300), ("Pabrik kelapa sawit", 260), ("Kantor", 120)]
#: Contacts per department: how many at each assessment 1 (leader) … 5 (hostile).
CONTACTS = {
    "Panen": (3, 9, 14, 4, 1),
    "Perawatan": (1, 5, 10, 6, 2),
    "Pabrik kelapa sawit": (2, 4, 6, 3, 0),
    "Kantor": (0, 1, 4, 5, 3),
}

EVALUATION = {
    "title": "Evaluasi semester I pengorganisasian Korwil KSBSI Lampung",
    "facilitator": "Sulistri (DEN KSBSI)",
    "obstacles": (
        "Sistem kerja kontrak dan alih daya membuat pekerja takut bergabung; "
        "buruh harian lepas di kebun berpindah-pindah; pengurus PK belum rutin "
        "mencatat kontak."
    ),
    "good_practices": (
        "F HUKATAN: keluhan upah di bawah UMK diadvokasi sampai bipartit, lalu 40 pekerja "
        "panen bergabung. FSB NIKEUBA: video pendek di media sosial menjangkau pekerja "
        "ritel muda."
    ),
    "case_studies": (
        "PT Sawit Lampung Makmur, bagian panen: dari 3 kontak poin menjadi 11 pemimpin "
        "kelompok kerja dalam empat bulan."
    ),
}
#: (what, who, days from today to the due date, status)
ACTIONS = [
    ("Pelatihan organiser untuk pengurus PK", "Bidang Pendidikan Korwil", -20, "selesai"),
    ("Pemetaan bagian perawatan dan kantor di Kebun Natar", "PK F HUKATAN", -7, "berjalan"),
    ("Lobi manajemen pusat untuk perekrutan dari atas", "DPC FSB KAMIPARHO", 25, "rencana"),
    ("Seri video media sosial tentang hak pekerja kontrak", "DPC FSB NIKEUBA", 40, "rencana"),
]


def demo_organizing(*, today: datetime.date | None = None) -> int:
    """The seed 004 region's year (targets, recruits, a campaign), the wall chart at Kebun
    Natar and the semester evaluation with its plan. Runs once: the region's target for the
    year marks it done. Returns the objects created."""
    from himpun.accounts.models import User
    from himpun.organizing.campaigns import campaign_activity_record, campaign_save
    from himpun.organizing.choices import PeriodKind, Source, TargetMode
    from himpun.organizing.contacts import (
        contact_assess,
        contact_create,
        contact_stage_change,
        stages_ensure,
        stages_of,
    )
    from himpun.organizing.evaluations import (
        action_item_create,
        evaluation_close,
        evaluation_create,
    )
    from himpun.organizing.models import Campaign, Contact, Indicator, Target
    from himpun.organizing.results import indicators_ensure
    from himpun.organizing.targets import targets_set_children
    from himpun.structure.models import Workplace, WorkplaceSection

    today = today or timezone.localdate()
    org = OrgUnit.objects.get(code="KSBSI", parent__isnull=True)
    region = OrgUnit.objects.get(code="KORWIL-LPG", organisation=org)
    indicators_ensure(org)
    joins = Indicator.objects.get(organisation=org, source=Source.JOINS)
    if Target.objects.filter(unit=region, indicator=joins, year=today.year).exists():
        return 0
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    rng = random.Random(651)
    with transaction.atomic():
        created = demo_recruits(today=today)
        feds = {u.code: u for u in OrgUnit.objects.filter(parent=region)}
        targets = targets_set_children(
            actor=admin,
            unit=region,
            indicator=joins,
            period_kind=PeriodKind.YEAR,
            year=today.year,
            number=1,
            values={feds[code].pk: target for code, target, _n, _c in SEED_004},
            parent_mode=TargetMode.SUM,
        )
        created += len(targets)

        place = Workplace.objects.get(name="Kebun Natar", unit__organisation=org)
        place.unions_present = 2
        place.pkb_signed_on = today.replace(year=today.year - 2) + datetime.timedelta(days=60)
        place.pkb_expires_on = place.pkb_signed_on.replace(year=place.pkb_signed_on.year + 2)
        place.save(update_fields=["unions_present", "pkb_signed_on", "pkb_expires_on"])
        for department, headcount in SECTIONS:
            WorkplaceSection.objects.get_or_create(
                workplace=place, department=department, shift="", defaults={"headcount": headcount}
            )
        stages_ensure(org)
        stages = stages_of(org.pk)
        campaign = campaign_save(
            actor=admin,
            campaign=Campaign(
                unit=feds["LPG-HUKATAN"],
                name=f"Kebun Natar berserikat {today.year}",
                description="Mengorganisir pekerja panen dan perawatan PT Sawit Lampung Makmur.",
                starts_on=datetime.date(today.year, 1, 1),
                ends_on=datetime.date(today.year, 12, 31),
                goal_members=300,
                goal_density=Decimal("51"),
            ),
            workplaces=[place],
            organisers=list(User.objects.filter(username="organiser")),
        )
        for month in range(1, today.month + 1):
            for kind, count in (("kunjungan", 12), ("selebaran", 150), ("pertemuan", 2)):
                campaign_activity_record(
                    actor=admin,
                    campaign=campaign,
                    on=datetime.date(today.year, month, min(today.day, 10)),
                    kind=kind,
                    count=count + rng.randint(0, count // 2),
                )
        pk_unit = OrgUnit.objects.get(code="PK-SAWIT", organisation=org)
        for department, counts in CONTACTS.items():
            for assessment, n in enumerate(counts, start=1):
                for _ in range(n):
                    p = person(rng, women_share=0.3)
                    contact = contact_create(
                        actor=admin,
                        contact=Contact(
                            unit=pk_unit,
                            full_name=p["full_name"],
                            phone=p["phone"],
                            workplace=place,
                            department=department,
                            campaign=campaign,
                            channel=rng.choice([Channel.ADVOCACY, Channel.REFERRAL]).value,
                            next_step="Ajak ke pertemuan kelompok kerja",
                            next_step_due=today + datetime.timedelta(days=rng.randint(-5, 20)),
                        ),
                    )
                    contact_assess(actor=admin, contact=contact, assessment=assessment)
                    # Leaders and supporters have moved along the pipeline.
                    for stage in stages[1 : 4 - min(assessment, 3)]:
                        contact_stage_change(actor=admin, contact=contact, stage=stage)
                    created += 1

        evaluation = evaluation_create(
            actor=admin,
            unit=region,
            period_kind=PeriodKind.SEMESTER,
            year=today.year,
            number=1,
            # Held after the semester, as in seed 001; before July it is still to come.
            held_on=datetime.date(today.year, 7, 27)
            if today >= datetime.date(today.year, 7, 27)
            else None,
            **EVALUATION,
        )
        for title, owner, days, status in ACTIONS:
            action_item_create(
                actor=admin,
                evaluation=evaluation,
                title=title,
                owner=owner,
                due_on=today + datetime.timedelta(days=days),
                status=status,
                done_on=today + datetime.timedelta(days=days) if status == "selesai" else None,
            )
        if today > datetime.date(today.year, 6, 30):
            evaluation_close(actor=admin, evaluation=evaluation, today=today)
        return created + 2 + len(ACTIONS)
