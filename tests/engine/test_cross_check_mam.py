"""Cross-check with the PyPI package marketing-attribution-models (mam) on the same journeys.

Both define alike, once the journey is cut to eligible touches: last click, first click, linear,
position based (40/20/40; 50/50 for two touches; 100 % for one) and time decay (2^(−Δt/half-life),
normalized: mam measures Δt to the last touch, we to the conversion — the same after
normalization). Where the definitions differ we do not compare:
- mam has no lookback windows: we give it only the touches our windows let through;
- mam's first/last click take the literal first/last touch; ours skip views when the journey has
  a click (so these journeys are all clicks), and break same-time ties by touch id (mam: unstable);
- mam has no last non-direct click.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attribution.engine.arrays import Conversions, Touches
from attribution.engine.journeys import build_journeys
from attribution.engine.pipeline import ModelSpec, model_credits
from attribution.engine.windows import LookbackWindows
from tests.engine.builder import CHANNELS, at

pytest.importorskip("mam", reason="marketing-attribution-models is in the [dev] extras")
from benchmarks.mam_peer import PEER_MODELS, peer_totals, unified_frame  # noqa: E402

HOUR = 3_600_000_000
WINDOWS = LookbackWindows.build(CHANNELS)


@st.composite
def click_batches(draw):
    n_touch = draw(st.integers(1, 30))
    n_conv = draw(st.integers(1, 10))
    hours = draw(st.lists(st.integers(0, 30 * 24), min_size=n_touch, max_size=n_touch, unique=True))
    tps = Touches.from_columns(
        id=np.arange(1, n_touch + 1), time=[at() - h * HOUR for h in hours],
        person=draw(st.lists(st.integers(1, 4), min_size=n_touch, max_size=n_touch)),
        kind=np.zeros(n_touch), channel=draw(st.lists(st.integers(0, 3), min_size=n_touch,
                                                       max_size=n_touch)))
    convs = Conversions.from_columns(
        id=np.arange(1, n_conv + 1), person=draw(st.lists(st.integers(1, 4), min_size=n_conv,
                                                          max_size=n_conv)),
        time=[at() + h * HOUR for h in draw(st.lists(st.integers(0, 24), min_size=n_conv,
                                                      max_size=n_conv))],
        value=draw(st.lists(st.integers(0, 10**9), min_size=n_conv, max_size=n_conv)))
    return convs, tps


@settings(max_examples=60, deadline=None)
@given(click_batches())
def test_the_engine_and_mam_credit_every_touch_the_same(batch):
    convs, tps = batch
    journeys = build_journeys(convs, tps, WINDOWS)
    if not len(journeys):
        return
    labels = np.array([f"t{i}" for i in tps.id])
    peer = peer_totals(unified_frame(journeys, convs, tps, labels))
    for kind in PEER_MODELS:
        credits = model_credits(ModelSpec(kind), journeys, convs, tps)
        ours = {}
        for touch, revenue in zip(credits.touch.tolist(), credits.revenue.tolist(), strict=True):
            if touch >= 0:
                ours[labels[touch]] = ours.get(labels[touch], 0) + revenue / 1_000_000
        theirs = peer[kind]
        assert set(ours) <= set(theirs), kind
        # Ours are whole micro-units (nearest, remainder to the heaviest touch: at most n/2 of them
        # per conversion of n touches); mam's are floats.
        slack = 1e-6 * (len(journeys) / 2 + len(convs))
        for label in theirs:
            assert ours.get(label, 0) == pytest.approx(theirs[label], abs=slack), kind
