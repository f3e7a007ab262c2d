"""Bulk reads of a run's conversions and their people's touches into engine arrays.

PostgreSQL streams with binary COPY (every column a bigint); SQLite goes through a plain cursor.
A person key is the contact id (> 0: all the contact's visitors, i.e. cross-device) or, for a
visitor no contact claims, minus the visitor id (< 0); 0 means nobody can be traced.
"""

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import numpy as np
from django.db import connection, transaction

from attribution.engine.arrays import Conversions, Touches
from attribution.engine.local_days import local_days
from attribution.models import AttributionRun, ConversionEvent, Touchpoint, Visitor

from .config import CHANNELS, event_names
from .pgcopy import copy_out_int8

# "time" is where lookback windows count back from (lookback_from, else occurred_at); "booked" is
# when the conversion happened, the day its revenue is reported on.
CONVERSION_COLUMNS = ["id", "person", "time", "value", "currency", "booked"]
TOUCH_COLUMNS = ["id", "person", "time", "kind", "channel", "campaign", "adgroup", "ad"]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
T = TypeVar("T")
R = TypeVar("R")
CONVERSION_PERSON = "COALESCE(c.contact_id, cv.contact_id, -c.visitor_id, 0)"
TOUCH_PERSON = "COALESCE(v.contact_id, -v.id)"


def _bigints(*expressions: str) -> str:
    """A select list whose every column is a bigint: binary COPY rows then have a fixed width."""
    return ", ".join(f"CAST({e} AS BIGINT)" for e in expressions)


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _micros_since_epoch(column: str) -> str:
    if _is_postgres():
        return f"(EXTRACT(EPOCH FROM {column}) * 1000000)::bigint"
    # Django keeps SQLite datetimes as 'YYYY-MM-DD HH:MM:SS[.ffffff]' text in UTC.
    return (f"(CAST(strftime('%%s', {column}) AS INTEGER) * 1000000"
            f" + CAST(COALESCE(NULLIF(substr({column}, 21, 6), ''), '0') AS INTEGER))")


def _currency_code(column: str) -> str:
    """ISO code packed into an integer (three byte-sized letters) so it travels as a bigint."""
    if _is_postgres():
        return " + ".join(f"COALESCE(ascii(substr({column}, {i + 1}, 1)), 0) * {256 ** (2 - i)}"
                          for i in range(3))
    return " + ".join(f"COALESCE(unicode(substr({column}, {i + 1}, 1)), 0) * {256 ** (2 - i)}"
                      for i in range(3))


def currency_name(code: int) -> str:
    return bytes(b for b in ((code >> 16) & 255, (code >> 8) & 255, code & 255) if b).decode()


def _conversion_where(run: AttributionRun) -> tuple[str, list]:
    names = event_names(workspace=run.workspace)
    adapt = connection.ops.adapt_datetimefield_value
    sql = (f"c.workspace_id = %s AND c.event_name IN ({', '.join(['%s'] * len(names))})"
           " AND c.occurred_at >= %s AND c.occurred_at < %s AND c.id > %s AND c.id <= %s")
    return sql, [run.workspace_id, *names, adapt(run.period_start), adapt(run.period_end),
                 run.conversion_id_after, run.conversion_id_upto]


def _conversion_sql(run: AttributionRun, person_range: tuple[int, int] | None, columns: str):
    where, params = _conversion_where(run)
    if person_range:
        where += f" AND {CONVERSION_PERSON} >= %s AND {CONVERSION_PERSON} < %s"
        params += list(person_range)
    sql = (f"SELECT {columns} FROM {ConversionEvent._meta.db_table} c"
           f" LEFT JOIN {Visitor._meta.db_table} cv ON cv.id = c.visitor_id WHERE {where}")
    return sql, params


def _fetch(sql: str, params: list, names: list[str], *, few: bool = False) -> dict[str, np.ndarray]:
    """Columns of ``sql`` as int64 arrays. ``few``: an incremental run's lookup of a few thousand
    rows by id, for which PostgreSQL's JIT compilation (≈0.25 s, triggered by cost estimates that
    count every id in the ANY lists) would take longer than the query itself."""
    if _is_postgres() and few:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            return copy_out_int8(cursor.cursor, sql, params, names)
    with connection.cursor() as cursor:
        if _is_postgres():
            return copy_out_int8(cursor.cursor, sql, params, names)
        cursor.execute(sql, params)
        rows = np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, len(names))
    return {name: rows[:, i].copy() for i, name in enumerate(names)}


