"""The data-driven models as a pass of their own: count paths per batch, fit once, then credit.

``count`` turns a batch's paths into additive counts for one model; ``fit`` turns the summed
counts into channel effects, or into a stated refusal when too few journeys converted (a model
fitted on a handful of conversions would credit noise). The credit pass reads the effects from
``ModelSpec.params["effects"]``; a spec without effects credits nothing.
"""

from dataclasses import dataclass, replace

import numpy as np

from . import markov, shapley
from .fit_paths import PathSet

FITTED_KINDS = ("markov", "shapley")
MIN_CONVERSIONS = 30


def check_params(kind: str, params: dict) -> None:
    """Raise ValueError naming the parameter to fix."""
    minimum = params.get("min_conversions", MIN_CONVERSIONS)
    if minimum != int(minimum) or minimum < 1:
        raise ValueError(f"min_conversions must be a whole number of at least 1, not {minimum!r}.")
    if kind == "markov":
        markov.check_params(order=params.get("order", 1), repeats=params.get("repeats", False))
    else:
        shapley.check_params(value=params.get("value", "conversion_rate"))


def count(kind: str, params: dict, paths: PathSet):
    """Additive counts of ``paths`` for a model of ``kind`` with ``params``."""
    if kind == "markov":
        return markov.count(paths, order=int(params.get("order", 1)),
                            repeats=bool(params.get("repeats", False)))
    return shapley.count(paths)


@dataclass(frozen=True)
class FitOutcome:
    """A fitted model's effect per channel code, or ``effects is None`` and the reason why."""

    kind: str
    effects: np.ndarray | None  # normalized effect per channel code (sums to 1)
    journeys: int
    conversions: int
    reason: str
    model: markov.MarkovFit | shapley.ShapleyFit | None


def fit(kind: str, params: dict, counts, *, channel_codes: int) -> FitOutcome:
    """Fit from summed ``counts``; ``channel_codes``: how many channel codes touches may carry."""
    if kind == "markov":
        journeys, conversions = counts.journeys, counts.conversions
    else:
        journeys, conversions = counts.total_journeys, counts.total_conversions
    minimum = int(params.get("min_conversions", MIN_CONVERSIONS))
    if conversions < minimum:
        return FitOutcome(kind, None, journeys, conversions,
                          f"Only {conversions} converting journeys (at least {minimum} needed):"
                          " no credits were written for this model.", None)
    try:
        if kind == "markov":
            model = markov.fit(counts)
        else:
            model = shapley.fit(counts, value=params.get("value", "conversion_rate"))
    except ValueError as exc:  # too many channels (Shapley) or states (Markov) to solve exactly
        return FitOutcome(kind, None, journeys, conversions, f"{exc} No credits were written.", None)
    raw = model.shares()
    effects = np.zeros(max(channel_codes, int(model.channels.max(initial=-1)) + 1))
    effects[model.channels] = raw
    return FitOutcome(kind, effects, journeys, conversions, "", model)


def fitted_specs(specs: list, paths: PathSet, *, channel_codes: int) -> tuple[list, list[FitOutcome]]:
    """Fit every data-driven spec on ``paths`` in one go (benchmarks, tests, small batches)."""
    out, outcomes = [], []
    for spec in specs:
        if spec.kind not in FITTED_KINDS:
            out.append(spec)
            continue
        counts = count(spec.kind, spec.params, paths)
        outcome = fit(spec.kind, spec.params, counts, channel_codes=channel_codes)
        outcomes.append(outcome)
        out.append(with_effects(spec, outcome.effects))
    return out, outcomes


def with_effects(spec, effects: np.ndarray | None):
    """The spec the credit pass computes: the fitted effects as its only parameter."""
    return replace(spec, params={"effects": None if effects is None else tuple(effects.tolist())})
