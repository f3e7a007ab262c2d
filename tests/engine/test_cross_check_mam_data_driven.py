"""Cross-check of the data-driven models with marketing-attribution-models (mam) on identical paths.

Markov, where both define alike: first-order chains over the same converting and non-converting
paths, removal effect ``1 − P(without) / P`` and each touch's credit its channel's normalized
removal effect normalized within the journey — equal to float precision. Differences stated:
- mam's ``transition_to_same_state=False`` drops a → a transitions from the counts; ours
  (``repeats=False``) drops the repeated step from the path. At order 1 both give the same chain
  up to self-loops, which do not change absorption probabilities, so both settings are compared.
- mam has no higher orders and no lookback windows (we hand it the paths our windows let through).

Shapley: both count the same coalition table (journeys, conversions and conversion rate per exact
channel set), compared exactly. The values differ by definition: mam plays, for each converting
coalition, a game of its own subsets whose worth is each subset's *own* conversion rate and
splits that coalition's conversions by it; we follow Zhao et al. (2018): one game over all
channels, ``v(S)`` the sum of the worths of the subsets of ``S``. They agree when every converting
journey has one channel, which is compared too.
"""

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attribution.engine import markov, shapley
from attribution.engine.fitted_credit import weights
from attribution.engine.journeys import Journeys
from tests.engine.paths import LETTERS, paths

pytest.importorskip("mam", reason="marketing-attribution-models is in the [dev] extras")
from mam.models.markov import MarkovModel  # noqa: E402
from mam.models.shapley import ShapleyModel  # noqa: E402


def journeys_text(draw, channels: int) -> list[str]:
    rows = draw(st.lists(st.tuples(st.lists(st.integers(0, channels - 1), min_size=1, max_size=6),
                                   st.booleans()), min_size=1, max_size=40))
    rows.append(([0], True))  # at least one conversion
    return [">".join(LETTERS[c] for c in steps) + ("+" if converted else "") for steps, converted in rows]


def mam_frame(texts: list[str], values: list[float]) -> pl.DataFrame:
    return pl.DataFrame({
        "journey_id": list(range(len(texts))),
        "channels": [t.rstrip("+").split(">") for t in texts],
        "has_conversion": [t.endswith("+") for t in texts],
        "weight": [1] * len(texts),
        "conversion_value": values,
    })


def our_channel_totals(texts, values, shares_by_code):
    p = paths(*texts, values=values)
    converted = np.flatnonzero(p.converted[p.journey])
    step_journey = p.journey[converted]
    starts = np.flatnonzero(np.diff(step_journey, prepend=-1))
    journeys = Journeys(conv=step_journey, touch=converted, starts=starts, attributed=step_journey[starts],
                        unattributed=np.zeros(0, dtype=np.int64))

    class Touched:
        channel = p.channel

    _, w = weights(journeys, Touched, None, effects=shares_by_code)
    money = np.array(values)[step_journey] * w
    return {LETTERS[c]: float(money[p.channel[converted] == c].sum()) for c in np.unique(p.channel)}


@settings(max_examples=60, deadline=None)
@given(st.data(), st.booleans())
def test_markov_removal_effects_and_channel_totals_equal_mams(data, repeats):
    texts = journeys_text(data.draw, 5)
    values = [float(data.draw(st.integers(1, 500))) if t.endswith("+") else 0.0 for t in texts]
    ours = markov.fit(markov.count(paths(*texts), repeats=repeats))
    peer = MarkovModel(transition_to_same_state=repeats)
    peer._compute_markov(mam_frame(texts, values))
    theirs = peer.removal_effect_df["removal_effect"].to_dict()
    mine = {LETTERS[c]: e for c, e in zip(ours.channels, ours.removal_effects, strict=True)}
    assert mine.keys() == theirs.keys()
    for name, effect in mine.items():
        assert effect == pytest.approx(max(theirs[name], 0.0), abs=1e-9)
    shares = np.zeros(len(LETTERS))
    shares[ours.channels] = ours.shares()
    totals = peer.get_aggregated_results(mam_frame(texts, values))
    peer_totals = dict(zip(totals["channels"].to_list(), totals["attribution"].to_list(), strict=True))
    for name, total in our_channel_totals(texts, values, shares).items():
        assert total == pytest.approx(peer_totals[name], rel=1e-9, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_shapley_coalition_table_equals_mams(data):
    texts = journeys_text(data.draw, 5)
    counts = shapley.count(paths(*texts))
    peer = ShapleyModel(max_size=None)
    peer._compute_shapley(mam_frame(texts, [1.0] * len(texts)))
    # mam keeps the converting coalitions only, named by their sorted channels.
    theirs = {row["combinations"]: (row["total_sequences"], row["conversions"], row["conv_rate"])
              for row in peer.conv_table.iter_rows(named=True)}
    mine = {" > ".join(LETTERS[c] for c in range(len(LETTERS)) if int(m) >> c & 1): (j, c, c / j)
            for m, j, c in zip(counts.mask, counts.journeys, counts.conversions, strict=True) if c}
    assert mine.keys() == theirs.keys()
    for key, (journeys, conversions, rate) in mine.items():
        assert theirs[key][:2] == (journeys, conversions) and theirs[key][2] == pytest.approx(rate)


def test_shapley_credits_equal_mams_when_every_converting_journey_has_one_channel():
    texts = ["a+", "a", "a+", "b+", "b", "b", "c", "a>b", "c>a"]
    values = [10.0, 0, 30.0, 5.0, 0, 0, 0, 0, 0]
    fit = shapley.fit(shapley.count(paths(*texts, values=values)))
    shares = np.zeros(len(LETTERS))
    shares[fit.channels] = fit.shares()
    peer = ShapleyModel(max_size=None)
    result = peer.get_aggregated_results(mam_frame(texts, values))
    theirs = dict(zip(result["channels"].to_list(), result["attribution"].to_list(), strict=True))
    ours = our_channel_totals(texts, values, shares)
    assert ours["a"] == pytest.approx(theirs["a"]) == 40.0
    assert ours["b"] == pytest.approx(theirs["b"]) == 5.0
