"""Feed the engine's eligible journeys to the PyPI package marketing-attribution-models ("mam").

mam takes journeys that are already cut (no lookback windows, no click-over-view rule, no
"direct" rule) and computes heuristics on them. We hand it exactly the touches our engine found
eligible, in the engine's (time, touch id) order, so the models both define alike compare 1:1.
"""

import numpy as np
import polars as pl
from mam.models.heuristics import (
    FirstClickModel,
    LastClickModel,
    LinearModel,
    PositionBasedModel,
    TimeDecayModel,
)

HOUR_US = 3_600_000_000
PEER_MODELS = {
    "last_click": LastClickModel,
    "first_click": FirstClickModel,
    "linear": LinearModel,
    "position_based": PositionBasedModel,
    "time_decay": lambda: TimeDecayModel(half_life_hours=7 * 24),
}


def unified_frame(journeys, conversions, touches, labels: np.ndarray) -> pl.DataFrame:
    """mam's internal journey table: one row per attributed conversion with its touch labels.

    ``labels[i]`` names touch i (a channel name, or a touch id to compare touch by touch).
    """
    pairs = pl.DataFrame({
        "journey_id": journeys.conv,
        "channels": labels[journeys.touch],
        "time_till_conv": (conversions.time[journeys.conv] - touches.time[journeys.touch]) / HOUR_US,
    })
    frame = pairs.group_by("journey_id", maintain_order=True).agg(pl.col("channels"),
                                                                  pl.col("time_till_conv"))
    values = conversions.value[frame["journey_id"].to_numpy()] / 1_000_000
    return frame.with_columns(has_conversion=pl.lit(True), weight=pl.lit(1, dtype=pl.Int64),
                              conversion_value=pl.Series(values, dtype=pl.Float64))


def peer_totals(frame: pl.DataFrame, kinds=tuple(PEER_MODELS)) -> dict[str, dict[str, float]]:
    """Credited value per label for each model, as mam computes it."""
    out = {}
    for kind in kinds:
        result = PEER_MODELS[kind]().get_aggregated_results(frame)
        out[kind] = dict(zip(result["channels"].cast(pl.String).to_list(),
                             result["attribution"].to_list(), strict=True))
    return out
