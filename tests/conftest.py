from __future__ import annotations

import pytest

from tests import factories


def pytest_configure(config):
    """Tests hash passwords with MD5: argon2 (the production hasher) costs about 0.1 s a
    user, three quarters of every test's setup. tests/accounts checks the production one."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    """Two organisations: org1 → A, B (siblings) and org2 → C; users inside and outside."""

    class World:
        pass

    w = World()
    w.org1 = factories.org("ORGA")
    w.a = factories.unit(w.org1, "A")
    w.b = factories.unit(w.org1, "B")
    w.org2 = factories.org("ORGB")
    w.c = factories.unit(w.org2, "C")
    w.admin1 = factories.UserFactory(username="admin1")
    factories.grant(w.admin1, "Admin", w.org1)
    w.admin_a = factories.UserFactory(username="admin_a")
    factories.grant(w.admin_a, "Admin", w.a)
    w.nobody = factories.UserFactory(username="nobody")
    w.superuser = factories.UserFactory(username="root", is_superuser=True, is_staff=True)
    return w
