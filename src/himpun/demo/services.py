"""Load the demo organisation. Idempotent: a second run changes nothing."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from himpun.accounts.models import Role, RoleAssignment, User
from himpun.accounts.services import roles_sync
from himpun.core.services import object_create
from himpun.demo.members import DEMO_MEMBERS, DEPARTMENTS, UNIT_DEPARTMENTS, nik_for, person
from himpun.demo.organisation import ORGANISATIONS, USERS
from himpun.members.choices import Channel, EmploymentStatus, Status
from himpun.members.models import Member
from himpun.members.services import member_register, member_status_change
from himpun.structure.models import Employer, LevelKind, OrgUnit, Sector, Workplace
from himpun.structure.services import unit_create


@dataclass
class DemoResult:
    created: int = 0
    logins: list[tuple[str, str]] = field(default_factory=list)


@transaction.atomic
def demo_load(*, password: str, reset_passwords: bool = False) -> DemoResult:
    """Create what is missing of the demo organisation and its users.

    New users get `password`; existing users keep theirs unless `reset_passwords`.
    """
    roles_sync()
    result = DemoResult()
    for spec in ORGANISATIONS:
        _load_organisation(spec, result)
    for username, first, last, role_name, unit_code, org_code in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                is_superuser=role_name is None,
                is_staff=role_name is None,
            )
            user.set_password(password)
            user.save()
            result.created += 1
        elif reset_passwords and not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        if role_name:
            unit = OrgUnit.objects.get(code=unit_code, organisation__code=org_code)
            _, made = RoleAssignment.objects.get_or_create(
                user=user, role=Role.objects.get(name=role_name), unit=unit
            )
            result.created += int(made)
        result.logins.append((username, f"{role_name or 'Admin sistem'} · {unit_code or '*'}"))
    return result


def _load_organisation(spec: dict, result: DemoResult) -> None:
    org = OrgUnit.objects.filter(parent__isnull=True, code=spec["code"]).first()
    if org is None:
        org = unit_create(
            actor=None,
            parent=None,
            kind=None,
            code=spec["code"],
            name=spec["name"],
            region_code=spec["region"],
        )
        result.created += 1
    kinds: dict[str, LevelKind] = {}
    for order, (code, name, parents) in enumerate(spec["kinds"]):
        kind = LevelKind.objects.filter(organisation=org, code=code).first()
        if kind is None:
            kind = object_create(
                actor=None,
                instance=LevelKind(
                    organisation=org,
                    code=code,
                    name=name,
                    order=order,
                    is_community=code in spec.get("community", []),
                ),
            )
            kind.parents.add(*[kinds[p] for p in parents])
            result.created += 1
        kinds[code] = kind
    if org.kind_id is None:
        OrgUnit.objects.filter(pk=org.pk).update(kind=kinds[spec["kinds"][0][0]])
    sectors: dict[str, Sector] = {}
    for code, name in spec["sectors"]:
        sector = Sector.objects.filter(organisation=org, code=code).first()
        if sector is None:
            sector = object_create(
                actor=None, instance=Sector(organisation=org, code=code, name=name)
            )
            result.created += 1
        sectors[code] = sector
    units = {org.code: org}
    for code, name, kind, parent, sector, region in spec["units"]:
        unit = OrgUnit.objects.filter(organisation=org, code=code).first()
        if unit is None:
            unit = unit_create(
                actor=None,
                parent=units[parent],
                kind=kinds[kind],
                code=code,
                name=name,
                sector=sectors.get(sector),
                region_code=region,
            )
            result.created += 1
        units[code] = unit
    for name, sector, region, owner, puk, site, headcount in spec["employers"]:
        employer = Employer.objects.filter(unit=units[owner], name=name).first()
        if employer is None:
            employer = object_create(
                actor=None,
                instance=Employer(
                    unit=units[owner], name=name, sector=sectors[sector], region_code=region
                ),
            )
            workplace = object_create(
                actor=None,
                instance=Workplace(
                    unit=units[owner],
                    employer=employer,
                    name=site,
                    region_code=region,
                    headcount=headcount,
                ),
            )
            OrgUnit.objects.filter(pk=units[puk].pk).update(employer=employer, workplace=workplace)
            result.created += 2


def demo_members(*, seed: int = 2026) -> int:
    """Register the demo members once (units that already have members are skipped)."""
    rng = random.Random(seed)
    created = 0
    today = timezone.localdate()
    for unit_code, org_code, count, women, employed in DEMO_MEMBERS:
        unit = OrgUnit.objects.get(code=unit_code, organisation__code=org_code)
        if Member.objects.filter(unit=unit).exists():
            continue
        with transaction.atomic():
            for i in range(count):
                p = person(rng, women_share=women)
                joined = today - datetime.timedelta(days=rng.randrange(30, 2000))
                extra = {
                    "birth_date": p["birth_date"],
                    "gender": p["gender"],
                    "phone": p["phone"],
                    "nik": nik_for(rng, unit.region_code or "32.75", p["gender"], p["birth_date"]),
                    "recruitment_channel": rng.choice(list(Channel)).value,
                }
                if employed:
                    extra |= {
                        "employer": unit.employer,
                        "workplace": unit.workplace,
                        "department": rng.choice(UNIT_DEPARTMENTS.get(unit_code, DEPARTMENTS)),
                        "employment_status": rng.choice(
                            [
                                EmploymentStatus.PERMANENT,
                                EmploymentStatus.FIXED_TERM,
                                EmploymentStatus.OUTSOURCED,
                            ]
                        ).value,
                    }
                else:
                    extra["employment_status"] = EmploymentStatus.DOMESTIC.value
                status = Status.APPLICANT if i % 25 == 0 else Status.ACTIVE
                member = member_register(
                    actor=None,
                    unit=unit,
                    full_name=p["full_name"],
                    status=status,
                    on=joined,
                    **extra,
                )
                if status == Status.ACTIVE and i % 17 == 0:
                    member_status_change(
                        actor=None,
                        member=member,
                        status=Status.INACTIVE,
                        on=joined + datetime.timedelta(days=20),
                        reason="Iuran tertunggak",
                    )
                created += 1
    return created


#: Join links of the demo: (unit code, organisation code, label, channel)
DEMO_JOIN_LINKS = [
    ("KMP-PEJUANG", "PRT-BKS", "Grup WhatsApp komunitas", Channel.SOCIAL_MEDIA),
    ("PUK-SAM", "KSPI", "Poster di gerbang pabrik", Channel.POSTER),
]
DEMO_APPLICANTS = [
    ("KMP-PEJUANG", "Suminah Rahayu", "+6281380011223", "P", ""),
    ("KMP-PEJUANG", "Warsini", "+6285780044556", "P", ""),
    ("PUK-SAM", "Agus Prasetyo", "+6281290077889", "L", "PT Sinar Jahit, bagian jahit"),
]


def demo_workflows() -> int:
    """Work waiting in the queues, so a new user sees each screen in use: join links with
    applicants, a transfer awaiting the receiving unit, a possible duplicate. Runs once."""
    from himpun.members.join import member_apply
    from himpun.members.models import DEFAULT_CONSENT, JoinLink, MembershipRule, Transfer
    from himpun.members.services import member_transfer_request

    if JoinLink.objects.filter(label=DEMO_JOIN_LINKS[0][2]).exists():
        return 0
    created = 0
    with transaction.atomic():
        links = {}
        for unit_code, org_code, label, channel in DEMO_JOIN_LINKS:
            unit = OrgUnit.objects.get(code=unit_code, organisation__code=org_code)
            links[unit_code] = JoinLink.objects.create(unit=unit, label=label, channel=channel)
            created += 1
        for unit_code, name, phone, gender, workplace in DEMO_APPLICANTS:
            link = links[unit_code]
            rule = MembershipRule.objects.filter(organisation_id=link.unit.organisation_id).first()
            if member_apply(
                link=link,
                consent_text=rule.consent_text if rule else DEFAULT_CONSENT,
                full_name=name,
                phone=phone,
                gender=gender,
                workplace=workplace,
            ):
                created += 1
        # A worker of PUK-SAM moved to PT Mitra Karya: PUK-MKJ has to accept her.
        sam = OrgUnit.objects.get(code="PUK-SAM", organisation__code="KSPI")
        mkj = OrgUnit.objects.get(code="PUK-MKJ", organisation__code="KSPI")
        mover = Member.objects.filter(unit=sam, status=Status.ACTIVE).order_by("pk").first()
        if mover and not Transfer.objects.filter(member=mover).exists():
            member_transfer_request(
                actor=None, member=mover, to_unit=mkj, reason="Pindah kerja ke PT Mitra Karya"
            )
            created += 1
        # The same worker typed in twice at PUK-GTN, once in capitals and with a slip.
        gtn = OrgUnit.objects.get(code="PUK-GTN", organisation__code="KSPI")
        original = Member.objects.filter(unit=gtn, birth_date__isnull=False).order_by("pk").first()
        if original:
            member_register(
                actor=None,
                unit=gtn,
                full_name=original.full_name.upper(),
                gender=original.gender,
                birth_date=original.birth_date,
                status=Status.APPLICANT,
            )
            created += 1
    return created
