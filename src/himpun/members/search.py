"""The one search box over members: name (typo-tolerant), phone in any format, NIK, number.

Every branch is served by an index, so a typeahead stays fast at 5 million members:
- NIK: 16 digits, exact match on its index.
- Phone: any Indonesian form is turned into the E.164 prefix ("0812-34" → "+62812 34…") and
  matched as a prefix (PostgreSQL: a varchar_pattern_ops index; SQLite: a range on the index).
- Member number: exact, as typed or upper-cased.
- Name: PostgreSQL matches each word inside the name or its sound key through trigram GIN
  indexes, and also accepts names within trigram word-similarity of the query (typos such as
  "Sumarmi" for "Sumarni"). SQLite matches word prefixes and sound keys through an FTS5 index.
  The sound key (validation.word_key) folds Indonesian spelling variants on both databases.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import CharField, Lookup, Q, QuerySet
from django.db.models.expressions import RawSQL

from himpun.members.validation import search_name, word_key


@CharField.register_lookup
class WordSimilar(Lookup):
    """PostgreSQL pg_trgm: the query is word-similar to the column (`query <% column`)."""

    lookup_name = "word_similar"

    def as_sql(self, compiler, connection):  # type: ignore[no-untyped-def]
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{rhs} <%% {lhs}", [*rhs_params, *lhs_params]


def _prefix_q(field: str, prefix: str) -> Q:
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__startswith": prefix})
    # SQLite compares bytes: a range is the index-backed prefix match.
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "\U0010ffff"})


def _phone_prefix(digits: str) -> str:
    if digits.startswith("62"):
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        national = digits
    return "+62" + national


def member_search(qs: QuerySet, value: str) -> QuerySet:
    value = (value or "").strip()[:100]
    if not value:
        return qs
    compact = re.sub(r"[\s.\-()+/]", "", value)
    if compact.isdigit() and len(compact) >= 4:
        q = Q(number=value)
        if len(compact) == 16:
            q |= Q(nik=compact)
        if len(compact) >= 6:
            q |= _prefix_q("phone", _phone_prefix(compact))
        return qs.filter(q)
    number_q = Q(number__in={value, value.upper()})
    if any(c.isdigit() for c in value):
        return qs.filter(number_q)  # names hold no digits: "PUK-SAM-2026-000123" is a number
    words = [w for w in search_name(value).split() if w][:6]
    if not words:
        return qs.filter(number_q)
    if connection.vendor == "postgresql":
        name_q = Q()
        for word in words:
            key = word_key(word)
            word_q = Q(search_name__contains=word)
            if len(key) >= 3:
                word_q |= Q(search_key__contains=key)
            name_q &= word_q
        if len(value) >= 4:
            name_q |= Q(search_name__word_similar=search_name(value))
        return qs.filter(number_q | name_q)
    fts = RawSQL(FTS_SQL, [fts_query(words)])  # noqa: S611  the query is a parameter
    return qs.filter(number_q | Q(pk__in=fts))


FTS_SQL = "SELECT rowid FROM members_member_fts WHERE members_member_fts MATCH %s"


def fts_query(words: list[str]) -> str:
    """An FTS5 query: every word must match as a word prefix or by its sound key."""
    parts = []
    for word in words:
        token = word.replace('"', "")
        key = word_key(word)
        alternatives = [f'"{token}"*']
        if len(key) >= 3:
            alternatives.append(f'"{key}"')
        parts.append("(" + " OR ".join(alternatives) + ")")
    return " AND ".join(parts)
