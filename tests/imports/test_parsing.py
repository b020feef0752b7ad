"""Reading Indonesian spreadsheet values: the spellings people really type, and the errors
they get for the ones that cannot be read."""

from __future__ import annotations

import datetime
import random

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from himpun.imports.parsing import (
    ParseError,
    choices_map,
    nik_check,
    nik_facts,
    normalise_text,
    parse_amount,
    parse_choice,
    parse_date,
    parse_gender,
    parse_name,
    parse_nik,
    parse_phone,
    parse_region,
    phone_numbers,
    region_lookup,
)
from himpun.members.choices import EmploymentStatus, Status
from himpun.members.import_fields import CHANNEL_CHOICES, EMPLOYMENT_CHOICES, STATUS_CHOICES
from himpun.members.validation import nik_clean, nik_crosscheck, phone_clean

TODAY = datetime.date(2026, 5, 1)
D = datetime.date


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17/08/1990", D(1990, 8, 17)),
        ("17-08-1990", D(1990, 8, 17)),
        ("17.08.1990", D(1990, 8, 17)),
        ("17/8/90", D(1990, 8, 17)),
        (" 7/8/1990 ", D(1990, 8, 7)),
        ("17/08/1990 00:00", D(1990, 8, 17)),
        ("1990-08-17", D(1990, 8, 17)),
        ("1990-08-17 00:00:00", D(1990, 8, 17)),
        ("1990-08-17T00:00:00", D(1990, 8, 17)),
        ("1990/8/17", D(1990, 8, 17)),
        ("17 Agustus 1990", D(1990, 8, 17)),
        ("17 agustus 1990", D(1990, 8, 17)),
        ("17 AGUSTUS 1990", D(1990, 8, 17)),
        ("17 Agu 1990", D(1990, 8, 17)),
        ("17 Agt 1990", D(1990, 8, 17)),
        ("17 Ags. 1990", D(1990, 8, 17)),
        ("17-Agu-90", D(1990, 8, 17)),
        ("17-Aug-90", D(1990, 8, 17)),
        ("17 August 1990", D(1990, 8, 17)),
        ("August 17, 1990", D(1990, 8, 17)),
        ("Jumat, 17 Agustus 1990", D(1990, 8, 17)),
        ("1 Mei 2000", D(2000, 5, 1)),
        ("3 Okt 1985", D(1985, 10, 3)),
        ("25 Des 1979", D(1979, 12, 25)),
        ("9 Nop 1979", D(1979, 11, 9)),
        ("9 Pebruari 1979", D(1979, 2, 9)),
        ("33102", D(1990, 8, 17)),
        ("33102.0", D(1990, 8, 17)),
        ("33102.5", D(1990, 8, 17)),  # a date with a time of day
        ("1", D(1900, 1, 1)),
        ("59", D(1900, 2, 28)),
        ("61", D(1900, 3, 1)),
        ("17/08/26", D(2026, 8, 17)),  # up to this year: this century
        ("17/08/27", D(1927, 8, 17)),  # after: last century
        ("29/02/2000", D(2000, 2, 29)),
        ("", None),
        ("   ", None),
        ("-", None),
    ],
)
def test_dates(text, expected):
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("08/17/1990", "bulan 17 tidak ada"),
        ("08/17/1990", "hari/bulan/tahun"),
        ("31/02/1990", "Tanggal “31/02/1990” tidak ada."),
        ("29/02/1990", "tidak ada"),
        ("31/04/1990", "tidak ada"),
        ("00/01/1990", "tidak ada"),
        ("17/08/1776", "tahun 1776"),
        ("17 Foo 1990", "nama bulan “Foo”"),
        ("60", "29/02/1900"),  # Excel's day that never was
        ("1990", "hanya berisi tahun"),
        ("99999", "tidak dikenali"),
        ("besok", "Tanggal “besok” tidak dikenali; tulis seperti 17/08/1990."),
        ("17/08", "tidak dikenali"),
    ],
)
def test_date_errors(text, message):
    with pytest.raises(ParseError) as exc:
        parse_date(text, today=TODAY)
    assert message in exc.value.message


