"""The one bulk-write module: set-based INSERT/UPDATE of row tuples, a few statements per batch.

On PostgreSQL a batch is COPYed (binary) straight into its table when no row can conflict, and
otherwise into a temporary table and merged from there (``INSERT … SELECT … ON CONFLICT …``,
``UPDATE … FROM``): no ORM objects and no thousands of placeholders to quote. Elsewhere (SQLite,
the embedded default) the same statements use multi-row VALUES. Used on the hot paths of the CRM
import and the collector's drain.

``copy_rows`` loads rows that carry explicit primary keys (the demo seed), so that related rows
can reference each other without a round trip; ``reset_sequences`` moves the id sequences past
them afterwards.
"""

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import nullcontext
from datetime import date, datetime
from types import MappingProxyType
from uuid import UUID

from django.db import connection, transaction
from django.db.models import Model

from .key_probes import index_probes

_SQLITE_CHUNK_VARIABLES = 30_000
BATCH = 5_000


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _fields(model: type[Model], columns: Sequence[str]):
    return [model._meta.get_field(name) for name in columns]


def constraints_checked_per_statement() -> None:
    """Check the transaction's foreign keys after each statement instead of all at COMMIT.

    Django declares them ``DEFERRABLE INITIALLY DEFERRED``; a file's import is one transaction, so
    deferred, every row's checks would pile up into one long COMMIT with nothing left to overlap.
    Checked per batch, they run while the parser (a thread or a second process) reads the next
    batch. Every batch writes referenced rows before the rows that point at them, so nothing needs
    the deferral.
    """
    if _is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _pg_types(fields) -> list[str] | None:
    """psycopg's names of the columns' PostgreSQL types, or None when one is not known to it."""
    from psycopg.postgres import types

    names = []
    for field in fields:
        db_type = field.db_type(connection) or ""
        array = "[]" if db_type.endswith("[]") else ""
        info = types.get(db_type.removesuffix("[]").split("(")[0].strip())
        if info is None:
            return None
        names.append(info.name + array)
    return names


def _pg_stage(cursor, model: type[Model], fields, rows: Sequence[Sequence]) -> str:
    """COPY ``rows`` into a temporary table shaped like ``fields`` and return its name.

    The table lives until the transaction ends (every batch runs in one) and is emptied per use.
    """
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in fields)
    digest = hashlib.sha1(names.encode()).hexdigest()[:8]
    tmp = quote(f"_cl_stage_{model._meta.db_table}_{digest}")
    cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {tmp} ON COMMIT DROP AS "
                   f"SELECT {names} FROM {quote(model._meta.db_table)} WITH NO DATA")
    cursor.execute(f"TRUNCATE {tmp}")
    _pg_copy(cursor, tmp, fields, rows)
    return tmp


def _in_transaction():
    """A transaction for a staged write when the caller has none (autocommit): the temporary
    table is dropped at COMMIT, which would otherwise come right after its CREATE. Inside the
    caller's transaction, nothing: a savepoint would cost two more round trips per batch."""
    return nullcontext() if connection.in_atomic_block else transaction.atomic()


def _pg_copy(cursor, table: str, fields, rows) -> None:
    """COPY ``rows`` into ``table`` (quoted) ``fields``.

    Binary COPY with the column types given up front: psycopg then formats each value with a
    fixed dumper (about 4x less client CPU than text COPY, which picks one per value) and the
    server parses no text.
    """
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    types = _pg_types(fields)
    # psycopg's own cursor: its errors are turned into Django's (IntegrityError, …) here.
    with connection.wrap_database_errors:
        _pg_copy_rows(cursor, table, names, fields, types, rows)


def _pg_copy_rows(cursor, table: str, names: str, fields, types: list[str] | None, rows) -> None:
    from psycopg.types.json import Jsonb

    if types is not None:
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(types)
            for row in rows:
                copy.write_row(row)
        return
    json_at = [i for i, f in enumerate(fields) if f.get_internal_type() == "JSONField"]
    with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            if json_at:
                row = list(row)
                for i in json_at:
                    row[i] = Jsonb(row[i])
            copy.write_row(row)