def conversion_persons(run: AttributionRun) -> np.ndarray:
    """Person key of every conversion the run covers (for planning chunks)."""
    sql, params = _conversion_sql(run, None, _bigints(CONVERSION_PERSON))
    return _fetch(sql, params, ["person"])["person"]


def read_conversions(run: AttributionRun, person_range: tuple[int, int] | None) -> Conversions:
    """The run's conversions of people in ``person_range`` (None: all of the run's conversions)."""
    columns = _bigints("c.id", CONVERSION_PERSON,
                       _micros_since_epoch("COALESCE(c.lookback_from, c.occurred_at)"),
                       "ROUND(c.value * 1000000)", _currency_code("c.currency"),
                       _micros_since_epoch("c.occurred_at"))
    sql, params = _conversion_sql(run, person_range, columns)
    cols = _fetch(sql, params, CONVERSION_COLUMNS, few=run.incremental)
    booked = cols.pop("booked")
    return Conversions.from_columns(**cols, day=local_days(booked, run.workspace.timezone))


def read_touches(run: AttributionRun, persons: np.ndarray, person_range: tuple[int, int],
                 longest_window_us: int, span_us: tuple[int, int] | None = None) -> Touches:
    """Touches of the given people that can fall inside some window of the run's conversions.

    ``span_us``: the earliest and latest reference time of those conversions; only touches from
    the longest window before the earliest up to the latest can be eligible (a CRM stage's
    reference time may lie well before the period: the deal's creation). A few people
    (incremental runs) are looked up by id through the visitor and touch indexes; many are read
    as one range scan.
    """
    channel = "CASE t.channel " + " ".join(
        f"WHEN '{name}' THEN {code}" for code, name in enumerate(CHANNELS)) + f" ELSE {len(CHANNELS)} END"
    columns = _bigints("t.id", TOUCH_PERSON, _micros_since_epoch("t.occurred_at"),
                       "CASE WHEN t.kind = 'view' THEN 1 ELSE 0 END", channel,
                       "COALESCE(t.campaign_id, 0)", "COALESCE(t.adgroup_id, 0)", "COALESCE(t.ad_id, 0)")
    adapt = connection.ops.adapt_datetimefield_value
    where = "t.workspace_id = %s AND t.occurred_at >= %s AND t.occurred_at < %s"
    start, end = run.period_start, run.period_end
    if span_us is not None:  # (an incremental run's new conversions are usually recent)
        start, end = _datetime(span_us[0]), min(end, _datetime(span_us[1] + 1))
    params = [run.workspace_id, adapt(start - timedelta(microseconds=longest_window_us)), adapt(end)]
    select = (f"SELECT {columns} FROM {Touchpoint._meta.db_table} t"
              f" JOIN {Visitor._meta.db_table} v ON v.id = t.visitor_id WHERE {where}")
    if _is_postgres() and run.incremental:
        # Two index-friendly halves (an OR of both would make PostgreSQL scan every touch).
        sql = (f"{select} AND v.contact_id = ANY(%s)"
               f" UNION ALL {select} AND v.contact_id IS NULL AND v.id = ANY(%s)")
        params = [*params, persons[persons > 0].tolist(), *params, (-persons[persons < 0]).tolist()]
    else:
        sql = f"{select} AND {TOUCH_PERSON} >= %s AND {TOUCH_PERSON} < %s"
        params += list(person_range)
    return Touches.from_columns(**_fetch(sql, params, TOUCH_COLUMNS, few=run.incremental))


def _datetime(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)  # exact (a float of seconds may be 1 µs off)


def micros(moment: datetime) -> int:
    """Microseconds since the epoch, as the engine's arrays hold times."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


def read_ahead(read: Callable[[T], R], items: Sequence[T]) -> Iterator[tuple[T, R]]:
    """Pair each item with ``read(item)``, reading item i + 1 in a thread (its own connection)
    while the caller works on item i: PostgreSQL streams the next rows while numpy and the
    writes work (psycopg releases the GIL while it waits). Inside a transaction (tests) another
    connection would not see its rows, and on SQLite there is nothing to overlap: items are then
    read in turn, in the caller's thread."""
    if len(items) < 2 or connection.vendor != "postgresql" or connection.in_atomic_block:
        for item in items:
            yield item, read(item)
        return

    def in_thread(item: T) -> R:
        try:
            return read(item)
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-ahead") as pool:
        ahead = pool.submit(in_thread, items[0])
        for i, item in enumerate(items):
            got = ahead.result()
            if i + 1 < len(items):
                ahead = pool.submit(in_thread, items[i + 1])
            yield item, got
            del got  # hold no reference to item i's rows once the caller is done with them