# --- phones ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("081234567890", "+6281234567890"),
        ("0812 3456 7890", "+6281234567890"),
        ("0812.3456.7890", "+6281234567890"),
        ("(0812) 3456-7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("+62-812-3456-7890", "+6281234567890"),
        ("62812345678", "+62812345678"),
        ("6281234567890", "+6281234567890"),
        ("81234567890", "+6281234567890"),  # Excel dropped the 0
        ("81234567890.0", "+6281234567890"),  # a number cell read as a float
        ("0812345678", "+62812345678"),
        ("0812-3456-7890 / 0813-1111-2222", "+6281234567890"),
        ("0812-3456-7890, 0813-1111-2222", "+6281234567890"),
        ("021-555-1234", "+62215551234"),  # a landline: the general path
        ("0812-3456-7890 (WA)", "+6281234567890"),
        ("", ""),
    ],
)
def test_phones(text, expected):
    assert parse_phone(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("6.28123E+12", "rusak oleh Excel"),
        ("8.12346E+10", "notasi ilmiah"),
        ("abc", "tidak dikenali"),
        ("+1 650 253 0000", "nomor Indonesia"),
        ("0812", "Nomor HP"),
    ],
)
def test_phone_errors(text, message):
    with pytest.raises(ParseError) as exc:
        parse_phone(text)
    assert message in exc.value.message


def test_two_numbers_in_one_cell_are_seen():
    assert phone_numbers("0812-3456-7890 / 0813-1111-2222") == ["0812-3456-7890", "0813-1111-2222"]
    assert phone_numbers("0812 3456 7890 atau 0813 1111 2222") == [
        "0812 3456 7890",
        "0813 1111 2222",
    ]
    assert phone_numbers("0812-3456-7890") == ["0812-3456-7890"]


def test_phone_fast_path_agrees_with_phone_clean():
    """The fast path for mobile numbers must give what phone_clean gives, for every length
    and way of writing that it accepts."""
    rnd = random.Random(62)
    for _ in range(3000):
        national = "8" + "".join(rnd.choice("0123456789") for _ in range(rnd.randint(8, 11)))
        prefix = rnd.choice(["0", "62", "+62", "+62 ", "", "(0", "0"])
        body = national if prefix != "(0" else national[:3] + ") " + national[3:]
        sep = rnd.choice(["", "-", " ", "."])
        if sep:
            body = sep.join(body[i : i + 4] for i in range(0, len(body), 4))
        text = prefix + body
        assert parse_phone(text) == phone_clean(text), text


# --- NIK -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3275014108900003", "3275014108900003"),
        ("'3275014108900003", "3275014108900003"),
        ("3275 0141 0890 0003", "3275014108900003"),
        ("32.7501.410890.0003", "3275014108900003"),
        ("3275-0141-0890-0003", "3275014108900003"),
        ("3275011708900003", "3275011708900003"),
        ("3275012902000003", "3275012902000003"),  # 29 February 2000
        ("", ""),
    ],
)
def test_niks(text, expected):
    assert parse_nik(text) == (expected, [])


def test_nik_with_unknown_region_warns():
    nik, warnings = parse_nik("9975014108900003")
    assert nik == "9975014108900003"
    assert "997501" in warnings[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3.27501E+15", "NIK rusak oleh Excel (notasi ilmiah); format kolom sebagai Teks."),
        ("3275014108900000.0", "digit terakhirnya hilang"),
        ("327501410890003", "16 angka"),
        ("32750141089000031", "16 angka"),
        ("NIK 3275014108900003", "16 angka"),
        ("3275013102900003", "tanggal lahir"),  # 31 February
        ("3275012902010003", "tanggal lahir"),  # 29 February 2001
        ("3275004108900003", "00"),
        ("3200014108900003", "00"),
        ("3275014108900000", "0000"),
    ],
)
def test_nik_errors(text, message):
    with pytest.raises(ParseError) as exc:
        parse_nik(text)
    assert message in exc.value.message


