"""Per-user language, and the unit chosen in the unit switcher."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.functional import SimpleLazyObject

SESSION_UNIT = "himpun_unit_id"


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        request.current_unit = None
        request.switchable_units = []
        if user.is_authenticated:
            if user.language and user.language != translation.get_language():
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            from himpun.structure.models import OrgUnit
            from himpun.structure.selectors import assignment_units

            unit_id = request.session.get(SESSION_UNIT)
            if unit_id:
                request.current_unit = (
                    OrgUnit.objects.restrict(user, "view").filter(pk=unit_id).first()
                )
            request.switchable_units = SimpleLazyObject(lambda: assignment_units(user))
        return self.get_response(request)
