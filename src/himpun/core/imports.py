"""Small synchronous CSV import through a model's own form (the large engine comes later)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

MAX_BYTES = 2 * 1024 * 1024


class ImportFileError(ValueError):
    """The file as a whole cannot be read: nothing is imported."""


@dataclass
class RowError:
    row: int
    message: str


@dataclass
class ImportResult:
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    #: Rows that went in, with something worth checking (a NIK that disagrees, …).
    warnings: list[RowError] = field(default_factory=list)


def read_csv(data: bytes, columns: tuple[str, ...], required: set[str]) -> list[dict[str, str]]:
    """Decode and split a CSV; check its header. Raises ImportFileError with a clear message."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("Berkas terlalu besar (maksimal 2 MB) untuk impor cepat."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _("Berkas bukan UTF-8. Simpan ulang dari Excel sebagai “CSV UTF-8”.")
        ) from exc
    if not text.strip():
        raise ImportFileError(_("Berkas kosong."))
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader)]
    missing = sorted(required - set(header))
    extra = sorted(set(header) - set(columns) - {""})
    problems = []
    if missing:
        problems.append(_("kolom wajib tidak ada: %s") % ", ".join(missing))
    if extra:
        problems.append(_("kolom tidak dikenal: %s") % ", ".join(extra))
    if len(set(header)) != len(header):
        problems.append(_("ada nama kolom yang ganda"))
    if problems:
        raise ImportFileError(_("Kepala kolom tidak sesuai: %s.") % "; ".join(problems))
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            rows.append({})
            continue
        rows.append({h: v.strip() for h, v in zip(header, values, strict=False) if h})
    if not any(rows):
        raise ImportFileError(_("Berkas hanya berisi kepala kolom, tanpa data."))
    return rows


def form_errors_text(errors: Any) -> str:
    parts = []
    for name, messages in errors.items():
        label = name if name != "__all__" else ""
        text = " ".join(str(m) for m in messages)
        parts.append(f"{label}: {text}" if label else text)
    return "; ".join(parts)
