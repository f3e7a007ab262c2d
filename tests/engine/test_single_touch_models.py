"""First click, last click and last non-direct click on hand-computed journeys."""

import pytest

from tests.engine.builder import at, conversions, run, touches

SINGLE = ["first_click", "last_click", "last_non_direct"]


@pytest.mark.parametrize("kind", SINGLE)
def test_one_touch_gets_all_the_credit(kind):
    credits = run(kind, conversions((1, 10, at(), "50")), touches((7, 10, at(2), "click", "tiktok")))
    assert credits == {1: [(7, 1.0, "50")]}


def test_last_click_credits_the_latest_click_and_first_click_the_earliest():
    tps = touches((1, 10, at(5), "click", "meta"), (2, 10, at(3), "click", "tiktok"),
                  (3, 10, at(1), "click", "google"))
    convs = conversions((100, 10, at(), "90"))
    assert run("last_click", convs, tps) == {100: [(3, 1.0, "90")]}
    assert run("first_click", convs, tps) == {100: [(1, 1.0, "90")]}


def test_same_timestamp_ties_are_broken_by_touch_id():
    tps = touches((9, 10, at(1), "click", "meta"), (4, 10, at(1), "click", "tiktok"))
    convs = conversions((100, 10, at(), "10"))
    assert run("last_click", convs, tps) == {100: [(9, 1.0, "10")]}
    assert run("first_click", convs, tps) == {100: [(4, 1.0, "10")]}


@pytest.mark.parametrize("kind", ["first_click", "last_click"])
def test_a_view_counts_only_when_the_journey_has_no_eligible_click(kind):
    click_and_view = touches((1, 10, at(3), "click", "tiktok"), (2, 10, at(0, 2), "view", "tiktok"),
                             (3, 10, at(4), "view", "meta"))
    assert run(kind, conversions((100, 10, at(), "5")), click_and_view) == {100: [(1, 1.0, "5")]}
    only_view = touches((2, 10, at(0, 2), "view", "tiktok"))
    assert run(kind, conversions((100, 10, at(), "5")), only_view) == {100: [(2, 1.0, "5")]}


def test_touches_after_the_conversion_earn_nothing():
    tps = touches((1, 10, at(2), "click", "meta"), (2, 10, at(0, -1), "click", "tiktok"))
    assert run("last_click", conversions((100, 10, at(), "5")), tps) == {100: [(1, 1.0, "5")]}


def test_a_touch_at_the_conversion_instant_is_eligible():
    tps = touches((1, 10, at(2), "click", "meta"), (2, 10, at(), "click", "tiktok"))
    assert run("last_click", conversions((100, 10, at(), "5")), tps) == {100: [(2, 1.0, "5")]}


def test_tiktok_defaults_to_a_seven_day_click_and_one_day_view_window():
    tps = touches((1, 10, at(7, 1), "click", "tiktok"), (2, 10, at(1, 1), "view", "tiktok"),
                  (3, 10, at(20), "click", "meta"))
    # TikTok's click is 7 days 1 hour old and its view 25 hours: both outside; Meta falls back to 28d.
    assert run("last_click", conversions((100, 10, at(), "5")), tps) == {100: [(3, 1.0, "5")]}


def test_windows_are_configurable_per_channel():
    tps = touches((1, 10, at(10), "click", "tiktok"), (2, 10, at(20), "click", "meta"))
    convs = conversions((100, 10, at(), "5"))
    widened = {"tiktok": (14, 1), "meta": (7, 1)}
    assert run("last_click", convs, tps, windows=widened) == {100: [(1, 1.0, "5")]}


def test_views_can_be_switched_off():
    tps = touches((1, 10, at(0, 1), "view", "tiktok"))
    convs = conversions((100, 10, at(), "5"))
    assert run("last_click", convs, tps, windows={"tiktok": (7, 0)}) == {100: [(None, 1.0, "5")]}


def test_a_conversion_without_eligible_touch_is_kept_unattributed():
    tps = touches((1, 10, at(40), "click", "meta"))
    convs = conversions((100, 10, at(), "5"), (101, None, at(), "7"), (102, 99, at(), "8"))
    assert run("first_click", convs, tps) == {
        100: [(None, 1.0, "5")], 101: [(None, 1.0, "7")], 102: [(None, 1.0, "8")]}


def test_last_non_direct_skips_a_later_direct_visit():
    tps = touches((1, 10, at(3), "click", "meta"), (2, 10, at(1), "click", "direct"))
    assert run("last_non_direct", conversions((100, 10, at(), "5")), tps) == {100: [(1, 1.0, "5")]}
    assert run("last_click", conversions((100, 10, at(), "5")), tps) == {100: [(2, 1.0, "5")]}


def test_last_non_direct_credits_direct_only_when_nothing_else_exists():
    tps = touches((1, 10, at(3), "click", "direct"), (2, 10, at(1), "click", "direct"))
    assert run("last_non_direct", conversions((100, 10, at(), "5")), tps) == {100: [(2, 1.0, "5")]}


def test_last_non_direct_prefers_an_ad_view_to_a_direct_visit():
    tps = touches((1, 10, at(0, 5), "view", "tiktok"), (2, 10, at(0, 1), "click", "direct"))
    assert run("last_non_direct", conversions((100, 10, at(), "5")), tps) == {100: [(1, 1.0, "5")]}


def test_other_peoples_touches_are_not_in_the_journey():
    tps = touches((1, 10, at(3), "click", "meta"), (2, 11, at(1), "click", "tiktok"))
    convs = conversions((100, 10, at(), "5"), (101, 11, at(), "6"))
    assert run("last_click", convs, tps) == {100: [(1, 1.0, "5")], 101: [(2, 1.0, "6")]}


def test_earlier_touches_serve_every_later_conversion_of_the_same_person():
    tps = touches((1, 10, at(3), "click", "meta"), (2, 10, at(1), "click", "tiktok"))
    convs = conversions((100, 10, at(2), "5"), (101, 10, at(), "6"))
    assert run("last_click", convs, tps) == {100: [(1, 1.0, "5")], 101: [(2, 1.0, "6")]}
