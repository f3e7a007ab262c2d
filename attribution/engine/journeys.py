"""Eligibility: pair every conversion with the touches that may earn credit for it.

A touch is eligible for a conversion when it belongs to the same person (a contact's visitors are
one person: cross-device), happened at or before the conversion, and lies inside its channel's
click window (clicks, organic and direct visits) or view window (ad views).
"""

from dataclasses import dataclass

import numpy as np

from .arrays import NO_PERSON, Conversions, Touches
from .windows import LookbackWindows

_TIME_BITS = 36  # seconds of offset per person in the search key: ~2,000 years


@dataclass(frozen=True)
class Journeys:
    """Eligible (conversion, touch) pairs, grouped by conversion, each group in (time, id) order.

    ``starts[i]`` is where conversion ``attributed[i]``'s pairs begin; ``unattributed`` lists the
    conversions with no eligible touch (they are kept, never dropped).
    """

    conv: np.ndarray
    touch: np.ndarray
    starts: np.ndarray
    attributed: np.ndarray
    unattributed: np.ndarray

    def __len__(self) -> int:
        return len(self.conv)


def build_journeys(conversions: Conversions, touches: Touches, windows: LookbackWindows) -> Journeys:
    """All eligible pairs, found with sorted search keys instead of per-conversion loops."""
    conv, touch = _candidate_pairs(conversions, touches, windows.longest)
    age = conversions.time[conv] - touches.time[touch]
    window = windows.of(touches.channel[touch], touches.kind[touch])
    keep = (age >= 0) & (age <= window)
    conv, touch = conv[keep], touch[keep]
    counts = np.bincount(conv, minlength=len(conversions))
    attributed = np.flatnonzero(counts)
    starts = np.concatenate(([0], np.cumsum(counts[attributed])[:-1])).astype(np.int64)
    return Journeys(conv=conv, touch=touch, starts=starts[: len(attributed)],
                    attributed=attributed, unattributed=np.flatnonzero(counts == 0))


def _candidate_pairs(conversions: Conversions, touches: Touches, longest_us: int):
    """Pairs of each conversion with its person's touches from ``longest_us`` before it, in order."""
    empty = np.zeros(0, dtype=np.int64)
    if not len(touches) or not len(conversions):
        return empty, empty
    order = np.lexsort((touches.id, touches.time, touches.person))
    person = touches.person[order]
    first = np.flatnonzero(np.diff(person, prepend=person[0] - 1))  # person is sorted
    persons = person[first]
    rank = np.repeat(np.arange(len(persons), dtype=np.int64), np.diff(np.append(first, len(person))))
    seconds = touches.time[order] // 1_000_000
    base = int(seconds.min())
    key = (rank << _TIME_BITS) + (seconds - base)

    pos = np.searchsorted(persons, conversions.person)
    pos_c = np.minimum(pos, len(persons) - 1)
    known = (persons[pos_c] == conversions.person) & (conversions.person != NO_PERSON)
    conv_rank = pos_c << _TIME_BITS
    limit = (1 << _TIME_BITS) - 1
    conv_seconds = conversions.time // 1_000_000 - base
    lo = np.searchsorted(key, conv_rank + np.clip(conv_seconds - longest_us // 1_000_000 - 1, 0, limit))
    hi = np.searchsorted(key, conv_rank + np.clip(conv_seconds, 0, limit), side="right")
    counts = np.where(known, hi - lo, 0)

    conv = np.repeat(np.arange(len(conversions), dtype=np.int64), counts)
    offsets = np.arange(len(conv), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    return conv, order[np.repeat(lo, counts) + offsets]
