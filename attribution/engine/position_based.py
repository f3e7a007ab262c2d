"""Position based (U-shaped): ``first`` to the first touch, ``last`` to the last, the rest shared.

Defaults 40 % / 40 % / 20 %. One touch gets 100 %; two touches split first:last (50/50 by default).
"""

import numpy as np

from .segments import positions_in_segment, segment_ids, segment_lengths

DEFAULT_FIRST = 0.4
DEFAULT_LAST = 0.4


def validate(first: float, last: float) -> None:
    if first < 0 or last < 0 or first + last > 1 or first + last == 0:
        raise ValueError("position weights need first ≥ 0, last ≥ 0 and 0 < first + last ≤ 1")


def weights(journeys, touches, conversions, *, first: float = DEFAULT_FIRST,
            last: float = DEFAULT_LAST, **_params):
    """Return (pair indices, weights): every pair, weights summing to 1 per conversion."""
    validate(first, last)
    n = len(journeys)
    seg = segment_ids(journeys.starts, n)
    length = segment_lengths(journeys.starts, n)[seg]
    pos = positions_in_segment(journeys.starts, seg)
    middle = (1.0 - first - last) / np.maximum(length - 2, 1)
    w = np.where(pos == 0, first, np.where(pos == length - 1, last, middle))
    w = np.where(length == 2, np.where(pos == 0, first, last) / (first + last), w)
    w = np.where(length == 1, 1.0, w)
    return np.arange(n, dtype=np.int64), w
