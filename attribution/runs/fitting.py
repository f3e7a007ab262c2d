"""The fit of a run's data-driven models: count paths over every person, fit once, store.

A run of several chunks gets a fit pass of its own after planning and before any chunk credits
(``run_execute`` and the start task call it): it reads the run's chunk ranges, opened at both
ends so that people who never converted are counted too, each range read while the one before
is counted. In one process (``run_execute``) each range's chunk keeps what it needs of that
read (its conversions and its converting people's touches), so no range is read twice; the
start task's chunks run in other processes and read their ranges again. A run of one chunk is
fitted by that chunk (``chunk_fit``) from the touches it reads anyway, read over the same open
range. Either way chunks credit from the stored effects (``credit_specs``). Counts add up, so
the result does not depend on how the people are split.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from django.db import transaction

from attribution.engine import data_driven
from attribution.engine.arrays import Conversions, Touches
from attribution.engine.fit_paths import fit_paths
from attribution.engine.markov import CONVERSION, NULL, MarkovFit, state_channels
from attribution.engine.pipeline import ModelSpec
from attribution.engine.shapley import ShapleyFit
from attribution.engine.windows import LookbackWindows
from attribution.models import AttributionModelFit, AttributionRun, FitStatus

from . import readers
from .config import CHANNELS, model_specs, window_overrides

EVERYONE = (-(2**62), 2**62)  # a person range holding every person key
CHANNEL_NAMES = [*CHANNELS, "unknown"]  # code len(CHANNELS): a channel name the run did not know
_DETAIL_ROWS = 2000  # the largest transitions / coalitions kept for display
T = TypeVar("T")


def fitted_model_specs(*, run: AttributionRun) -> list[ModelSpec]:
    return [s for s in model_specs(workspace=run.workspace, ids=run.model_config_ids)
            if s.kind in data_driven.FITTED_KINDS]


def fitted_in_chunk(*, run: AttributionRun) -> bool:
    """Whether the run's only chunk fits its data-driven models (a full run of one chunk)."""
    return not run.incremental and run.chunks_total == 1 and bool(fitted_model_specs(run=run))


@dataclass(frozen=True)
class RangeRead:
    """What the fit pass read for one range of people: their conversions and touches."""

    conversions: Conversions
    touches: Touches


def run_fit(*, run: AttributionRun) -> list[AttributionModelFit]:
    """The fit pass: fit the run's data-driven models (once: a redelivered start keeps the fit)."""
    return fit_pass(run=run)[0]


def fit_pass(*, run: AttributionRun, keep: Callable[[int, RangeRead], T] | None = None
             ) -> tuple[list[AttributionModelFit], list[T]]:
    """Fit the run's data-driven models. ``keep(i, read)``: what to keep of range i's read
    (``fit_ranges``) once it is counted, so that its chunk need not read it again; the kept
    values come back in range order (none when the pass read nothing).

    An incremental run reuses the fit of the full run it extends; a run of one chunk leaves
    the fit to that chunk. Raises ValueError for parameters a user must fix (the run then
    fails with that message).
    """
    specs = fitted_model_specs(run=run)
    if not specs or run.fits.exists() or fitted_in_chunk(run=run):
        return list(run.fits.all()), []
    if run.incremental:
        return _copy_base_fits(run, specs), []
    _check(specs)
    windows = LookbackWindows.build(CHANNELS, window_overrides(workspace=run.workspace))

    def read(span: tuple[int, int]) -> RangeRead:
        conversions = readers.read_conversions(run, span)
        return RangeRead(conversions, readers.read_touches(
            run, np.zeros(0, dtype=np.int64), span, windows.longest, span_us=touch_span(run, conversions)))

    counts, kept = {}, []
    for i, (_span, got) in enumerate(readers.read_ahead(read, fit_ranges(run=run))):
        counts = _counted(run, specs, got.conversions, got.touches, windows, counts)
        if keep:
            kept.append(keep(i, got))
        del got  # the range's rows leave memory before the next range's are counted
    return _store(run, specs, counts), kept


def touch_span(run: AttributionRun, conversions: Conversions) -> tuple[int, int]:
    """The reference times a fit read covers (``readers.read_touches``' ``span_us``): the whole
    period, for the people who never converted, and back to the earliest conversion's reference
    time, which can lie before the period (a CRM deal's creation)."""
    start, end = readers.micros(run.period_start), readers.micros(run.period_end) - 1
    return (min(start, int(conversions.time.min())) if len(conversions) else start), end


def chunk_fit(*, run: AttributionRun, conversions: Conversions, touches: Touches,
              windows: LookbackWindows) -> list[AttributionModelFit]:
    """Fit a run of one chunk from that chunk's conversions and the touches of ``EVERYONE``
    (``fit_ranges``' one range), inside the chunk's transaction."""
    specs = fitted_model_specs(run=run)
    if run.fits.exists():
        return list(run.fits.all())
    _check(specs)
    return _store(run, specs, _counted(run, specs, conversions, touches, windows, {}))


def _check(specs: list[ModelSpec]) -> None:
    for spec in specs:
        data_driven.check_params(spec.kind, spec.params)


