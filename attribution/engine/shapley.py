"""Shapley attribution over channel coalitions (the simplified method of Zhao et al., 2018).

A journey's coalition is the set of channels on it. The worth of a coalition ``T`` is the
conversion rate (or revenue per journey) of the journeys whose channel set is exactly ``T``; the
value of a coalition ``S`` is the sum of the worths of its subsets, ``v(S) = Σ_{T ⊆ S} w(T)``.
A channel's Shapley value is its average marginal contribution to ``v`` over every order of the
channels, computed exactly over all ``2ⁿ`` coalitions (hence the cap on ``n``). For this ``v`` it
equals ``Σ_{T ∋ c} w(T) / |T|``, which the tests use as a cross-check.

Counting is additive per coalition (journeys, conversions, revenue), so chunks count separately.
"""

from dataclasses import dataclass
from math import factorial

import numpy as np

from .fit_paths import PathSet
from .segments import sums_by_key

MAX_CHANNELS = 15
VALUES = ("conversion_rate", "revenue")


@dataclass(frozen=True)
class CoalitionCounts:
    """Per coalition (bitmask of channel codes): journeys, conversions and revenue (micro-units)."""

    mask: np.ndarray
    journeys: np.ndarray
    conversions: np.ndarray
    revenue: np.ndarray

    def __add__(self, other: "CoalitionCounts") -> "CoalitionCounts":
        return _summed(*(np.concatenate((getattr(self, f), getattr(other, f)))
                         for f in ("mask", "journeys", "conversions", "revenue")))

    @property
    def total_journeys(self) -> int:
        return int(self.journeys.sum())

    @property
    def total_conversions(self) -> int:
        return int(self.conversions.sum())


def check_params(*, value: str = "conversion_rate") -> None:
    if value not in VALUES:
        raise ValueError(f"Shapley value must be one of {', '.join(VALUES)}, not {value!r}.")


def count(paths: PathSet) -> CoalitionCounts:
    """The coalition table of ``paths``."""
    if not len(paths):
        return _summed(*(np.zeros(0, dtype=np.int64) for _ in range(4)))
    bits = np.left_shift(np.int64(1), paths.channel.astype(np.int64))
    mask = np.bitwise_or.reduceat(bits, paths.starts)
    return _summed(mask, np.ones(len(mask), dtype=np.int64), paths.converted.astype(np.int64),
                   np.where(paths.converted, paths.value, 0))


def _summed(mask, journeys, conversions, revenue) -> CoalitionCounts:
    keys, (journeys, conversions, revenue) = sums_by_key(mask, [journeys, conversions, revenue])
    return CoalitionCounts(mask=keys.astype(np.int64), journeys=journeys, conversions=conversions,
                           revenue=revenue)


@dataclass(frozen=True)
class ShapleyFit:
    channels: np.ndarray  # channel codes seen on any journey
    values: np.ndarray  # Shapley value per channel of ``channels``
    worth: np.ndarray  # per coalition of the counts: conversion rate or revenue per journey
    counts: CoalitionCounts
    value: str

    def shares(self) -> np.ndarray:
        """Values normalized to sum to 1; a negative value (revenue worth net of refunds) gets 0."""
        positive = np.maximum(self.values, 0.0)
        total = positive.sum()
        return positive / total if total > 0 else np.zeros(len(self.channels))


def fit(counts: CoalitionCounts, *, value: str = "conversion_rate",
        max_channels: int = MAX_CHANNELS) -> ShapleyFit:
    """Exact Shapley values; ValueError when more than ``max_channels`` channels occur."""
    check_params(value=value)
    union = int(np.bitwise_or.reduce(counts.mask)) if len(counts.mask) else 0
    channels = np.array([c for c in range(63) if union >> c & 1], dtype=np.int64)
    n = len(channels)
    if n > max_channels:
        raise ValueError(f"Shapley attribution is computed exactly for up to {max_channels} channels;"
                         f" these journeys have {n}. Merge channels or use the Markov model.")
    numerator = counts.conversions if value == "conversion_rate" else counts.revenue / 1_000_000
    worth = numerator / np.maximum(counts.journeys, 1)
    compact = np.zeros(len(counts.mask), dtype=np.int64)
    for i, channel in enumerate(channels):
        compact |= ((counts.mask >> channel) & 1) << i
    v = np.zeros(1 << n)
    np.add.at(v, compact, worth)
    for i in range(n):  # v(S) = Σ_{T ⊆ S} worth(T): a subset-sum transform, bit by bit
        view = v.reshape(-1, 2, 1 << i)
        view[:, 1, :] += view[:, 0, :]
    return ShapleyFit(channels=channels, values=_shapley(v, n), worth=worth, counts=counts, value=value)


def _shapley(v: np.ndarray, n: int) -> np.ndarray:
    """φ_i = Σ_{S ∌ i} |S|! (n − |S| − 1)! / n! · (v(S ∪ {i}) − v(S))."""
    masks = np.arange(1 << n, dtype=np.int64)
    sizes = np.zeros(1 << n, dtype=np.int64)
    for i in range(n):
        sizes += (masks >> i) & 1
    weight = np.array([factorial(s) * factorial(n - s - 1) / factorial(n) if s < n else 0.0
                       for s in range(n + 1)])
    values = np.zeros(n)
    for i in range(n):
        without = masks[(masks >> i) & 1 == 0]
        values[i] = np.sum(weight[sizes[without]] * (v[without | (1 << i)] - v[without]))
    return values
