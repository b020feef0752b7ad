"""Reads on the tree, all scoped."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from himpun.core.scoping import ancestor_ids, minimal_paths, scope_paths
from himpun.structure.models import OrgUnit, UnitCounter
from himpun.structure.services import MEMBERS


def with_tree_info(qs: QuerySet) -> QuerySet:
    """Annotate the subtree member count and whether a unit has (live) children: no N+1."""
    counter = UnitCounter.objects.filter(unit=OuterRef("pk"), key=MEMBERS).values("total")[:1]
    return qs.select_related("kind").annotate(
        member_total=Coalesce(Subquery(counter), Value(0), output_field=IntegerField()),
        has_children=Exists(
            OrgUnit.objects.filter(parent=OuterRef("pk"), archived_at__isnull=True)
        ),
    )


def scope_roots(user: Any) -> list[OrgUnit]:
    """The top units a user sees: every top organisation for a superuser, else the highest
    units of their role assignments."""
    if user.is_superuser:
        qs = OrgUnit.objects.filter(parent__isnull=True)
    else:
        paths = scope_paths(user, "structure.view_orgunit")
        qs = OrgUnit.objects.filter(path__in=paths)
    return list(with_tree_info(qs.filter(archived_at__isnull=True)).order_by("name"))


def unit_children(user: Any, unit: OrgUnit) -> list[OrgUnit]:
    qs = OrgUnit.objects.restrict(user).filter(parent=unit, archived_at__isnull=True)
    return list(with_tree_info(qs).order_by("name"))


def assignment_units(user: Any) -> list[OrgUnit]:
    """Units where the user holds any role: the choices of the unit switcher."""
    from himpun.accounts.models import RoleAssignment

    paths = minimal_paths(
        RoleAssignment.objects.filter(user_id=user.pk).values_list("unit__path", flat=True)
    )
    return list(OrgUnit.objects.filter(path__in=paths).order_by("name"))


def unit_ancestors(unit: OrgUnit) -> list[OrgUnit]:
    ids = ancestor_ids(unit.path)[:-1]
    by_id = OrgUnit._base_manager.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def unit_access(unit: OrgUnit) -> list[dict[str, Any]]:
    """Who can see and change this unit, and through which assignment (one query each)."""
    from himpun.accounts.models import RoleAssignment, User

    rows = []
    ids = ancestor_ids(unit.path)
    assignments = (
        RoleAssignment.objects.filter(unit_id__in=ids)
        .select_related("user", "role", "unit")
        .prefetch_related("role__permissions__content_type")
        .order_by("unit__path", "user__username")
    )
    for a in assignments:
        codes = {f"{p.content_type.app_label}.{p.codename}" for p in a.role.permissions.all()}
        rows.append(
            {
                "user": a.user,
                "role": a.role,
                "via": a.unit,
                "inherited": a.unit_id != unit.pk,
                "can_view": "structure.view_orgunit" in codes,
                "can_change": "structure.change_orgunit" in codes,
                "assignment": a,
            }
        )
    for u in User.objects.filter(is_superuser=True, is_active=True).order_by("username"):
        rows.append(
            {
                "user": u,
                "role": None,
                "via": None,
                "inherited": True,
                "can_view": True,
                "can_change": True,
                "assignment": None,
            }
        )
    return rows
