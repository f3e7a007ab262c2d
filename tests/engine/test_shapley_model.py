"""Shapley values over channel coalitions, worked by hand."""

import numpy as np
import pytest

from attribution.engine import shapley
from tests.engine.paths import by_letter, paths


def many(text: str, journeys: int, conversions: int) -> list[str]:
    return [text + "+"] * conversions + [text] * (journeys - conversions)


def values(*journeys, value="conversion_rate", amounts=None):
    fit = shapley.fit(shapley.count(paths(*journeys, values=amounts)), value=value)
    return by_letter(fit.channels, fit.values)


def test_two_channels_share_their_joint_conversion_rate_equally():
    # Worth: {a} 1/10 = .1, {b} 2/10 = .2, {a,b} 2/5 = .4; v({a,b}) = .1 + .2 + .4 = .7.
    # φa = ½(v{a} − 0) + ½(v{a,b} − v{b}) = ½·.1 + ½·.5 = .3;  φb = ½·.2 + ½·.6 = .4 (sum .7).
    journeys = many("a", 10, 1) + many("b", 10, 2) + many("a>b", 5, 2)
    assert values(*journeys) == pytest.approx({"a": 0.3, "b": 0.4})


def test_three_channels_split_each_coalitions_worth_among_its_members():
    # Worth: {a} .1, {a,b} .3, {a,b,c} .6, {c} 0 (c never converts alone).
    # φa = .1 + .3/2 + .6/3 = .45; φb = .3/2 + .6/3 = .35; φc = .6/3 = .2; sum = v({a,b,c}) = 1.
    journeys = many("a", 10, 1) + many("a>b", 10, 3) + many("c>b>a", 5, 3) + many("c", 4, 0)
    assert values(*journeys) == pytest.approx({"a": 0.45, "b": 0.35, "c": 0.2})


def test_a_repeated_channel_counts_once_in_a_coalition():
    assert values("a>a>b+", "b>a>b") == values("a>b+", "a>b")


def test_a_channel_only_on_non_converting_journeys_gets_nothing():
    assert values("a+", "a", "c")["c"] == 0.0


def test_revenue_per_journey_can_be_the_worth_instead_of_the_conversion_rate():
    # Worth: {a} 30/2 = 15, {a,b} 40/1 = 40. φa = 15 + 20 = 35, φb = 20.
    result = values("a+", "a", "a>b+", value="revenue", amounts=[30, 0, 40])
    assert result == pytest.approx({"a": 35.0, "b": 20.0})


def test_the_exact_values_equal_the_closed_form_of_zhao_et_al():
    rng = np.random.default_rng(7)
    journeys = ["a>b>c>d>e>f>g"[: 2 * k + 1] + ("+" if rng.random() < 0.3 else "")
                for k in rng.integers(0, 7, 400)] + ["g>a+", "f>b", "e>c+"]
    fit = shapley.fit(shapley.count(paths(*journeys)))
    closed = np.zeros(len(fit.channels))
    for mask, worth in zip(fit.counts.mask, fit.worth, strict=True):
        members = [i for i, c in enumerate(fit.channels) if int(mask) >> int(c) & 1]
        closed[members] += worth / len(members)
    np.testing.assert_allclose(fit.values, closed, rtol=1e-12)


def test_more_channels_than_the_cap_is_a_clear_error():
    journeys = ">".join("abcdefghijklmnopq"[:16]) + "+"
    with pytest.raises(ValueError, match="up to 15 channels; these journeys have 16"):
        shapley.fit(shapley.count(paths(journeys)))


def test_counts_of_two_batches_add_up_to_the_counts_of_both():
    total = shapley.count(paths("a>b+", "a")) + shapley.count(paths("b>a", "c+"))
    both = shapley.count(paths("a>b+", "a", "b>a", "c+"))
    for field in ("mask", "journeys", "conversions", "revenue"):
        assert getattr(total, field).tolist() == getattr(both, field).tolist()