def _counted(run, specs, conversions, touches, windows, counts: dict) -> dict:
    """``counts`` (per model) plus the counts of these conversions' and touches' paths."""
    paths = fit_paths(conversions, touches, windows, since_us=readers.micros(run.period_start))
    for spec in specs:
        part = data_driven.count(spec.kind, spec.params, paths)
        counts[spec.key] = part if spec.key not in counts else counts[spec.key] + part
    return counts


def _store(run: AttributionRun, specs: list[ModelSpec], counts: dict) -> list[AttributionModelFit]:
    rows = [_fit_row(run, spec, data_driven.fit(spec.kind, spec.params, counts[spec.key],
                                                channel_codes=len(CHANNEL_NAMES)))
            for spec in specs]
    with transaction.atomic():
        AttributionModelFit.objects.filter(run=run).delete()
        return AttributionModelFit.objects.bulk_create(rows)


def fit_ranges(*, run: AttributionRun) -> list[tuple[int, int]]:
    """The run's chunk ranges, the first and last opened to cover every person key."""
    bounds = list(run.chunks.order_by("index").values_list("person_lo", "person_hi"))
    if not bounds:
        return [EVERYONE]
    ranges = [list(b) for b in bounds]
    ranges[0][0], ranges[-1][1] = EVERYONE
    return [tuple(r) for r in ranges]


def credit_specs(*, run: AttributionRun, specs: list[ModelSpec]) -> list[ModelSpec]:
    """``specs`` with each data-driven one carrying its stored effects (None: not fitted)."""
    if not any(s.kind in data_driven.FITTED_KINDS for s in specs):
        return specs
    fits = {f.model_config_id: f for f in AttributionModelFit.objects.filter(run=run)}
    out = []
    for spec in specs:
        if spec.kind in data_driven.FITTED_KINDS:
            fit = fits.get(spec.key)
            spec = data_driven.with_effects(spec, _effects(fit) if fit and fit.status == FitStatus.FITTED
                                            else None)
        out.append(spec)
    return out


def _effects(fit: AttributionModelFit) -> np.ndarray:
    effects = np.zeros(len(CHANNEL_NAMES))
    for row in fit.channels:
        if row["channel"] in CHANNEL_NAMES:
            effects[CHANNEL_NAMES.index(row["channel"])] = row["share"]
    return effects


def _copy_base_fits(run: AttributionRun, specs: list[ModelSpec]) -> list[AttributionModelFit]:
    base = {f.model_config_id: f for f in AttributionModelFit.objects.filter(run_id=run.base_run_id)}
    rows = []
    for spec in specs:
        fit = base.get(spec.key)
        if fit is None:
            rows.append(AttributionModelFit(
                run=run, model_config_id=spec.key, status=FitStatus.NOT_FITTED,
                message="The full run this run extends has no fit for this model: run a full run."))
            continue
        fit.pk, fit.run = None, run
        fit.message = f"Reused from full run {run.base_run_id}. {fit.message}".strip()
        rows.append(fit)
    return AttributionModelFit.objects.bulk_create(rows)


def _fit_row(run: AttributionRun, spec: ModelSpec, outcome: data_driven.FitOutcome) -> AttributionModelFit:
    row = AttributionModelFit(run=run, model_config_id=spec.key, journeys=outcome.journeys,
                              converting=outcome.conversions, message=outcome.reason,
                              status=FitStatus.NOT_FITTED if outcome.effects is None else FitStatus.FITTED)
    model = outcome.model
    if model is None:
        return row
    effects = model.removal_effects if isinstance(model, MarkovFit) else model.values
    row.channels = sorted(
        ({"channel": CHANNEL_NAMES[c], "effect": float(e), "share": float(s)}
         for c, e, s in zip(model.channels.tolist(), effects, model.shares(), strict=True)),
        key=lambda r: -r["share"])
    if isinstance(model, MarkovFit):
        row.conversion_probability = model.conversion_probability
        row.detail = _transitions(model)
    elif isinstance(model, ShapleyFit):
        row.detail = _coalitions(model)
    return row


def _state_name(state: int, order: int) -> str:
    if state == CONVERSION:
        return "(conversion)"
    if state == NULL:
        return "(null)"
    channels = state_channels(state, order)
    return " > ".join(CHANNEL_NAMES[c] for c in channels) if channels else "(start)"


def _transitions(model: MarkovFit) -> list[dict]:
    order = np.argsort(-model.count, kind="stable")[:_DETAIL_ROWS]
    return [{"from": _state_name(int(model.source[i]), model.order),
             "to": _state_name(int(model.target[i]), model.order),
             "count": int(model.count[i]), "probability": float(model.probability[i])} for i in order]


def _coalitions(model: ShapleyFit) -> list[dict]:
    c = model.counts
    order = np.argsort(-c.journeys, kind="stable")[:_DETAIL_ROWS]
    return [{"channels": " + ".join(CHANNEL_NAMES[b] for b in range(63) if int(c.mask[i]) >> b & 1),
             "journeys": int(c.journeys[i]), "conversions": int(c.conversions[i]),
             "revenue": int(c.revenue[i]) / 1_000_000, "worth": float(model.worth[i])} for i in order]
