"""Import readers on real files: CSV in the encodings and dialects offices produce, XLSX from
xlsxwriter and from hand-written XML, ODS, and damaged or hostile bytes."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from himpun.imports import readers
from himpun.imports.engine import count_rows
from himpun.imports.readers import (
    MAX_CELL,
    ImportFileError,
    Table,
    Truncated,
    file_sha256,
    open_table,
)


def write(tmp_path: Path, name: str, data: bytes | str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode(encoding) if isinstance(data, str) else data)
    return path


def rows(table: Table) -> list[tuple[int, list[str]]]:
    return list(table.rows())


# --- CSV ----------------------------------------------------------------------------------


def test_csv_semicolon_utf8(tmp_path):
    path = write(
        tmp_path,
        "anggota.csv",
        "  Nama  Lengkap ;NIK;Telepon;;\n"
        "Siti Aminah;3275014108900003;081234567890\n"
        ";;\n"
        "Budi;3275014108900004;0812;extra\n",
    )
    table = open_table(path)
    assert (table.format, table.encoding, table.delimiter) == ("csv", "utf-8", ";")
    assert table.header == ["Nama Lengkap", "NIK", "Telepon"]
    assert table.header_row == 1
    assert rows(table) == [
        (2, ["Siti Aminah", "3275014108900003", "081234567890"]),
        (4, ["Budi", "3275014108900004", "0812"]),
    ]
    # rows() streams afresh each time
    assert rows(table) == rows(table)


def test_csv_utf8_bom_comma(tmp_path):
    path = write(tmp_path, "a.csv", "Nama,Kota\nSiti,Bekasi\n", "utf-8-sig")
    table = open_table(path)
    assert (table.encoding, table.delimiter) == ("utf-8-sig", ",")
    assert table.header == ["Nama", "Kota"]
    assert rows(table) == [(2, ["Siti", "Bekasi"])]


def test_csv_cp1252(tmp_path):
    path = write(tmp_path, "a.csv", "Nama;Catatan\nRené;2019–2024 pengurus\n", "cp1252")
    table = open_table(path)
    assert table.encoding == "cp1252"
    assert rows(table) == [(2, ["René", "2019–2024 pengurus"])]


def test_csv_utf8_char_cut_at_sample_end_is_still_utf8(tmp_path):
    # "é" is two bytes in UTF-8; place it across the 64 KiB sample boundary.
    text = "Nama;Catatan\n" + "x;1\n" * 16380
    text += "y" * (64 * 1024 - len(text) - 1) + "é;2\n"
    path = write(tmp_path, "a.csv", text)
    assert path.read_bytes()[64 * 1024 - 1 : 64 * 1024 + 1] == "é".encode()
    table = open_table(path)
    assert table.encoding == "utf-8"
    assert rows(table)[-1][1] == ["yyé", "2"]


def test_csv_windows_1252_line_after_the_sample_does_not_break_utf8(tmp_path):
    data = b"Nama;Kota\n" + b"Siti;Bekasi\n" * 7000 + "José;Bogor\n".encode("cp1252")
    table = open_table(write(tmp_path, "a.csv", data))
    assert table.encoding == "utf-8"
    assert rows(table)[-1][1] == ["José", "Bogor"]


def test_csv_utf16_unicode_text_from_excel(tmp_path):
    path = write(tmp_path, "a.txt", "Nama\tKota\nSiti\tBekasi\n", "utf-16")
    table = open_table(path)
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert rows(table) == [(2, ["Siti", "Bekasi"])]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_delimiters(tmp_path, delimiter):
    d = delimiter
    text = f'Nama{d}"Alamat, Kota; RT"{d}NIK\nSiti{d}"Jl. A, Bekasi"{d}1\n'
    table = open_table(write(tmp_path, "a.csv", text))
    assert table.delimiter == delimiter
    assert table.header == ["Nama", "Alamat, Kota; RT", "NIK"]
    assert rows(table) == [(2, ["Siti", "Jl. A, Bekasi", "1"])]


def test_csv_sep_directive(tmp_path):
    table = open_table(write(tmp_path, "a.csv", "sep=|\nNama|Kota\nSiti|Bekasi\n"))
    assert (table.delimiter, table.header, table.header_row) == ("|", ["Nama", "Kota"], 2)
    assert rows(table) == [(3, ["Siti", "Bekasi"])]


def test_csv_quoted_newlines_count_as_one_excel_row(tmp_path):
    text = 'Nama;Alamat\nSiti;"Jl. Merdeka 1\nRT 01/RW 02"\nBudi;"Jl. ""Baru"""\n'
    table = open_table(write(tmp_path, "a.csv", text))
    assert rows(table) == [
        (2, ["Siti", "Jl. Merdeka 1\nRT 01/RW 02"]),
        (3, ["Budi", 'Jl. "Baru"']),
    ]


def test_csv_long_cell_is_cut_and_flagged(tmp_path):
    text = "Nama;Catatan\nSiti;" + "a" * 100_000 + "\nBudi;pendek\n"
    table = open_table(write(tmp_path, "a.csv", text))
    [(_, first), (_, second)] = rows(table)
    assert isinstance(first[1], Truncated)
    assert len(first[1]) == MAX_CELL
    assert not isinstance(first[0], Truncated)
    assert not any(isinstance(v, Truncated) for v in second)


def test_csv_unclosed_quote_is_refused_not_swallowed(tmp_path):
    text = 'Nama;Catatan\nSiti;"tidak ditutup\n' + "baris\n" * 250_000
    with pytest.raises(ImportFileError, match="tanda kutip"):
        rows(open_table(write(tmp_path, "a.csv", text)))


