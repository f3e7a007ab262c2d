"""Time decay: weight 2^(−(t_conversion − t_touch) / half_life), normalized per conversion."""

import numpy as np

from .segments import segment_ids
from .windows import DAY_US

DEFAULT_HALF_LIFE_DAYS = 7.0


def weights(journeys, touches, conversions, *, half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
            **_params):
    """Return (pair indices, weights): every pair, weights summing to 1 per conversion."""
    if not half_life_days > 0:
        raise ValueError("half_life_days must be a positive number of days")
    n = len(journeys)
    if not n:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    seg = segment_ids(journeys.starts, n)
    age = (conversions.time[journeys.conv] - touches.time[journeys.touch]) / (half_life_days * DAY_US)
    # Shift by the youngest touch of each journey so the largest weight is exactly 1: a tiny
    # half-life then cannot underflow every weight of a journey to 0 (which would divide by 0).
    age -= np.minimum.reduceat(age, journeys.starts)[seg]
    raw = np.exp2(-age)
    return np.arange(n, dtype=np.int64), raw / np.add.reduceat(raw, journeys.starts)[seg]
