"""Which spreadsheet column holds which field: a first guess from the header row, which the
person importing then confirms or corrects."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from himpun.imports.parsing import normalise_text

#: Header similarity (0–100) from which a misspelt header still counts as a synonym.
FUZZY_MIN = 85
#: A header that contains a synonym as whole words ("no hp anggota" ⊃ "no hp") counts when
#: the synonym is at least this share of its words…
CONTAINS_MIN = 0.5
#: …and no other word says it is about someone or somewhere else: "Nama Ibu Kandung" is not
#: the member's name, "Alamat Kantor" not their address, "Status Perkawinan" not a status.
ELSEWHERE = frozenset(
    {"ibu", "ayah", "bapak", "suami", "istri", "pasangan", "anak", "keluarga", "wali",
     "ahli", "waris", "saudara", "kerabat", "darurat", "atasan", "perekrut", "kantor",
     "perusahaan", "kawin", "perkawinan", "pernikahan", "mother", "father", "spouse",
     "emergency", "office", "company", "marital"}
)  # fmt: skip


@dataclass(frozen=True)
class Field:
    """A field an import can fill, with the header words that usually mean it."""

    name: str
    label: str | Promise
    synonyms: tuple[str, ...]
    required: bool = False


def normalise_header(s: str) -> str:
    """ "No. HP" → "no hp", "Tgl_Lahir" → "tgl lahir", "Kab/Kota" → "kab kota"."""
    return normalise_text(s)


def _score(header: str, synonyms: Sequence[str]) -> float:
    """How surely a normalised header means a field: 100 for a synonym, less for a header
    containing one, a little less for a near-miss spelling, 0 for none."""
    best = 0.0
    padded = f" {header} "
    words = header.split()
    elsewhere = not ELSEWHERE.isdisjoint(words)
    for synonym in synonyms:
        if header == synonym:
            return 100.0
        if f" {synonym} " in padded:
            coverage = (synonym.count(" ") + 1) / len(words)
            if coverage >= CONTAINS_MIN and not (
                elsewhere and ELSEWHERE.isdisjoint(synonym.split())
            ):
                best = max(best, 70 + 25 * coverage)
        elif len(synonym) > 3:
            ratio = fuzz.ratio(header, synonym, score_cutoff=FUZZY_MIN)
            if ratio:
                best = max(best, ratio * 0.9)
    return best


def guess_mapping(header: Sequence[str], fields: Sequence[Field]) -> list[str | None]:
    """For each column, the name of the field it most likely holds, or None. No two columns
    get the same field: the surest match wins, and on a tie the leftmost column."""
    synonyms = [
        tuple(
            dict.fromkeys(
                k
                for k in (
                    normalise_text(f.name),
                    normalise_text(str(f.label)),
                    *(normalise_text(s) for s in f.synonyms),
                )
                if k
            )
        )
        for f in fields
    ]
    candidates: list[tuple[float, int, int]] = []
    for col, cell in enumerate(header):
        text = normalise_header(cell or "")
        if not text:
            continue
        for i, words in enumerate(synonyms):
            score = _score(text, words)
            if score:
                candidates.append((-score, col, i))
    candidates.sort()
    mapping: list[str | None] = [None] * len(header)
    taken: set[int] = set()
    for _rank, col, i in candidates:
        if mapping[col] is None and i not in taken:
            mapping[col] = fields[i].name
            taken.add(i)
    return mapping


def validate_mapping(mapping: Sequence[str | None], fields: Sequence[Field]) -> list[str]:
    """What is wrong with a mapping: unknown or repeated fields, required fields missing."""
    by_name = {f.name: f for f in fields}
    errors = []
    counts = Counter(name for name in mapping if name)
    for name, count in counts.items():
        field = by_name.get(name)
        if field is None:
            errors.append(_("Kolom tujuan “%(name)s” tidak dikenal.") % {"name": name})
        elif count > 1:
            errors.append(
                _("“%(label)s” dipilih untuk %(count)d kolom; pilih satu saja.")
                % {"label": field.label, "count": count}
            )
    for field in fields:
        if field.required and field.name not in counts:
            errors.append(_("Kolom wajib “%(label)s” belum dipilih.") % {"label": field.label})
    return errors
