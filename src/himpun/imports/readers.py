"""Streaming readers for import files: CSV, XLSX (and XLSM), ODS, XLS and XLSB.

`open_table(path)` reads just enough of a file to find its header and its first data row;
`Table.rows()` then streams the data rows as lists of strings, in constant memory.

XLSX and ODS are read by this module itself because python-calamine materialises the whole
sheet: XLSX with regular expressions over ~1 MiB blocks of the worksheet XML, ODS with expat
over content.xml (its markup varies too much between writers for patterns, and is so verbose
that patterns would not be faster). XLS and XLSB still go through calamine: XLS stops at 65,536
rows so its memory is bounded.

Measured on the 2-core build machine while other jobs kept its load average at ~8, on
1,000,000 rows × 12 columns (names, 16-digit NIK as text, two dates, an 11-digit phone number,
addresses, e-mail), iterating `table.rows()`; rates are per CPU second, wall time was ~1.5-2×:

    file                                        CPU s   rows/s     peak RSS (Django: 82 MB)
    CSV, ";", UTF-8, 163 MB                       3.1   ~320,000    82 MB
    XLSX, inline strings (xlsxwriter), 68 MB     20.1    ~50,000   104 MB
    XLSX, shared strings as Excel writes them,   21.5    ~47,000   223 MB
      66 MB, 3.0 million distinct strings             (2.5 s of it loading the strings)
    calamine on the same two XLSX (iter_rows,    13 / 10.5  78-95,000  1,094 / 995 MB
      values not yet turned into text)

Calamine is faster but needs ~1.6 bytes of memory per byte of sheet XML, and turns a number
Excel already cut to 15 digits into a float with invented trailing zeros, so XLSX always takes
the streaming path here. Shared strings have to stay in memory for random access; they are
packed into one `str` plus an offset array (~1 byte per character + 4 per string instead of
~80 per string object), and a workbook whose shared text exceeds MAX_SHARED_CHARS is refused.

ODS, 200,000 rows of the same 12 columns as LibreOffice writes them (349 MB of content.xml in a
7 MB file, a million empty rows declared after the data), on the same machine at load ~1.5:
11-12 s CPU (~17,000 rows/s) with peak RSS that of Django alone (86 MB); calamine took 2.3-3.2 s
and 422 MB, so ~1.7 GB for a million rows. Expat's own callbacks cost about 6.6 s of the 11;
repeated rows and cells are expanded only where they hold something, so the empty rest of the
sheet costs nothing.
"""

from __future__ import annotations

import array
import codecs
import contextlib
import csv
import datetime as dt
import hashlib
import os
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import partial
from operator import methodcaller
from typing import IO, Protocol

# Only small parts (workbook, relationships, styles) go through ElementTree, and an ODS's
# content.xml through expat's own handlers; expat >= 2.4 refuses entity-expansion bombs.
from xml.etree import ElementTree as ET
from xml.parsers import expat

from django.utils.translation import gettext as _
from python_calamine import (
    CalamineSheet,
    CalamineWorkbook,
    PasswordError,
    SheetTypeEnum,
    SheetVisibleEnum,
)

MAX_CELL = 1000
#: Longest CSV line or field accepted (characters): beyond this a file is broken (an unclosed
#: quote swallows the rest of the file), and reading on would cost memory in proportion.
MAX_FIELD = 1 << 20
#: Largest amount of shared text an XLSX may hold (characters, ~1 byte each in memory).
MAX_SHARED_CHARS = 200_000_000
#: Columns looked at while finding the header (Excel's own limit).
MAX_COLUMNS = 16384
#: Title rows above the table (a lone cell, e.g. "DAFTAR ANGGOTA PUK …") skipped at most.
MAX_TITLE_ROWS = 10

SAMPLE = 64 * 1024
BLOCK = 1 << 20
#: An XLSX row (or shared string) longer than this many characters means a broken file.
MAX_XML_ROW = 32 << 20
#: Small XML parts (workbook, relationships, styles) larger than this are refused unread.
MAX_XML_PART = 16 << 20

CSV_EXTENSIONS = {".csv", ".txt", ".tsv"}
ALLOWED_EXTENSIONS = CSV_EXTENSIONS | {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ""}
DELIMITERS = ";,\t|"

#: What a damaged or foreign ZIP raises while it is read as a workbook.
BROKEN_XLSX = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    KeyError,
    IndexError,
    OverflowError,
    NotImplementedError,
)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# The default limit (131,072) is close to cells that do occur (long notes pasted from Word);
# the bound still matters, see MAX_FIELD.
csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD))


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message is for the person who uploaded it."""


class Truncated(str):
    """A cell value cut to MAX_CELL characters, so that the engine can say which column was."""

    __slots__ = ()


class _Source(Protocol):
    def records(self, max_cols: int) -> Iterator[tuple[int, list[str]]]: ...


@dataclass
class Table:
    """The first sheet of an uploaded file: its header, and its data rows on demand."""

    header: list[str]
    header_row: int
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    #: rows after the header when known without reading them (XLSX dimension, calamine), for a
    #: progress bar; an upper bound, since blank rows are not yielded.
    row_count_hint: int | None = None
    _source: _Source | None = field(default=None, repr=False, compare=False)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(row number as Excel shows it, values) for every non-blank row below the header.

        Values are padded or cut to the header's width: a value in a column without a header
        cannot be mapped to any field, so it is dropped here. Values longer than MAX_CELL are
        cut and returned as `Truncated`. Each call reads the file again from the start."""
        assert self._source is not None
        width = len(self.header)
        header_row = self.header_row
        for number, values in self._source.records(width):
            if number <= header_row:
                continue
            n = len(values)
            if n > width:
                del values[width:]
            joined = "".join(values)
            if not joined or joined.isspace():
                continue
            if n < width:
                values.extend([""] * (width - n))
            if len(joined) > MAX_CELL:
                values = _cut_long(values)
            yield number, values


