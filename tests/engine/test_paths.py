"""Conversion paths, their step and lag sums, and customer value: pure engine code on hand-built journeys."""

import numpy as np

from attribution.engine.customer_value import (
    PersonConversions,
    customer_value,
    customer_value_delta,
)
from attribution.engine.journeys import build_journeys
from attribution.engine.paths import (
    LEVEL_CAMPAIGN,
    LEVEL_CHANNEL,
    NO_PATH,
    conversion_paths,
    lag_rollup,
    path_rollup,
    signature_keys,
    step_rollup,
)
from attribution.engine.windows import LookbackWindows

from .builder import CHANNELS, at, conversions, touches

TIKTOK = CHANNELS.index("tiktok")


def paths_of(convs, tps):
    journeys = build_journeys(convs, tps, LookbackWindows.build(CHANNELS))
    return journeys, conversion_paths(journeys, convs, tps, CHANNELS, tiktok_channel=TIKTOK)


def with_campaigns(tps, campaigns):
    return type(tps)(**{**tps.__dict__, "campaign": np.array(campaigns, dtype=np.int64)})


def test_a_path_lists_eligible_touches_in_time_order_with_repeats_kept_and_collapsed():
    tps = touches((1, 7, at(5), "click", "meta"), (2, 7, at(3), "click", "tiktok"),
                  (3, 7, at(2), "click", "tiktok"), (4, 7, at(1), "click", "email"),
                  (5, 7, at(40), "click", "meta"))  # outside every window
    tps = with_campaigns(tps, [0, 11, 12, 0, 0])
    _, paths = paths_of(conversions((100, 7, at(0), "10.00")), tps)
    assert paths.text("channel_path")[0] == "meta>tiktok>tiktok>email"
    assert paths.text("channel_path_collapsed")[0] == "meta>tiktok>email"
    assert paths.text("campaign_path")[0] == "meta>tiktok:11>tiktok:12>email"
    assert paths.text("campaign_path_collapsed")[0] == "meta>tiktok:11>tiktok:12>email"
    assert (paths.touches[0], paths.lag_days[0], paths.first_time[0]) == (4, 5, at(5))
    assert (CHANNELS[paths.first_channel[0]], CHANNELS[paths.last_channel[0]]) == ("meta", "email")


def test_a_conversion_without_eligible_touches_has_the_empty_path():
    _, paths = paths_of(conversions((1, 3, at(0), "5.00")), touches((1, 3, at(60), "click", "meta")))
    path = (paths.text("channel_path")[0], paths.touches[0], paths.lag_days[0], paths.first_time[0])
    assert path == ("", 0, -1, -1)
    assert (paths.path[0], len(paths.signatures)) == (NO_PATH, 0)


def test_steps_count_opens_closes_and_assists_once_per_conversion():
    tps = touches((1, 1, at(3), "click", "meta"), (2, 1, at(2), "click", "meta"),
                  (3, 1, at(1), "click", "tiktok"), (4, 2, at(1), "click", "tiktok"))
    convs = conversions((10, 1, at(0), "1.00"), (20, 2, at(0), "1.00"))
    journeys, _ = paths_of(convs, tps)
    sums = step_rollup(journeys, convs, tps, CHANNELS, tiktok_channel=TIKTOK)
    by_step = {(int(level), step): (int(f), int(la), int(a)) for level, step, f, la, a in zip(
        sums.level, sums.step, sums.first_touch, sums.last_touch, sums.assisted, strict=True)}
    assert by_step[(LEVEL_CHANNEL, "meta")] == (1, 0, 1)  # twice before the last touch: one assist
    assert by_step[(LEVEL_CHANNEL, "tiktok")] == (1, 2, 0)
    assert by_step[(LEVEL_CAMPAIGN, "meta")] == (1, 0, 1)


def test_lag_sums_count_attributed_conversions_by_first_channel_lag_and_length():
    tps = touches((1, 1, at(3.5), "click", "meta"), (2, 1, at(1), "click", "tiktok"))
    convs = conversions((10, 1, at(0), "1.00"), (20, 9, at(0), "1.00"))  # 20: nobody's touches
    _, paths = paths_of(convs, tps)
    sums = lag_rollup(paths, convs)
    rows = [(CHANNELS[c], int(lag), int(n), int(k)) for c, lag, n, k in zip(
        sums.first_channel, sums.lag_days, sums.touches, sums.conversions, strict=True)]
    assert rows == [("meta", 3, 2, 1)]


def person_rows(*rows):
    """rows: (person, id, day, value units, first_time µs or -1, first channel code)."""
    cols = list(zip(*rows, strict=True))
    return PersonConversions(
        person=np.array(cols[0]), id=np.array(cols[1]), day=np.array(cols[2]),
        value=np.array(cols[3]) * 1_000_000, currency=np.zeros(len(rows), dtype=np.int64),
        first_time=np.array(cols[4]), first_channel=np.array(cols[5]))


DAY = 86_400_000_000


def test_customer_value_counts_a_customer_once_with_revenue_by_each_horizon():
    rows = person_rows((5, 1, 10, 100, 8 * DAY, 1), (5, 2, 20, 50, 9 * DAY, 2), (5, 3, 100, 25, 8 * DAY, 1))
    value = customer_value(rows, "UTC")
    assert (value.day.tolist(), value.channel.tolist(), value.customers.tolist()) == ([8], [1], [1])
    assert (value.revenue[0] // 1_000_000).tolist() == [100, 150, 150]  # day 92 is past 90 days


def test_the_delta_of_new_conversions_moves_nothing_else():
    old = person_rows((5, 1, 10, 100, 8 * DAY, 1))
    new = person_rows((5, 2, 12, 30, 8 * DAY, 1), (6, 3, 12, 9, 11 * DAY, 3))
    delta = customer_value_delta(customer_value(old, "UTC"),
                                 customer_value(PersonConversions.concat(old, new), "UTC"))
    rows = {(int(d), int(c)): (int(n), (r // 1_000_000).tolist()) for d, c, n, r in zip(
        delta.day, delta.channel, delta.customers, delta.revenue, strict=True)}
    assert rows == {(8, 1): (0, [30, 30, 30]), (11, 3): (1, [9, 9, 9])}


def test_conversions_on_the_same_path_share_one_signature_and_one_sum_row():
    tps = touches((1, 1, at(2), "click", "meta"), (2, 1, at(1), "click", "tiktok"),
                  (3, 2, at(2), "click", "meta"), (4, 2, at(1), "click", "tiktok"),
                  (5, 3, at(1), "click", "email"))
    convs = conversions((10, 1, at(0), "1.00"), (20, 2, at(0), "2.00"), (30, 3, at(0), "4.00"))
    _, paths = paths_of(convs, tps)
    assert paths.path[0] == paths.path[1] != paths.path[2]
    assert sorted(paths.signatures.channel_path) == ["email", "meta>tiktok"]
    sums = path_rollup(paths, convs)
    rows = sorted((paths.signatures.channel_path[p], int(c), int(v)) for p, c, v in zip(
        sums.path, sums.conversions, sums.value, strict=True))
    assert rows == [("email", 1, 4_000_000), ("meta>tiktok", 2, 3_000_000)]


def test_a_path_key_depends_on_the_workspace_and_the_path_only():
    one, same, other_path = signature_keys(1, ["meta>tiktok:3", "meta>tiktok:3", "meta>tiktok:4"])
    assert one == same != other_path
    assert signature_keys(2, ["meta>tiktok:3"])[0] != one
