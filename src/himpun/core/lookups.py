"""`field__any=[…]`: membership in a list sent as one value.

`field__in=[…]` writes one placeholder per value; for the thousands of keys of an import
batch that costs more to build, send and parse than the query's own work, and a long `IN`
list can tip the planner into a sequential scan. On PostgreSQL `__any` sends the list as one
array (`field = ANY(%s)`); elsewhere it is the usual `IN (…)`.

A list of whole numbers or of strings goes as the array's text (`pg_array`), cast to the
column's type: psycopg adapts a Python list element by element in Python, which for an
import batch of 5,000 keys cost more than the query. It is written as a semi-join,
`field IN (SELECT unnest(…))`: with `field = ANY('{…5,000 keys…}')` the planner prices
5,000 index probes above a parallel scan of every member (measured at 1M members: 158 ms
scanning against 13 ms probing the index, per batch)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db.models import Field, ForeignObject, Lookup

_LENGTH = re.compile(r"\(.*\)")


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def pg_array(values: Iterable[Any]) -> str | list[Any]:
    """`values` as PostgreSQL array text ("{1,2,3}", '{"a","b"}') when they are all whole
    numbers or all strings; otherwise the list itself, for psycopg to adapt. Use with an
    explicit cast: `= ANY(%s::bigint[])`."""
    values = list(values)
    if all(type(v) is int for v in values):
        return "{" + ",".join(map(str, values)) + "}"
    if all(type(v) is str for v in values):
        return "{" + ",".join(map(_quoted, values)) + "}"
    return values


@ForeignObject.register_lookup
@Field.register_lookup
class AnyOf(Lookup):
    lookup_name = "any"

    def get_prep_lookup(self) -> Any:
        return [self.lhs.output_field.get_prep_value(v) for v in self.rhs]

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if connection.vendor == "postgresql":
            array = pg_array(values)
            if isinstance(array, str):
                # the type without its length: a cast to varchar(20) would cut a longer key
                # and match a record it does not name
                db_type = _LENGTH.sub("", self.lhs.output_field.db_type(connection))
                return f"{lhs} IN (SELECT unnest(%s::{db_type}[]))", [*lhs_params, array]
            return f"{lhs} = ANY(%s)", [*lhs_params, array]
        if not values:
            return "1 = 0", list(lhs_params)
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]


def in_ids(column: str, ids: list[int], *, vendor: str) -> tuple[str, list[Any]]:
    """`column IN (…ids)` for raw SQL, with its parameters: on PostgreSQL one array."""
    if vendor == "postgresql":
        return f"{column} IN (SELECT unnest(%s::bigint[]))", [pg_array(ids)]
    if not ids:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)
