"""One spreadsheet row becomes member data, a list of reasons it cannot be imported, or
warnings worth a second look."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from himpun.imports.parsing import ParseError, parse_name
from himpun.members.import_fields import (
    EMPTY_ROW,
    MEMBER_FIELDS,
    _name_keys,
    member_row_parse,
)
from himpun.members.validation import name_key, search_name

TODAY = datetime.date(2026, 5, 1)

GOOD = {
    "number": "PUK-SAM-2020-000123",
    "full_name": "SITI NUR'AINI",
    "gender": "Perempuan",
    "birth_date": "01/08/1990",
    "birth_place": " Bekasi ",
    "nik": "3275014108900003",
    "phone": "0812-3456-7890",
    "email": "Siti.Nuraini@Example.ORG",
    "address": "Jl. Melati No. 5\nRT 01/RW 02",
    "province": "Jawa Barat",
    "regency": "Kota Bekasi",
    "district": "Bekasi Timur",
    "unit": " PUK-SAM ",
    "employer": "PT  Sinar Abadi",
    "department": "Produksi",
    "shift": "Shift 2",
    "job_title": "Operator",
    "employment_status": "Kontrak",
    "joined_on": "2 Januari 2015",
    "status": "Aktif",
    "recruitment_channel": "Ajakan teman",
}


def parse(**values: str):
    return member_row_parse(values, today=TODAY)


def test_a_good_row():
    row = member_row_parse(GOOD, today=TODAY)
    assert row.errors == []
    assert row.warnings == []
    assert row.data == {
        "number": "PUK-SAM-2020-000123",
        "full_name": "Siti Nur'aini",
        "search_name": "siti nuraini",
        "search_key": "st nrn",
        "gender": "P",
        "birth_date": datetime.date(1990, 8, 1),
        "birth_place": "Bekasi",
        "nik": "3275014108900003",
        "phone": "+6281234567890",
        "email": "siti.nuraini@example.org",
        "address": "Jl. Melati No. 5\nRT 01/RW 02",
        "region_code": "32.75.01",
        "unit_ref": "PUK-SAM",
        "employer_ref": "PT Sinar Abadi",
        "department": "Produksi",
        "shift": "Shift 2",
        "job_title": "Operator",
        "employment_status": "pkwt",
        "joined_on": datetime.date(2015, 1, 2),
        "status": "aktif",
        "recruitment_channel": "ajakan",
    }


def test_a_minimal_row_has_every_key():
    row = parse(full_name="Budi", gender="L")
    assert row.errors == []
    assert row.data.keys() == EMPTY_ROW.keys()
    assert row.data["birth_date"] is None
    assert row.data["status"] == ""  # not given: the import decides


def test_placeholders_are_empty():
    row = parse(full_name="Budi", gender="L", nik="-", phone="N/A", birth_date="-",
                email="tidak ada", department="--", regency="-")  # fmt: skip
    assert row.errors == []
    assert (row.data["nik"], row.data["phone"], row.data["birth_date"]) == ("", "", None)


def test_float_cells_lose_their_point_zero():
    row = parse(full_name="Budi", gender="L", number="123.0", unit="7.0")
    assert (row.data["number"], row.data["unit_ref"]) == ("123", "7")


def test_birth_place_and_date_in_one_column():
    row = parse(full_name="Budi", gender="L", birth_place_date="Jakarta, 17 Agustus 1990")
    assert row.errors == []
    assert (row.data["birth_place"], row.data["birth_date"]) == (
        "Jakarta",
        datetime.date(1990, 8, 17),
    )
    # separate columns are the more careful source
    row = parse(full_name="Budi", gender="L", birth_place_date="Jakarta, 17-08-1990",
                birth_place="Bogor", birth_date="18/08/1990")  # fmt: skip
    assert (row.data["birth_place"], row.data["birth_date"]) == (
        "Bogor",
        datetime.date(1990, 8, 18),
    )


# --- warnings: the row goes in ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "warning", "check"),
    [
        (
            {"nik": "3275014108900003"},
            "Jenis kelamin: diisi dari NIK: Perempuan.",
            ("gender", "P"),
        ),
        (
            {"nik": "3275011708900003"},
            "Jenis kelamin: diisi dari NIK: Laki-laki.",
            ("gender", "L"),
        ),
        (
            {"gender": "L", "nik": "3275014108900003"},
            "NIK: jenis kelamin menurut NIK berbeda dengan yang diisi.",
            ("gender", "L"),
        ),
        (
            {"gender": "P", "nik": "3275014108900003", "birth_date": "02/08/1990"},
            "NIK: tanggal lahir menurut NIK berbeda dengan yang diisi.",
            ("birth_date", datetime.date(1990, 8, 2)),
        ),
        (
            {"gender": "P", "nik": "9975014108900003"},
            "NIK: kode wilayah 997501 di NIK tidak dikenal; periksa lagi.",
            ("nik", "9975014108900003"),
        ),
        (
            {"gender": "P", "phone": "0812-3456-7890 / 0813-1111-2222"},
            "Nomor HP: hanya nomor pertama yang disimpan: +6281234567890.",
            ("phone", "+6281234567890"),
        ),
        (
            {"gender": "P", "regency": "Kab. Bekasi", "district": "Cikarang Utr"},
            "Kecamatan: kecamatan “Cikarang Utr” tidak ditemukan di Kabupaten Bekasi.",
            ("region_code", "32.16"),
        ),
    ],
)
def test_warnings(values, warning, check):
    row = parse(full_name="Siti", **values)
    assert row.errors == []
    assert row.warnings == [warning]
    assert row.data[check[0]] == check[1]


# --- errors: the row stays out ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"birth_date": "31/02/1990"}, "Tanggal lahir: tanggal “31/02/1990” tidak ada."),
        ({"birth_date": "08/17/1990"}, "Tanggal lahir: tanggal “08/17/1990”: bulan 17 tidak ada."),
        ({"birth_date": "17/08/2030"}, "Tanggal lahir: 17/08/2030 ada di masa depan."),
        ({"birth_date": "17/08/1920"}, "Tanggal lahir: 17/08/1920 lebih dari 100 tahun yang lalu."),
        ({"joined_on": "01/01/2027"}, "Tanggal bergabung: 01/01/2027 ada di masa depan."),
        ({"birth_date": "01/01/1990", "joined_on": "01/01/1980"},
         "Tanggal bergabung: sebelum tanggal lahir."),
        ({"nik": "3.27501E+15"},
         "NIK: NIK rusak oleh Excel (notasi ilmiah); format kolom sebagai Teks."),
        ({"nik": "12345"}, "NIK: NIK harus 16 angka."),
        ({"phone": "6.28123E+12"}, "Nomor HP: nomor HP “6.28123E+12” rusak oleh Excel"),
        ({"email": "siti@"}, "Email: “siti@” bukan alamat email."),
        ({"gender": "X"}, "Jenis kelamin: jenis kelamin “X” tidak dikenali; tulis L atau P."),
        ({"department": "x" * 81}, "Bagian: terlalu panjang (81 huruf; paling banyak 80)."),
        ({"shift": "x" * 41}, "Shift: terlalu panjang (41 huruf; paling banyak 40)."),
        ({"number": "9" * 61}, "Nomor anggota: terlalu panjang (61 huruf; paling banyak 60)."),
        ({"birth_place_date": "x" * 81 + ", 17/08/1990"}, "Tempat, tanggal lahir: terlalu panjang"),
        ({"employment_status": "Magang"}, "Status kerja: “Magang” bukan pilihan yang dikenal."),
        ({"regency": "Bekasi"}, "Kabupaten/kota: “Bekasi” bisa kabupaten atau kota"),
        ({"province": "Atlantis"}, "Provinsi: provinsi “Atlantis” tidak ditemukan."),
    ],
)  # fmt: skip
def test_errors(values, error):
    row = member_row_parse({"full_name": "Siti", "gender": "P", **values}, today=TODAY)
    assert len(row.errors) == 1, row.errors
    assert row.errors[0].startswith(error)


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({"gender": "P"}, ["Nama lengkap: wajib diisi."]),
        ({"full_name": "  ", "gender": "P"}, ["Nama lengkap: wajib diisi."]),
        ({"full_name": "-", "gender": "P"}, ["Nama lengkap: wajib diisi."]),
        ({"full_name": "<b>Siti</b>", "gender": "P"},
         ["Nama lengkap: nama tidak boleh berisi tanda < > { }."]),
        ({"full_name": "Siti 2", "gender": "P"}, ["Nama lengkap: nama tidak boleh berisi angka."]),
        ({"full_name": "Siti"}, ["Jenis kelamin: wajib diisi (L atau P)."]),
        ({"full_name": "Siti", "nik": "12345"},
         ["NIK: NIK harus 16 angka.", "Jenis kelamin: wajib diisi (L atau P)."]),
        ({}, ["Nama lengkap: wajib diisi.", "Jenis kelamin: wajib diisi (L atau P)."]),
    ],
)  # fmt: skip
def test_required(values, errors):
    assert member_row_parse(values, today=TODAY).errors == errors


def test_a_bad_gender_is_not_replaced_by_the_nik():
    row = parse(full_name="Siti", gender="X", nik="3275014108900003")
    assert row.errors == ["Jenis kelamin: jenis kelamin “X” tidak dikenali; tulis L atau P."]


def test_every_error_names_its_column():
    labels = tuple(f"{f.label}: " for f in MEMBER_FIELDS)
    bad = {f.name: "<{x}> 31/02/1990 ????????" * 8 for f in MEMBER_FIELDS}
    row = member_row_parse(bad, today=TODAY)
    assert row.errors
    assert all(e.startswith(labels) for e in row.errors), row.errors


# --- search keys -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["Siti Nur'aini", "Moehammad Djoko", "I Gede Putu", "Dewi Lestari, S.Pd.", "Élodie"]
)
def test_search_keys_match_the_members_own(name):
    assert _name_keys(name) == (search_name(name), name_key(name))


@settings(max_examples=500, deadline=None)
@given(st.text(min_size=1, max_size=160))
def test_search_keys_match_for_any_name(text):
    try:
        name = parse_name(text)
    except ParseError:
        return
    assert _name_keys(name) == (search_name(name), name_key(name))


# --- arbitrary rows --------------------------------------------------------------------------

cells = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "-", "L", "P", "17/08/1990", "3275014108900003", "0812-3456-7890",
                     "Jawa Barat", "Kab. Bekasi", "Bekasi", "Cikarang Utara", "Aktif", "32.16",
                     "Jakarta, 17-08-1990", "6.28123E+12", "123.0", "a@b.co"]),
)  # fmt: skip
rows = st.dictionaries(
    st.one_of(st.sampled_from([f.name for f in MEMBER_FIELDS]), st.text(max_size=10)),
    cells,
    max_size=30,
)


@settings(max_examples=500, deadline=None)
@given(rows)
def test_any_row_gives_a_result(values):
    row = member_row_parse(values, today=TODAY)
    assert row.data.keys() == EMPTY_ROW.keys()
    assert all(isinstance(e, str) and e for e in row.errors + row.warnings)
    if not row.errors:
        assert row.data["full_name"]
        assert row.data["gender"] in ("L", "P")
