"""Markov-chain removal effects, worked by hand on small path sets."""

import numpy as np
import pytest

from attribution.engine import markov
from attribution.engine.fitted_credit import weights
from attribution.engine.journeys import Journeys
from tests.engine.paths import by_letter, paths


def removal_effects(*journeys, **params):
    fit = markov.fit(markov.count(paths(*journeys), **params))
    return fit.conversion_probability, by_letter(fit.channels, fit.removal_effects)


def test_three_channels_removal_effects_match_the_hand_computed_chain():
    # start→a 2/4, start→b 1/4, start→c 1/4; a→b ½, a→null ½; b→conv ½, b→c ½; c→conv ½, c→null ½.
    # P(c) = ½; P(b) = ½ + ½·½ = ¾; P(a) = ½·¾ = ⅜; P = ½·⅜ + ¼·¾ + ¼·½ = ½.
    # Without a: ¼·¾ + ¼·½ = 5/16 → 1 − (5/16)/(½) = ⅜.
    # Without b: P(a) = P(b) = 0, so ¼·½ = ⅛ → 1 − ¼ = ¾.
    # Without c: P(b) = ½, P(a) = ¼: ½·¼ + ¼·½ = ¼ → 1 − ½ = ½.
    p, effects = removal_effects("a>b+", "a", "b>c+", "c")
    assert p == pytest.approx(0.5)
    assert effects == pytest.approx({"a": 3 / 8, "b": 3 / 4, "c": 1 / 2})


def test_single_channel_paths_credit_only_the_channel_that_converts():
    # start→a ⅔, start→b ⅓; a→conv ½; b→null 1. P = ⅓. Without a: 0 (effect 1); without b: ⅓ (0):
    # b only ever appears on a non-converting path.
    p, effects = removal_effects("a+", "a", "b")
    assert p == pytest.approx(1 / 3)
    assert effects == pytest.approx({"a": 1.0, "b": 0.0})


def test_without_non_converting_paths_every_path_converts():
    # start→a ½, start→b ½; a→b 1; b→conv 1. P = 1. Without a: ½ (effect ½); without b: 0 (effect 1).
    p, effects = removal_effects("a>b+", "b+")
    assert p == pytest.approx(1.0)
    assert effects == pytest.approx({"a": 0.5, "b": 1.0})


def test_a_repeated_channel_is_one_step_unless_repeats_are_transitions():
    collapsed = markov.count(paths("a>a>b+", "b"))
    kept = markov.count(paths("a>a>b+", "b"), repeats=True)
    assert sorted(zip(collapsed.source.tolist(), collapsed.target.tolist(), strict=True)) != sorted(
        zip(kept.source.tolist(), kept.target.tolist(), strict=True))
    loops = [int(s) for s, t in zip(kept.source, kept.target, strict=True) if s == t]
    assert [markov.state_channels(s, 1) for s in loops] == [(0,)]  # a → a, counted only when kept
    # At order 1 a self-loop only delays absorption: P(a) = ½·P(a) + ½·P(b) gives P(a) = P(b).
    # start→a ½, start→b ½; b→conv ½ → P(b) = ½, P = ½. Without a: ¼ (effect ½); without b: 0 (1).
    for repeats in (False, True):
        p, effects = removal_effects("a>a>b+", "b", repeats=repeats)
        assert p == pytest.approx(0.5) and effects == pytest.approx({"a": 0.5, "b": 1.0})


def test_a_second_order_chain_remembers_which_channel_came_before():
    # Order 1: b converts half the time whatever came before: effects a ½, b 1, c ½.
    # Order 2: states (a,b) → conv 1 and (c,b) → null 1, so removing c changes nothing (effect 0)
    # and removing a loses every conversion (effect 1).
    assert removal_effects("a>b+", "c>b")[1] == pytest.approx({"a": 0.5, "b": 1.0, "c": 0.5})
    assert removal_effects("a>b+", "c>b", order=2)[1] == pytest.approx({"a": 1.0, "b": 1.0, "c": 0.0})


def test_an_order_outside_one_to_four_is_refused_with_the_parameter_named():
    with pytest.raises(ValueError, match="Markov order must be a whole number from 1 to 4"):
        markov.count(paths("a+"), order=5)


def test_counts_of_two_batches_add_up_to_the_counts_of_both():
    one, two = markov.count(paths("a>b+", "a")), markov.count(paths("b>c+", "c", "a>b+"))
    both = markov.count(paths("a>b+", "a", "b>c+", "c", "a>b+"))
    total = one + two
    assert (total.journeys, total.conversions) == (5, 3)
    assert [total.source.tolist(), total.target.tolist(), total.count.tolist()] == [
        both.source.tolist(), both.target.tolist(), both.count.tolist()]


def test_each_touch_gets_its_channels_share_normalized_within_the_journey():
    # Shares a ⅓, b ⅔ (the path set without non-converting paths above); journey a, b, a:
    # ⅓ + ⅔ + ⅓ = 4/3 → a ¼, b ½, a ¼.
    fit = markov.fit(markov.count(paths("a>b+", "b+")))
    effects = np.zeros(3)
    effects[fit.channels] = fit.shares()
    assert effects[:2] == pytest.approx([1 / 3, 2 / 3])
    journeys = Journeys(conv=np.zeros(3, dtype=np.int64), touch=np.arange(3), starts=np.array([0]),
                        attributed=np.array([0]), unattributed=np.zeros(0, dtype=np.int64))

    class Touched:
        channel = np.array([0, 1, 0])

    _, share = weights(journeys, Touched, None, effects=effects)
    assert share == pytest.approx([0.25, 0.5, 0.25])


def test_a_journey_of_channels_without_effect_is_split_equally():
    journeys = Journeys(conv=np.zeros(2, dtype=np.int64), touch=np.arange(2), starts=np.array([0]),
                        attributed=np.array([0]), unattributed=np.zeros(0, dtype=np.int64))

    class Touched:
        channel = np.array([2, 3])

    _, share = weights(journeys, Touched, None, effects=np.array([1.0, 0.0, 0.0, 0.0]))
    assert share == pytest.approx([0.5, 0.5])


def test_a_chain_with_more_states_than_can_be_solved_exactly_is_not_fitted_and_says_why():
    from attribution.engine import data_driven

    rng = np.random.default_rng(3)  # 12 channels, 8 steps: thousands of distinct 4-channel states
    journeys = [">".join("abcdefghijkl"[c] for c in rng.integers(0, 12, 8)) + "+" for _ in range(2000)]
    counts = markov.count(paths(*journeys), order=4)
    outcome = data_driven.fit("markov", {"min_conversions": 1}, counts, channel_codes=12)
    assert outcome.effects is None and "lower the order" in outcome.reason