def test_csv_nul_bytes(tmp_path):
    data = b"Nama;Kota\x00\nSi\x00ti;Bekasi\n\x00\x00\x00\n"
    table = open_table(write(tmp_path, "a.csv", data))
    assert table.header == ["Nama", "Kota"]
    assert rows(table) == [(2, ["Siti", "Bekasi"])]


def test_csv_title_row_above_the_table_is_skipped(tmp_path):
    text = "DAFTAR ANGGOTA PUK SPSI PT MAJU;;\n;;\nNama;NIK;Kota\nSiti;1;Bekasi\n"
    table = open_table(write(tmp_path, "a.csv", text))
    assert (table.header, table.header_row) == (["Nama", "NIK", "Kota"], 3)
    assert rows(table) == [(4, ["Siti", "1", "Bekasi"])]


def test_single_column_file_keeps_its_header(tmp_path):
    table = open_table(write(tmp_path, "a.csv", "NIK\n3275014108900003\n"))
    assert (table.header, rows(table)) == (["NIK"], [(2, ["3275014108900003"])])


def test_header_row_can_be_chosen(tmp_path):
    text = "Laporan;2024\nNama;NIK\nSiti;1\n"
    table = open_table(write(tmp_path, "a.csv", text), header_row=2)
    assert (table.header, rows(table)) == (["Nama", "NIK"], [(3, ["Siti", "1"])])
    with pytest.raises(ImportFileError):
        open_table(write(tmp_path, "b.csv", text), header_row=9)


@pytest.mark.parametrize("data", [b"", b"\n\n", b";;;\r\n;;\r\n", b"  \n"])
def test_empty_file(tmp_path, data):
    with pytest.raises(ImportFileError, match="kosong"):
        open_table(write(tmp_path, "a.csv", data))


def test_header_only(tmp_path):
    with pytest.raises(ImportFileError) as exc:
        open_table(write(tmp_path, "a.csv", "Nama;NIK\n;\n\n"))
    assert str(exc.value) == "Berkas hanya berisi kepala kolom, tanpa data."


@pytest.mark.parametrize("name", ["a.pdf", "a.doc", "a.docx", "a.jpg"])
def test_unsupported_extension(tmp_path, name):
    with pytest.raises(ImportFileError, match="tidak didukung"):
        open_table(write(tmp_path, name, "Nama;NIK\nSiti;1\n"))


def test_uploaded_name_decides_not_the_stored_path(tmp_path):
    path = write(tmp_path, "upload-1234", "Nama;NIK\nSiti;1\n")
    assert open_table(path, "anggota.csv").format == "csv"
    assert open_table(path).format == "csv"  # no extension: the content decides
    with pytest.raises(ImportFileError):
        open_table(path, "anggota.pdf")


def test_html_saved_as_xls_is_explained(tmp_path):
    path = write(tmp_path, "laporan.xls", "<html><body><table><tr><td>Nama</td></tr></table>")
    with pytest.raises(ImportFileError, match="HTML"):
        open_table(path)


def test_tab_text_saved_as_xls_is_read_as_text(tmp_path):
    table = open_table(write(tmp_path, "export.xls", "Nama\tNIK\nSiti\t1\n"))
    assert (table.format, table.delimiter, rows(table)) == ("csv", "\t", [(2, ["Siti", "1"])])


def test_file_sha256(tmp_path):
    data = b"Nama;NIK\n" * 100_000
    assert file_sha256(write(tmp_path, "a.csv", data)) == hashlib.sha256(data).hexdigest()


# --- XLSX from xlsxwriter -----------------------------------------------------------------


def federation_workbook(path: Path, **options) -> Path:
    wb = xlsxwriter.Workbook(path, options)
    hidden = wb.add_worksheet("Catatan")
    hidden.write("A1", "bukan data")
    hidden.hide()
    ws = wb.add_worksheet("Anggota")
    ws.activate()
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    stamp = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    ws.write("A1", "DAFTAR ANGGOTA PUK SPSI")
    ws.write_row("A3", [" Nama\n Lengkap ", "Telepon", "NIK"])
    ws.merge_range("D3:E3", "Alamat")
    ws.write_row("F3", ["Tgl Lahir", "Iuran", "Aktif", "Masuk", "Catatan"])
    ws.write("A4", "Siti Aminah")
    ws.write_number("B4", 81234567890)
    ws.write_number("C4", 3275014108900003)
    ws.write_row("D4", ["Jl. Merdeka & Co", "Bekasi"])
    # Excel has no time zones: xlsxwriter takes naive datetimes.
    ws.write_datetime("F4", dt.datetime(1990, 8, 17), date)  # noqa: DTZ001
    ws.write_formula("G4", "=20000+5000", None, 25000)
    ws.write_boolean("H4", True)
    ws.write_datetime("I4", dt.datetime(2019, 3, 1, 7, 30), stamp)  # noqa: DTZ001
    ws.write("J4", "x" * 5000)
    ws.write("A7", "Budi")  # rows 5 and 6 are blank
    ws.write_number("G7", 0.1)
    ws.write_formula("B7", '="0812"&"345"', None, "0812345")
    ws.write("L7", "di luar kepala kolom")
    wb.close()
    return path


