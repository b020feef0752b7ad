"""Subtree scoping: units live on a materialised path, roles reach a unit's whole subtree.

A unit's path is its ancestors' primary keys followed by its own, each written as
SEGMENT digits ("00000001" + "00000007"). A subtree is therefore one indexed range
query `path >= P AND path < next(P)`, which works the same on SQLite and PostgreSQL
(digits compare the same under every collation), and a unit's ancestors are read off
its path without a query.
"""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from django.db.models import Q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from himpun.accounts.models import User

SEGMENT = 8


def segment(pk: int) -> str:
    return f"{pk:0{SEGMENT}d}"


def path_upper(path: str) -> str:
    """The smallest string greater than every path in the subtree of `path`."""
    return f"{int(path) + 1:0{len(path)}d}"


def ancestor_ids(path: str) -> list[int]:
    """Primary keys of the unit at `path` and all its ancestors, root first."""
    return [int(path[i : i + SEGMENT]) for i in range(0, len(path), SEGMENT)]


def ancestor_paths(path: str) -> list[str]:
    return [path[:i] for i in range(SEGMENT, len(path) + 1, SEGMENT)]


def root_path(path: str) -> str:
    return path[:SEGMENT]


def subtree_q(field: str, path: str) -> Q:
    return Q(**{f"{field}__gte": path, f"{field}__lt": path_upper(path)})


def subtrees_q(field: str, paths: list[str]) -> Q:
    return reduce(or_, (subtree_q(field, p) for p in paths))


def minimal_paths(paths: list[str] | set[str]) -> list[str]:
    """Drop every path that lies inside another one in the list."""
    kept: list[str] = []
    for p in sorted(set(paths)):
        if not kept or not p.startswith(kept[-1]):
            kept.append(p)
    return kept


def _all_scopes(user: User | AnonymousUser) -> dict[str, list[str]]:
    """Every permission `user` holds through a role, mapped to the minimal unit paths.

    One query per request: the result is cached on the user object.
    """
    from himpun.accounts.models import RoleAssignment

    cached = user.__dict__.get("_himpun_scopes")
    if cached is None:
        pairs: dict[str, set[str]] = {}
        rows = RoleAssignment.objects.filter(
            user_id=user.pk, role__permissions__isnull=False
        ).values_list(
            "role__permissions__content_type__app_label",
            "role__permissions__codename",
            "unit__path",
        )
        for app_label, codename, path in rows:
            pairs.setdefault(f"{app_label}.{codename}", set()).add(path)
        cached = {perm: minimal_paths(paths) for perm, paths in pairs.items()}
        user.__dict__["_himpun_scopes"] = cached
    return cached


def scope_paths(user: User | AnonymousUser, perm: str) -> list[str]:
    """Paths of the units where `user` holds a role granting `perm` ("app.action_model")."""
    return _all_scopes(user).get(perm, [])


def forget_scopes(user: User) -> None:
    user.__dict__.pop("_himpun_scopes", None)
