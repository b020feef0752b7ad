"""System administration (superusers only): user accounts and role definitions.

Everything scoped to units (role assignments, structure, members) is managed in Himpun's own
screens; the Django admin is for what belongs to the whole installation."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from himpun.accounts.models import Role, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (None, {"fields": ("language",)}),
    )


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("name", "builtin")
    filter_horizontal = ("permissions",)
