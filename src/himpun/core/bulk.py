"""Writing many rows at once: `rows_insert`, the fast path of the bulk imports.

On PostgreSQL the rows are streamed with COPY (no statement per row, no parameters to adapt
one by one); on SQLite they go in as batched INSERTs. Used where an import batch writes
thousands of rows of one model: members and their history, check-off payments and postings.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from django.db import connection


def rows_insert(model: type[Any], rows: list[dict[str, Any]], *, ids: bool = True) -> list[int]:
    """Insert rows given as {attname: value}; the fields a row leaves out take their defaults.
    Returns the new primary keys in order when `ids` (on PostgreSQL drawn from the sequence
    in one query first); with `ids=False` the database numbers the rows itself and nothing
    is returned, one query fewer."""
    if not rows:
        return []
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}
    if connection.vendor != "postgresql":
        objects = [model(**{**defaults, **r}) for r in rows]
        created = model._base_manager.bulk_create(objects, batch_size=1000)
        return [o.pk for o in created] if ids else []
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
        if ids:
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, len(rows)],
            )
            new_ids = [r[0] for r in cur.fetchall()]
            quoted.insert(0, "id")
        sql = f"COPY {table} ({', '.join(quoted)}) FROM STDIN"
        with cur.connection.cursor().copy(sql) as copy:
            for i, r in enumerate(rows):
                if r.keys() == keys:
                    values = ((pick(r),) if single else pick(r)) + tail
                else:
                    values = tuple(r.get(n, defaults[n]) for n in order)
                copy.write_row((new_ids[i], *values) if ids else values)
    return new_ids
