"""Linear: every eligible touch (clicks and views) gets an equal share."""

import numpy as np

from .segments import segment_ids, segment_lengths


def weights(journeys, touches, conversions, **_params):
    """Return (pair indices, weights): every pair, 1/n each."""
    n = len(journeys)
    lengths = segment_lengths(journeys.starts, n)
    share = 1.0 / lengths[segment_ids(journeys.starts, n)]
    return np.arange(n, dtype=np.int64), share
