"""Login with lockout, language per user, unit switcher, no privilege escalation."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from himpun.accounts.models import Role, RoleAssignment, User
from himpun.accounts.services import role_assign
from tests import factories

LOGIN = "/akun/masuk/"


def test_login_page_is_indonesian_and_login_works(client, world):
    page = client.get(LOGIN).content.decode()
    assert "Masuk ke Himpun" in page
    assert 'lang="id"' in page
    response = client.post(LOGIN, {"username": "admin1", "password": "rahasia-uji-123"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_passwords_are_hashed_with_argon2(world, settings):
    from himpun import settings as production

    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS  # tests use a faster one
    user = User.objects.get(username="admin1")
    user.set_password("rahasia-uji-456")
    user.save(update_fields=["password"])
    assert User.objects.get(username="admin1").password.startswith("argon2")
    assert User.objects.get(username="admin1").check_password("rahasia-uji-456")


@override_settings(HIMPUN_LOGIN_MAX_FAILURES=3)
def test_lockout_after_repeated_failures(client, world):
    for _ in range(3):
        response = client.post(LOGIN, {"username": "admin1", "password": "salah"})
        assert "Nama pengguna atau kata sandi salah" in response.content.decode()
    response = client.post(LOGIN, {"username": "admin1", "password": "rahasia-uji-123"})
    assert "dikunci sementara" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_success_clears_failures(client, world):
    client.post(LOGIN, {"username": "admin1", "password": "salah"})
    client.post(LOGIN, {"username": "admin1", "password": "rahasia-uji-123"})
    from himpun.accounts.models import LoginFailure

    assert not LoginFailure.objects.filter(username="admin1").exists()


def test_language_switch_is_remembered_per_user(client, world):
    client.force_login(world.admin1)
    assert "Pohon organisasi" in client.get("/").content.decode()
    client.post("/akun/bahasa/", {"language": "en", "next": "/"})
    world.admin1.refresh_from_db()
    assert world.admin1.language == "en"
    other = client.__class__()
    other.force_login(world.admin1)  # a new browser: the language follows the user
    page = other.get("/").content.decode()
    assert 'lang="en"' in page
    assert "Organisation tree" in page


def test_404_page_speaks_the_users_language(client, world):
    client.force_login(world.admin1)
    with override_settings(DEBUG=False):
        page = client.get("/struktur/unit/999999/").content.decode()
    assert "Halaman tidak ditemukan" in page


def test_password_change(client, world):
    client.force_login(world.admin1)
    response = client.post(
        "/akun/kata-sandi/",
        {
            "old_password": "rahasia-uji-123",
            "new_password1": "Serikat-Kuat-2026!",
            "new_password2": "Serikat-Kuat-2026!",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="admin1").check_password("Serikat-Kuat-2026!")


def test_role_reaches_whole_subtree_only(world):
    from himpun.structure.models import OrgUnit

    leaf = factories.unit(world.a)
    visible = set(OrgUnit.objects.restrict(world.admin_a).values_list("pk", flat=True))
    assert visible == {world.a.pk, leaf.pk}
    assert not OrgUnit.objects.restrict(world.nobody).exists()
    assert OrgUnit.objects.restrict(world.superuser).count() == OrgUnit.objects.count()


def test_no_privilege_escalation(world):
    sek = factories.UserFactory()
    factories.grant(sek, "Sekretaris", world.a)
    with pytest.raises(ValidationError, match="lebih luas"):
        role_assign(actor=sek, user=sek, role=Role.objects.get(name="Admin"), unit=world.a)
    assert not RoleAssignment.objects.filter(user=sek, role__name="Admin").exists()
    # an Admin may hand out Sekretaris inside their subtree
    role_assign(
        actor=world.admin_a, user=sek, role=Role.objects.get(name="Bendahara"), unit=world.a
    )


def test_unit_switcher_narrows_lists(client, world):
    from himpun.core.services import object_create
    from himpun.structure.models import Employer

    multi = factories.UserFactory()
    factories.grant(multi, "Sekretaris", world.a)
    factories.grant(multi, "Sekretaris", world.b)
    object_create(actor=None, instance=Employer(unit=world.a, name="PT Di A"))
    object_create(actor=None, instance=Employer(unit=world.b, name="PT Di B"))
    client.force_login(multi)
    page = client.get("/struktur/perusahaan/").content.decode()
    assert "PT Di A" in page
    assert "PT Di B" in page
    assert "data-unit-switcher" in page
    client.post("/akun/unit/", {"unit": world.a.pk, "next": "/struktur/perusahaan/"})
    page = client.get("/struktur/perusahaan/").content.decode()
    assert "PT Di A" in page
    assert "PT Di B" not in page
    client.post("/akun/unit/", {"unit": world.c.pk})  # not theirs: ignored
    assert client.session.get("himpun_unit_id") is None


def test_access_tab_lists_who_and_through_which_assignment(client, world):
    client.force_login(world.admin1)
    leaf = factories.unit(world.a)
    page = client.get(f"/struktur/unit/{leaf.pk}/akses/").content.decode()
    assert "admin1" in page
    assert "admin_a" in page
    assert "diwariskan" in page
    assert "nobody" not in page


def test_history_names_related_rows(client, world):
    assignment = factories.grant(factories.UserFactory(), "Pengamat", world.a)
    client.force_login(world.admin1)
    url = f"/akses/penugasan/{assignment.pk}/ubah/"
    data = {
        "user": assignment.user.username,
        "role": Role.objects.get(name="Bendahara").pk,
        "unit": world.a.pk,
        "_version": assignment.version,
    }
    assert client.post(url, data).status_code == 302
    page = client.get(f"/akses/penugasan/{assignment.pk}/riwayat/").content.decode()
    assert "Pengamat</del>" in page
    assert "Bendahara</span>" in page


def test_seed_roles_have_permissions_right_after_migrate(db):
    """post_migrate gives the seed roles their permissions on the first migrate already."""
    admin = Role.objects.get(name="Admin")
    codes = set(admin.permissions.values_list("codename", flat=True))
    assert {"view_orgunit", "change_orgunit", "export_orgunit", "add_roleassignment"} <= codes
    assert "change_orgunit" not in set(
        Role.objects.get(name="Pengamat").permissions.values_list("codename", flat=True)
    )


def test_role_assignment_form_does_not_list_other_unions_users(client, world):
    outsider = factories.UserFactory(username="orang_lain")
    factories.grant(outsider, "Pengamat", world.c)
    client.force_login(world.admin_a)
    page = client.get("/akses/penugasan/tambah/").content.decode()
    assert "orang_lain" not in page
    assert 'name="user"' in page
    response = client.post("/akses/penugasan/tambah/", {"user": "tidak_ada", "unit": world.a.pk})
    assert "Pengguna tidak_ada tidak ditemukan" in response.content.decode()


def test_superuser_creates_accounts_in_system_admin(client, world):
    client.force_login(world.superuser)
    assert client.get("/admin/accounts/user/add/").status_code == 200
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "sekretaris_baru",
            "password1": "Serikat-Kuat-2026!",
            "password2": "Serikat-Kuat-2026!",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(username="sekretaris_baru").exists()
    client.force_login(world.admin1)  # a unit admin is not a system admin
    assert client.get("/admin/accounts/user/add/").status_code == 302
