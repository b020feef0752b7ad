"""Template helpers: Indonesian formats for rupiah and phone numbers, query strings."""

from __future__ import annotations

from typing import Any

import phonenumbers
from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def rupiah(value: Any) -> str:
    """1234567 → "Rp1.234.567" (whole rupiah)."""
    if value is None or value == "":
        return ""
    amount = int(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{number_format(abs(amount), force_grouping=True)}"


@register.filter
def phone_id(value: Any) -> str:
    """ "+6281234567890" → "0812-3456-7890", the way Indonesians write it."""
    if not value:
        return ""
    try:
        parsed = phonenumbers.parse(str(value), "ID")
    except phonenumbers.NumberParseException:
        return str(value)
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return national.replace(" ", "-")


@register.simple_tag(takes_context=True)
def query_replace(context: dict[str, Any], **kwargs: Any) -> str:
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        query[key] = value
    return query.urlencode()


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)
