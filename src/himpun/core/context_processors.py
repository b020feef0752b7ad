"""Navigation, current unit and unit switcher for every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from himpun.core.querysets import has_scope
from himpun.core.registry import registry


def himpun(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    menu: dict[str, list[Any]] = {}
    for s in registry.all():
        if s.menu_group and has_scope(user, s.model, "view"):
            menu.setdefault(s.menu_group, []).append(s)
    for group, links in registry.links.items():
        for link in links:
            if has_scope(user, link.model, link.action):
                menu.setdefault(group, []).append(link)
    return {
        "menu": menu,
        "current_unit": getattr(request, "current_unit", None),
        "switchable_units": getattr(request, "switchable_units", []),
    }
