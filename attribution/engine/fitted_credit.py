"""Per-conversion credit of the data-driven models (Markov, Shapley) from their fitted effects.

Each eligible touch gets its channel's share of the fitted effects (removal effects or Shapley
values, normalized over channels), normalized again within the journey: the rule
marketing-attribution-models uses. A journey whose channels all have a zero effect (a channel the
fit never saw convert) is split equally, so its conversion is still fully credited.
"""

import numpy as np

from .segments import segment_ids, segment_lengths


def weights(journeys, touches, conversions, *, effects, **_params):
    """Return (pair indices, weights). ``effects[c]``: channel code c's normalized effect."""
    n = len(journeys)
    table = np.asarray(effects, dtype=float)
    channel = touches.channel[journeys.touch].astype(np.int64)
    share = np.where(channel < len(table), table[np.minimum(channel, len(table) - 1)], 0.0)
    if not n:
        return np.zeros(0, dtype=np.int64), share
    seg = segment_ids(journeys.starts, n)
    total = np.add.reduceat(share, journeys.starts)[seg]
    equal = 1.0 / segment_lengths(journeys.starts, n)[seg]
    return np.arange(n, dtype=np.int64), np.where(total > 0, share / np.where(total > 0, total, 1), equal)