@pytest.mark.parametrize("constant_memory", [False, True], ids=["shared", "inline"])
def test_xlsx_from_xlsxwriter(tmp_path, constant_memory):
    path = federation_workbook(tmp_path / "anggota.xlsx", constant_memory=constant_memory)
    table = open_table(path)
    assert table.format == "xlsx"
    assert table.header == [
        "Nama Lengkap",
        "Telepon",
        "NIK",
        "Alamat",
        "",  # the merged area's other cell
        "Tgl Lahir",
        "Iuran",
        "Aktif",
        "Masuk",
        "Catatan",
    ]
    assert table.header_row == 3
    (n1, first), (n2, second) = rows(table)
    assert (n1, n2) == (4, 7)
    assert first[:9] == [
        "Siti Aminah",
        "81234567890",
        "3275014108900003",
        "Jl. Merdeka & Co",
        "Bekasi",
        "1990-08-17",
        "25000",
        "TRUE",
        "2019-03-01 07:30:00",
    ]
    assert isinstance(first[9], Truncated)
    assert len(first[9]) == MAX_CELL
    assert second == ["Budi", "0812345", "", "", "", "", "0.1", "", "", ""]


def test_xlsx_matches_calamine(tmp_path):
    path = federation_workbook(tmp_path / "anggota.xlsx")
    sheet = CalamineWorkbook.from_path(path).get_sheet_by_name("Anggota")
    expected = [row for row in sheet.to_python(skip_empty_area=False)[3:] if any(row)]
    got = [values for _, values in open_table(path).rows()]
    assert len(got) == len(expected) == 2
    assert got[0][0] == expected[0][0]
    assert got[0][5] == expected[0][5].isoformat()


def test_xlsx_row_count_hint(tmp_path):
    path = federation_workbook(tmp_path / "anggota.xlsx")
    assert open_table(path).row_count_hint == 4  # rows 4–7 below the header


# --- XLSX written by hand: what other generators do ---------------------------------------

CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def handmade_xlsx(
    path: Path,
    sheet_data: str,
    *,
    shared: list[str] | str = (),
    styles: str = "",
    prefix: str = "",
    workbook_pr: str = "",
) -> Path:
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="/xl/workbook.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "xl/workbook.xml",
            f'<{p}workbook {xmlns} xmlns:r="{RELS}">{workbook_pr}<{p}sheets>'
            f'<{p}sheet name="Data" sheetId="1" r:id="rId1"/></{p}sheets></{p}workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships"><Relationship Id="rId1" Type="{RELS}/worksheet" '
            f'Target="worksheets/data.xml"/><Relationship Id="rId2" Type="{RELS}/'
            f'sharedStrings" Target="strings.xml"/><Relationship Id="rId3" Type="{RELS}/'
            'styles" Target="styles.xml"/></Relationships>',
        )
        z.writestr(
            "xl/worksheets/data.xml",
            f'<?xml version="1.0" encoding="UTF-8"?>\n<{p}worksheet {xmlns}>'
            f"<{p}sheetData>{sheet_data}</{p}sheetData></{p}worksheet>",
        )
        if isinstance(shared, str):
            items = shared
        else:
            items = "".join(f"<{p}si><{p}t>{s}</{p}t></{p}si>" for s in shared)
        z.writestr("xl/strings.xml", f"<{p}sst {xmlns}>{items}</{p}sst>")
        z.writestr("xl/styles.xml", f"<{p}styleSheet {xmlns}>{styles}</{p}styleSheet>")
    return path


def test_xlsx_other_writers(tmp_path):
    styles = (
        '<numFmts><numFmt numFmtId="164" formatCode="[$-421]dd mmmm yyyy"/>'
        '<numFmt numFmtId="165" formatCode="#,##0"/><numFmt numFmtId="166" formatCode="h:mm"/>'
        '</numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="165"/>'
        '<xf numFmtId="166"/><xf numFmtId="14"/></cellXfs>'
    )
    shared = (
        "<si><t>Nama</t></si>"
        '<si><r><rPr><b/></rPr><t>Tgl </t></r><r><t xml:space="preserve">Lahir</t></r>'
        '<rPh sb="0" eb="1"><t>phonetic</t></rPh></si>'
        "<si><t>baris_x000D_\r\nkedua &amp; &#233;</t></si>"
        "<si/>"
    )
    sheet = (
        # attributes in another order, whitespace between elements, no r on the second row
        '<row r="1">\n  <c t="s" r="A1"><v>0</v></c>\n  <c r="B1" t="s"><v>1</v></c>'
        '<c r="C1" t="inlineStr"><is><t>Gaji</t></is></c><c r="D1" t="inlineStr"><is><t>Jam'
        '</t></is></c><c r="E1" t="inlineStr"><is><t>Lain</t></is></c></row>\n'
        '<row><c t="s"><v>2</v></c><c s="1"><v>32737</v></c><c s="2"><v>2500000</v></c>'
        '<c s="3"><v>0.5</v></c><c t="e"><v>#N/A</v></c></row>'
        '<row r="5"><c r="A5" t="inlineStr"><is><r><t>Bu</t></r><r><t>di</t></r></is></c>'
        '<c r="B5" t="d"><v>1990-08-17T00:00:00</v></c><c r="C5"><v>8.1234567890E+10</v></c>'
        '<c r="D5" t="str"><f>A1</f><v>&lt;rumus&gt;</v></c>'
        '<c r="E5"><v>3.27501410890000E+15</v></c></row>'
        '<row r="6"><c r="A6" s="4"/><c r="B6" t="s"><v>3</v></c></row>'
        '<!-- a comment --><row r="7"><c r="A7" t="inlineStr"><is><t><![CDATA[<x> & y]]>'
        '</t></is></c><c r="C7" s="4"><v>43000.75</v></c></row>'
    )
    table = open_table(handmade_xlsx(tmp_path / "a.xlsx", sheet, shared=shared, styles=styles))
    assert table.header == ["Nama", "Tgl Lahir", "Gaji", "Jam", "Lain"]
    assert rows(table) == [
        (2, ["baris\r\nkedua & é", "1989-08-17", "2500000", "12:00:00", "#N/A"]),
        (5, ["Budi", "1990-08-17", "81234567890", "<rumus>", "3.27501410890000E+15"]),
        (7, ["<x> & y", "", "2017-09-22", "", ""]),  # a date format hides the time
    ]


