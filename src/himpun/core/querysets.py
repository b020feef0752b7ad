"""RestrictedQuerySet: the one road from a user to domain rows."""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any, Self

from django.db import models
from django.db.models import Q

from himpun.core.scoping import SEGMENT, minimal_paths, scope_paths, subtree_q, subtrees_q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

ACTIONS = ("view", "add", "change", "delete", "export")


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user: Any, action: str = "view") -> Self:
        """Rows of this model `user` may `action`; none for anyone without a role reaching them.

        Deny by default: anonymous and inactive users get nothing; superusers get everything.
        """
        if action not in ACTIONS:
            raise ValueError(f"Unknown action {action!r}")
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        q = scope_filter(user, self.model, action)
        return self.none() if q is None else self.filter(q)


def permission_name(model: type[models.Model], action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def scope_filter(user: Any, model: type[models.Model], action: str) -> Q | None:
    """The Q that limits `model` to what `user` may `action`, or None for nothing at all."""
    paths = scope_paths(user, permission_name(model, action))
    if not paths:
        return None
    field: str = model.scope_path_field  # type: ignore[attr-defined]
    if model.scope_organisation_wide:  # type: ignore[attr-defined]
        # Organisation-wide configuration: anyone inside the organisation reads it; only
        # holders of a role at the organisation's top unit change it.
        if action == "view":
            roots = minimal_paths({p[:SEGMENT] for p in paths})
        else:
            roots = [p for p in paths if len(p) == SEGMENT]
        return Q(**{f"{field}__in": roots}) if roots else None
    # A row seen from several units (a transfer: the unit it leaves and the one it joins)
    # names them all; the row is in scope when any of them is.
    return reduce(or_, (subtrees_q(f, paths) for f in scope_fields(model)))


def scope_fields(model: type[models.Model]) -> tuple[str, ...]:
    """The path lookups that place a row of `model` in the tree (usually one)."""
    return getattr(model, "scope_path_fields", None) or (model.scope_path_field,)  # type: ignore[attr-defined]


def within_q(model: type[models.Model], path: str) -> Q:
    """Rows of `model` that belong to the subtree at `path` (for filters, not for access)."""
    return reduce(or_, (subtree_q(f, path) for f in scope_fields(model)))


def has_scope(user: AnonymousUser | Any, model: type[models.Model], action: str) -> bool:
    """Whether `user` may `action` at least somewhere on `model` (the list page exists for them)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return scope_filter(user, model, action) is not None


def may(user: Any, model: type[models.Model], action: str, path: str) -> bool:
    """Whether `user` may `action` rows of `model` that belong to the unit at `path`."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(path.startswith(p) for p in scope_paths(user, permission_name(model, action)))
