"""Synthetic test data: factory_boy factories and small builders for trees and roles."""

from __future__ import annotations

import itertools

import factory

from himpun.accounts.models import Role, RoleAssignment, User
from himpun.accounts.services import roles_sync
from himpun.structure.models import OrgUnit
from himpun.structure.services import organisation_create, unit_create

_codes = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"pengguna{n}")
    first_name = factory.Faker("first_name", locale="id_ID")
    last_name = factory.Faker("last_name", locale="id_ID")
    password = factory.django.Password("rahasia-uji-123")


def org(code: str | None = None, kinds: tuple[str, ...] = ("Konfederasi", "Federasi", "PUK")):
    """A top organisation whose level kinds nest in the given order."""
    code = code or f"ORG{next(_codes)}"
    return organisation_create(
        actor=None, code=code, name=f"Organisasi {code}", kind_names=list(kinds)
    )


def unit(parent: OrgUnit, code: str | None = None, kind_index: int | None = None, **fields):
    """A unit under `parent`, of the kind that may sit under the parent's kind."""
    kinds = (
        list(parent.organisation.level_kinds.order_by("order")) if parent.organisation_id else []
    )
    index = kind_index if kind_index is not None else min(parent.depth + 1, len(kinds) - 1)
    code = code or f"U{next(_codes)}"
    return unit_create(
        actor=None, parent=parent, kind=kinds[index], code=code, name=f"Unit {code}", **fields
    )


def grant(user: User, role_name: str, at: OrgUnit) -> RoleAssignment:
    roles_sync()
    user.__dict__.pop("_himpun_scopes", None)
    return RoleAssignment.objects.create(user=user, role=Role.objects.get(name=role_name), unit=at)
