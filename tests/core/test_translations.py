"""The English catalogue is complete, and the interface speaks Indonesian first."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "src/himpun/locale/en/LC_MESSAGES/django.po"


def entries() -> list[str]:
    blocks = PO.read_text(encoding="utf-8").split("\n\n")
    return [b for b in blocks[1:] if "msgid" in b]


def test_english_catalogue_has_no_untranslated_or_fuzzy_entries():
    untranslated = []
    for block in entries():
        lines = block.strip().splitlines()
        if any(line.startswith("#,") and "fuzzy" in line for line in lines):
            untranslated.append(block)
            continue
        for i, line in enumerate(lines):
            if re.match(r'msgstr(\[\d+\])? ""$', line):
                continued = i + 1 < len(lines) and lines[i + 1].startswith('"')
                if not continued:
                    untranslated.append(block)
    assert not untranslated, "\n---\n".join(untranslated[:5])


def test_compiled_catalogue_is_committed():
    mo = PO.with_suffix(".mo")
    assert mo.exists()
    assert mo.stat().st_size > 1000


def test_indonesian_first_english_available():
    with translation.override("en"):
        assert translation.gettext("Pohon organisasi") == "Organisation tree"
    with translation.override("id"):
        assert translation.gettext("Pohon organisasi") == "Pohon organisasi"
