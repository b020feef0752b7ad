"""Generated screen tests for role assignments."""

from __future__ import annotations

from himpun.accounts.models import Role, RoleAssignment
from tests import factories
from tests.screen_case import ScreenCase


class TestRoleAssignmentScreens(ScreenCase):
    model = RoleAssignment
    list_queries = 7

    def make(self, w, owner, name):
        user = factories.UserFactory(first_name=name, last_name="")
        return factories.grant(user, "Pengamat", owner)

    def label(self, obj):
        return obj.user.first_name

    def create_data(self, w):
        user = factories.UserFactory(username="calon_sekretaris")
        return {
            "user": user.username,
            "role": Role.objects.get(name="Sekretaris").pk,
            "unit": w.a.pk,
        }

    def change_data(self, w, obj, name):
        obj.user.first_name = name
        obj.user.save()
        return {
            "user": obj.user.username,
            "role": Role.objects.get(name="Bendahara").pk,
            "unit": obj.unit_id,
        }

    def csv_text(self, w):
        factories.UserFactory(username="dari_csv")
        return "user,role,unit\ndari_csv,Pengamat,A\ntidak_ada,Pengamat,A\n"