def test_xlsx_namespace_prefix_and_1904_dates(tmp_path):
    sheet = (
        '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c>'
        '</x:row><x:row r="2"><x:c r="A2" t="s"><x:v>2</x:v></x:c><x:c r="B2" s="1"><x:v>0'
        "</x:v></x:c></x:row>"
    )
    styles = '<x:cellXfs><x:xf numFmtId="0"/><x:xf numFmtId="14"/></x:cellXfs>'
    path = handmade_xlsx(
        tmp_path / "a.xlsx",
        sheet,
        shared=["Nama", "Tanggal", "Siti"],
        styles=styles,
        prefix="x",
        workbook_pr='<x:workbookPr date1904="1"/>',
    )
    assert rows(open_table(path)) == [(2, ["Siti", "1904-01-01"])]


def test_xlsx_escapes_the_database_would_refuse(tmp_path):
    sheet = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Nama</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>a&#0;b_xD800_c\x00</t></is></c></row>'
    )
    assert rows(open_table(handmade_xlsx(tmp_path / "a.xlsx", sheet))) == [(2, ["a\ufffdb\ufffdc"])]


def test_xlsx_unreadable_shared_string_refuses_rather_than_shifts(tmp_path):
    sheet = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>2</v></c></row>'
    )
    shared = "<si><t>Nama</t></si><si><t>rusak</t><si><t>Siti</t></si>"
    with pytest.raises(ImportFileError, match="rusak"):
        open_table(handmade_xlsx(tmp_path / "a.xlsx", sheet, shared=shared))


def test_xlsx_wide_gap_and_columns_beyond_the_header(tmp_path):
    sheet = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Nama</t></is></c>'
        '<c r="AB1" t="inlineStr"><is><t>Kode</t></is></c></row>'
        '<row r="2"><c r="AB2"><v>7</v></c><c r="XFD2"><v>9</v></c></row>'
    )
    table = open_table(handmade_xlsx(tmp_path / "a.xlsx", sheet))
    assert len(table.header) == 28
    assert rows(table) == [(2, [""] * 27 + ["7"])]


def test_xlsx_with_only_a_header(tmp_path):
    sheet = '<row r="1"><c r="A1" t="inlineStr"><is><t>Nama</t></is></c></row>'
    with pytest.raises(ImportFileError, match="kepala kolom"):
        open_table(handmade_xlsx(tmp_path / "a.xlsx", sheet))


def test_xlsx_empty_sheet(tmp_path):
    with pytest.raises(ImportFileError, match="kosong"):
        open_table(handmade_xlsx(tmp_path / "a.xlsx", ""))


def test_xlsx_truncated(tmp_path):
    good = federation_workbook(tmp_path / "good.xlsx").read_bytes()
    for size in (len(good) // 2, len(good) - 30, 100):
        path = write(tmp_path, "bad.xlsx", good[:size])
        with pytest.raises(ImportFileError, match="rusak"):
            rows(open_table(path))


def test_xlsx_damaged_sheet_stream(tmp_path):
    # a valid archive whose compressed worksheet has its bytes flipped
    path = federation_workbook(tmp_path / "a.xlsx")
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/worksheets/sheet2.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 20, start + info.compress_size - 10):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    with pytest.raises(ImportFileError):
        rows(open_table(path))


def test_not_really_xlsx(tmp_path):
    with pytest.raises(ImportFileError, match="rusak"):
        open_table(write(tmp_path, "a.xlsx", "Nama;NIK\nSiti;1\n"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types>wordprocessingml</Types>")
        z.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(ImportFileError, match="bukan lembar kerja"):
        open_table(write(tmp_path, "surat.xlsx", buf.getvalue()))


def test_password_protected(tmp_path):
    # What Excel writes for an encrypted workbook: an OLE2 container with these streams.
    ole = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(504)
        + "EncryptionInfo".encode("utf-16-le")
        + bytes(100)
        + "EncryptedPackage".encode("utf-16-le")
        + bytes(2000)
    )
    with pytest.raises(ImportFileError, match="kata sandi"):
        open_table(write(tmp_path, "anggota.xlsx", ole))


def test_zip_encrypted_entries(tmp_path):
    path = federation_workbook(tmp_path / "a.xlsx")
    data = bytearray(path.read_bytes())
    # set the "encrypted" flag on every local and central header
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = data.find(sig)
        while i >= 0:
            data[i + flag_at] |= 1
            i = data.find(sig, i + 4)
    with pytest.raises(ImportFileError):
        open_table(write(tmp_path, "b.xlsx", bytes(data)))


# --- ODS ----------------------------------------------------------------------------------

ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink"'
)
#: What LibreOffice writes below and right of the data: the rest of the sheet, empty.
ODS_REST = (
    '<table:table-row table:number-rows-repeated="1048000">'
    '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
)
ODS_HIDDEN_STYLE = (
    '<style:style style:name="ta2" style:family="table"><style:table-properties '
    'table:display="false"/></style:style>'
)