def open_table(
    path: str | os.PathLike[str],
    filename: str | None = None,
    *,
    header_row: int | None = None,
) -> Table:
    """Open an uploaded file: pick its reader, find the header, and check there is data.

    `filename` is the name the file was uploaded under (its extension decides the format);
    `header_row` overrides the header detection (1-based)."""
    path = os.fspath(path)
    name = filename if filename is not None else path
    ext = os.path.splitext(name)[1].lower()
    if ext not in ALLOWED_EXTENSIONS:
        raise ImportFileError(
            _("Jenis berkas %(ext)s tidak didukung. Unggah berkas CSV, XLSX, XLS, atau ODS.")
            % {"ext": ext}
        )
    try:
        with open(path, "rb") as fh:
            head = fh.read(SAMPLE)
            size = os.fstat(fh.fileno()).st_size
    except OSError as exc:
        raise ImportFileError(_("Berkas tidak dapat dibuka.")) from exc
    if size == 0:
        raise ImportFileError(_("Berkas kosong."))

    table: Table
    if head.startswith(b"PK"):
        kind = _zip_kind(path)
        if kind == "xlsx":
            table = _open_xlsx(path)
        elif kind == "ods":
            table = _open_ods(path)
        else:
            table = _open_calamine(path, kind)
    elif head.startswith(OLE_MAGIC):
        if _ole_is_encrypted(path):
            raise ImportFileError(_msg_encrypted())
        table = _open_calamine(path, "xls")
    elif ext in {".xlsx", ".xlsm", ".ods", ".xlsb"}:
        raise ImportFileError(_msg_not_spreadsheet())
    else:
        _refuse_foreign_text(head)
        table = _open_csv(path, head, complete=size <= len(head))
    _locate_header(table, header_row)
    return table


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 of the file's bytes, read in blocks (the same upload is recognised later)."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


# --- messages -----------------------------------------------------------------------------


def _msg_encrypted() -> str:
    return _(
        "Berkas dilindungi kata sandi. Buka di Excel, hapus kata sandinya "
        "(File › Info › Lindungi Buku Kerja), simpan, lalu unggah kembali."
    )


def _msg_no_sheet() -> str:
    return _("Berkas tidak memiliki lembar kerja yang dapat dibaca.")


def _msg_not_spreadsheet() -> str:
    return _(
        "Berkas rusak atau bukan lembar kerja yang sah. Buka di Excel atau LibreOffice, "
        "simpan sebagai XLSX atau CSV, lalu unggah kembali."
    )


# --- header -------------------------------------------------------------------------------


@contextlib.contextmanager
def _package_errors(broken: tuple[type[BaseException], ...] = BROKEN_XLSX) -> Iterator[None]:
    """Reading a ZIP package (XLSX, ODS): its failures as the messages a person can act on.
    zipfile reports an encrypted member as RuntimeError; `broken` are the signs of damage."""
    try:
        yield
    except ImportFileError:
        raise
    except RuntimeError as exc:
        raise ImportFileError(_msg_encrypted()) from exc
    except broken as exc:
        raise ImportFileError(_msg_not_spreadsheet()) from exc


def _clean_header(values: list[str]) -> list[str]:
    header = [" ".join(v.split())[:MAX_CELL] for v in values]
    while header and not header[-1]:
        header.pop()
    return header


def _filled(values: list[str]) -> int:
    return sum(1 for v in values if v and not v.isspace())


def _locate_header(table: Table, wanted: int | None) -> None:
    """Set the table's header and make sure a data row follows it.

    The header is the first non-blank row, except that title rows above the table (a lone
    filled cell followed by a row of several, e.g. "DAFTAR ANGGOTA PUK ...") are skipped.
    `wanted` (1-based) names the header row instead."""
    source = table._source
    assert source is not None
    header: tuple[int, list[str]] | None = None
    pending: tuple[int, list[str]] | None = None
    titles = 0
    for number, values in source.records(MAX_COLUMNS):
        if wanted is not None:
            if number < wanted:
                continue
            if number == wanted and _filled(values):
                header = (number, values)
            break
        filled = _filled(values)
        if not filled:
            continue
        if pending is not None:
            if not (titles < MAX_TITLE_ROWS and _filled(pending[1]) == 1 and filled >= 2):
                header = pending
                break
            titles += 1
        pending = (number, values)
    else:
        header = pending
    if header is None:
        if wanted is not None:
            raise ImportFileError(
                _("Baris %(row)s kosong atau tidak ada; pilih baris kepala kolom yang lain.")
                % {"row": wanted}
            )
        raise ImportFileError(_("Berkas kosong."))
    table.header, table.header_row = _clean_header(header[1]), header[0]
    # Read again at the header's width: cells far to the right (a stray value in column XFD)
    # would otherwise make every row 16,384 cells wide while looking for the first data row.
    for number, values in source.records(len(table.header)):
        if number > table.header_row and _filled(values[: len(table.header)]):
            break
    else:
        raise ImportFileError(_("Berkas hanya berisi kepala kolom, tanpa data."))
    if table.row_count_hint is not None:
        table.row_count_hint = max(0, table.row_count_hint - table.header_row)


def _cut_long(values: list[str]) -> list[str]:
    return [Truncated(v[:MAX_CELL]) if len(v) > MAX_CELL else v for v in values]


# --- CSV ----------------------------------------------------------------------------------


def _cp1252_table() -> list[str]:
    # The five bytes cp1252 leaves undefined become their Latin-1 characters, so that no byte
    # sequence can fail to decode.
    table = []
    for b in range(256):
        try:
            table.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            table.append(chr(b))
    return table


_CP1252 = _cp1252_table()


def _decode_as_cp1252(exc: UnicodeError) -> tuple[str, int]:
    # A file that is UTF-8 in its first 64 KiB may still carry a Windows-1252 line further
    # down (rows pasted from another export): decode just those bytes as Windows-1252.
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return "".join(_CP1252[b] for b in exc.object[exc.start : exc.end]), exc.end


codecs.register_error("himpun-cp1252", _decode_as_cp1252)