def _pg_copy_direct(cursor, model: type[Model], fields, rows: Sequence[Sequence],
                    returning: Sequence[str]) -> list[tuple]:
    """Rows that need no conflict handling go straight into the table, with no temporary table
    and no ``INSERT … SELECT``; when the caller wants their ids, those are drawn from the
    table's sequence first and COPYed with the rows (same order as ``rows``)."""
    table = model._meta.db_table
    quoted = connection.ops.quote_name(table)
    if not returning:
        _pg_copy(cursor, quoted, fields, rows)
        return []
    pk = model._meta.pk
    # The sequence's name is looked up once: inside nextval() it would be looked up per id.
    cursor.execute("SELECT nextval(seq::regclass) FROM pg_get_serial_sequence(%s, %s) AS seq, "
                   "generate_series(1, %s)", [table, pk.column, len(rows)])
    ids = [pk_value for (pk_value,) in cursor.fetchall()]
    _pg_copy(cursor, quoted, [pk, *fields],
             ((pk_value, *row) for pk_value, row in zip(ids, rows, strict=True)))
    return [(pk_value,) for pk_value in ids]


def rows_insert(model: type[Model], columns: Sequence[str], rows: Sequence[Sequence], *,
                conflict: Sequence[str] = (), update: Sequence[str] = (),
                returning: Sequence[str] = (), ignore_conflicts: bool = False) -> list[tuple]:
    """INSERT ``rows`` (tuples in ``columns`` order); with ``conflict`` upsert ``update`` columns, or do
    nothing when ``update`` is empty. Returns the ``returning`` columns of rows written, in order.

    ``ignore_conflicts`` skips rows that break any unique constraint (``ON CONFLICT DO NOTHING``
    with no target, as ``bulk_create(ignore_conflicts=True)``): for a partial unique index.
    """
    if not rows:
        return []
    table = connection.ops.quote_name(model._meta.db_table)
    fields = _fields(model, columns)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    on_conflict = (" ON CONFLICT DO NOTHING" if ignore_conflicts and not conflict
                   else _conflict_clause(model, conflict, update))
    tail = on_conflict
    if returning:
        tail += " RETURNING " + ", ".join(connection.ops.quote_name(c) for c in returning)
    with connection.cursor() as cursor:
        if _is_postgres():
            if not on_conflict and tuple(returning) in ((), (model._meta.pk.attname,)):
                return _pg_copy_direct(cursor, model, fields, rows, returning)
            with _in_transaction():
                tmp = _pg_stage(cursor, model, fields, rows)
                cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {tmp}{tail}")
                return cursor.fetchall() if returning else []
        found = []
        per_chunk = max(1, _SQLITE_CHUNK_VARIABLES // len(fields))
        placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
        for start in range(0, len(rows), per_chunk):
            chunk = rows[start:start + per_chunk]
            params = [f.get_db_prep_save(v, connection)
                      for row in chunk for f, v in zip(fields, row, strict=True)]
            values = ", ".join([placeholder] * len(chunk))
            # "WHERE true" lets SQLite parse ON CONFLICT after a VALUES list.
            cursor.execute(f"INSERT INTO {table} ({names}) SELECT * FROM (VALUES {values}) WHERE true{tail}",
                           params)
            if returning:
                found.extend(cursor.fetchall())
        return found


def _conflict_clause(model, conflict: Sequence[str], update: Sequence[str]) -> str:
    if not conflict:
        return ""
    quote = connection.ops.quote_name
    target = ", ".join(quote(model._meta.get_field(c).column) for c in conflict)
    if not update:
        return f" ON CONFLICT ({target}) DO NOTHING"
    sets = ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}"
                     for c in (model._meta.get_field(u).column for u in update))
    return f" ON CONFLICT ({target}) DO UPDATE SET {sets}"


