"""Streaming CSV and XLSX exports in constant memory, each one recorded."""

from __future__ import annotations

import csv
import datetime
import re
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

import xlsxwriter
from django.db.models import QuerySet
from django.utils import timezone

from himpun.core.models import ExportRecord

CHUNK = 2000


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_rows(qs: QuerySet, fields: tuple[str, ...]) -> Iterator[tuple[Any, ...]]:
    """Rows as tuples, fetched in chunks (one query per chunk, no per-row queries)."""
    return qs.values_list(*fields).iterator(chunk_size=CHUNK)


def _cell(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value.tzinfo else value
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else value


#: A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: …except a plain number such as a phone in E.164 ("+6281234567890") or "-5".
PLAIN_NUMBER = re.compile(r"[+-][\d .]*\Z")


def _csv_cell(value: Any) -> Any:
    """A text that a spreadsheet would run as a formula ("=HYPERLINK(…)" typed as a name
    into a form) is exported with a leading apostrophe, so it stays text (CSV injection)."""
    value = _cell(value)
    if isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def csv_stream(headers: list[str], rows: Iterable[tuple[Any, ...]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # BOM so that Excel opens UTF-8 correctly
    yield writer.writerow(headers)
    for row in rows:
        yield writer.writerow([_csv_cell(v) for v in row])


def xlsx_file(headers: list[str], rows: Iterable[tuple[Any, ...]], sheet: str) -> Any:
    """Write an XLSX to a temporary file with xlsxwriter's constant-memory mode."""
    fh = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115  FileResponse closes it
    # Strings stay strings: never a formula, URL or number because of how they look.
    book = xlsxwriter.Workbook(
        fh,
        {
            "constant_memory": True,
            "in_memory": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    ws = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True})
    ws.write_row(0, 0, headers, bold)
    for i, row in enumerate(rows, start=1):
        ws.write_row(i, 0, [_cell(v) for v in row])
    book.close()
    fh.seek(0)
    return fh


def export_record(
    *, user: Any, model: str, file_format: str, query: str, unit_path: str, row_count: int
) -> ExportRecord:
    return ExportRecord.objects.create(
        user=user,
        model=model,
        file_format=file_format,
        query=query,
        unit_path=unit_path,
        row_count=row_count,
    )
