"""Readable journeys for engine tests: touches and conversions written as short tuples."""

from datetime import UTC, datetime
from decimal import Decimal

from attribution.engine.arrays import KIND_CLICK, KIND_VIEW, NO_PERSON, Conversions, Touches
from attribution.engine.pipeline import ModelSpec, attribute
from attribution.engine.windows import LookbackWindows

CHANNELS = ["tiktok", "meta", "google", "email", "direct"]
CURRENCIES = ["USD", "EUR"]
DIRECT = CHANNELS.index("direct")
T0 = datetime(2026, 11, 20, 12, tzinfo=UTC)


def us(when: datetime) -> int:
    return int(when.timestamp()) * 1_000_000 + when.microsecond


def at(days_before: float = 0.0, hours_before: float = 0.0) -> int:
    """Microseconds of a moment ``days_before`` days and ``hours_before`` hours before T0."""
    return us(T0) - round((days_before * 24 + hours_before) * 3_600_000_000)


def touches(*rows) -> Touches:
    """rows: (id, person, time_us, kind 'click'|'view', channel name[, ad id])."""
    cols = {k: [] for k in ("id", "person", "time", "kind", "channel", "ad")}
    for row in rows:
        tid, person, time, kind, channel, *ad = row
        cols["id"].append(tid)
        cols["person"].append(person)
        cols["time"].append(time)
        cols["kind"].append(KIND_VIEW if kind == "view" else KIND_CLICK)
        cols["channel"].append(CHANNELS.index(channel))
        cols["ad"].append(ad[0] if ad else 0)
    return Touches.from_columns(**cols)


def conversions(*rows) -> Conversions:
    """rows: (id, person or None, time_us, value as str[, currency])."""
    cols = {k: [] for k in ("id", "person", "time", "value", "currency")}
    for cid, person, time, value, *currency in rows:
        cols["id"].append(cid)
        cols["person"].append(NO_PERSON if person is None else person)
        cols["time"].append(time)
        cols["value"].append(int(Decimal(value) * 1_000_000))
        cols["currency"].append(CURRENCIES.index(currency[0] if currency else "USD"))
    return Conversions.from_columns(**cols)


def run(kind, convs, tps, windows=None, **params):
    """Credits of one model as {conversion id: [(touch id or None, weight, revenue str)]}."""
    window_table = LookbackWindows.build(CHANNELS, windows)
    [result] = attribute(convs, tps, window_table, [ModelSpec(kind, params)], direct_channel=DIRECT).models
    out = {}
    c = result.credits
    for conv, touch, weight, revenue in zip(c.conv, c.touch, c.weight, c.revenue, strict=True):
        tid = None if touch < 0 else int(tps.id[touch])
        out.setdefault(int(convs.id[conv]), []).append(
            (tid, round(float(weight), 9), str(Decimal(int(revenue)) / 1_000_000)))
    return out
