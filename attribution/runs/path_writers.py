"""Bulk writes of a chunk's journey-report rows: paths, path sums and customer value by first touch.

A chunk's distinct paths go to the workspace's path table once (``PathSignature``, keyed by
``signature_keys``); its per-conversion rows and path sums carry the key. PostgreSQL: one binary
COPY per table into a scratch table whose text columns (channels, currencies) travel as indexes
into the batch's distinct strings, then one INSERT … SELECT. Elsewhere: bulk_create.
"""

from datetime import UTC, date, datetime, timedelta

import numpy as np
from django.db import connection, models

from attribution.engine.arrays import Conversions, Touches
from attribution.engine.customer_value import (
    CustomerValue,
    PersonConversions,
    customer_value,
    customer_value_delta,
)
from attribution.engine.journeys import Journeys
from attribution.engine.paths import (
    FORMS,
    HORIZON_DAYS,
    NO_CHANNEL,
    NO_PATH,
    Paths,
    conversion_paths,
    lag_rollup,
    path_rollup,
    signature_keys,
    step_rollup,
)
from attribution.models import (
    AttributionRun,
    ConversionPath,
    CustomerValueRollup,
    PathLagRollup,
    PathRollup,
    PathSignature,
    PathStepRollup,
    RunStatus,
)

from .config import CHANNELS
from .pgcopy import copy_in
from .readers import currency_name
from .writers import BATCH, micros_to_decimal

