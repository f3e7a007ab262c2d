"""Properties of the data-driven fit pass on arbitrary batches (hypothesis)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from attribution.engine import data_driven
from attribution.engine.arrays import Conversions, Touches
from attribution.engine.fit_paths import fit_paths
from tests.engine.builder import CHANNELS, at
from tests.engine.test_properties import WINDOWS, batches, shuffled

SINCE = at(40)
PARAMS = [("markov", {"min_conversions": 1}), ("markov", {"min_conversions": 1, "order": 2}),
          ("markov", {"min_conversions": 1, "repeats": True}), ("shapley", {"min_conversions": 1}),
          ("shapley", {"min_conversions": 1, "value": "revenue"})]


def people(cols, lo, hi):
    keep = (cols.person >= lo) & (cols.person < hi)
    return type(cols).from_columns(**{k: v[keep] for k, v in vars(cols).items()})


def effects(counts):
    return {i: data_driven.fit(kind, params, c, channel_codes=len(CHANNELS)).effects
            for i, ((kind, params), c) in enumerate(zip(PARAMS, counts, strict=True))}


def counted(convs: Conversions, tps: Touches):
    p = fit_paths(convs, tps, WINDOWS, since_us=SINCE)
    return [data_driven.count(kind, params, p) for kind, params in PARAMS]


def same(a, b):
    assert a.keys() == b.keys()
    for key in a:
        if a[key] is None or b[key] is None:
            assert a[key] is None and b[key] is None
        else:
            np.testing.assert_allclose(a[key], b[key], rtol=1e-9, atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(batches(), st.integers(1, 6))
def test_a_fit_over_several_person_ranges_equals_the_fit_over_one(batch, cut):
    convs, tps = batch
    whole = counted(convs, tps)
    first = counted(people(convs, -10, cut), people(tps, -10, cut))
    second = counted(people(convs, cut, 10), people(tps, cut, 10))
    same(effects(whole), effects([a + b for a, b in zip(first, second, strict=True)]))


@settings(max_examples=100, deadline=None)
@given(batches(), st.randoms(use_true_random=False))
def test_permuting_journeys_changes_no_fit(batch, rnd):
    convs, tps = batch
    convs2 = shuffled(convs, np.array(rnd.sample(range(len(convs)), len(convs)), dtype=np.int64))
    tps2 = shuffled(tps, np.array(rnd.sample(range(len(tps)), len(tps)), dtype=np.int64))
    same(effects(counted(convs, tps)), effects(counted(convs2, tps2)))


@settings(max_examples=100, deadline=None)
@given(batches())
def test_fitted_shares_are_non_negative_and_sum_to_one(batch):
    for value in effects(counted(*batch)).values():
        if value is not None and value.sum() > 0:
            assert (value >= 0).all() and abs(value.sum() - 1) < 1e-9


def test_a_person_without_conversion_is_one_non_converting_journey_inside_the_lookback():
    day = 24
    tps = Touches.from_columns(id=[1, 2, 3, 4, 5], person=[1, 2, 2, 2, 3],
                               time=[at(2), at(45), at(30), at(1), at(3)], kind=[0] * 5,
                               channel=[0, 1, 2, 3, 0])
    convs = Conversions.from_columns(id=[9], person=[1], time=[at(0)])
    p = fit_paths(convs, tps, WINDOWS, since_us=SINCE)
    # Person 1 converts (tiktok). Person 2: touch 2 is before the period; touch 3 (30 days before
    # touch 4) is outside google's 28-day window counted back from the last touch: only email.
    # Person 3: one tiktok touch, no conversion.
    assert p.converted.tolist() == [True, False, False]
    assert [CHANNELS[c] for c in p.channel] == ["tiktok", "email", "tiktok"]
    assert p.journey.tolist() == [0, 1, 2] and day == 24
