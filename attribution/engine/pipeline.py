"""Run every configured model over one batch: eligibility once, then credits and rollups per model."""

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import first_click, last_click, last_non_direct, linear, position_based, time_decay
from .arrays import NO_TOUCH, Conversions, Credits, Rollup, Touches
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


def attribute(conversions: Conversions, touches: Touches, windows: LookbackWindows,
              models: list[ModelSpec], *, direct_channel: int = -2) -> list[ModelResult]:
    """Credits and rollups of every model for this batch of conversions and their touches."""
    journeys = build_journeys(conversions, touches, windows)
    results = []
    for spec in models:
        credits = model_credits(spec, journeys, conversions, touches, direct_channel=direct_channel)
        results.append(ModelResult(spec, credits, rollup(credits, conversions, touches)))
    return results


def model_credits(spec: ModelSpec, journeys: Journeys, conversions: Conversions, touches: Touches,
                  *, direct_channel: int = -2) -> Credits:
    """One model's credits, unattributed conversions included as one credit with no touch."""
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
    order = np.argsort(conv, kind="stable")
    conv, touch, weight = conv[order], touch[order], weight[order]
    return Credits(conv=conv, touch=touch, weight=weight,
                   revenue=split_value(conv, weight, conversions.value))
