"""Bulk writes of a run's credits and rollups: binary COPY on PostgreSQL, bulk_create elsewhere."""

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from django.db import connection

from attribution.engine.arrays import NO_TOUCH, Conversions, Touches
from attribution.engine.pipeline import CreditTable, ModelResult
from attribution.engine.rollup import UNATTRIBUTED_CHANNEL
from attribution.models import AttributionCredit, AttributionRollup, AttributionRun

from .config import CHANNELS, UNATTRIBUTED
from .pgcopy import copy_in
from .readers import currency_name

BATCH = 5000
_EPOCH = date(1970, 1, 1)


def micros_to_decimal(micros: int) -> Decimal:
    return Decimal(int(micros)).scaleb(-6)


def write_credits(run: AttributionRun, table: CreditTable, conversions: Conversions,
                  touches: Touches) -> int:
    """Store a batch's credit table (one row per conversion and touch); returns the row count."""
    n = len(table)
    unattributed = table.touch == NO_TOUCH
    touch_ids = np.where(unattributed, 0, touches.id[np.maximum(table.touch, 0)] if len(touches) else 0)
    conversion_ids = conversions.id[table.conv]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            return copy_in(cursor.cursor, AttributionCredit._meta.db_table, [
                ("workspace_id", "int8", np.full(n, run.workspace_id, dtype=np.int64), None),
                ("run_id", "int8", np.full(n, run.id, dtype=np.int64), None),
                ("conversion_id", "int8", conversion_ids, None),
                ("touchpoint_id", "int8", touch_ids, unattributed),
                ("weights", "float8[]", table.weights, None),
                ("revenues", "int8[]", table.revenues, None),
            ])
    rows = (AttributionCredit(workspace_id=run.workspace_id, run_id=run.id, conversion_id=conv,
                              touchpoint_id=touch or None, weights=weights, revenues=revenues)
            for conv, touch, weights, revenues in zip(conversion_ids.tolist(), touch_ids.tolist(),
                                                      table.weights.tolist(), table.revenues.tolist(),
                                                      strict=True))
    AttributionCredit.objects.bulk_create(rows, batch_size=BATCH)
    return n


def write_rollups(run: AttributionRun, result: ModelResult) -> int:
    """Store one model's rollup rows for this batch (a chunk's share; finalize merges chunks)."""
    r = result.rollup
    n = len(r)
    if not n:
        return 0
    if connection.vendor == "postgresql":
        return _copy_rollups(run, result)
    channel_names = [*CHANNELS, "other"]
    rows = [
        AttributionRollup(
            workspace_id=run.workspace_id, run_id=run.id, model_config_id=result.spec.key,
            day=_EPOCH + timedelta(days=day),
            channel=UNATTRIBUTED if channel == UNATTRIBUTED_CHANNEL else channel_names[channel],
            campaign_id=campaign or None, adgroup_id=adgroup or None, ad_id=ad or None,
            currency=currency_name(currency), conversions=conversions,
            revenue=micros_to_decimal(revenue))
        for day, channel, campaign, adgroup, ad, currency, conversions, revenue in r.rows()]
    AttributionRollup.objects.bulk_create(rows, batch_size=BATCH)
    return n


def _copy_rollups(run: AttributionRun, result: ModelResult) -> int:
    """Text columns (channel, currency) have few distinct values: one COPY per (channel, currency)."""
    r = result.rollup
    n = len(r)
    table = AttributionRollup._meta.db_table
    day_numbers = r.day.astype(np.int64)
    with connection.cursor() as cursor:
        for channel, currency in {(int(a), int(b)) for a, b in zip(r.channel, r.currency, strict=True)}:
            rows = np.flatnonzero((r.channel == channel) & (r.currency == currency))
            name = UNATTRIBUTED if channel == UNATTRIBUTED_CHANNEL else [*CHANNELS, "other"][channel]
            cursor.execute("CREATE TEMP TABLE IF NOT EXISTS rollup_load (day_number bigint,"
                           " campaign_id bigint, adgroup_id bigint, ad_id bigint,"
                           " conversions float8, revenue numeric(18, 6)) ON COMMIT DROP")
            cursor.execute("TRUNCATE rollup_load")
            copy_in(cursor.cursor, "rollup_load", [
                ("day_number", "int8", day_numbers[rows], None),
                ("campaign_id", "int8", r.campaign[rows], r.campaign[rows] == 0),
                ("adgroup_id", "int8", r.adgroup[rows], r.adgroup[rows] == 0),
                ("ad_id", "int8", r.ad[rows], r.ad[rows] == 0),
                ("conversions", "float8", r.conversions[rows], None),
                ("revenue", "numeric6", r.revenue[rows], None),
            ])
            cursor.execute(
                f"INSERT INTO {table} (workspace_id, run_id, model_config_id, day, channel, campaign_id,"
                f" adgroup_id, ad_id, currency, conversions, revenue)"
                f" SELECT %s, %s, %s, DATE '1970-01-01' + day_number::int, %s, campaign_id, adgroup_id,"
                f" ad_id, %s, conversions, revenue FROM rollup_load",
                [run.workspace_id, run.id, result.spec.key, name, currency_name(currency)])
    return n
