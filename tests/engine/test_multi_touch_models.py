"""Linear, time decay and position based on hand-computed journeys, with exact revenue splits."""

import pytest

from tests.engine.builder import at, conversions, run, touches

FOUR = touches((1, 10, at(6), "click", "meta"), (2, 10, at(4), "click", "tiktok", 77),
               (3, 10, at(0, 12), "view", "tiktok", 78), (4, 10, at(0, 1), "click", "google"))
CONV = conversions((100, 10, at(), "100"))


@pytest.mark.parametrize("kind", ["linear", "time_decay", "position_based"])
def test_one_touch_gets_all_the_credit(kind):
    credits = run(kind, CONV, touches((7, 10, at(0, 20), "view", "tiktok")))
    assert credits == {100: [(7, 1.0, "100")]}


def test_linear_gives_equal_shares_and_the_rounding_cent_to_the_first_touch():
    tps = touches((1, 10, at(3), "click", "meta"), (2, 10, at(2), "click", "tiktok"),
                  (3, 10, at(1), "click", "google"))
    assert run("linear", CONV, tps) == {100: [
        (1, round(1 / 3, 9), "33.333334"), (2, round(1 / 3, 9), "33.333333"),
        (3, round(1 / 3, 9), "33.333333")]}


def test_linear_counts_eligible_views_too():
    tps = touches((1, 10, at(4), "view", "tiktok"), (2, 10, at(0, 3), "view", "tiktok"),
                  (3, 10, at(1), "click", "meta"))
    assert run("linear", CONV, tps) == {100: [(3, 0.5, "50"), (2, 0.5, "50")]}


def test_time_decay_halves_the_weight_every_half_life():
    tps = touches((1, 10, at(7), "click", "meta"), (2, 10, at(), "click", "google"))
    assert run("time_decay", CONV, tps) == {100: [
        (1, round(1 / 3, 9), "33.333333"), (2, round(2 / 3, 9), "66.666667")]}


def test_time_decay_half_life_is_a_parameter():
    tps = touches((1, 10, at(2), "click", "meta"), (2, 10, at(1), "click", "meta"),
                  (3, 10, at(0), "click", "google"))
    credits = run("time_decay", CONV, tps, half_life_days=1)
    assert [w for _, w, _ in credits[100]] == [round(1 / 7, 9), round(2 / 7, 9), round(4 / 7, 9)]


def test_time_decay_survives_a_tiny_half_life_without_dividing_by_zero():
    tps = touches((1, 10, at(20), "click", "meta"), (2, 10, at(19), "click", "meta"))
    credits = run("time_decay", CONV, tps, half_life_days=0.001)
    assert credits == {100: [(1, 0.0, "0"), (2, 1.0, "100")]} or credits == {100: [(2, 1.0, "100")]}


def test_position_based_gives_forty_twenty_forty():
    assert run("position_based", CONV, FOUR) == {100: [
        (1, 0.4, "40"), (2, 0.1, "10"), (3, 0.1, "10"), (4, 0.4, "40")]}


def test_position_based_splits_two_touches_fifty_fifty():
    tps = touches((1, 10, at(2), "click", "meta"), (2, 10, at(1), "click", "google"))
    assert run("position_based", CONV, tps) == {100: [(1, 0.5, "50"), (2, 0.5, "50")]}


def test_position_based_percentages_are_parameters():
    tps = touches((1, 10, at(3), "click", "meta"), (2, 10, at(2), "click", "tiktok"),
                  (3, 10, at(1), "click", "google"))
    credits = run("position_based", CONV, tps, first=0.3, last=0.3)
    assert credits == {100: [(1, 0.3, "30"), (2, 0.4, "40"), (3, 0.3, "30")]}
    two = run("position_based", CONV, tps.__class__.from_columns(
        id=[1, 3], person=[10, 10], time=[at(3), at(1)], kind=[0, 0], channel=[1, 2]),
        first=0.6, last=0.2)
    assert two == {100: [(1, 0.75, "75"), (3, 0.25, "25")]}


def test_position_based_rejects_shares_above_one_hundred_percent():
    with pytest.raises(ValueError, match="first"):
        run("position_based", CONV, FOUR, first=0.7, last=0.5)


def test_a_zero_value_conversion_still_hands_out_whole_weights():
    credits = run("linear", conversions((100, 10, at(), "0")), FOUR)
    assert [(w, r) for _, w, r in credits[100]] == [(0.25, "0")] * 4


def test_an_unknown_model_is_refused():
    with pytest.raises(ValueError, match="unknown attribution model"):
        run("banzhaf", CONV, FOUR)
