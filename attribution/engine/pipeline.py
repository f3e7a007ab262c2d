"""Run every configured model over one batch: eligibility once, then credits and rollups per model."""

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import first_click, fitted_credit, last_click, last_non_direct, linear, position_based, time_decay
from .arrays import NO_TOUCH, Conversions, Credits, Rollup, Touches
from .data_driven import FITTED_KINDS
from .journeys import Journeys, build_journeys
from .revenue import split_value
from .rollup import rollup
from .windows import LookbackWindows

MODELS = {
    "last_click": last_click.weights,
    "first_click": first_click.weights,
    "last_non_direct": last_non_direct.weights,
    "linear": linear.weights,
    "time_decay": time_decay.weights,
    "position_based": position_based.weights,
    "markov": fitted_credit.weights,  # params: {"effects": ...} from data_driven.fit
    "shapley": fitted_credit.weights,
}


@dataclass(frozen=True)
class ModelSpec:
    """A model to compute: its kind, its parameters, and an opaque key the caller maps results by."""

    kind: str
    params: dict = field(default_factory=dict)
    key: Any = None


@dataclass(frozen=True)
class ModelResult:
    spec: ModelSpec
    credits: Credits
    rollup: Rollup


@dataclass(frozen=True)
class BatchResult:
    journeys: Journeys
    models: list[ModelResult]

    def credit_table(self) -> "CreditTable":
        return credit_table(self.journeys, self.models)


def attribute(conversions: Conversions, touches: Touches, windows: LookbackWindows,
              models: list[ModelSpec], *, direct_channel: int = -2) -> BatchResult:
    """Credits and rollups of every model for this batch of conversions and their touches."""
    journeys = build_journeys(conversions, touches, windows)
    results = []
    for spec in models:
        credits = model_credits(spec, journeys, conversions, touches, direct_channel=direct_channel)
        results.append(ModelResult(spec, credits, rollup(credits, conversions, touches)))
    return BatchResult(journeys, results)


def model_credits(spec: ModelSpec, journeys: Journeys, conversions: Conversions, touches: Touches,
                  *, direct_channel: int = -2) -> Credits:
    """One model's credits, unattributed conversions included as one credit with no touch.

    A data-driven spec without fitted effects (too few converting journeys) credits nothing.
    """
    if spec.kind in FITTED_KINDS and spec.params.get("effects") is None:
        return _no_credits()
    try:
        compute = MODELS[spec.kind]
    except KeyError:
        raise ValueError(f"unknown attribution model {spec.kind!r}") from None
    pairs, weight = compute(journeys, touches, conversions, direct_channel=direct_channel,
                            **spec.params)
    nonzero = weight > 0  # a zero share is no credit: nothing to store
    pairs, weight = pairs[nonzero], weight[nonzero]
    lost = journeys.unattributed
    conv = np.concatenate((journeys.conv[pairs], lost))
    touch = np.concatenate((journeys.touch[pairs], np.full(len(lost), NO_TOUCH, dtype=np.int64)))
    weight = np.concatenate((weight, np.ones(len(lost))))
    row = np.concatenate((pairs, len(journeys) + np.arange(len(lost), dtype=np.int64)))
    # Pairs come grouped by conversion and the unattributed conversions are others: still grouped.
    return Credits(conv=conv, touch=touch, weight=weight,
                   revenue=split_value(conv, weight, conversions.value), row=row)


def _no_credits() -> Credits:
    empty = np.zeros(0, dtype=np.int64)
    return Credits(conv=empty, touch=empty, weight=np.zeros(0), revenue=empty, row=empty)


@dataclass(frozen=True)
class CreditTable:
    """Every model's credits side by side: one row per (conversion, touch), one column per model.

    Rows are the journey pairs, then one row per unattributed conversion (touch == NO_TOUCH);
    rows no model credits are left out. Storing this instead of one row per model and touch cuts
    the rows a run writes several times over.
    """

    conv: np.ndarray
    touch: np.ndarray
    weights: np.ndarray  # (rows, models) float64
    revenues: np.ndarray  # (rows, models) int64 micro-units

    def __len__(self) -> int:
        return len(self.conv)


def credit_table(journeys: Journeys, results: list[ModelResult]) -> CreditTable:
    """Lay the models' credits out as one row per (conversion, touch)."""
    n = len(journeys) + len(journeys.unattributed)
    weights = np.zeros((n, len(results)))
    revenues = np.zeros((n, len(results)), dtype=np.int64)
    for m, result in enumerate(results):
        weights[result.credits.row, m] = result.credits.weight
        revenues[result.credits.row, m] = result.credits.revenue
    conv = np.concatenate((journeys.conv, journeys.unattributed))
    touch = np.concatenate((journeys.touch, np.full(len(journeys.unattributed), NO_TOUCH)))
    keep = (weights > 0).any(axis=1)
    return CreditTable(conv=conv[keep], touch=touch[keep], weights=weights[keep],
                       revenues=revenues[keep])