def rows_update(model: type[Model], columns: Sequence[str], rows: Sequence[Sequence]) -> None:
    """UPDATE by primary key: ``columns[0]`` is the pk, the rest are set from each row; one probe
    of the primary key per row."""
    if not rows:
        return
    if not _is_postgres():
        pk, *others = columns
        objs = [model(**dict(zip(columns, row, strict=True))) for row in rows]
        model._base_manager.bulk_update(objs, [model._meta.get_field(c).name for c in others],
                                        batch_size=500)
        return
    quote = connection.ops.quote_name
    fields = _fields(model, columns)
    table = quote(model._meta.db_table)
    sets = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in fields[1:])
    # A batch updates few rows of a table that grows under it, never analyzed: planned freely,
    # PostgreSQL hashed all of it (a whole scan of 100k visitors per batch of deals).
    with _in_transaction(), index_probes(), connection.cursor() as cursor:
        tmp = _pg_stage(cursor, model, fields, rows)
        cursor.execute(f"UPDATE {table} AS t SET {sets} FROM {tmp} AS v "
                       f"WHERE t.{quote(fields[0].column)} = v.{quote(fields[0].column)}")


def models_insert(model: type[Model], dicts: Sequence[dict], **kwargs) -> list[tuple]:
    """``rows_insert`` of whole rows given as {attname: value}; other columns get their model
    defaults (evaluated once per call, as one batch shares one clock), auto_now columns now.

    Each row is made as COPY takes it (``LazyRows``): PostgreSQL stores the first rows while the
    last ones are made."""
    if not dicts:
        return []
    columns, make = insert_row_maker(model)
    return rows_insert(model, columns, LazyRows(dicts, make), **kwargs)


_NOTHING = MappingProxyType({})


def insert_row_maker(model: type[Model], fixed: dict | None = None,
                     ) -> tuple[list[str], Callable[..., tuple]]:
    """The columns of a whole-row insert (all but the primary key, in the table's order) and
    ``make(values, more={})``: the row tuple of ``values`` then ``more`` laid over ``fixed`` and
    the model's defaults (evaluated now: auto_now columns get now). An unknown column in
    ``values`` or ``more`` raises ValueError."""
    from django.utils import timezone

    now = timezone.now()
    defaults = {}
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        defaults[field.attname] = now if auto else field.get_default()
    base = {**defaults, **(fixed or {})}
    width = len(defaults)
    if len(base) != width:
        raise ValueError(f"{model.__name__}: not insertable columns {sorted(set(base) - set(defaults))}")

    def make(values: dict, more: Mapping = _NOTHING) -> tuple:
        # Merging into the defaults keeps their column order and runs in C: a third of the cost
        # of picking each column in Python, on the import's hottest path.
        made = tuple({**base, **values, **more}.values())
        if len(made) != width:
            unknown = sorted((set(values) | set(more)) - set(defaults))
            raise ValueError(f"{model.__name__}: not insertable columns {unknown}")
        return made

    return list(defaults), make


class LazyRows(Sequence):
    """``make(item)`` for each of ``items``, made each time the rows are read: a COPY streams
    them to the server as they are made, instead of after the whole batch has been."""

    def __init__(self, items: Sequence, make):
        self._items, self._make = items, make

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self):
        return map(self._make, self._items)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._make(item) for item in self._items[index]]
        return self._make(self._items[index])


# Explicit-id loading (seed_demo).


def _sqlite_value(value):
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return value.hex
    if isinstance(value, dict | list):
        return json.dumps(value)
    if value is not None and not isinstance(value, int | float | str | bytes | bool):
        return str(value)  # Decimal
    return value


def _pg_value(value):
    return json.dumps(value) if isinstance(value, dict | list) else value


def copy_rows(model: type[Model], columns: Sequence[str], rows: Iterable[tuple]) -> int:
    """Insert ``rows`` (tuples in ``columns`` order, db column names) into ``model``'s table."""
    table = model._meta.db_table
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(tuple(_pg_value(v) for v in row))
                    count += 1
            return count
        sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})"
        batch: list[tuple] = []
        for row in rows:
            batch.append(tuple(_sqlite_value(v) for v in row))
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def next_id(model: type[Model]) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def reset_sequences(*models: type[Model]) -> None:
    """After loading explicit ids, make the next autogenerated id follow the largest one."""
    if connection.vendor != "postgresql":
        return  # SQLite's rowid allocation already continues from max(id)
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)")
