"""Indonesian identity checks: NIK and phone numbers.

Hard errors reject the input; warnings are shown but let it through (an unknown region
prefix, a NIK that disagrees with the gender or birth date entered)."""

from __future__ import annotations

import datetime
import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from lokal import parse_nik

REGION_ISSUES = {"province", "regency", "district"}


def nik_clean(value: str) -> tuple[str, list[str]]:
    """Digits of a NIK ("32.7501 4108900003" → "3275014108900003") and its warnings."""
    digits = re.sub(r"[\s.\-]", "", value or "")
    if not digits:
        return "", []
    if not digits.isdigit() or len(digits) != 16:
        raise ValidationError(_("NIK harus 16 angka."), code="nik_length")
    info = parse_nik(digits)
    warnings = []
    for issue in info.errors:
        if issue.code in REGION_ISSUES:
            warnings.append(
                _("Kode wilayah %(code)s di NIK tidak dikenal; periksa lagi.")
                % {"code": digits[:6]}
            )
        elif issue.code == "wilayah":
            raise ValidationError(
                _("NIK tidak sah: kode kabupaten/kota atau kecamatan tidak boleh 00."),
                code="nik_region",
            )
        elif issue.code == "serial":
            raise ValidationError(
                _("NIK tidak sah: nomor urut tidak boleh 0000."), code="nik_serial"
            )
        else:
            raise ValidationError(
                _("NIK tidak sah: tanggal lahir di dalamnya bukan tanggal yang nyata."),
                code="nik_date",
            )
    return digits, warnings


def nik_crosscheck(nik: str, gender: str | None, birth_date: datetime.date | None) -> list[str]:
    """Warnings when the NIK's encoded gender or birth date differ from what was entered."""
    if not nik:
        return []
    info = parse_nik(nik)
    warnings = []
    if gender and info.gender and info.gender != gender:
        warnings.append(_("Jenis kelamin menurut NIK berbeda dengan yang diisi."))
    if birth_date and info.birth_date:
        encoded = datetime.date.fromisoformat(info.birth_date)
        if (encoded.day, encoded.month, encoded.year % 100) != (
            birth_date.day,
            birth_date.month,
            birth_date.year % 100,
        ):
            warnings.append(_("Tanggal lahir menurut NIK berbeda dengan yang diisi."))
    return warnings


def phone_clean(value: str) -> str:
    """Any Indonesian way of writing a number → E.164 ("0812-3456-789" → "+628123456789")."""
    raw = (value or "").strip()
    if not raw:
        return ""
    digits = re.sub(r"[^\d+]", "", raw)
    if digits.startswith("62"):
        digits = "+" + digits
    elif digits.startswith("8"):
        digits = "0" + digits
    try:
        parsed = phonenumbers.parse(digits, "ID")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("Nomor HP tidak dikenali."), code="phone") from exc
    national = str(parsed.national_number)
    if parsed.country_code != 62 or not 9 <= len(national) <= 12:
        raise ValidationError(_("Nomor HP harus nomor Indonesia, 10–13 angka."), code="phone")
    if not phonenumbers.is_possible_number(parsed):
        raise ValidationError(_("Nomor HP tidak mungkin ada."), code="phone")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def search_name(full_name: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", "", full_name.lower()).split())[:150]


#: Spellings that sound the same in Indonesian names: the old (pre-1972) spelling, Arabic
#: transliterations and common slips. Applied in order, longest first.
_SOUNDS = (
    ("oe", "u"),
    ("dj", "j"),
    ("tj", "c"),
    ("sj", "sy"),
    ("nj", "ny"),
    ("ch", "h"),
    ("kh", "h"),
    ("ph", "f"),
    ("th", "t"),
    ("dh", "d"),
    ("sh", "s"),
    ("sy", "s"),
    ("q", "k"),
    ("v", "f"),
    ("x", "ks"),
    ("z", "j"),
)


def word_key(word: str) -> str:
    """The consonant skeleton of one name word, spelling variants folded: "Moehammad",
    "Muhamad" and "Mochamad" all give "mhmd"; "Soetrisno" and "Sutrisno" give "strsn"."""
    w = re.sub(r"[^a-z]", "", word.lower())
    if not w:
        return ""
    for old, new in _SOUNDS:
        w = w.replace(old, new)
    first, rest = w[0], re.sub(r"[aeiouy]", "", w[1:])
    rest = re.sub(r"(.)\1+", r"\1", rest)  # doubled consonants: Abdullah = Abdulah
    return (first + rest)[:40]


def name_key(full_name: str) -> str:
    """Space-separated skeletons of every word of a name (see `word_key`)."""
    return " ".join(k for k in (word_key(w) for w in search_name(full_name).split()) if k)[:150]


def whatsapp_link(e164: str) -> str:
    return f"https://wa.me/{e164.lstrip('+')}" if e164 else ""
