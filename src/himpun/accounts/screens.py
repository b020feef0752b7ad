"""Screens for role assignments (who holds which role where)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from himpun.accounts.filtersets import RoleAssignmentFilterSet
from himpun.accounts.forms import RoleAssignmentForm, RoleAssignmentImportForm
from himpun.accounts.models import RoleAssignment
from himpun.accounts.services import role_assign, role_check_grantable
from himpun.accounts.tables import RoleAssignmentTable
from himpun.core.registry import ModelScreens, registry
from himpun.core.scoping import forget_scopes


@registry.register
class RoleAssignmentScreens(ModelScreens):
    model = RoleAssignment
    path = "akses/penugasan"
    filterset_class = RoleAssignmentFilterSet
    table_class = RoleAssignmentTable
    form_class = RoleAssignmentForm
    import_form_class = RoleAssignmentImportForm
    import_fields = ("user", "role", "unit")
    export_fields = (
        "user__username",
        "user__first_name",
        "user__last_name",
        "role__name",
        "unit__code",
        "unit__name",
    )
    detail_fields = ("user", "role", "unit", "created_at")
    select_related = ("user", "role", "unit")
    menu_group = "akses"
    icon = "bi-person-badge"

    def create(self, *, request: HttpRequest, form: Any, batch: Any = None) -> RoleAssignment:
        data = form.cleaned_data
        return role_assign(
            actor=request.user, user=data["user"], role=data["role"], unit=data["unit"]
        )

    def update(self, *, request: HttpRequest, form: Any, expected_version: int) -> RoleAssignment:
        data = form.cleaned_data
        role_check_grantable(actor=request.user, role=data["role"], unit=data["unit"])
        saved = super().update(request=request, form=form, expected_version=expected_version)
        forget_scopes(saved.user)
        return saved

    def delete(self, *, request: HttpRequest, obj: Any, batch: Any = None) -> None:
        super().delete(request=request, obj=obj, batch=batch)
        forget_scopes(obj.user)
