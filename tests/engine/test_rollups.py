"""Rollups keep currencies and days apart and count unattributed conversions under their own channel."""

from attribution.engine.pipeline import ModelSpec, attribute
from attribution.engine.rollup import UNATTRIBUTED_CHANNEL
from attribution.engine.windows import LookbackWindows
from tests.engine.builder import CHANNELS, at, conversions, touches


def test_currencies_are_kept_apart_and_unattributed_conversions_are_counted():
    tps = touches((1, 10, at(1), "click", "tiktok", 5), (2, 11, at(1), "click", "tiktok", 5))
    convs = conversions((100, 10, at(), "10", "USD"), (101, 11, at(), "20", "EUR"),
                        (102, 12, at(), "30", "USD"))
    [result] = attribute(convs, tps, LookbackWindows.build(CHANNELS), [ModelSpec("linear")]).models
    tiktok = CHANNELS.index("tiktok")
    day = at() // 86_400_000_000
    assert sorted(result.rollup.rows()) == [
        (day, UNATTRIBUTED_CHANNEL, 0, 0, 0, 0, 1.0, 30_000_000),
        (day, tiktok, 0, 0, 5, 0, 1.0, 10_000_000),
        (day, tiktok, 0, 0, 5, 1, 1.0, 20_000_000),
    ]


def test_local_days_follow_the_workspace_time_zone_across_daylight_saving():
    from datetime import UTC, datetime

    import numpy as np

    from attribution.engine.local_days import local_days
    from tests.engine.builder import us

    instants = [datetime(2026, 3, 29, 22, 30, tzinfo=UTC), datetime(2026, 1, 10, 23, 30, tzinfo=UTC)]
    days = local_days(np.array([us(t) for t in instants]), "Europe/Berlin")
    epoch = datetime(1970, 1, 1).date()
    assert [epoch.toordinal() + int(d) for d in days] == [
        datetime(2026, 3, 30).toordinal(), datetime(2026, 1, 11).toordinal()]
