"""Login (with lockout), password change, role assignment forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from himpun.accounts.models import Role, RoleAssignment, User
from himpun.accounts.services import login_failed, login_locked, login_succeeded
from himpun.core.forms import ScopedModelForm, style_widgets


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Nama pengguna atau kata sandi salah."),
        "locked": _(
            "Terlalu banyak percobaan masuk yang gagal. Akun ini dikunci sementara; "
            "coba lagi dalam %(minutes)d menit."
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Nama pengguna")
        self.fields["password"].label = _("Kata sandi")
        style_widgets(self)

    def clean(self) -> dict[str, Any]:
        from django.conf import settings

        username = (self.data.get("username") or "").strip()
        if username and login_locked(username):
            raise forms.ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": settings.HIMPUN_LOGIN_LOCKOUT_MINUTES},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                login_failed(username)
            raise
        login_succeeded(username)
        return cleaned


class StyledPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=User._meta.get_field("language").choices)


class RoleAssignmentForm(ScopedModelForm):
    # Typed, not picked from a list: the accounts of other unions stay private.
    user = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        to_field_name="username",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
        label=_("Nama pengguna"),
        help_text=_("Ketik nama pengguna (username) orang yang diberi peran."),
        error_messages={"invalid_choice": _("Pengguna %(value)s tidak ditemukan.")},
    )

    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "unit"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = Role.objects.all()


class RoleAssignmentImportForm(RoleAssignmentForm):
    role = forms.ModelChoiceField(
        queryset=Role.objects.all(), to_field_name="name", label=_("Peran")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from himpun.structure.forms import UnitCodeField
        from himpun.structure.models import OrgUnit

        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitCodeField(
            queryset=OrgUnit.objects.restrict(self.user), label=_("Kode unit")
        )