_EPOCH_DAY = date(1970, 1, 1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CHANNEL_NAMES = np.array([*CHANNELS, "other", ""], dtype=object)  # code -1 (none) → ""
TIKTOK = CHANNELS.index("tiktok")


def channel_names(codes: np.ndarray) -> np.ndarray:
    return _CHANNEL_NAMES[np.where(codes == NO_CHANNEL, len(_CHANNEL_NAMES) - 1, codes)]


def write_paths(run: AttributionRun, journeys: Journeys, conversions: Conversions, touches: Touches) -> int:
    """Store the chunk's paths, their sums and its customer-value rows; returns the path count."""
    paths = conversion_paths(journeys, conversions, touches, CHANNELS, tiktok_channel=TIKTOK)
    keys = _write_signatures(run, paths)
    _write_conversion_paths(run, paths, conversions, keys)
    _write_path_rollup(run, paths, conversions, keys)
    _write_step_rollup(run, journeys, conversions, touches)
    _write_lag_rollup(run, paths, conversions)
    _write_customer_value(run, _customer_value_rows(run, paths, conversions))
    return len(paths)


class PathKeyCollision(Exception):
    """Two paths of a workspace hashed to one key (odds ~n²/2⁶⁵ for n paths): never guessed over."""


def _write_signatures(run, paths: Paths) -> np.ndarray:
    """Store the chunk's distinct paths not stored yet; returns each one's key. Rows are inserted
    in key order, so chunks writing the same new paths at once wait for each other instead of
    deadlocking."""
    sig = paths.signatures
    keys = signature_keys(run.workspace_id, sig.campaign_path.tolist())
    if not len(keys):
        return keys
    order = np.argsort(keys)
    rows = list(zip(keys[order].tolist(), *(getattr(sig, f)[order].tolist() for f in FORMS), strict=True))
    if connection.vendor == "postgresql":
        clash = _copy_signatures(run, rows)
    else:
        clash = _create_signatures(run, rows)
    if clash:
        raise PathKeyCollision(f"workspace {run.workspace_id}: path {clash!r} shares its key with another")
    return keys


def _copy_signatures(run, rows: list[tuple]) -> str | None:
    forms = ", ".join(FORMS)
    table = PathSignature._meta.db_table
    with connection.cursor() as cursor:
        texts = ", ".join(f"{form} text" for form in FORMS)
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS load_{table} (key bigint, {texts}) ON COMMIT DROP")
        cursor.execute(f"TRUNCATE load_{table}")
        with cursor.cursor.copy(f"COPY load_{table} (key, {forms}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(f"INSERT INTO {table} (key, workspace_id, {forms}) SELECT key, %s, {forms}"
                       f" FROM load_{table} ORDER BY key ON CONFLICT (key) DO NOTHING", [run.workspace_id])
        cursor.execute(f"SELECT l.campaign_path FROM load_{table} l JOIN {table} s ON s.key = l.key"
                       f" WHERE s.workspace_id <> %s OR s.campaign_path <> l.campaign_path LIMIT 1",
                       [run.workspace_id])
        clash = cursor.fetchone()
    return clash[0] if clash else None


def _create_signatures(run, rows: list[tuple]) -> str | None:
    for lo in range(0, len(rows), 500):
        batch = rows[lo:lo + 500]
        stored = {key: (ws, path) for key, ws, path in PathSignature.objects.filter(
            key__in=[r[0] for r in batch]).values_list("key", "workspace_id", "campaign_path")}
        mine = {r[0]: (run.workspace_id, r[1]) for r in batch}
        clash = next((mine[key][1] for key, row in stored.items() if row != mine[key]), None)
        if clash:
            return clash
        PathSignature.objects.bulk_create(
            [PathSignature(key=r[0], workspace_id=run.workspace_id, **dict(zip(FORMS, r[1:], strict=True)))
             for r in batch if r[0] not in stored])
    return None


def _path_keys(paths: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The key of each row's path (indexes into the signatures), and the mask of rows without one."""
    none = paths == NO_PATH
    return np.where(none, 0, np.append(keys, 0)[paths]), none


def _write_conversion_paths(run, paths: Paths, conversions: Conversions, keys: np.ndarray) -> None:
    no_touch = paths.first_time < 0
    _store(ConversionPath, run, {
        "conversion_id": ("int8", conversions.id, None),
        "person": ("int8", conversions.person, None),
        "day": ("date", conversions.day, None),
        "value": ("numeric6", conversions.value, None),
        "currency": ("text", _currencies(conversions.currency), None),
        "touches": ("int8", paths.touches, None),
        "first_touch_at": ("time", paths.first_time, no_touch),
        "first_channel": ("text", channel_names(paths.first_channel), None),
        "last_channel": ("text", channel_names(paths.last_channel), None),
        "lag_days": ("int8", paths.lag_days, no_touch),
        "path_id": ("int8", *_path_keys(paths.path, keys)),
    })


def _write_path_rollup(run, paths: Paths, conversions: Conversions, keys: np.ndarray) -> None:
    sums = path_rollup(paths, conversions)
    _store(PathRollup, run, {
        "day": ("date", sums.day, None),
        "path_id": ("int8", *_path_keys(sums.path, keys)),
        "touches": ("int8", sums.touches, None),
        "lag_days": ("int8", sums.lag_days, sums.lag_days < 0),
        "currency": ("text", _currencies(sums.currency), None),
        "conversions": ("int8", sums.conversions, None),
        "value": ("numeric6", sums.value, None),
    })


def _write_step_rollup(run, journeys: Journeys, conversions: Conversions, touches: Touches) -> None:
    sums = step_rollup(journeys, conversions, touches, CHANNELS, tiktok_channel=TIKTOK)
    _store(PathStepRollup, run, {
        "day": ("date", sums.day, None),
        "level": ("int8", sums.level, None),
        "step": ("text", sums.step, None),
        "first_touch": ("int8", sums.first_touch, None),
        "last_touch": ("int8", sums.last_touch, None),
        "assisted": ("int8", sums.assisted, None),
    })


def _write_lag_rollup(run, paths: Paths, conversions: Conversions) -> None:
    sums = lag_rollup(paths, conversions)
    _store(PathLagRollup, run, {
        "day": ("date", sums.day, None),
        "first_channel": ("text", channel_names(sums.first_channel), None),
        "lag_days": ("int8", sums.lag_days, None),
        "touches": ("int8", sums.touches, None),
        "conversions": ("int8", sums.conversions, None),
    })


def _customer_value_rows(run, paths: Paths, conversions: Conversions) -> CustomerValue:
    """A full run's chunk holds every conversion of its people: their cohort rows. An incremental
    run adds conversions to people the published output already has: it writes the difference
    they make to those people's rows, read back from the stored paths."""
    new = PersonConversions(person=conversions.person, id=conversions.id, day=conversions.day,
                            value=conversions.value, currency=conversions.currency,
                            first_time=paths.first_time, first_channel=paths.first_channel)
    tz = run.workspace.timezone
    if not run.incremental:
        return customer_value(new, tz)
    before = stored_person_conversions(run, np.unique(conversions.person[conversions.person != 0]))
    return customer_value_delta(customer_value(before, tz),
                                customer_value(PersonConversions.concat(before, new), tz))


def stored_person_conversions(run: AttributionRun, persons: np.ndarray) -> PersonConversions:
    """The published paths of these people (the output an incremental run extends). Looked up by
    (run, person), the index's own order: the published runs are a handful, and a workspace-wide
    condition would lead PostgreSQL to scan every path of the workspace, replaced runs' included."""
    published = list(AttributionRun.objects.filter(workspace_id=run.workspace_id, status=RunStatus.SUCCEEDED)
                     .values_list("id", flat=True))
    rows = list(ConversionPath.objects.filter(run_id__in=published, person__in=persons.tolist()).values_list(
        "person", "conversion_id", "day", "value", "currency", "first_touch_at", "first_channel"))
    codes = {name: code for code, name in enumerate(CHANNELS)}
    codes["other"] = len(CHANNELS)
    cols = list(zip(*rows, strict=True)) if rows else [()] * 7
    return PersonConversions(
        person=np.array(cols[0], dtype=np.int64), id=np.array(cols[1], dtype=np.int64),
        day=np.array([(d - _EPOCH_DAY).days for d in cols[2]], dtype=np.int64),
        value=np.array([int(v.scaleb(6)) for v in cols[3]], dtype=np.int64),
        currency=np.array([_currency_code(c) for c in cols[4]], dtype=np.int64),
        first_time=np.array([-1 if t is None else (t - _EPOCH) // timedelta(microseconds=1)
                             for t in cols[5]], dtype=np.int64),
        first_channel=np.array([codes.get(c, NO_CHANNEL) for c in cols[6]], dtype=np.int64))


def _write_customer_value(run, rows: CustomerValue) -> None:
    columns = {
        "day": ("date", rows.day, None),
        "channel": ("text", channel_names(rows.channel), None),
        "currency": ("text", _currencies(rows.currency), None),
        "customers": ("int8", rows.customers, None),
    }
    for i, horizon in enumerate(HORIZON_DAYS):
        columns[f"revenue_{horizon}d"] = ("numeric6", rows.revenue[:, i], None)
    _store(CustomerValueRollup, run, columns)


def _currencies(codes: np.ndarray) -> np.ndarray:
    distinct, inverse = np.unique(codes, return_inverse=True)
    return np.array([currency_name(int(c)) for c in distinct], dtype=object)[inverse]


def _currency_code(name: str) -> int:
    code = 0
    for ch in name[:3]:
        code = code * 256 + ord(ch)
    return code << 8 * (3 - len(name[:3])) if name else 0


def paths_cleanup(*, run_id: int) -> None:
    """Delete one (superseded or failed) run's journey-report rows."""
    for model in (ConversionPath, PathRollup, PathStepRollup, PathLagRollup, CustomerValueRollup):
        model.objects.filter(run_id=run_id)._raw_delete(model.objects.db)


# --- storage -------------------------------------------------------------------------------------
# columns: name → (kind, values, null mask or None); kinds: int8, numeric6 (micro-units), text
# (object array of str), date (days since epoch), time (µs since epoch).

def _store(model: type[models.Model], run: AttributionRun, columns: dict) -> None:
    n = len(next(iter(columns.values()))[1])
    if not n:
        return
    if connection.vendor == "postgresql":
        _copy(model, run, columns, n)
        return
    decode = {
        "int8": int, "text": str, "numeric6": micros_to_decimal,
        "date": lambda d: _EPOCH_DAY + timedelta(days=int(d)),
        "time": lambda us: _EPOCH + timedelta(microseconds=int(us)),
    }
    names = list(columns)
    lists = [columns[c][1].tolist() for c in names]
    masks = [columns[c][2].tolist() if columns[c][2] is not None else [False] * n for c in names]
    fns = [decode[columns[c][0]] for c in names]
    rows = (model(workspace_id=run.workspace_id, run_id=run.id,
                  **{name: None if masks[j][i] else fns[j](lists[j][i]) for j, name in enumerate(names)})
            for i in range(n))
    model.objects.bulk_create(rows, batch_size=BATCH)


_SELECT = {
    "int8": "s.{c}", "numeric6": "s.{c}",
    "date": "DATE '1970-01-01' + s.{c}::int",
    "time": "TIMESTAMPTZ 'epoch' + s.{c} * INTERVAL '1 microsecond'",
}


def _factorize(values: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Distinct strings (first-seen order) and each value's index among them: one hash per
    value, where sorting a million Python strings would take seconds."""
    index: dict[str, int] = {}
    codes = np.fromiter((index.setdefault(v, len(index)) for v in values.tolist()), dtype=np.int64,
                        count=len(values))
    return list(index), codes


def _copy(model, run, columns: dict, n: int) -> None:
    """Text columns arrive as indexes into the batch's distinct strings (channels, currencies,
    steps: a few hundred at most, now that paths travel as keys), which go along as one array
    parameter per column and are looked up by the INSERT: no dictionary tables, no joins."""
    scratch = f"load_{model._meta.db_table}"
    loads, selects, params = [], [], [run.workspace_id, run.id]
    for name, (kind, values, mask) in columns.items():
        if kind == "text":
            distinct, inverse = _factorize(values)
            selects.append(f'(%s::text[])[s."{name}" + 1]')
            params.append(distinct)
            values = inverse
        else:
            selects.append(_SELECT[kind].format(c=f'"{name}"'))
        loads.append((name, "numeric6" if kind == "numeric6" else "int8",
                      np.asarray(values, dtype=np.int64), mask))
    declared = ", ".join(f'"{name}" {"numeric(18, 6)" if kind == "numeric6" else "bigint"}'
                         for name, (kind, _, _) in columns.items())
    targets = ", ".join(f'"{name}"' for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {scratch} ({declared}) ON COMMIT DROP")
        cursor.execute(f"TRUNCATE {scratch}")
        copy_in(cursor.cursor, scratch, loads)
        cursor.execute(
            f"INSERT INTO {model._meta.db_table} (workspace_id, run_id, {targets})"
            f" SELECT %s, %s, {', '.join(selects)} FROM {scratch} s", params)
