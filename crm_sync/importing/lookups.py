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


def rows_by_key(model: type[Model], *, workspace_id: int, key: Sequence[str],
                values: Collection[tuple[str, ...]], fields: Sequence[str], lock: bool = False) -> list[dict]:
    """The workspace's rows of ``model`` whose ``key`` columns hold one of the ``values`` tuples, as
    dicts of ``fields`` (names as in ``.values()``), locked FOR UPDATE with ``lock``. (workspace,
    *key) must be unique.

    On PostgreSQL the tuples are unnested and each one probes the unique index (a LATERAL join): the
    plan no longer depends on the statistics. With thousands of values in ``= ANY(…)``, a workspace
    that the statistics still take for a small one (a big import into it is one transaction, which
    autovacuum cannot see) may be scanned whole through another index that leads with the
    workspace, a lookup that grows with every batch; and planning thousands of constants costs more
    than the probes. Elsewhere: each column ``IN`` its values, the exact tuples picked here.
    """
    wanted = set(values)
    if not wanted:
        return []
    if connection.vendor != "postgresql" or any(_SEPARATOR in v for t in wanted for v in t):
        rows = model.objects.filter(workspace_id=workspace_id, **{
            f"{name}__in": {t[i] for t in wanted} for i, name in enumerate(key)})
        if lock:
            rows = rows.select_for_update()
        names = list(dict.fromkeys([*key, *fields]))
        return [{f: row[f] for f in fields} for row in rows.values(*names)
                if tuple(row[name] for name in key) in wanted]
    meta, quote = model._meta, connection.ops.quote_name
    columns = ", ".join(f"t.{quote(meta.get_field(name).column)}" for name in fields)
    arrays = ", ".join("string_to_array(%s, chr(31))" for _ in key)
    probes = " AND ".join(f"{quote(meta.get_field(name).column)} = k.v{i}" for i, name in enumerate(key))
    sql = (f"SELECT {columns} FROM unnest({arrays}) AS k({', '.join(f'v{i}' for i in range(len(key)))}) "
           f"CROSS JOIN LATERAL (SELECT * FROM {quote(meta.db_table)} WHERE workspace_id = %s "
           f"AND {probes}{' FOR UPDATE' if lock else ''}) AS t")
    ordered = list(wanted)
    params = [_SEPARATOR.join(t[i] for t in ordered) for i in range(len(key))]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, workspace_id])
        return [dict(zip(fields, row, strict=True)) for row in cursor.fetchall()]
