"""Vectorized helpers over contiguous segments (one segment = one conversion's eligible touches)
and over groups of equal integer keys."""

import numpy as np

TABLE_KEYS = 1 << 22  # keys below this are summed in a table (at most 32 MB) rather than sorted


def segment_ids(starts: np.ndarray, n: int) -> np.ndarray:
    """The segment number of each of ``n`` items, given each (non-empty) segment's first index."""
    lengths = np.diff(np.append(starts, n))
    return np.repeat(np.arange(len(starts), dtype=np.int64), lengths)


def segment_lengths(starts: np.ndarray, n: int) -> np.ndarray:
    return np.diff(np.append(starts, n))


def positions_in_segment(starts: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """0-based position of each item inside its own segment."""
    return np.arange(len(seg), dtype=np.int64) - starts[seg]


def pick_per_segment(priority: np.ndarray, starts: np.ndarray, *, last: bool) -> np.ndarray:
    """Index of the chosen item of each segment: best (lowest) priority, then the last or first one.

    Items inside a segment are already in (time, touch id) order, so "last" breaks timestamp ties
    by the higher touch id: deterministic whatever order the rows were read in.
    """
    n = len(priority)
    if not len(starts):
        return np.zeros(0, dtype=np.int64)
    seg = segment_ids(starts, n)
    best = np.minimum.reduceat(priority, starts)
    candidate = priority == best[seg]
    index = np.arange(n, dtype=np.int64)
    if last:
        return np.maximum.reduceat(np.where(candidate, index, -1), starts)
    return np.minimum.reduceat(np.where(candidate, index, n), starts)


def sums_by_key(key: np.ndarray, columns: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """The distinct non-negative ``key``s, ascending, and each column's sum per key (int64).
    Keys below ``TABLE_KEYS`` (a Markov chain's transitions, Shapley's coalitions) are summed
    in one linear pass over a table; larger ones are sorted (``np.unique``)."""
    if len(key) and int(key.max()) < TABLE_KEYS:
        distinct = np.flatnonzero(np.bincount(key))
        return distinct, [np.bincount(key, weights=c)[distinct].astype(np.int64) for c in columns]
    distinct, index = np.unique(key, return_inverse=True)
    return distinct, [np.bincount(index.ravel(), weights=c, minlength=len(distinct)).astype(np.int64)
                      for c in columns]
