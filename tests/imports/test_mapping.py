"""Guessing which column holds which field from real Indonesian and English header rows."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from himpun.imports.mapping import Field, guess_mapping, normalise_header, validate_mapping
from himpun.members.import_fields import MEMBER_FIELDS


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("No. HP", "no hp"),
        ("Tgl_Lahir", "tgl lahir"),
        ("  NAMA   LENGKAP ", "nama lengkap"),
        ("Jenis Kelamin (L/P)", "jenis kelamin l p"),
        ("Kab/Kota", "kab kota"),
        ("E-mail:", "e mail"),
        ("Tempat, Tgl. Lahir", "tempat tgl lahir"),
        ("Désa/Kelurahan", "desa kelurahan"),
        ("", ""),
    ],
)
def test_normalise_header(header, expected):
    assert normalise_header(header) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param(
            ["No", "Nama Lengkap", "NIK", "Jenis Kelamin (L/P)", "Tempat Lahir", "Tgl. Lahir",
             "Alamat", "No. HP/WA", "PUK", "Bagian", "Status Kerja", "Tgl Masuk"],
            [None, "full_name", "nik", "gender", "birth_place", "birth_date", "address", "phone",
             "unit", "department", "employment_status", "joined_on"],
            id="indonesian",
        ),
        pytest.param(
            ["Member No", "Full Name", "Sex", "Date of Birth", "ID Number", "Mobile", "Email",
             "Address", "Company", "Department", "Shift", "Job Title", "Employment Status",
             "Joined", "Status"],
            ["number", "full_name", "gender", "birth_date", "nik", "phone", "email", "address",
             "employer", "department", "shift", "job_title", "employment_status", "joined_on",
             "status"],
            id="english",
        ),
        pytest.param(
            ["NO", "NAMA", "L/P", "TTL", "NO KTP", "NO TELP", "PROVINSI", "KAB/KOTA",
             "KECAMATAN", "DESA/KELURAHAN", "PERUSAHAAN", "JABATAN", "STATUS ANGGOTA"],
            [None, "full_name", "gender", "birth_place_date", "nik", "phone", "province",
             "regency", "district", "village", "employer", "job_title", "status"],
            id="capitals",
        ),
        pytest.param(
            ["Nomor Anggota", "Nama Anggota", "JK", "Tempat/Tgl Lahir", "NIK", "WhatsApp",
             "Alamat Email", "Alamat Rumah", "Kode Unit", "Nama Perusahaan", "Divisi",
             "Status Karyawan", "Tanggal Bergabung", "Sumber"],
            ["number", "full_name", "gender", "birth_place_date", "nik", "phone", "email",
             "address", "unit", "employer", "department", "employment_status", "joined_on",
             "recruitment_channel"],
            id="long-indonesian",
        ),
        pytest.param(
            ["Nama", "Nama Ibu Kandung", "Tangal Lahir", "Jenis Kelamn", "Catatan", ""],
            ["full_name", None, "birth_date", "gender", None, None],
            id="misspelt-and-unknown",
        ),
        pytest.param(
            ["Nama Lengkap", "Status Perkawinan", "Alamat Kantor", "No HP Keluarga",
             "Nama Suami/Istri", "Tanggal Lahir Anak"],
            ["full_name", None, None, None, None, None],
            id="about-someone-else",
        ),
        pytest.param(
            ["Nama", "Nama"],
            ["full_name", None],
            id="twice-leftmost-wins",
        ),
        pytest.param(
            ["Status", "Status Kerja"],
            ["status", "employment_status"],
            id="exact-beats-contains",
        ),
        pytest.param(
            ["Alamat", "Alamat Email", "No. HP Anggota"],
            ["address", "email", "phone"],
            id="contains",
        ),
    ],
)  # fmt: skip
def test_guess_mapping(header, expected):
    assert guess_mapping(header, MEMBER_FIELDS) == expected


def test_validate_mapping():
    assert validate_mapping(["full_name", "nik", None], MEMBER_FIELDS) == []
    errors = validate_mapping(["nik", "nik", "unknown", None], MEMBER_FIELDS)
    assert errors == [
        "“NIK” dipilih untuk 2 kolom; pilih satu saja.",
        "Kolom tujuan “unknown” tidak dikenal.",
        "Kolom wajib “Nama lengkap” belum dipilih.",
    ]


FIELDS = (
    Field("a", "A", ("nama", "name")),
    Field("b", "B", ("nama lengkap",)),
    Field("c", "C", ("no hp", "hp")),
    Field("d", "D", ("x",), required=True),
)
headers = st.lists(
    st.one_of(
        st.text(max_size=30),
        st.sampled_from(["Nama", "NAMA LENGKAP", "No. HP", "hp", "", "x", "Nama Lengkap"]),
    ),
    max_size=25,
)


@settings(max_examples=300, deadline=None)
@given(headers)
def test_guess_mapping_never_maps_two_columns_to_one_field(header):
    for fields in (FIELDS, MEMBER_FIELDS):
        mapping = guess_mapping(header, fields)
        assert len(mapping) == len(header)
        chosen = [m for m in mapping if m]
        assert len(chosen) == len(set(chosen))
        assert all(m is None for m, h in zip(mapping, header, strict=True) if not h.strip())
        assert not [e for e in validate_mapping(mapping, fields) if "kolom;" in e]
