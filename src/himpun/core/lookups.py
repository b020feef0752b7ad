"""`field__any=[…]`: membership in a list sent as one value.

`field__in=[…]` writes one placeholder per value; for the thousands of keys of an import
batch that costs more to build, send and parse than the query's own work, and a long `IN`
list can tip the planner into a sequential scan. On PostgreSQL `__any` sends the list as one
array (`field = ANY(%s)`); elsewhere it is the usual `IN (…)`."""

from __future__ import annotations

from typing import Any

from django.db.models import Field, ForeignObject, Lookup


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
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        if not values:
            return "1 = 0", list(lhs_params)
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]
