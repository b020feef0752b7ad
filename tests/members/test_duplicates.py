"""Duplicate detection (rules and measured quality), the review queue and the merge."""

from __future__ import annotations

import pytest

from himpun.demo.dupset import labelled_set, load_set, score
from himpun.members.duplicates import Rules, duplicates_detect
from himpun.members.models import Member
from tests import factories


def detect_quality(n: int, seed: int, rules: Rules | None = None) -> dict[str, float]:
    org = factories.org("DUP")
    unit = factories.unit(org, "DUP-1")
    records, truth = labelled_set(n, seed)
    ids = load_set(unit, records)
    index = {pk: i for i, pk in enumerate(ids)}
    found = duplicates_detect(Member.objects.filter(organisation=org), rules or Rules())
    pairs = {tuple(sorted((index[a], index[b]))) for a, b in found}
    return score(pairs, truth)


def test_precision_and_recall_on_the_labelled_set(db):
    result = detect_quality(1500, seed=11)
    print(result)
    assert result["pairs_true"] > 200
    assert result["precision"] >= 0.9, result
    assert result["recall"] >= 0.85, result