@settings(max_examples=400, deadline=None)
@given(st.from_regex(r"\A[0-9]{16}\Z"))
def test_nik_fast_path_agrees_with_nik_clean(digits):
    """Whatever the fast path accepts, nik_clean accepts with the same result; where the
    fast path rejects, so does nik_clean (only the messages for 00 and 0000 are ours)."""
    try:
        expected = nik_clean(digits)
    except ValidationError:
        with pytest.raises(ParseError):
            parse_nik(digits)
    else:
        assert parse_nik(digits) == expected


@settings(max_examples=300, deadline=None)
@given(
    st.from_regex(r"\A(32|31|35)[0-9]{2}0[1-9](0[1-9]|[12][0-9]|4[1-9]|5[0-9])(0[1-9]|1[0-2])"
                  r"[0-9]{2}[0-9]{3}[1-9]\Z"),
    st.sampled_from(["L", "P", None]),
    st.dates(D(1930, 1, 1), D(2010, 12, 31)) | st.none(),
)  # fmt: skip
def test_nik_check_agrees_with_nik_crosscheck(nik, gender, birth_date):
    if nik_facts(nik) is None:
        return
    assert nik_check(nik, gender, birth_date) == nik_crosscheck(nik, gender, birth_date)


def test_nik_facts():
    assert nik_facts("3275014108900003") == (1, 8, 90, "P")
    assert nik_facts("3275011708900003") == (17, 8, 90, "L")
    assert nik_facts("3275013102900003") is None
    assert nik_facts("32750117089") is None


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SITI NUR'AINI", "Siti Nur'aini"),
        ("muhammad bin abdullah", "Muhammad bin Abdullah"),
        ("SITI AMINAH BINTI SOLEH", "Siti Aminah binti Soleh"),
        ("M. RIDWAN", "M. Ridwan"),
        ("I GEDE PUTU WIRAWAN", "I Gede Putu Wirawan"),
        ("i gede putu", "I Gede Putu"),
        ("NI LUH PUTU AYU", "Ni Luh Putu Ayu"),
        ("AHMAD AL-FATIH", "Ahmad Al-Fatih"),
        ("DEWI LESTARI, S.PD.", "Dewi Lestari, S.Pd."),
        ("HAMENGKU BUWONO IX", "Hamengku Buwono IX"),
        ("  budi    santoso ", "Budi Santoso"),
        ("Siti McDonald", "Siti McDonald"),  # mixed case is kept as typed
        ("Muhammad bin Abdullah", "Muhammad bin Abdullah"),
        ("SUKARNO", "Sukarno"),
        ("Dr. Ir. BUDI", "Dr. Ir. BUDI"),
        ("ÉLODIE", "Élodie"),
    ],
)
def test_names(text, expected):
    assert parse_name(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Nama wajib diisi."),
        ("   ", "Nama wajib diisi."),
        ("<script>alert(1)</script>", "< > { }"),
        ("Budi {{x}}", "< > { }"),
        ("Budi 2", "angka"),
        ("A" * 151, "Nama terlalu panjang (151 huruf; paling banyak 150)."),
    ],
)
def test_name_errors(text, message):
    with pytest.raises(ParseError) as exc:
        parse_name(text)
    assert message in exc.value.message


# --- genders and choices ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        *[(t, "L") for t in ("L", "l", "Laki-laki", "LAKI-LAKI", "Laki laki", "lakilaki",
                             "Pria", "M", "Male", "Lk", "LK.", " l ")],
        *[(t, "P") for t in ("P", "p", "Perempuan", "PEREMPUAN", "Wanita", "F", "Female",
                             "Pr", "W")],
        ("", ""),
    ],
)  # fmt: skip
def test_genders(text, expected):
    assert parse_gender(text) == expected


@pytest.mark.parametrize("text", ["X", "Laki-laki/Perempuan", "L/P", "2"])
def test_gender_errors(text):
    with pytest.raises(ParseError, match="L atau P"):
        parse_gender(text)


