"""Cross-check of Markov removal effects with the PyPI package ChannelAttribution.

ChannelAttribution estimates removal effects by simulating random walks on the same first-order
chain (aggregated paths with conversion and null counts); we solve the chain exactly. Its
estimate therefore differs by simulation noise: with ``nsim_start`` 10⁶ walks and a fixed seed we
allow 0.02 absolute on each removal effect. Definitional differences:
- it drops a → a transitions from the chain (at order 1 a self-loop does not change absorption
  probabilities, so our ``repeats`` setting gives the same effects);
- it allocates the total conversions over channels by normalized removal effects globally, where
  we normalize within each journey (docs/marketers/data-driven-models.md), so channel totals are
  not compared.
"""

import numpy as np
import pandas as pd
import pytest

from attribution.engine import markov
from tests.engine.paths import LETTERS, paths

ca = pytest.importorskip("ChannelAttribution", reason="ChannelAttribution is in the [dev] extras")

PATHS = {"a>b": (30, 10), "a": (0, 40), "b>c": (20, 20), "c": (0, 30), "a>a>b": (10, 10),
         "c>a>b>d": (15, 5), "d": (2, 20), "b>d>c": (8, 12)}  # path: (conversions, nulls)


def test_markov_removal_effects_agree_with_channelattribution_within_simulation_noise():
    texts = [p + "+" for p, (conv, _) in PATHS.items() for _ in range(conv)]
    texts += [p for p, (_, null) in PATHS.items() for _ in range(null)]
    for repeats in (False, True):
        fit = markov.fit(markov.count(paths(*texts), repeats=repeats))
        ours = {LETTERS[c]: e for c, e in zip(fit.channels, fit.removal_effects, strict=True)}
        frame = pd.DataFrame({"path": list(PATHS), "conv": [c for c, _ in PATHS.values()],
                              "null": [n for _, n in PATHS.values()]})
        result = ca.markov_model(frame, "path", "conv", var_null="null", out_more=True, verbose=False,
                                 flg_pro=False, seed=1, nsim_start=1e6)
        theirs = dict(zip(result["removal_effects"]["channel_name"],
                          result["removal_effects"]["removal_effect"], strict=True))
        assert ours.keys() == theirs.keys()
        np.testing.assert_allclose([ours[k] for k in ours], [theirs[k] for k in ours], atol=0.02)