def ods_cell(value: object) -> str:
    if isinstance(value, str) and value.startswith("<table:"):
        return value  # written out by the test
    if isinstance(value, bool):
        return (
            f'<table:table-cell office:value-type="boolean" office:boolean-value='
            f'"{str(value).lower()}"><text:p>{value}</text:p></table:table-cell>'
        )
    if isinstance(value, dt.date):
        return (
            f'<table:table-cell office:value-type="date" office:date-value='
            f'"{value.isoformat()}"><text:p>{value}</text:p></table:table-cell>'
        )
    if isinstance(value, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    if value is None:
        return "<table:table-cell/>"
    return (
        f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'
    )


def ods_table(table: list[list[object]] | str, name: str = "A", style: str = "") -> str:
    """A sheet from rows of values, or from rows already written as XML."""
    if not isinstance(table, str):
        table = "".join(
            "<table:table-row>" + "".join(ods_cell(v) for v in row) + "</table:table-row>"
            for row in table
        )
    styled = f' table:style-name="{style}"' if style else ""
    return f'<table:table table:name="{name}"{styled}>{table}</table:table>'


def write_ods(
    path: Path,
    table: list[list[object]] | str,
    *,
    before: str = "",
    after: str = "",
    styles: str = "",
    style: str = "",
    content: bytes | None = None,
    encrypted: bool = False,
) -> Path:
    """An ODS package as LibreOffice lays it out; `before` and `after` are other sheets."""
    if content is None:
        content = (
            f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS} '
            f'office:version="1.2"><office:automatic-styles>{styles}</office:automatic-styles>'
            f"<office:body><office:spreadsheet>{before}{ods_table(table, style=style)}{after}"
            "</office:spreadsheet></office:body></office:document-content>"
        ).encode()
    encryption = (
        '<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="AA==">'
        '<manifest:algorithm manifest:algorithm-name="Blowfish CFB" manifest:initialisation-'
        'vector="AA=="/><manifest:key-derivation manifest:key-derivation-name="PBKDF2" '
        'manifest:iteration-count="1024" manifest:salt="AA=="/></manifest:encryption-data>'
        if encrypted
        else ""
    )
    manifest = (
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type'
        '="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:'
        f'full-path="content.xml" manifest:media-type="text/xml">{encryption}'
        "</manifest:file-entry></manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        # The mimetype entry must come first and uncompressed.
        z.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content)
    return path


