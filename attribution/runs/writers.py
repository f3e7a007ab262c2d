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


def write_rollups(run: AttributionRun, results: list[ModelResult]) -> int:
    """Store every model's rollup rows for this batch (a chunk's share; finalize merges chunks)."""
    if connection.vendor == "postgresql":
        return _copy_rollups(run, results)
    channel_names = [*CHANNELS, "other"]
    rows = [
        AttributionRollup(
            workspace_id=run.workspace_id, run_id=run.id, model_config_id=result.spec.key,
            day=_EPOCH + timedelta(days=day),
            channel=UNATTRIBUTED if channel == UNATTRIBUTED_CHANNEL else channel_names[channel],
            campaign_id=campaign or None, adgroup_id=adgroup or None, ad_id=ad or None,
            currency=currency_name(currency), conversions=conversions,
            revenue=micros_to_decimal(revenue))
        for result in results
        for day, channel, campaign, adgroup, ad, currency, conversions, revenue in result.rollup.rows()]
    AttributionRollup.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _copy_rollups(run: AttributionRun, results: list[ModelResult]) -> int:
    """One binary COPY of every model's rows into a scratch table, then one INSERT … SELECT that
    turns codes into the text columns (channel name, currency) on the way in."""
    n = sum(len(result.rollup) for result in results)
    if not n:
        return 0

    def column(name):
        return np.concatenate([getattr(result.rollup, name).astype(np.int64) for result in results])

    campaign, adgroup, ad = column("campaign"), column("adgroup"), column("ad")
    models = np.concatenate([np.full(len(r.rollup), r.spec.key, dtype=np.int64) for r in results])
    names = ", ".join(f"'{name}'" for name in [*CHANNELS, "other"])
    currency = " || ".join(f"COALESCE(chr(NULLIF(currency_code >> {shift} & 255, 0)::int), '')"
                           for shift in (16, 8, 0))
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS rollup_load (model_config_id bigint,"
                       " day_number bigint, channel_code bigint, campaign_id bigint, adgroup_id bigint,"
                       " ad_id bigint, currency_code bigint, conversions float8, revenue numeric(18, 6))"
                       " ON COMMIT DROP")
        cursor.execute("TRUNCATE rollup_load")
        copy_in(cursor.cursor, "rollup_load", [
            ("model_config_id", "int8", models, None),
            ("day_number", "int8", column("day"), None),
            ("channel_code", "int8", column("channel"), None),
            ("campaign_id", "int8", campaign, campaign == 0),
            ("adgroup_id", "int8", adgroup, adgroup == 0),
            ("ad_id", "int8", ad, ad == 0),
            ("currency_code", "int8", column("currency"), None),
            ("conversions", "float8", np.concatenate([r.rollup.conversions for r in results]), None),
            ("revenue", "numeric6", np.concatenate([r.rollup.revenue for r in results]), None),
        ])
        cursor.execute(
            f"INSERT INTO {AttributionRollup._meta.db_table} (workspace_id, run_id, model_config_id,"
            f" day, channel, campaign_id, adgroup_id, ad_id, currency, conversions, revenue)"
            f" SELECT %s, %s, model_config_id, DATE '1970-01-01' + day_number::int,"
            f" CASE WHEN channel_code = %s THEN %s ELSE (ARRAY[{names}])[channel_code + 1] END,"
            f" campaign_id, adgroup_id, ad_id, {currency}, conversions, revenue FROM rollup_load",
            [run.workspace_id, run.id, UNATTRIBUTED_CHANNEL, UNATTRIBUTED])
    return n
