"""Month arithmetic for dues: a month is the date of its first day."""

from __future__ import annotations

import datetime


def month_add(month: datetime.date, n: int) -> datetime.date:
    """The month `n` months after `month`'s (before, for a negative `n`)."""
    m = month.year * 12 + month.month - 1 + n
    return datetime.date(m // 12, m % 12 + 1, 1)


def months_between(start: datetime.date, end: datetime.date) -> int:
    """Whole months from the month of `start` to the month of `end` (0 for the same month)."""
    return (end.year - start.year) * 12 + end.month - start.month
