"""The validation matrix: NIK, phone, names and dates as people type them."""

from __future__ import annotations

import contextlib
import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from himpun.members.validation import nik_clean, nik_crosscheck, phone_clean


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("3275014108900003", "3275014108900003"),
        ("3275 0141 0890 0003", "3275014108900003"),
        ("32.75.01.410890.0003", "3275014108900003"),
        ("", ""),
    ],
)
def test_nik_accepts_spaces_and_dots(raw, digits):
    assert nik_clean(raw)[0] == digits


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("327501410890", "16 angka"),
        ("32750141089000031", "16 angka"),
        ("3275O14108900003", "16 angka"),
        ("3275013208900003", "bukan tanggal yang nyata"),  # day 32
        ("3275017213900003", "bukan tanggal yang nyata"),  # women: day 72 → 32
        ("3200004108900003", "kecamatan tidak boleh 00"),  # not a date problem
        ("3275004108900003", "kecamatan tidak boleh 00"),
        ("3275014108900000", "nomor urut tidak boleh 0000"),
    ],
)
def test_nik_rejects_malformed(raw, message):
    with pytest.raises(ValidationError, match=message):
        nik_clean(raw)


def test_unknown_region_prefix_is_a_warning_not_an_error():
    digits, warnings = nik_clean("9975011308900003")
    assert digits == "9975011308900003"
    assert "tidak dikenal" in warnings[0]


def test_nik_crosscheck_warns_on_gender_and_birth_date():
    woman_1990_08_01 = "3275014108900003"
    assert nik_crosscheck(woman_1990_08_01, "P", datetime.date(1990, 8, 1)) == []
    warnings = nik_crosscheck(woman_1990_08_01, "L", datetime.date(1991, 8, 1))
    assert len(warnings) == 2


@pytest.mark.parametrize(
    "raw",
    [
        "0812-3456-7890",
        "081234567890",
        "62812 3456 7890",
        "+62 812-3456-7890",
        "812 3456 7890",
        "(0812) 3456 7890",
    ],
)
def test_phone_any_indonesian_format_to_e164(raw):
    assert phone_clean(raw) == "+6281234567890"


@pytest.mark.parametrize("raw", ["12345", "+1 202 555 0100", "0812", "abc", "0812345678901234"])
def test_phone_rejects_what_cannot_be_an_indonesian_number(raw):
    with pytest.raises(ValidationError):
        phone_clean(raw)


@given(st.text(max_size=40))
def test_validators_never_crash(text):
    for fn in (nik_clean, phone_clean):
        with contextlib.suppress(ValidationError):
            fn(text)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("3200004108900003", "kecamatan tidak boleh 00"),
        ("3275014108900000", "nomor urut tidak boleh 0000"),
        ("3275013208900003", "bukan tanggal yang nyata"),
    ],
)
def test_import_parser_gives_the_same_reason_as_the_form(raw, message):
    """The import's fast NIK check hands anything unusual to nik_clean: one set of rules
    and messages for the form and the file."""
    from himpun.imports.parsing import ParseError, parse_nik

    with pytest.raises(ParseError, match=message):
        parse_nik(raw)