@pytest.mark.parametrize(
    ("text", "choices", "expected"),
    [
        ("Tetap", EMPLOYMENT_CHOICES, "pkwtt"),
        ("PKWTT", EMPLOYMENT_CHOICES, "pkwtt"),
        ("PKWTT (tetap)", EMPLOYMENT_CHOICES, "pkwtt"),
        ("Karyawan Tetap", EMPLOYMENT_CHOICES, "pkwtt"),
        ("Kontrak", EMPLOYMENT_CHOICES, "pkwt"),
        ("pkwt", EMPLOYMENT_CHOICES, "pkwt"),
        ("Outsourcing", EMPLOYMENT_CHOICES, "alih_daya"),
        ("alih daya", EMPLOYMENT_CHOICES, "alih_daya"),
        ("alih_daya", EMPLOYMENT_CHOICES, "alih_daya"),
        ("harian", EMPLOYMENT_CHOICES, "harian_lepas"),
        ("Harian Lepas", EMPLOYMENT_CHOICES, "harian_lepas"),
        ("Mitra", EMPLOYMENT_CHOICES, "mitra"),
        ("PRT", EMPLOYMENT_CHOICES, "prt"),
        ("Pekerja rumah tangga", EMPLOYMENT_CHOICES, "prt"),
        ("Aktif", STATUS_CHOICES, "aktif"),
        ("Calon anggota", STATUS_CHOICES, "calon"),
        ("Non-aktif", STATUS_CHOICES, "nonaktif"),
        ("Tidak aktif", STATUS_CHOICES, "nonaktif"),
        ("Meninggal dunia", STATUS_CHOICES, "meninggal"),
        ("Keluar", STATUS_CHOICES, "keluar"),
        ("Media sosial", CHANNEL_CHOICES, "media_sosial"),
        ("medsos", CHANNEL_CHOICES, "media_sosial"),
        ("Ajakan teman", CHANNEL_CHOICES, "ajakan"),
        ("Poster / selebaran", CHANNEL_CHOICES, "poster"),
        ("advokasi", CHANNEL_CHOICES, "advokasi"),
        ("", STATUS_CHOICES, ""),
    ],
)
def test_choices(text, choices, expected):
    assert parse_choice(text, choices) == expected


def test_choice_error():
    with pytest.raises(ParseError, match="“Magang” bukan pilihan"):
        parse_choice("Magang", EMPLOYMENT_CHOICES)


def test_choices_map_covers_every_value_and_label():
    mapping = choices_map(Status)
    for value, label in Status.choices:
        assert mapping[normalise_text(value)] == value
        assert mapping[normalise_text(str(label))] == value
    assert choices_map(EmploymentStatus, {"pkwt": ["kontrak"]})["kontrak"] == "pkwt"


