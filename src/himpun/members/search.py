"""The one search box over members: name (typo-tolerant), phone in any format, NIK, number.

Every branch is served by an index, so a typeahead stays fast at 5 million members:
- NIK: 16 digits, exact match on its index.
- Phone: any Indonesian form is turned into the E.164 prefix ("0812-34" → "+62812 34…") and
  matched as a prefix (PostgreSQL: a varchar_pattern_ops index; SQLite: a range on the index).
- Member number: exact, as typed or upper-cased.
- Name: every word must occur in the name, or its sound key in the name's keys
  (validation.word_key folds Indonesian spelling variants), or — PostgreSQL — one of the
  vocabulary words within one edit of it (two for long words): a typo such as "Sumarmi" for
  "Sumarni" is first corrected against the small table of words that occur in names
  (members_nameword, trigram-indexed), then searched exactly. Only cheap substring tests
  remain per member, so a regional user's search reads their members through the unit index
  and filters them in a few milliseconds, and a national search uses the trigram GIN indexes.
  SQLite matches word prefixes and sound keys through an FTS5 index.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from rapidfuzz.distance import Levenshtein

from himpun.members.validation import search_name, word_key

#: Words shorter than this are not corrected (too many words are one edit from "adi").
FUZZY_MIN = 4
VARIANTS_MAX = 8


def word_variants(words: list[str]) -> dict[str, list[str]]:
    """Words occurring in names that are one edit (two for words of 8 letters or more) from
    each query word: one query against the vocabulary's trigram index (PostgreSQL)."""
    wanted = sorted({w for w in words if len(w) >= FUZZY_MIN})
    if not wanted:
        return {}
    with connection.cursor() as cur:
        cur.execute(
            "SELECT q, v.word FROM unnest(%s::text[]) AS q, LATERAL ("
            " SELECT word FROM members_nameword WHERE word %% q"
            " ORDER BY similarity(word, q) DESC LIMIT 50) AS v",
            [wanted],
        )
        found: dict[str, list[str]] = {}
        for q, word in cur.fetchall():
            limit = 1 if len(q) < 8 else 2
            if word != q and Levenshtein.distance(q, word, score_cutoff=limit) <= limit:
                found.setdefault(q, []).append(word)
    return {
        q: sorted(ws, key=lambda w: Levenshtein.distance(q, w))[:VARIANTS_MAX]
        for q, ws in found.items()
    }


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
        variants = word_variants(words)
        name_q = Q()
        for word in words:
            key = word_key(word)
            word_q = Q(search_name__contains=word)
            if len(key) >= 3:
                word_q |= Q(search_key__contains=key)
            for variant in variants.get(word, ()):
                word_q |= Q(search_name__contains=variant)
            name_q &= word_q
        return qs.filter(number_q | name_q)
    fts = RawSQL(FTS_SQL, [fts_query(words)])  # noqa: S611  the query is a parameter
    return qs.filter(number_q | Q(pk__in=fts))


FTS_SQL = "SELECT rowid FROM members_member_fts WHERE members_member_fts MATCH %s"

#: The triggers that keep the FTS table in step (created by migration 0003). SQLite drops a
#: table's triggers when a migration rebuilds the table (any AlterField on Member), so they
#: are ensured again after every migrate (MembersConfig.ready → post_migrate).
SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS members_member_fts_ins AFTER INSERT ON members_member BEGIN "
    "INSERT INTO members_member_fts(rowid, words) "
    "VALUES (new.id, new.search_name || ' ' || new.search_key); END",
    "CREATE TRIGGER IF NOT EXISTS members_member_fts_upd AFTER UPDATE OF search_name, search_key "
    "ON members_member BEGIN "
    "INSERT INTO members_member_fts(members_member_fts, rowid, words) "
    "VALUES ('delete', old.id, old.search_name || ' ' || old.search_key); "
    "INSERT INTO members_member_fts(rowid, words) "
    "VALUES (new.id, new.search_name || ' ' || new.search_key); END",
    "CREATE TRIGGER IF NOT EXISTS members_member_fts_del AFTER DELETE ON members_member BEGIN "
    "INSERT INTO members_member_fts(members_member_fts, rowid, words) "
    "VALUES ('delete', old.id, old.search_name || ' ' || old.search_key); END",
]


def search_triggers_ensure(using: str = "default", **_kwargs: object) -> None:
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cur:
        cur.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'members_member_fts'"
        )
        if cur.fetchone() is None:
            return  # before migration 0003
        for sql in SQLITE_TRIGGERS:
            cur.execute(sql)


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
