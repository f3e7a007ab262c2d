"""``field__anyof=values``: an ``IN`` for thousands of values, sent as one parameter on PostgreSQL.

A 2,000-row batch looks up 2,000 crm ids, hashes, visitor ids. As ``IN (%s, …)`` every value is a
placeholder that Django builds and psycopg quotes one by one; here the values travel as one
unit-separator-joined string that PostgreSQL splits (``= ANY(string_to_array(%s, chr(31))::type[])``).
Other databases, and values containing the separator, get the plain ``IN``.
"""

from collections.abc import Collection, Sequence

from django.db import connection
from django.db.models import BigAutoField, CharField, Lookup, Model, UUIDField
from django.db.models.lookups import In

_SEPARATOR = "\x1f"


class AnyOf(Lookup):
    lookup_name = "anyof"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        values = [str(v) for v in self.rhs]
        if connection.vendor != "postgresql" or any(_SEPARATOR in v for v in values):
            return In(self.lhs, list(self.rhs)).as_sql(compiler, connection)
        if not values:
            return "FALSE", []
        lhs, lhs_params = self.process_lhs(compiler, connection)
        db_type = self.lhs.output_field.db_type(connection).split("(")[0]
        return (f"{lhs} = ANY(string_to_array(%s, chr(31))::{db_type}[])",
                [*lhs_params, _SEPARATOR.join(values)])


for field_class in (CharField, UUIDField, BigAutoField):
    field_class.register_lookup(AnyOf)


def rows_locked_by_key(model: type[Model], *, workspace_id: int, key: str, values: Collection[str],
                       fields: Sequence[str]) -> list[dict]:
    """The workspace's rows of ``model`` whose ``key`` is one of ``values``, locked FOR UPDATE, as
    dicts of ``fields`` (names as in ``.values()``); (workspace, key) must be unique.

    On PostgreSQL the values are unnested and each one probes the unique index (a LATERAL join):
    the plan no longer depends on the statistics. With thousands of values in an ``= ANY(…)``, a
    workspace that the statistics still take for a small one (a big import into it is one
    transaction, which autovacuum cannot see) may be scanned whole through another of its indexes,
    a lookup that grows with every batch; and planning thousands of constants costs more than
    the probes.
    """
    if connection.vendor != "postgresql" or any(_SEPARATOR in v for v in values):
        rows = model.objects.select_for_update().filter(workspace_id=workspace_id, **{f"{key}__in": values})
        return list(rows.values(*fields))
    if not values:
        return []
    meta, quote = model._meta, connection.ops.quote_name
    columns = ", ".join(f"t.{quote(meta.get_field(name).column)}" for name in fields)
    sql = (f"SELECT {columns} FROM unnest(string_to_array(%s, chr(31))) AS k(value) "
           f"CROSS JOIN LATERAL (SELECT * FROM {quote(meta.db_table)} WHERE workspace_id = %s "
           f"AND {quote(meta.get_field(key).column)} = k.value FOR UPDATE) AS t")
    with connection.cursor() as cursor:
        cursor.execute(sql, [_SEPARATOR.join(values), workspace_id])
        return [dict(zip(fields, row, strict=True)) for row in cursor.fetchall()]