# --- regions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("Jawa Barat",), "32"),
        (("JAWA BARAT",), "32"),
        (("Provinsi Jawa Barat",), "32"),
        (("Jabar",), "32"),
        (("DKI Jakarta",), "31"),
        (("DIY",), "34"),
        (("32",), "32"),
        (("Jawa Barat", "Kab. Bekasi"), "32.16"),
        (("", "Kabupaten Bekasi"), "32.16"),
        (("", "KAB BEKASI"), "32.16"),
        (("", "Kab Bekasi"), "32.16"),
        (("", "Kota Bekasi"), "32.75"),
        (("", "KOTA BEKASI"), "32.75"),
        (("", "Karawang"), "32.15"),  # only a kabupaten has this name
        (("", "Jakarta Selatan"), "31.74"),
        (("", "Kota Adm. Jakarta Selatan"), "31.74"),
        (("", "Kota Baru"), "63.02"),  # Kabupaten Kotabaru
        (("DI Yogyakarta", "Gunung Kidul"), "34.03"),
        (("", "32.16"), "32.16"),
        (("", "3216"), "32.16"),
        (("Jawa Barat", "3216"), "32.16"),
        (("", "Kab. Bekasi", "Cikarang Utara"), "32.16.09"),
        (("", "Kab. Bekasi", "Kec. Cikarang Utara"), "32.16.09"),
        (("", "", "Cikarang Utara"), "32.16.09"),
        (("", "Kab. Bekasi", "Cikarang Utara", "Karangasih"), "32.16.09.2003"),
        (("", "Kab. Bekasi", "Cikarang Utara", "Desa Karangasih"), "32.16.09.2003"),
        (("", "3216092003"), "32.16.09.2003"),
        (("", "", "", ""), ""),
    ],
)
def test_regions(parts, expected):
    assert parse_region(*parts) == expected


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("", "Bekasi"), "tulis “Kab. Bekasi” atau “Kota Bekasi”"),
        (("Jawa Barat", "Bogor"), "Kab. Bogor"),
        (("Atlantis",), "Provinsi “Atlantis” tidak ditemukan."),
        (("Banten", "Kota Bekasi"), "tidak ditemukan di Banten"),
        (("", "99.99"), "Kode wilayah 99.99 tidak dikenal."),
        (("36", "32.16"), "tidak berada di Banten"),
        (("", "Kab. Bekasi", "Cikarang Utr"), "Kecamatan “Cikarang Utr” tidak ditemukan"),
        (("", "", "", "Karangasih"), "kecamatannya diisi"),
    ],
)
def test_region_errors(parts, message):
    with pytest.raises(ParseError) as exc:
        parse_region(*parts)
    assert message in exc.value.message


def test_unknown_kecamatan_keeps_the_kabupaten_with_a_warning():
    code, warnings = region_lookup("Jawa Barat", "Kab. Bekasi", "Cikarang Utr")
    assert code == "32.16"
    assert "Cikarang Utr" in warnings[0]


# --- amounts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rp 50.000", 50000),
        ("Rp50.000", 50000),
        ("Rp. 50.000,-", 50000),
        ("50,000", 50000),
        ("50.000,00", 50000),
        ("50,000.00", 50000),
        ("Rp50000", 50000),
        ("50000", 50000),
        ("50000.0", 50000),
        ("1.250.000", 1250000),
        ("50rb", 50000),
        ("50 ribu", 50000),
        ("1,5 jt", 1500000),
        ("2 juta", 2000000),
    ],
)
def test_amounts(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0", "lebih dari 0"),
        ("Rp 0", "lebih dari 0"),
        ("-50.000", "negatif"),
        ("(50.000)", "negatif"),
        ("50.000,50", "bulat"),
        ("lima puluh ribu", "tidak dikenali"),
        ("", "tidak dikenali"),
        ("9" * 20, "terlalu besar"),
    ],
)
def test_amount_errors(text, message):
    with pytest.raises(ParseError, match=message):
        parse_amount(text)


# --- arbitrary text --------------------------------------------------------------------------

PARSERS = [
    lambda s: parse_date(s, today=TODAY),
    parse_phone,
    parse_nik,
    parse_name,
    parse_gender,
    lambda s: parse_choice(s, EMPLOYMENT_CHOICES),
    parse_amount,
    parse_region,
    lambda s: parse_region("Jawa Barat", s),
    lambda s: parse_region("", "Kab. Bekasi", s, s),
]
# Text near real values finds more paths than uniformly random characters.
spreadsheetish = st.one_of(
    st.text(),
    st.text(alphabet="0123456789 +-./,()'E:", max_size=25),
    st.from_regex(r"\A[0-9]{1,2}[ /.-][A-Za-z]{2,9}[ /.-][0-9]{2,4}\Z"),
    st.from_regex(r"\A(\+62|62|0)?8[0-9 -]{6,16}\Z"),
)


@settings(max_examples=300, deadline=None)
@given(spreadsheetish)
@pytest.mark.parametrize("parse", PARSERS)
def test_parsers_only_raise_parse_error(parse, text):
    try:
        parse(text)
    except ParseError as exc:
        message = exc.message
    else:
        message = "read"
    assert message
