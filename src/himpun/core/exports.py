"""Streaming CSV and XLSX exports in constant memory, each one recorded."""

from __future__ import annotations

import csv
import datetime
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


def csv_stream(headers: list[str], rows: Iterable[tuple[Any, ...]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # BOM so that Excel opens UTF-8 correctly
    yield writer.writerow(headers)
    for row in rows:
        yield writer.writerow([_cell(v) for v in row])


def xlsx_file(headers: list[str], rows: Iterable[tuple[Any, ...]], sheet: str) -> Any:
    """Write an XLSX to a temporary file with xlsxwriter's constant-memory mode."""
    fh = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115  FileResponse closes it
    book = xlsxwriter.Workbook(fh, {"constant_memory": True, "in_memory": False})
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