def calamine_table(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and rows as the calamine path (still used for XLS and XLSB) reads an ODS."""
    table = readers._open_calamine(str(path), "ods")
    readers._locate_header(table, None)
    return table.header, rows(table)


def test_ods(tmp_path):
    path = write_ods(
        tmp_path / "anggota.ods",
        [
            [None],
            ["Nama", "Telepon", "Tanggal Lahir", "Iuran"],
            ["Siti", 81234567890, dt.date(1990, 8, 17), 25000.5],
            [None],
            ["Budi", 3275014108900003, None, 0],
        ],
    )
    assert CalamineWorkbook.from_path(path).sheet_names == ["A"]
    table = open_table(path)
    assert (table.format, table.header, table.header_row) == (
        "ods",
        ["Nama", "Telepon", "Tanggal Lahir", "Iuran"],
        2,
    )
    assert table.row_count_hint is None
    assert rows(table) == [
        (3, ["Siti", "81234567890", "1990-08-17", "25000.5"]),
        (5, ["Budi", "3275014108900003", "", "0"]),
    ]


def test_ods_header_only(tmp_path):
    with pytest.raises(ImportFileError, match="kepala kolom"):
        open_table(write_ods(tmp_path / "a.ods", [["Nama", "NIK"]]))


def test_ods_corrupt(tmp_path):
    data = write_ods(tmp_path / "a.ods", [["Nama"], ["Siti"]]).read_bytes()
    with pytest.raises(ImportFileError):
        open_table(write(tmp_path, "b.ods", data[: len(data) - 40]))


def test_ods_value_types(tmp_path):
    cells = [
        dt.datetime(2019, 3, 1, 7, 30),  # noqa: DTZ001 (ODS dates have no time zone)
        '<table:table-cell office:value-type="date" office:date-value="2019-03-01T07:29:59.9999'
        '"><text:p>x</text:p></table:table-cell>',
        '<table:table-cell office:value-type="percentage" office:value="0.25"><text:p>25%'
        "</text:p></table:table-cell>",
        '<table:table-cell office:value-type="currency" office:currency="IDR" office:value='
        '"50000.0"><text:p>Rp50.000</text:p></table:table-cell>',
        '<table:table-cell office:value-type="time" office:time-value="PT07H30M00S"><text:p>'
        "07:30</text:p></table:table-cell>",
        '<table:table-cell office:value-type="time" office:time-value="PT36H05M00.6S"><text:p>'
        "x</text:p></table:table-cell>",
        # formulas: their last result, never the formula
        '<table:table-cell table:formula="of:=20000+5000" office:value-type="float" '
        'office:value="25000" calcext:value-type="float"><text:p>25000</text:p>'
        "</table:table-cell>",
        '<table:table-cell table:formula="of:=&quot;0812&quot;&amp;&quot;345&quot;" office:'
        'value-type="string" office:string-value="0812345" calcext:value-type="string"><text:p>'
        "0812345</text:p></table:table-cell>",
        '<table:table-cell table:formula="of:=1/0" office:value-type="float" office:value="0" '
        'calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>',
        "<table:table-cell><text:p>tanpa jenis</text:p></table:table-cell>",
    ]
    header = [f"K{i}" for i in range(len(cells) + 3)]
    path = write_ods(
        tmp_path / "a.ods", [header, ["Siti", True, False, *cells], ["Budi", dt.date(1990, 8, 17)]]
    )
    assert rows(open_table(path)) == [
        (
            2,
            [
                "Siti",
                "TRUE",
                "FALSE",
                "2019-03-01 07:30:00",
                "2019-03-01 07:30:00",
                "0.25",
                "50000",
                "07:30:00",
                "36:05:01",
                "25000",
                "0812345",
                "#DIV/0!",
                "tanpa jenis",
            ],
        ),
        (3, ["Budi", "1990-08-17", *[""] * 11]),
    ]


def test_ods_nik_stored_as_a_number_keeps_its_digits(tmp_path):
    numbers = [
        "3275015708900001",
        "3.275015708900001E15",
        "3.2750157089000010E+015",
        "3.27501410890000E+15",  # 15 digits, as Excel keeps them: not made up to 16
        "50000.0",
        "8.1234567890E+10",
        "-1.5",
    ]
    cells = [
        f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p>'
        "</table:table-cell>"
        for v in numbers
    ]
    path = write_ods(tmp_path / "a.ods", [[f"K{i}" for i in range(7)], cells])
    assert rows(open_table(path)) == [
        (
            2,
            [
                "3275015708900001",
                "3275015708900001",
                "3275015708900001",
                "3.27501410890000E+15",
                "50000",
                "81234567890",
                "-1.5",
            ],
        )
    ]


def test_ods_repeated_rows_and_columns(tmp_path):
    row = "<table:table-row{}>{}</table:table-row>".format
    x = '<table:table-cell table:number-columns-repeated="3" office:value-type="string"><text:p>'
    sheet = (
        row("", "".join(ods_cell(v) for v in ["Nama", "A", "B", "C", "D"]))
        + row("", ods_cell("Siti") + x + "x</text:p></table:table-cell>")
        # an empty stretch in the middle still counts its rows
        + row(
            ' table:number-rows-repeated="5"',
            '<table:table-cell table:number-columns-repeated="1024"/>',
        )
        + row(
            ' table:number-rows-repeated="2"',
            ods_cell("sama")
            + '<table:table-cell table:number-columns-repeated="2"/>'
            + ods_cell(7)
            + '<table:table-cell table:number-columns-repeated="1020"/>',
        )
        + row("", '<table:table-cell table:number-columns-repeated="4"/>' + ods_cell("Budi"))
        + ODS_REST
    )
    table = open_table(write_ods(tmp_path / "a.ods", sheet))
    assert (table.header, table.header_row) == (["Nama", "A", "B", "C", "D"], 1)
    assert rows(table) == [
        (2, ["Siti", "x", "x", "x", ""]),
        (8, ["sama", "", "", "7", ""]),
        (9, ["sama", "", "", "7", ""]),
        (10, ["", "", "", "", "Budi"]),
    ]
    # the repeated row is yielded twice as two lists: changing one leaves the other alone
    (_, a), (_, b) = rows(table)[1:3]
    assert a is not b


def test_ods_empty_rest_of_the_sheet_is_not_read_out(tmp_path):
    # LibreOffice declares a million empty rows and a thousand empty cells after the data
    sheet = (
        "<table:table-row>"
        + ods_cell("Nama")
        + ods_cell("NIK")
        + '<table:table-cell table:number-columns-repeated="1022"/></table:table-row>'
        + "<table:table-row>"
        + ods_cell("Siti")
        + ods_cell("3275015708900001")
        + '<table:table-cell table:number-columns-repeated="1022"/></table:table-row>'
        + ODS_REST
        + ODS_REST
    )
    table = open_table(write_ods(tmp_path / "a.ods", sheet))
    assert table.header == ["Nama", "NIK"]
    assert rows(table) == [(2, ["Siti", "3275015708900001"])]
    assert list(table._source.records(readers.MAX_COLUMNS)) == [
        (1, ["Nama", "NIK"]),
        (2, ["Siti", "3275015708900001"]),
    ]
    assert count_rows(table, "unused") == 1


def test_ods_repeat_counts_are_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_ODS_ROWS", 5)
    sheet = (
        "<table:table-row>" + ods_cell("Nama") + "</table:table-row>"
        '<table:table-row table:number-rows-repeated="99999999999">'
        + ods_cell("Siti")
        + "</table:table-row><table:table-row>"
        + ods_cell("Budi")
        + "</table:table-row>"
    )
    assert [n for n, _ in rows(open_table(write_ods(tmp_path / "a.ods", sheet)))] == [2, 3, 4, 5]


def test_ods_merged_cells(tmp_path):
    sheet = (
        "<table:table-row>"
        '<table:table-cell table:number-columns-spanned="2" office:value-type="string">'
        "<text:p>Alamat</text:p></table:table-cell><table:covered-table-cell/>"
        + ods_cell("Kota")
        + "</table:table-row><table:table-row>"
        '<table:table-cell table:number-columns-spanned="3" office:value-type="string">'
        "<text:p>Jl. Merdeka</text:p></table:table-cell>"
        # a covered cell's own content is hidden in LibreOffice
        '<table:covered-table-cell office:value-type="string"><text:p>tersembunyi</text:p>'
        '</table:covered-table-cell><table:covered-table-cell table:number-columns-repeated="1"/>'
        + ods_cell("di luar")
        + "</table:table-row><table:table-row><table:covered-table-cell/>"
        + ods_cell("B3")
        + "</table:table-row>"
    )
    table = open_table(write_ods(tmp_path / "a.ods", sheet))
    assert table.header == ["Alamat", "", "Kota"]
    assert rows(table) == [(2, ["Jl. Merdeka", "", ""]), (3, ["", "B3", ""])]


def test_ods_text(tmp_path):
    text = (
        '<table:table-cell office:value-type="string"><office:annotation><text:p>catatan'
        '</text:p></office:annotation><text:p>Jl.<text:s/>Merdeka<text:s text:c="3"/>No. 1'
        "</text:p><text:p>RT 01<text:tab/>RW 02<text:line-break/><text:span text:style-name="
        '"T1">Bekasi</text:span> &amp; <text:a xlink:href="https://x.test">sekitar</text:a>'
        "</text:p><text:p/></table:table-cell>"
    )
    # as a generator that indents its XML writes it: white space runs are one space
    pretty = (
        '<table:table-cell office:value-type="string">\n      <text:p>\n        Siti\n   '
        "     Aminah <text:s/> \n      </text:p>\n    </table:table-cell>"
    )
    sheet = (
        "<table:table-row>"
        + ods_cell("Alamat")
        + ods_cell("Nama")
        + "</table:table-row><table:table-row>"
        + text
        + pretty
        + "</table:table-row>"
    )
    path = write_ods(tmp_path / "a.ods", sheet)
    assert rows(open_table(path)) == [
        (2, ["Jl. Merdeka   No. 1\nRT 01\tRW 02\nBekasi & sekitar\n", "Siti Aminah  "])
    ]


def test_ods_first_visible_sheet(tmp_path):
    first = [["Nama", "NIK"], ["Siti", "1"]]
    other = ods_table([["Lain"], ["bukan data"]], "B")
    hidden = ods_table([["Tersembunyi"], ["bukan data"]], "H", style="ta2")
    expected = (["Nama", "NIK"], [(2, ["Siti", "1"])])

    def read(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
        table = open_table(path)
        return table.header, rows(table)

    assert read(write_ods(tmp_path / "a.ods", first, after=other)) == expected
    path = write_ods(tmp_path / "b.ods", first, before=hidden, styles=ODS_HIDDEN_STYLE)
    assert read(path) == expected == calamine_table(path)
    # every sheet hidden: the first one
    path = write_ods(tmp_path / "c.ods", first, before=hidden, styles=ODS_HIDDEN_STYLE, style="ta2")
    assert read(path) == (["Tersembunyi"], [(2, ["bukan data"])])


def test_ods_long_cell_is_cut_and_flagged(tmp_path):
    long = '<table:table-cell office:value-type="string"><text:p>' + "a" * 5000
    long += "</text:p><text:p>" + "b" * 100_000 + "</text:p></table:table-cell>"
    sheet = [["Nama", "Catatan"], ["Siti", long], ["Budi", "pendek"]]
    [(_, first), (_, second)] = rows(open_table(write_ods(tmp_path / "a.ods", sheet)))
    assert isinstance(first[1], Truncated)
    assert first[1] == "a" * MAX_CELL
    assert not isinstance(first[0], Truncated)
    assert not any(isinstance(v, Truncated) for v in second)


def test_ods_matches_calamine(tmp_path):
    path = write_ods(
        tmp_path / "anggota.ods",
        [
            ["DAFTAR ANGGOTA PUK"],
            [None],
            ["Nama", "NIK", "Telepon", "Tgl Lahir", "Masuk", "Iuran", "Aktif", "Alamat"],
            [
                "Siti Aminah",
                3275015708900001,
                81234567890,
                dt.date(1990, 8, 17),
                dt.datetime(2019, 3, 1, 7, 30),  # noqa: DTZ001
                25000.5,
                True,
                "Jl. Merdeka &amp; Co</text:p><text:p>Bekasi",
            ],
            [None, None],
            ["Budi", "3275014108900004", None, None, None, 0.1, False, None],
            [
                '<table:table-cell table:number-columns-repeated="2" office:value-type="string">'
                "<text:p>sama</text:p></table:table-cell>",
                None,
                0,
            ],
        ]
        + [["Anggota", i] for i in range(50)],
    )
    ours = open_table(path)
    assert (ours.header, rows(ours)) == calamine_table(path)
    assert ours.header_row == 3
    assert rows(ours)[0] == (
        4,
        [
            "Siti Aminah",
            "3275015708900001",
            "81234567890",
            "1990-08-17",
            "2019-03-01 07:30:00",
            "25000.5",
            "TRUE",
            "Jl. Merdeka & Co\nBekasi",
        ],
    )


def test_ods_encrypted(tmp_path):
    path = write_ods(tmp_path / "a.ods", "", content=bytes(range(256)) * 40, encrypted=True)
    with pytest.raises(ImportFileError, match="kata sandi"):
        open_table(path)


@pytest.mark.parametrize(
    "content",
    [
        b"<office:document-content",  # cut short
        b"bukan xml sama sekali",
        b'<?xml version="1.0"?><a><b></a>',
        # a repeat count that is not a number
        (
            f"<office:document-content {ODS_NS}><office:body><office:spreadsheet><table:table>"
            '<table:table-row table:number-rows-repeated="banyak"><table:table-cell/>'
            "</table:table-row></table:table></office:spreadsheet></office:body>"
            "</office:document-content>"
        ).encode(),
        # an entity defined in terms of itself, many times over
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;'
        b'&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY e "&c;&c;'
        b'&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g '
        b'"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>'
        b"<d>&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;</d>",
    ],
)
def test_ods_broken_content(tmp_path, content):
    with pytest.raises(ImportFileError, match="rusak"):
        rows(open_table(write_ods(tmp_path / "a.ods", "", content=content)))


def test_ods_without_sheets_or_content(tmp_path):
    content = (
        f"<office:document-content {ODS_NS}><office:body><office:spreadsheet/></office:body>"
        "</office:document-content>"
    ).encode()
    with pytest.raises(ImportFileError, match="lembar kerja yang dapat dibaca"):
        open_table(write_ods(tmp_path / "a.ods", "", content=content))
    path = write_ods(tmp_path / "b.ods", [["Nama"], ["Siti"]])
    with zipfile.ZipFile(path) as z, zipfile.ZipFile(tmp_path / "c.ods", "w") as out:
        for info in z.infolist():
            if info.filename != "content.xml":
                out.writestr(info, z.read(info))
    with pytest.raises(ImportFileError, match="rusak"):
        open_table(tmp_path / "c.ods")


def test_ods_row_longer_than_any_real_one_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_XML_ROW", 50_000)
    sheet = [["Nama", "Catatan"], ["Siti", "x" * 10_000], ["Budi", "y" * 100_000]]
    table = open_table(write_ods(tmp_path / "a.ods", sheet))
    with pytest.raises(ImportFileError, match="rusak"):
        rows(table)


def test_ods_damaged_content_stream(tmp_path):
    sheet = [["Nama", "NIK"]] + [[f"Anggota {i}", i] for i in range(2000)]
    path = write_ods(tmp_path / "a.ods", sheet)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("content.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + info.compress_size // 2, start + info.compress_size - 10):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    with pytest.raises(ImportFileError, match="rusak"):
        rows(open_table(path))


# --- hostile bytes ------------------------------------------------------------------------

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def read_all_or_refuse(path: Path) -> None:
    try:
        table = open_table(path)
        for _number, values in table.rows():
            assert all(isinstance(v, str) for v in values)
            assert len(values) == len(table.header)
    except ImportFileError:
        pass


@FUZZ
@given(data=st.binary(max_size=3000))
def test_fuzz_csv(tmp_path, data):
    read_all_or_refuse(write(tmp_path, "f.csv", data))


@FUZZ
@given(data=st.binary(max_size=3000))
def test_fuzz_xlsx(tmp_path, data):
    read_all_or_refuse(write(tmp_path, "f.xlsx", data))


XML_BITS = st.sampled_from(
    [
        "<row>",
        '<row r="2">',
        "</row>",
        '<c r="A1" t="s">',
        '<c r="B9">',
        '<c t="inlineStr">',
        "<c/>",
        "</c>",
        "<v>",
        "</v>",
        "<v>5</v>",
        "<v>99999999999</v>",
        "<v>-1</v>",
        "<is><t>x</t></is>",
        "<is>",
        "<t>",
        "&amp;",
        "&#0;",
        "&#99999999;",
        "_x0000_",
        "<!--",
        "<![CDATA[",
        "]]>",
        "é",
        '<c r="ZZZZ1" s="1" t="d"><v>x</v></c>',
        '<c s="1"><v>1e308</v></c>',
        '<c s="1"><v>60</v></c>',
    ]
)


@FUZZ
@given(bits=st.lists(XML_BITS | st.text(max_size=5), max_size=40))
def test_fuzz_xlsx_sheet_xml(tmp_path, bits):
    sheet = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    styles = '<cellXfs><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs>'
    path = handmade_xlsx(
        tmp_path / "f.xlsx", sheet + "".join(bits), shared=["Nama", "NIK"], styles=styles
    )
    read_all_or_refuse(path)


@FUZZ
@given(bits=st.lists(XML_BITS | st.text(max_size=5), max_size=30))
def test_fuzz_xlsx_shared_strings(tmp_path, bits):
    sheet = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>'
    )
    items = "<si><t>Nama</t></si><si>" + "".join(bits) + "</si><si><t>z</t></si>"
    read_all_or_refuse(handmade_xlsx(tmp_path / "f.xlsx", sheet, shared=items))


ODS_BITS = st.sampled_from(
    [
        "<table:table-row>",
        '<table:table-row table:number-rows-repeated="3">',
        "</table:table-row>",
        "<table:table-cell>",
        '<table:table-cell table:number-columns-repeated="20000">',
        '<table:table-cell office:value-type="float" office:value="1e308">',
        '<table:table-cell office:value-type="float" office:value="x">',
        '<table:table-cell office:value-type="date" office:date-value="2019-02-30T25:00">',
        '<table:table-cell office:value-type="time" office:time-value="PT99999999999H">',
        '<table:table-cell office:value-type="boolean" office:boolean-value="">',
        "<table:covered-table-cell/>",
        "</table:table-cell>",
        "<text:p>",
        "</text:p>",
        '<text:s text:c="5"/>',
        "<text:tab/>",
        "<office:annotation>",
        "</office:annotation>",
        "</table:table>",
        '<table:table table:name="B">',
        "&amp;",
        "&#0;",
        "<!--",
        "<![CDATA[",
        "]]>",
        "é",
    ]
)


@FUZZ
@given(bits=st.lists(ODS_BITS | st.text(max_size=5), max_size=40))
def test_fuzz_ods_content_xml(tmp_path, bits):
    head = "<table:table-row>" + ods_cell("Nama") + ods_cell("NIK") + "</table:table-row>"
    read_all_or_refuse(write_ods(tmp_path / "f.ods", head + "".join(bits)))
