"""Exact revenue split: per-credit shares in integer micro-units that sum to the conversion value."""

import numpy as np


def split_value(conv: np.ndarray, weight: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Each credit's share of its conversion's ``value`` (int64 micro-units).

    ``conv`` says which conversion each credit belongs to; each conversion's credits are adjacent.
    Shares are rounded to the nearest micro-unit and the rounding remainder goes to the
    conversion's largest-weight credit (the first of equals), so every conversion's shares add up
    to its value to the last micro-unit.
    """
    n = len(conv)
    if not n:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.diff(conv, prepend=-1))
    seg = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, n)))
    total = value[conv]
    share = np.rint(total * weight).astype(np.int64)
    remainder = value[conv[starts]] - np.add.reduceat(share, starts)
    heaviest = weight == np.maximum.reduceat(weight, starts)[seg]
    taker = np.minimum.reduceat(np.where(heaviest, np.arange(n), n), starts)
    share[taker] += remainder
    return share
