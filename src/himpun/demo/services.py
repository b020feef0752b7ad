"""Load the demo organisation. Idempotent: a second run changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from himpun.accounts.models import Role, RoleAssignment, User
from himpun.accounts.services import roles_sync
from himpun.core.services import object_create
from himpun.demo.organisation import ORGANISATIONS, USERS
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