def _sniff_encoding(sample: bytes, complete: bool) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(sample) >= 8:
        # Excel's "Unicode Text" without its BOM: every other byte is NUL.
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > len(odd) * 0.4 and even.count(0) < len(even) * 0.1:
            return "utf-16-le"
        if even.count(0) > len(even) * 0.4 and odd.count(0) < len(odd) * 0.1:
            return "utf-16-be"
    try:
        # Not final unless the sample is the whole file: a character cut at the sample's end
        # is not an error.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=complete)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _sniff_delimiter(text: str) -> tuple[str, bool]:
    """The delimiter, and whether the first line is Excel's "sep=;" directive."""
    first = text.lstrip("\ufeff").split("\n", 1)[0].strip().strip('"')
    if len(first) == 5 and first.lower().startswith("sep="):
        return first[4], True
    # Counted on the first line with text (the header); lines of bare delimiters above it
    # (blank rows as Excel exports them) only count when there is no such line.
    counts = dict.fromkeys(DELIMITERS, 0)
    totals = dict.fromkeys(DELIMITERS, 0)
    in_quotes = False
    seen_text = False
    for ch in text:
        if ch == '"':
            in_quotes = not in_quotes
        elif in_quotes:
            continue
        elif ch in counts:
            counts[ch] += 1
            totals[ch] += 1
        elif ch == "\n" or ch == "\r":
            if seen_text:
                break
            counts = dict.fromkeys(DELIMITERS, 0)
        elif not ch.isspace():
            seen_text = True
    if not seen_text:
        counts = totals
    best = max(DELIMITERS, key=lambda d: counts[d])  # ties go to the first: ";" for Indonesia
    return (best if counts[best] else ","), False


def _refuse_foreign_text(head: bytes) -> None:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:64].lower()
    if start.startswith(b"%pdf"):
        raise ImportFileError(
            _("Jenis berkas PDF tidak didukung. Unggah berkas CSV, XLSX, XLS, atau ODS.")
        )
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml", b"<meta")):
        # Many payroll and HR systems "export to Excel" as an HTML page named .xls.
        raise ImportFileError(
            _(
                "Berkas ini berupa halaman web (HTML/XML), bukan lembar kerja. Buka di Excel, "
                "simpan sebagai XLSX atau CSV, lalu unggah kembali."
            )
        )


@dataclass
class _CsvSource:
    path: str
    encoding: str
    delimiter: str
    #: the first line is Excel's "sep=;" directive, not a row
    directive: bool = False

    def records(self, max_cols: int) -> Iterator[tuple[int, list[str]]]:
        try:
            with open(self.path, encoding=self.encoding, errors="himpun-cp1252", newline="") as fh:
                # readline(MAX_FIELD) bounds memory on a file without line breaks; the NUL
                # bytes some exports pad with are dropped (PostgreSQL refuses them in text).
                lines = map(
                    methodcaller("replace", "\x00", ""), iter(partial(fh.readline, MAX_FIELD), "")
                )
                reader = csv.reader(lines, delimiter=self.delimiter)
                if self.directive:
                    next(reader, None)
                yield from enumerate(reader, 1 + self.directive)
        except csv.Error as exc:
            if "field limit" not in str(exc):
                raise ImportFileError(
                    _("Baris %(row)s tidak dapat dibaca sebagai CSV.") % {"row": reader.line_num}
                ) from exc
            raise ImportFileError(
                _(
                    "Baris %(row)s: sel lebih panjang dari %(limit)s karakter; mungkin ada "
                    'tanda kutip (") yang tidak ditutup.'
                )
                % {"row": reader.line_num, "limit": f"{MAX_FIELD:,}".replace(",", ".")}
            ) from exc
        except OSError as exc:
            raise ImportFileError(_("Berkas tidak dapat dibaca.")) from exc


def _open_csv(path: str, head: bytes, *, complete: bool) -> Table:
    encoding = _sniff_encoding(head, complete=complete)
    text = codecs.getincrementaldecoder(encoding)(errors="himpun-cp1252").decode(head)
    delimiter, directive = _sniff_delimiter(text.replace("\x00", ""))
    return Table(
        header=[],
        header_row=0,
        format="csv",
        encoding=encoding,
        delimiter=delimiter,
        _source=_CsvSource(path, encoding, delimiter, directive),
    )


# --- ZIP / OLE sniffing -------------------------------------------------------------------


def _zip_kind(path: str) -> str:
    """Which spreadsheet a ZIP package holds ("xlsx", "ods" or "xlsb"), by the package's own
    declaration rather than the file name."""
    with _package_errors(), zipfile.ZipFile(path) as zf:
        names = {n.lower(): n for n in zf.namelist()}
        if "mimetype" in names:
            mimetype = _read_member(zf, names["mimetype"], 1024)
            if b"opendocument.spreadsheet" in mimetype:
                return "ods"
            raise ImportFileError(_msg_not_spreadsheet())
        if "[content_types].xml" in names:
            types = _read_member(zf, names["[content_types].xml"], MAX_XML_PART)
            if b"sheet.binary" in types:
                return "xlsb"
            if b"spreadsheetml" in types or b"ms-excel.sheet" in types:
                return "xlsx"
            raise ImportFileError(_msg_not_spreadsheet())
        if "xl/workbook.xml" in names:
            return "xlsx"
    raise ImportFileError(_msg_not_spreadsheet())


