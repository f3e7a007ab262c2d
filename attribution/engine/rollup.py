"""Daily rollups in memory: credits summed per day × channel × campaign × ad group × ad × currency."""

import numpy as np

from .arrays import NO_TOUCH, Conversions, Credits, Rollup, Touches

UNATTRIBUTED_CHANNEL = -1


def rollup(credits: Credits, conversions: Conversions, touches: Touches) -> Rollup:
    """Sum weights (credited conversions) and revenue micro-units per key. Exact for revenue."""
    attributed = credits.touch != NO_TOUCH
    touch = np.where(attributed, credits.touch, 0)

    def touch_col(col):
        if not len(touches):
            return np.zeros(len(credits), dtype=col.dtype)
        return np.where(attributed, col[touch], 0)

    keys = [
        conversions.day[credits.conv],
        np.where(attributed, touches.channel[touch] if len(touches) else 0, UNATTRIBUTED_CHANNEL),
        touch_col(touches.campaign), touch_col(touches.adgroup), touch_col(touches.ad),
        conversions.currency[credits.conv],
    ]
    if not len(credits):
        empty = [k[:0] for k in keys]
        return Rollup(*empty, conversions=np.zeros(0), revenue=np.zeros(0, dtype=np.int64))
    order = _group_order(keys)
    sorted_keys = [k[order] for k in keys]
    change = np.zeros(len(order), dtype=bool)
    change[0] = True
    for k in sorted_keys:
        change[1:] |= k[1:] != k[:-1]
    starts = np.flatnonzero(change)
    return Rollup(
        *(k[starts] for k in sorted_keys),
        conversions=np.add.reduceat(credits.weight[order], starts),
        revenue=np.add.reduceat(credits.revenue[order], starts),
    )


def _group_order(keys: list[np.ndarray]) -> np.ndarray:
    """An order that makes equal keys adjacent: one sort of a packed int64 when the key ranges fit
    (days, channels, ad ids of one workspace usually do), else a lexicographic sort."""
    packed = np.zeros(len(keys[0]), dtype=np.int64)
    capacity = 1
    for k in keys:
        low = int(k.min())
        span = int(k.max()) - low + 1
        capacity *= span
        if capacity >= 2**62:
            return np.lexsort(keys[::-1])
        packed = packed * span + (k - low)
    return np.argsort(packed)
