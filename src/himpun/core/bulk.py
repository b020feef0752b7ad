"""Writing many rows at once: `rows_insert`, the fast path of the bulk imports.

On PostgreSQL the rows are streamed with COPY (no statement per row, no parameters to adapt
one by one); on SQLite they go in as batched INSERTs. Used where an import batch writes
thousands of rows of one model: members and their history, check-off payments and postings.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from django.db import connection


def ids_draw(model: type[Any], n: int) -> list[int]:
    """`n` new primary keys for `model`, taken now (before the rows exist) so that a batch can
    be prepared, ids and all, where it is read and written later (`rows_insert` with rows
    that carry their "id"). Never handed out again, even if the rows are never written: on
    PostgreSQL from the table's sequence, on SQLite by moving the table's AUTOINCREMENT
    counter (`sqlite_sequence`) in the caller's transaction."""
    if n <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, n],
            )
            return [r[0] for r in cur.fetchall()]
        quoted = connection.ops.quote_name(table)
        cur.execute(
            "INSERT INTO sqlite_sequence (name, seq) "  # noqa: S608  a model's own table
            f"SELECT %s, COALESCE((SELECT MAX(id) FROM {quoted}), 0) "
            "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = %s)",
            [table, table],
        )
        cur.execute(
            "UPDATE sqlite_sequence SET seq = seq + %s WHERE name = %s RETURNING seq",
            [n, table],
        )
        last = cur.fetchone()[0]
    return list(range(last - n + 1, last + 1))


def rows_insert(model: type[Any], rows: list[dict[str, Any]], *, ids: bool = True) -> list[int]:
    """Insert rows given as {attname: value}; the fields a row leaves out take their defaults.
    Returns the new primary keys in order when `ids` (on PostgreSQL drawn from the sequence
    in one query first, unless the rows carry them: see `ids_draw`); with `ids=False` the
    database numbers the rows itself and nothing is returned, one query fewer."""
    if not rows:
        return []
    carried = "id" in rows[0]  # ids drawn beforehand (ids_draw): returned as they are
    fields = [f for f in model._meta.concrete_fields if carried or not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}
    if connection.vendor != "postgresql":
        objects = [model(**{**defaults, **r}) for r in rows]
        created = model._base_manager.bulk_create(objects, batch_size=1000)
        return [o.pk for o in created] if ids or carried else []
    draw = ids and not carried
    # Columns in the first row's order, then the defaulted ones: a row with the first row's
    # keys (the usual case: one builder makes them all) is one C-level itemgetter call.
    given = [n for n in rows[0] if n in defaults]
    rest = [n for n in defaults if n not in rows[0]]
    order = given + rest
    keys = rows[0].keys()
    pick = itemgetter(*given)
    tail = tuple(defaults[n] for n in rest)
    single = len(given) == 1
    column = {f.attname: f.column for f in fields}
    table = model._meta.db_table
    quoted = [connection.ops.quote_name(column[n]) for n in order]
    with connection.cursor() as cur:
        new_ids: list[int] = []
        if draw:
            new_ids = ids_draw(model, len(rows))
            quoted.insert(0, "id")
        fallback = [defaults[n] for n in order]
        sql = f"COPY {table} ({', '.join(quoted)}) FROM STDIN"
        with cur.connection.cursor().copy(sql) as copy:
            for i, r in enumerate(rows):
                if r.keys() == keys:
                    values = ((pick(r),) if single else pick(r)) + tail
                else:  # a row with other keys: each column from it, else its default
                    values = tuple(map(r.get, order, fallback))
                copy.write_row((new_ids[i], *values) if draw else values)
    return [r["id"] for r in rows] if carried else new_ids
