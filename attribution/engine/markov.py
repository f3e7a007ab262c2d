"""Markov-chain attribution: removal effects from an absorbing chain fitted on channel paths.

Each journey is the path ``start → s1 → … → conversion | null``, where a state is the tuple of the
last ``order`` channels. Transition probabilities are the observed transition counts, normalized
per state. ``P`` is the probability of being absorbed in *conversion* from *start*, solved
exactly with linear algebra; removing a channel sends every state containing it to *null*, and
its removal effect is ``1 − P(without it) / P``.

Counting is additive (a chunk's counts add to another's), so a run counts chunk by chunk and
fits once from the sums.
"""

from dataclasses import dataclass

import numpy as np

from .fit_paths import PathSet
from .segments import positions_in_segment, segment_ids, sums_by_key

START, CONVERSION, NULL = 0, -1, -2  # state codes; a channel state's code is > 0
MAX_ORDER = 4
MAX_STATES = 3000  # a dense chain of 3,000 states is 72 MB and a few seconds per channel to solve
_BASE = 32  # one digit per remembered channel: code + 1 (0 = "before the path began")


@dataclass(frozen=True)
class MarkovCounts:
    """How often each (state → state) transition was seen, and over how many journeys."""

    order: int
    repeats: bool
    source: np.ndarray
    target: np.ndarray
    count: np.ndarray
    journeys: int
    conversions: int

    def __add__(self, other: "MarkovCounts") -> "MarkovCounts":
        if (self.order, self.repeats) != (other.order, other.repeats):
            raise ValueError("only counts of the same order and repeat rule add up")
        return _summed(self.order, self.repeats, np.concatenate((self.source, other.source)),
                       np.concatenate((self.target, other.target)),
                       np.concatenate((self.count, other.count)),
                       self.journeys + other.journeys, self.conversions + other.conversions)


def check_params(*, order: int = 1, repeats: bool = False) -> None:
    """Raise ValueError naming the parameter to fix."""
    if order != int(order) or not 1 <= order <= MAX_ORDER:
        raise ValueError(f"Markov order must be a whole number from 1 to {MAX_ORDER}, not {order!r}.")


def count(paths: PathSet, *, order: int = 1, repeats: bool = False) -> MarkovCounts:
    """Transition counts of ``paths``. ``repeats``: whether a channel followed by itself is a
    transition (ChannelAttribution) or one step (marketing-attribution-models' default)."""
    check_params(order=order, repeats=repeats)
    order = int(order)
    channel, journey = paths.channel, paths.journey
    if not repeats and len(channel):
        again = np.zeros(len(channel), bool)
        again[1:] = (channel[1:] == channel[:-1]) & (journey[1:] == journey[:-1])
        channel, journey = channel[~again], journey[~again]
    n = len(channel)
    starts = np.flatnonzero(np.diff(journey, prepend=-1))
    position = positions_in_segment(starts, segment_ids(starts, n))
    state = np.zeros(n, dtype=np.int64)
    for back in range(order):  # digit ``back`` holds the channel ``back`` steps ago
        earlier = np.arange(n) - back
        digit = np.where(position >= back, channel[np.maximum(earlier, 0)] + 1, 0)
        state += digit * _BASE ** back
    first = np.zeros(n, bool)
    first[starts] = True
    previous = np.where(first, START, np.roll(state, 1))
    ends = np.append(starts[1:] - 1, n - 1) if n else starts
    outcome = np.where(paths.converted[journey[ends]], CONVERSION, NULL)
    return _summed(order, bool(repeats), np.concatenate((previous, state[ends])),
                   np.concatenate((state, outcome)), np.ones(n + len(ends), dtype=np.int64),
                   len(paths), int(paths.converted.sum()))


def _summed(order, repeats, source, target, count_, journeys, conversions) -> MarkovCounts:
    width = _BASE ** order + 3
    key = (source + 2) * width + (target + 2)
    keys, (total,) = sums_by_key(key, [count_])
    return MarkovCounts(order=order, repeats=repeats, source=keys // width - 2, target=keys % width - 2,
                        count=total, journeys=int(journeys), conversions=int(conversions))


def state_channels(state: int, order: int) -> tuple[int, ...]:
    """The channel codes a state remembers, oldest first (``()`` for start)."""
    digits = [(state // _BASE ** back) % _BASE for back in range(order)]
    return tuple(d - 1 for d in reversed(digits) if d)


@dataclass(frozen=True)
class MarkovFit:
    """The fitted chain: its states, transition probabilities and each channel's removal effect."""

    order: int
    states: np.ndarray  # transient state codes, START first
    source: np.ndarray  # transitions (state codes; CONVERSION / NULL as targets)
    target: np.ndarray
    count: np.ndarray
    probability: np.ndarray
    conversion_probability: float
    channels: np.ndarray  # channel codes seen on any path
    removal_effects: np.ndarray  # per channel of ``channels``
    journeys: int
    conversions: int

    def shares(self) -> np.ndarray:
        """Removal effects normalized to sum to 1 (all zeros when none is positive)."""
        total = self.removal_effects.sum()
        return self.removal_effects / total if total > 0 else np.zeros(len(self.channels))


def fit(counts: MarkovCounts) -> MarkovFit:
    """Solve the absorbing chain for P(conversion), then once per channel with it removed.

    ValueError when the chain has more than MAX_STATES states (a high order on varied journeys).
    """
    transient = counts.source >= 0
    states = np.unique(np.concatenate(([START], counts.source[transient])))
    if len(states) > MAX_STATES:
        raise ValueError(f"A Markov chain of order {counts.order} has {len(states):,} states on these"
                         f" journeys (at most {MAX_STATES:,} are solved exactly): lower the order.")
    index = np.searchsorted(states, counts.source)
    out = np.bincount(index, weights=counts.count, minlength=len(states))
    probability = counts.count / out[index]
    to_state = counts.target >= 0
    q = np.zeros((len(states), len(states)))
    np.add.at(q, (index[to_state], np.searchsorted(states, counts.target[to_state])), probability[to_state])
    r = np.bincount(index, weights=np.where(counts.target == CONVERSION, probability, 0.0),
                    minlength=len(states))
    remembered = [state_channels(int(s), counts.order) for s in states]
    channels = np.array(sorted({c for tup in remembered for c in tup}), dtype=np.int64)
    base = _absorption(q, r, np.ones(len(states), bool))
    effects = np.zeros(len(channels))
    if base > 0:
        for i, channel in enumerate(channels):
            kept = np.array([channel not in tup for tup in remembered])
            effects[i] = 1.0 - _absorption(q, r, kept) / base
    return MarkovFit(order=counts.order, states=states, source=counts.source, target=counts.target,
                     count=counts.count, probability=probability, conversion_probability=base,
                     channels=channels,
                     removal_effects=np.clip(effects, 0.0, 1.0), journeys=counts.journeys,
                     conversions=counts.conversions)


def _absorption(q: np.ndarray, r: np.ndarray, kept: np.ndarray) -> float:
    """P(conversion) from START (index 0) when only ``kept`` states exist (others lead to null)."""
    sub = np.flatnonzero(kept)
    a = np.eye(len(sub)) - q[np.ix_(sub, sub)]
    return float(np.linalg.solve(a, r[sub])[0])
