"""Account services: seed roles, role assignments, login lockout."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from himpun.accounts.models import LoginFailure, Role, RoleAssignment, User
from himpun.accounts.roles import SEED_ROLES
from himpun.core.scoping import ancestor_ids, forget_scopes
from himpun.core.services import object_create


@transaction.atomic
def roles_sync() -> None:
    """Create the seed roles and give them their permissions (adds, never removes)."""
    for name, (description, grants) in SEED_ROLES.items():
        role, _created = Role.objects.get_or_create(
            name=name, defaults={"description": str(description), "builtin": True}
        )
        wanted = []
        for label, actions in grants.items():
            app_label, model = label.split(".")
            wanted += [(app_label, f"{a}_{model}") for a in actions]
        perms = Permission.objects.filter(
            content_type__app_label__in={a for a, _c in wanted},
            codename__in={c for _a, c in wanted},
        ).select_related("content_type")
        have = {(p.content_type.app_label, p.codename): p for p in perms}
        role.permissions.add(*[have[w] for w in wanted if w in have])


def roles_sync_on_migrate(**kwargs: Any) -> None:
    """After migrate: make sure every app's permissions exist (Django creates them app by
    app, after this signal for some), then give the seed roles theirs."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    using = kwargs.get("using", "default")
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    roles_sync()


def role_permissions(role: Role) -> set[str]:
    return {
        f"{a}.{c}" for a, c in role.permissions.values_list("content_type__app_label", "codename")
    }


def role_check_grantable(*, actor: User, role: Role, unit: Any) -> None:
    """An actor may only hand out, at a unit, permissions they hold there themselves."""
    if not actor.is_superuser:
        held: set[str] = set()
        for r in Role.objects.filter(
            assignments__user=actor, assignments__unit_id__in=ancestor_ids(unit.path)
        ).distinct():
            held |= role_permissions(r)
        if not role_permissions(role) <= held:
            raise ValidationError(
                _("Anda tidak dapat memberikan peran yang lebih luas dari peran Anda sendiri.")
            )


def role_assign(*, actor: User, user: User, role: Role, unit: Any) -> RoleAssignment:
    """Give `user` `role` at `unit` (reaching its whole subtree)."""
    role_check_grantable(actor=actor, role=role, unit=unit)
    assignment = object_create(
        actor=actor, instance=RoleAssignment(user=user, role=role, unit=unit)
    )
    forget_scopes(user)
    return assignment


def login_locked(username: str) -> bool:
    since = timezone.now() - datetime.timedelta(minutes=settings.HIMPUN_LOGIN_LOCKOUT_MINUTES)
    recent = LoginFailure.objects.filter(username=username.lower(), at__gte=since).count()
    return recent >= settings.HIMPUN_LOGIN_MAX_FAILURES


def login_failed(username: str) -> None:
    LoginFailure.objects.create(username=username.lower()[:150])
    cutoff = timezone.now() - datetime.timedelta(days=1)
    LoginFailure.objects.filter(at__lt=cutoff).delete()


def login_succeeded(username: str) -> None:
    LoginFailure.objects.filter(username=username.lower()).delete()