def _read_member(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    info = zf.getinfo(name)
    if info.file_size > limit:
        raise ImportFileError(_msg_not_spreadsheet())
    with zf.open(info) as fh:
        return fh.read(limit + 1)[:limit]


def _ole_is_encrypted(path: str) -> bool:
    # A password-protected XLSX is an OLE2 container holding an "EncryptedPackage" stream;
    # its directory can sit anywhere, so the whole file is scanned (it is rarely large).
    marker = "EncryptedPackage".encode("utf-16-le")
    tail = b""
    with open(path, "rb") as fh:
        while block := fh.read(BLOCK):
            if marker in tail + block[: len(marker)] or marker in block:
                return True
            tail = block[-len(marker) :]
    return False


# --- calamine (XLS, XLSB) -----------------------------------------------------------------


def _calamine_text(value: object) -> str:
    if type(value) is str:
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


@dataclass
class _CalamineSource:
    path: str
    kind: str
    sheet: CalamineSheet | None = None

    def load(self) -> int:
        try:
            book = CalamineWorkbook.from_path(self.path)
            names = [
                m.name
                for m in book.sheets_metadata
                if m.typ == SheetTypeEnum.WorkSheet and m.visible == SheetVisibleEnum.Visible
            ] or book.sheet_names
            if not names:
                raise ImportFileError(_msg_no_sheet())
            self.sheet = book.get_sheet_by_name(names[0])
            end = self.sheet.end
        except ImportFileError:
            raise
        except PasswordError as exc:
            raise ImportFileError(_msg_encrypted()) from exc
        except BaseException as exc:
            # calamine reports damage as CalamineError, but also as a Rust panic (a
            # BaseException): anything it raises on bad bytes means the same to the user.
            if isinstance(exc, KeyboardInterrupt | SystemExit | MemoryError):
                raise
            raise ImportFileError(_msg_not_spreadsheet()) from exc
        return end[0] + 1 if end else 0

    def records(self, max_cols: int) -> Iterator[tuple[int, list[str]]]:
        assert self.sheet is not None
        text = _calamine_text
        # iter_rows() starts at the sheet's first row even when the data starts lower.
        for number, row in enumerate(self.sheet.iter_rows(), 1):
            yield number, [v if type(v) is str else text(v) for v in row[:max_cols]]


def _open_calamine(path: str, kind: str) -> Table:
    source = _CalamineSource(path, kind)
    last_row = source.load()
    return Table(header=[], header_row=0, format=kind, row_count_hint=last_row, _source=source)


# --- XLSX ---------------------------------------------------------------------------------

_RELS_ID = re.compile(r"\}id$")
_BUILTIN_DATE_FORMATS = {
    **dict.fromkeys([14, 15, 16, 17, *range(27, 37), *range(50, 59)], "date"),
    **dict.fromkeys([18, 19, 20, 21, 45, 46, 47], "time"),
    22: "datetime",
}
_FORMAT_NOISE = re.compile(r'"[^"]*"|\\.|_.|\*.|\[(?![hms]+\])[^\]]*\]')
_ENTITY = re.compile(r"&(?:#[xX]([0-9a-fA-F]{1,8})|#([0-9]{1,10})|(amp|lt|gt|quot|apos));")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_DIMENSION = re.compile(
    r"""<(?:[\w.-]+:)?dimension\b[^>]*\sref\s*=\s*["'][A-Za-z]*\d*:?[A-Za-z]*(\d+)"""
)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding\s*=\s*["']([\w.-]+)""")
_EPOCH_1900 = dt.date(1899, 12, 30)
_EPOCH_1904 = dt.date(1904, 1, 1)


def _char(code: int) -> str:
    # NUL and lone surrogates would be refused by the database (and by UTF-8) later on.
    if code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return "\ufffd"
    return chr(code)


def _entity(m: re.Match[str]) -> str:
    if m[3]:
        return _ENTITIES[m[3]]
    return _char(int(m[1], 16) if m[1] else int(m[2]))


def _xml_text(s: str) -> str:
    """Text as written in the XML → the cell's text (entities, Excel's _xHHHH_ escapes,
    line ends normalised as an XML parser would)."""
    if "\r" in s:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in s:
        s = _ENTITY.sub(_entity, s)
    if "_x" in s:
        s = _OOXML_ESCAPE.sub(lambda m: _char(int(m[1], 16)), s)
    return s


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse_part(zf: zipfile.ZipFile, name: str) -> ET.Element:
    try:
        return ET.fromstring(_read_member(zf, name, MAX_XML_PART))  # noqa: S314
    except ET.ParseError as exc:
        raise ImportFileError(_msg_not_spreadsheet()) from exc


def _rels(zf: zipfile.ZipFile, names: dict[str, str], part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type's last word, member name) for a part."""
    folder, base = posixpath.split(part)
    rels_name = names.get(posixpath.join(folder, "_rels", base + ".rels").lower())
    if rels_name is None:
        return {}
    result = {}
    for rel in _parse_part(zf, rels_name):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External" or not target:
            continue
        if target.startswith("/"):
            member = target.lstrip("/")
        else:
            member = posixpath.normpath(posixpath.join(folder, target))
        kind = rel.get("Type", "").rsplit("/", 1)[-1]
        result[rel.get("Id", "")] = (kind, names.get(member.lower(), member))
    return result


def _format_kind(code: str) -> str | None:
    code = _FORMAT_NOISE.sub("", code.split(";", 1)[0]).lower()
    has_time = "h" in code or "s" in code
    has_date = "d" in code or "y" in code or ("m" in code and not has_time)
    if has_date:
        return "datetime" if has_time else "date"
    return "time" if has_time else None


def _date_styles(zf: zipfile.ZipFile, name: str | None) -> dict[str, str]:
    """Style index (as written in the cell's s="…") → "date" / "time" / "datetime"."""
    if name is None:
        return {}
    root = _parse_part(zf, name)
    custom: dict[int, str | None] = {}
    styles: dict[str, str] = {}
    for el in root:
        tag = _local(el.tag)
        if tag == "numFmts":
            for fmt in el:
                try:
                    custom[int(fmt.get("numFmtId", ""))] = _format_kind(fmt.get("formatCode", ""))
                except ValueError:
                    continue
        elif tag == "cellXfs":
            for index, xf in enumerate(el):
                try:
                    fmt_id = int(xf.get("numFmtId", "0"))
                except ValueError:
                    continue
                kind = custom[fmt_id] if fmt_id in custom else _BUILTIN_DATE_FORMATS.get(fmt_id)
                if kind:
                    styles[str(index)] = kind
    return styles


def _serial_text(v: str, kind: str, date1904: bool) -> str:
    """An Excel serial number in a date-formatted cell → ISO text (the number itself when it
    is not a plausible date)."""
    try:
        serial = float(v)
    except ValueError:
        return v
    if not 0 <= serial < 2958466:  # up to 9999-12-31
        return v
    days = int(serial)
    seconds = round((serial - days) * 86400)
    if seconds == 86400:
        days, seconds = days + 1, 0
    clock = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    if kind == "time" and days == 0:
        return clock
    if date1904:
        day = _EPOCH_1904 + dt.timedelta(days=days)
    elif days == 60:
        return v  # 1900-02-29, which Lotus 1-2-3 and hence Excel believe in
    elif days < 60:
        day = _EPOCH_1900 + dt.timedelta(days=days + 1)
    else:
        day = _EPOCH_1900 + dt.timedelta(days=days)
    if seconds and kind != "date":
        return f"{day.isoformat()} {clock}"
    return day.isoformat()


def _number_text(v: str) -> str:
    """A number as Excel stored it → the text a person would type for it: whole numbers
    without ".0", and no digits invented where Excel kept only 15."""
    if "E" in v or "e" in v:
        try:
            number = float(v)
        except ValueError:
            return v
        if number.is_integer() and abs(number) < 1e15:
            return str(int(number))
        return v
    head, dot, tail = v.partition(".")
    if dot and not tail.strip("0") and head.lstrip("+-").isdigit():
        return head
    return v


def _col_index(letters: str) -> int:
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index - 1


def _decoder_for(head: bytes) -> codecs.IncrementalDecoder:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        m = _XML_ENCODING.match(head)
        encoding = m[1].decode("ascii").lower() if m else "utf-8"
        # Only text encodings: a declared "rot13" or "zlib" is a codec, but not for XML.
        if not encoding.startswith(("utf", "iso", "cp", "windows", "latin", "ascii", "us-")):
            encoding = "utf-8"
    try:
        return codecs.getincrementaldecoder(encoding)(errors="replace")
    except LookupError as exc:
        raise ImportFileError(_msg_not_spreadsheet()) from exc


def _xml_blocks(fh: IO[bytes], container: str, item: str) -> Iterator[str | re.Match[str]]:
    """The decoded text of an XML part, in blocks of ~1 MiB that each end just after an
    `item` element's closing tag. The first value yielded is the match of the `container`'s
    opening tag (group 1: namespace prefix, group 2: "/" when empty); nothing at all when the
    part has no container."""
    first = fh.read(BLOCK)
    decoder = _decoder_for(first)
    text = decoder.decode(first, final=not first)
    start = re.compile(rf"<(?:([\w.-]+):)?{container}(?=[\s/>])[^>]*?(/?)>")
    while not (m := start.search(text)):
        if len(text) > MAX_XML_ROW:
            raise ImportFileError(_msg_not_spreadsheet())
        data = fh.read(BLOCK)
        if not data:
            return
        text += decoder.decode(data)
    yield m
    if m[2]:
        return
    prefix = f"{m[1]}:" if m[1] else ""
    closing = f"</{prefix}{item}>"
    text = text[m.end() :]
    while True:
        data = fh.read(BLOCK)
        text += decoder.decode(data, final=not data)
        if not data:
            end = text.find(f"</{prefix}{container}>")
            yield text if end < 0 else text[:end]
            return
        cut = text.rfind(closing)
        if cut >= 0:
            cut += len(closing)
            yield text[:cut]
            text = text[cut:]
        elif len(text) > MAX_XML_ROW:
            raise ImportFileError(_msg_not_spreadsheet())


def _scrub(chunk: str) -> str:
    # Excel never writes comments or CDATA, but other generators may; rewrite them so that
    # the patterns below see plain escaped text. NUL is not XML, and PostgreSQL refuses it.
    if "\x00" in chunk:
        chunk = chunk.replace("\x00", "")
    if "<!" in chunk:
        chunk = _COMMENT.sub("", chunk)
        chunk = _CDATA.sub(
            lambda m: m[1].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), chunk
        )
    return chunk


def _cell_patterns(p: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Patterns matching both row starts and cells, so that one findall() walks a block in C.

    Groups: "row", row number, column letters, style, type, <v> text, plain inline text, and
    the rest of the cell's content (rich inline text). The first pattern only knows rows and
    cells as Excel, LibreOffice, openpyxl and xlsxwriter write them (r first, then s and t, no
    whitespace between elements) and is about twice as fast; a block where it does not match
    every cell is read again with the second, general one. Every alternative of the general
    pattern stops at the next cell or row tag, so a damaged block costs linear time."""
    p = re.escape(p)
    row = rf"""<{p}(row)(?=[\s/>])(?=[^>]*?\sr\s*=\s*["'](\d{{1,9}}))?[^>]*>"""
    fast = re.compile(
        rf"""<{p}(row) r="(\d{{1,9}})"[^>]*>"""
        rf"""|<{p}c r="([A-Z]{{1,3}})\d+"(?: s="(\d+)")?(?: t="(\w+)")?[^>]*?"""
        rf"(?:/>|>(?:<{p}f\b[^>]*?(?:/>|>[^<]*</{p}f>))?(?:<{p}v>([^<]*)</{p}v>)?"
        rf"(?:<{p}is><{p}t(?: [^>]*)?>([^<]*)</{p}t></{p}is>)?()</{p}c>)"
    )
    attr = r"""(?=[^>]*?\s{name}\s*=\s*["']({value}))?"""
    rest = rf"([^<]*(?:<(?!/{p}c>|{p}c[\s/>]|/?{p}row[\s/>])[^<]*)*)"
    general = re.compile(
        rf"{row}|<{p}c(?=[\s/>])"
        + attr.format(name="r", value="[A-Za-z]{1,3}")
        + attr.format(name="s", value=r"\d{1,9}")
        + attr.format(name="t", value=r"\w{1,12}")
        + rf"[^>]*?(?:/>|>"
        rf"(?:\s*<{p}f(?=[\s/>])[^>]*?(?:/>|>[^<]*</{p}f>))?"
        rf"\s*(?:<{p}v(?:\s[^>]*)?>([^<]*)</{p}v>)?"
        rf"\s*(?:<{p}is>\s*<{p}t(?:\s[^>]*)?>([^<]*)</{p}t>\s*</{p}is>)?"
        rf"{rest}</{p}c>)"
    )
    return fast, general


def _rich_text(xml: str, p: str) -> str:
    """The text of an <is> or <si> element: its <t> runs, without phonetic (<rPh>) runs."""
    p = re.escape(p)
    if "rPh" in xml:
        xml = re.sub(rf"<{p}rPh\b.*?</{p}rPh>", "", xml, flags=re.S)
    return "".join(re.findall(rf"<{p}t(?:\s[^>]*)?>([^<]*)</{p}t>", xml))


class _SharedStrings:
    """All shared strings packed in one str with an offset array: ~1 byte per character
    instead of ~80 bytes per string object (3 million strings: ~60 MB instead of ~260 MB)."""

    def __init__(self) -> None:
        self.text = ""
        self.offsets = array.array("I", [0])

    @classmethod
    def load(cls, zf: zipfile.ZipFile, name: str) -> _SharedStrings:
        table = cls()
        parts: list[str] = []
        offsets = table.offsets
        total = 0
        with zf.open(name) as fh:
            blocks = _xml_blocks(fh, "sst", "si")
            m = next(blocks, None)
            if m is None:
                return table
            assert isinstance(m, re.Match)
            p = f"{m[1]}:" if m[1] else ""
            ep = re.escape(p)
            item = re.compile(
                rf"<{ep}si(?=[\s/>])[^>]*?(?:/>|>(?:\s*<{ep}t(?:\s[^>]*)?>([^<]*)</{ep}t>\s*"
                rf"</{ep}si>|([^<]*(?:<(?!/?{ep}si[\s/>])[^<]*)*)</{ep}si>))"
            )
            limit = MAX_CELL + 1  # longer strings only need to be known as too long
            for chunk in blocks:
                assert isinstance(chunk, str)
                chunk = _scrub(chunk)
                found = item.findall(chunk)
                if len(found) != chunk.count(f"<{p}si"):
                    # A string we cannot read would shift every later string onto the wrong
                    # cells: refuse the file instead.
                    raise ImportFileError(_msg_not_spreadsheet())
                strings = []
                for plain, rich in found:
                    s = _rich_text(rich, p) if rich else plain
                    if "&" in s or "_x" in s or "\r" in s:
                        s = _xml_text(s)
                    if len(s) > limit:
                        s = s[:limit]
                    total += len(s)
                    offsets.append(total)
                    strings.append(s)
                if total > MAX_SHARED_CHARS:
                    raise ImportFileError(
                        _(
                            "Berkas XLSX ini memuat terlalu banyak teks untuk dibaca. Simpan "
                            "sebagai CSV (UTF-8) lalu unggah kembali."
                        )
                    )
                parts.append("".join(strings))
        table.text = "".join(parts)
        return table


@dataclass
class _XlsxSource:
    path: str
    sheet: str
    strings: _SharedStrings
    date_styles: dict[str, str]
    date1904: bool

    def records(self, max_cols: int) -> Iterator[tuple[int, list[str]]]:
        with _package_errors(), zipfile.ZipFile(self.path) as zf, zf.open(self.sheet) as fh:
            yield from self._records(fh, max_cols)

    def _records(self, fh: IO[bytes], max_cols: int) -> Iterator[tuple[int, list[str]]]:
        blocks = _xml_blocks(fh, "sheetData", "row")
        m = next(blocks, None)
        if m is None:
            return
        assert isinstance(m, re.Match)
        p = f"{m[1]}:" if m[1] else ""
        fast, general = _cell_patterns(p)
        cell_tag, row_tag = f"<{p}c", f"<{p}row"
        sst_text, sst_offsets = self.strings.text, self.strings.offsets
        date_styles, date1904 = self.date_styles, self.date1904
        columns: dict[str, int] = {}
        # serial → ISO text, per kind of format (the same serial is a date in one column and a
        # time in another)
        dates: dict[str, dict[str, str]] = {"date": {}, "time": {}, "datetime": {}}
        number = nxt = 0
        values: list[str] = []
        for chunk in blocks:
            assert isinstance(chunk, str)
            chunk = _scrub(chunk)
            found = fast.findall(chunk)
            if len(found) != chunk.count(cell_tag) + chunk.count(row_tag):
                found = general.findall(chunk)
            for is_row, row_ref, col, style, kind, v, inline, rest in found:
                if is_row:
                    if values:
                        yield number, values
                        values = []
                    number = int(row_ref) if row_ref else number + 1
                    nxt = 0
                    continue
                if col:
                    index = columns.get(col)
                    if index is None:
                        index = columns[col] = _col_index(col)
                else:
                    index = nxt
                nxt = index + 1
                if index >= max_cols or not (v or kind == "inlineStr"):
                    continue
                if kind == "s":
                    i = int(v)
                    value = sst_text[sst_offsets[i] : sst_offsets[i + 1]]
                elif not kind or kind == "n":
                    if style and style in date_styles:
                        fmt = date_styles[style]
                        cache = dates[fmt]
                        value = cache.get(v)
                        if value is None:
                            if len(cache) > 100_000:  # bounds memory on timestamp columns
                                cache.clear()
                            value = cache[v] = _serial_text(v, fmt, date1904)
                    elif v.isdigit():
                        value = v
                    else:
                        value = _number_text(v)
                elif kind == "inlineStr":
                    value = _rich_text(rest, p) if "<" in rest else inline
                    if "&" in value or "_x" in value or "\r" in value:
                        value = _xml_text(value)
                elif kind == "b":
                    value = "TRUE" if v.strip() in ("1", "true") else "FALSE"
                elif kind == "d":
                    value = v[:10] if v[10:].strip("T0:.Z") == "" else v.replace("T", " ")[:19]
                else:  # "str" (a formula's text), "e" (#N/A, #REF! …)
                    value = _xml_text(v)
                if not value:
                    continue
                n = len(values)
                if index == n:
                    values.append(value)
                elif index > n:
                    values.extend([""] * (index - n))
                    values.append(value)
                else:
                    values[index] = value
            if values:
                yield number, values
                values = []


def _open_xlsx(path: str) -> Table:
    with _package_errors(), zipfile.ZipFile(path) as zf:
        names = {n.lower(): n for n in zf.namelist()}
        package = _rels(zf, names, "")
        workbook = next(
            (member for kind, member in package.values() if kind == "officeDocument"),
            names.get("xl/workbook.xml", "xl/workbook.xml"),
        )
        if workbook.lower() not in names:
            raise ImportFileError(_msg_not_spreadsheet())
        rels = _rels(zf, names, workbook)
        root = _parse_part(zf, workbook)
        date1904 = False
        sheets: list[tuple[str, bool]] = []
        for el in root.iter():
            tag = _local(el.tag)
            if tag == "workbookPr":
                date1904 = el.get("date1904", "").lower() in ("1", "true")
            elif tag == "sheet":
                rid = next((v for k, v in el.attrib.items() if _RELS_ID.search(k)), "")
                kind, member = rels.get(rid, ("", ""))
                if kind == "worksheet" and member.lower() in names:
                    visible = el.get("state", "visible") == "visible"
                    sheets.append((names[member.lower()], visible))
        if not sheets:
            # No usable relationships (some generators skip them): take sheet1.xml.
            guess = names.get("xl/worksheets/sheet1.xml")
            if guess is None:
                raise ImportFileError(_msg_no_sheet())
            sheets.append((guess, True))
        sheet = next((s for s, visible in sheets if visible), sheets[0][0])
        related = dict(rels.values())
        sst_name = related.get("sharedStrings") or names.get("xl/sharedstrings.xml")
        styles_name = related.get("styles") or names.get("xl/styles.xml")
        strings = (
            _SharedStrings.load(zf, sst_name)
            if sst_name and sst_name.lower() in names
            else _SharedStrings()
        )
        styles = _date_styles(zf, styles_name if styles_name in zf.NameToInfo else None)
        with zf.open(sheet) as fh:
            m = _DIMENSION.search(fh.read(4096).decode("utf-8", "replace"))
        last_row = int(m[1]) if m else None
    return Table(
        header=[],
        header_row=0,
        format="xlsx",
        row_count_hint=last_row,
        _source=_XlsxSource(path, sheet, strings, styles, date1904),
    )


# --- ODS ----------------------------------------------------------------------------------

# Names as expat reports them with namespace processing on: "namespace}local".
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
_ODS_ROW = _TABLE + "table-row"
_ODS_CELL = _TABLE + "table-cell"
_ODS_COVERED = _TABLE + "covered-table-cell"
_ODS_CELLS = (_ODS_CELL, _ODS_COVERED)
_ODS_PARAGRAPHS = (_TEXT + "p", _TEXT + "h")
_ODS_SPACE, _ODS_TAB, _ODS_BREAK = _TEXT + "s", _TEXT + "tab", _TEXT + "line-break"
_ODS_ROWS_REPEATED = _TABLE + "number-rows-repeated"
_ODS_COLUMNS_REPEATED = _TABLE + "number-columns-repeated"
_ODS_VALUE_TYPE = _OFFICE + "value-type"
_ODS_CALC_TYPE = _CALCEXT + "value-type"
_ODS_SPACES = re.compile(r"[ \t\r\n]+")
_ODS_DURATION = re.compile(
    r"\s*(-?)P(?:(\d{1,9})D)?(?:T(?:(\d{1,9})H)?(?:(\d{1,9})M)?(?:(\d{1,9}(?:[.,]\d{0,12})?)S)?)?\s*"
)
#: Rows an ODS may claim (LibreOffice's largest sheet): a repeat count beyond is not data.
MAX_ODS_ROWS = 1 << 24
#: content.xml is parsed in pieces this large; the rows of one piece are collected before
#: they are yielded, and cells repeated across 16,384 columns make at most ~25 MB of them.
ODS_PIECE = 16 * 1024


def _ods_count(v: str | None) -> int:
    return max(1, int(v)) if v else 1


def _ods_number(v: str) -> str:
    """office:value → text as `_number_text` gives it, except that a whole number in exponent
    form is written out when the file gives every digit of it (ODS keeps 17, not 15)."""
    if v.isdigit():
        return v
    if "E" in v or "e" in v:
        try:
            d = Decimal(v)
        except InvalidOperation:
            return v
        exponent = d.as_tuple().exponent
        if isinstance(exponent, int) and exponent <= 0 and d == d.to_integral_value():
            return str(int(d))
    return _number_text(v)


def _ods_date(v: str) -> str:
    """office:date-value → the date, and the time to the second when there is one."""
    if not v[10:].strip("T0:.Z"):
        return v[:10]
    try:
        stamp = dt.datetime.fromisoformat(v).replace(tzinfo=None)
        if stamp.microsecond:
            up = stamp.microsecond >= 500_000
            stamp = stamp.replace(microsecond=0) + dt.timedelta(seconds=up)
    except (ValueError, OverflowError):
        return v
    if stamp.time() == dt.time():
        return stamp.date().isoformat()
    return stamp.isoformat(sep=" ")


def _ods_time(v: str) -> str:
    """office:time-value, an ISO duration ("PT07H30M00S") → "07:30:00" (hours past 24 kept)."""
    m = _ODS_DURATION.fullmatch(v)
    if not m:
        return v
    sign, days, hours, minutes, seconds = m.groups()
    total = (int(days or 0) * 24 + int(hours or 0)) * 3600 + int(minutes or 0) * 60
    total += round(float(seconds.replace(",", "."))) if seconds else 0
    return f"{sign}{total // 3600:02d}:{total // 60 % 60:02d}:{total % 60:02d}"


def _ods_boolean(v: str) -> str:
    return "TRUE" if v.strip().lower() in ("1", "true") else "FALSE"


#: office:value-type → the attribute holding the value, and how it becomes text. A formula's
#: cell holds its last result in the same attributes; a string cell's text is usually in its
#: paragraphs instead.
_ODS_VALUES = {
    "string": (_OFFICE + "string-value", str),
    "float": (_OFFICE + "value", _ods_number),
    "percentage": (_OFFICE + "value", _ods_number),
    "currency": (_OFFICE + "value", _ods_number),
    "date": (_OFFICE + "date-value", _ods_date),
    "time": (_OFFICE + "time-value", _ods_time),
    "boolean": (_OFFICE + "boolean-value", _ods_boolean),
}


class _OdsSheet:
    """expat handlers for content.xml: the rows of its first visible table, collected as each
    ends (first row number, values, times repeated), without building a tree."""

    __slots__ = (
        "cell",
        "col",
        "depth",
        "done",
        "ended",
        "found",
        "hidden",
        "hidden_too",
        "max_cols",
        "number",
        "para",
        "paras",
        "rows",
        "skip",
        "skipped",
        "space",
        "span",
        "style",
        "table",
        "text",
        "times",
        "value",
        "values",
    )

    def __init__(self, max_cols: int, hidden_too: bool) -> None:
        self.max_cols = max_cols
        self.hidden_too = hidden_too
        self.rows: list[tuple[int, list[str], int]] = []
        self.found = self.done = self.skipped = self.skip = False
        self.hidden: set[str] = set()  # table styles that hide their sheet
        self.style: str | None = None
        # depths of the open table, cell and paragraph (0: none open)
        self.depth = self.table = self.cell = self.para = 0
        self.number = self.ended = 0  # rows of the table so far, rows ended in the file
        self.values: list[str] | None = None  # the open row's
        self.times = self.col = self.span = 1
        self.value: str | None = None  # the open cell's; None while its text is read
        self.text = ""
        self.paras = 0
        self.space = False  # the text ends in white space from the XML

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        depth = self.depth = self.depth + 1
        if self.para:
            if tag == _ODS_SPACE:
                self._add(" " * min(_ods_count(attrib.get(_TEXT + "c")), MAX_CELL + 1))
            elif tag == _ODS_TAB:
                self._add("\t")
            elif tag == _ODS_BREAK:
                self._add("\n")
        elif self.cell:
            # a note (office:annotation) is a child of the cell too, not a paragraph
            if self.value is None and depth == self.cell + 1 and tag in _ODS_PARAGRAPHS:
                self.para = depth
                self.space = True  # white space opening a paragraph is not text
                if self.paras:
                    self.text += "\n"
                self.paras += 1
        elif self.values is not None:
            if tag in _ODS_CELLS:
                self.cell = depth
                self.span = _ods_count(attrib.get(_ODS_COLUMNS_REPEATED))
                if tag == _ODS_COVERED or self.col >= self.max_cols or self.skip:
                    self.value = ""  # merged away, out of reach, or on a hidden sheet
                    return
                value = None
                rule = _ODS_VALUES.get(attrib.get(_ODS_VALUE_TYPE, "string"))
                if rule is not None and (v := attrib.get(rule[0])) is not None:
                    value = rule[1](v)
                    if attrib.get(_ODS_CALC_TYPE) == "error":
                        value = None  # LibreOffice stores 0 for #N/A, #DIV/0!: the text says
                self.value = value
                if value is None:
                    self.text = ""
                    self.paras = 0
        elif self.table:
            if tag == _ODS_ROW:
                self.values = []
                self.col = 0
                self.times = _ods_count(attrib.get(_ODS_ROWS_REPEATED))
        elif not self.done:
            self._outside(tag, attrib)

    def _outside(self, tag: str, attrib: dict[str, str]) -> None:
        """Before the first table: table styles that hide a sheet, and the table itself."""
        if tag == _TABLE + "table":
            self.table = self.depth
            self.number = 0
            self.skip = attrib.get(_TABLE + "style-name") in self.hidden and not self.hidden_too
            self.skipped |= self.skip
            self.found = not self.skip
        elif tag == _STYLE + "style":
            family = attrib.get(_STYLE + "family")
            self.style = attrib.get(_STYLE + "name") if family == "table" else None
        elif (
            tag == _STYLE + "table-properties"
            and self.style
            and attrib.get(_TABLE + "display") == "false"
        ):
            self.hidden.add(self.style)

    def _add(self, text: str) -> None:
        if len(self.text) <= MAX_CELL:
            self.text += text
        self.space = False

    def data(self, text: str) -> None:
        # A run of white space in the XML is one space (none at either end of a paragraph);
        # text:s, text:tab and text:line-break write the others.
        if not self.para or len(self.text) > MAX_CELL:
            return
        if "  " in text or "\n" in text or "\t" in text or "\r" in text:
            text = _ODS_SPACES.sub(" ", text)
        if self.space and text[0] == " ":
            text = text[1:]
            if not text:
                return
        self.space = text[-1] == " "
        self.text += text

    def end(self, tag: str) -> None:
        depth = self.depth
        self.depth = depth - 1
        if self.para:
            if depth == self.para:
                self.para = 0
                if self.space and self.text[-1:] == " ":
                    self.text = self.text[:-1]  # nor is white space closing it
        elif self.cell:
            if depth == self.cell:
                self.cell = 0
                value = self.text if self.value is None else self.value
                col, span = self.col, self.span
                self.col = col + span
                values = self.values
                if value and col < self.max_cols and values is not None:
                    if col > len(values):
                        values.extend([""] * (col - len(values)))
                    if span == 1:
                        values.append(value)
                    else:
                        values.extend([value] * min(span, self.max_cols - col))
        elif self.values is not None:
            if tag == _ODS_ROW:
                values = self.values
                self.values = None
                self.ended += 1
                times = min(self.times, MAX_ODS_ROWS - self.number)
                if values and times > 0:
                    self.rows.append((self.number + 1, values, times))
                self.number += times
        elif depth == self.table:
            self.table = 0
            self.done = not self.skip


@dataclass
class _OdsSource:
    path: str

    def records(self, max_cols: int) -> Iterator[tuple[int, list[str]]]:
        with (
            _package_errors((expat.ExpatError, *BROKEN_XLSX)),
            zipfile.ZipFile(self.path) as zf,
        ):
            yield from self._records(zf, max_cols)

    def _records(self, zf: zipfile.ZipFile, max_cols: int) -> Iterator[tuple[int, list[str]]]:
        # The first visible sheet; the first sheet when all are hidden (read again for it).
        for hidden_too in (False, True):
            sheet = _OdsSheet(max_cols, hidden_too)
            parser = expat.ParserCreate(namespace_separator="}")
            parser.buffer_text = True
            parser.StartElementHandler = sheet.start
            parser.EndElementHandler = sheet.end
            parser.CharacterDataHandler = sheet.data
            rows = sheet.rows
            ended = unread = 0
            with zf.open("content.xml") as fh:
                while not sheet.done:
                    piece = fh.read(ODS_PIECE)
                    parser.Parse(piece, not piece)
                    for number, values, times in rows:
                        for n in range(number, number + times - 1):
                            yield n, values.copy()
                        yield number + times - 1, values
                    rows.clear()
                    if not piece:
                        break
                    # bytes since a row last ended: a row this long is a broken file
                    if sheet.ended != ended:
                        ended, unread = sheet.ended, 0
                    elif (unread := unread + len(piece)) > MAX_XML_ROW:
                        raise ImportFileError(_msg_not_spreadsheet())
            if sheet.found:
                return
            if not sheet.skipped:
                raise ImportFileError(_msg_no_sheet())


def _open_ods(path: str) -> Table:
    with _package_errors(), zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        if "META-INF/manifest.xml" in names:
            manifest = _read_member(zf, "META-INF/manifest.xml", MAX_XML_PART)
            if b"encryption-data" in manifest:
                raise ImportFileError(_msg_encrypted())
        if "content.xml" not in names:
            raise ImportFileError(_msg_not_spreadsheet())
    return Table(header=[], header_row=0, format="ods", _source=_OdsSource(path))
