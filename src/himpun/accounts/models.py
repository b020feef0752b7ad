"""Users, roles and scoped role assignments."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Permission
from django.db import models
from django.utils.translation import gettext_lazy as _

from himpun.core.models import BaseModel


class User(AbstractUser):
    """A person who logs in to Himpun: a secretary, treasurer, organiser, trainer."""

    language = models.CharField(_("bahasa"), max_length=8, choices=settings.LANGUAGES, default="id")

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Role(models.Model):
    """A named set of actions on models (Admin, Sekretaris, Bendahara, …)."""

    name = models.CharField(_("nama"), max_length=60, unique=True)
    description = models.TextField(_("keterangan"), blank=True)
    permissions = models.ManyToManyField(Permission, verbose_name=_("izin"), blank=True)
    builtin = models.BooleanField(_("bawaan"), default=False)

    class Meta:
        verbose_name = _("peran")
        verbose_name_plural = _("peran")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RoleAssignment(BaseModel):
    """A user holds a role at a unit; it reaches the unit's whole subtree."""

    user = models.ForeignKey(
        User, verbose_name=_("pengguna"), on_delete=models.CASCADE, related_name="assignments"
    )
    role = models.ForeignKey(
        Role, verbose_name=_("peran"), on_delete=models.PROTECT, related_name="assignments"
    )
    unit = models.ForeignKey(
        "structure.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )

    class Meta(BaseModel.Meta):
        verbose_name = _("penugasan peran")
        verbose_name_plural = _("penugasan peran")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="assignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.role} · {self.unit}"


class LoginFailure(models.Model):
    """A failed login, kept for the lockout window."""

    username = models.CharField(max_length=150, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("gagal masuk")
        verbose_name_plural = _("gagal masuk")

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M}"
