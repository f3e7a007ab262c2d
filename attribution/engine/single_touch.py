"""Shared machinery of the single-touch models (first click, last click, last non-direct click)."""

import numpy as np

from .arrays import Touches
from .journeys import Journeys
from .segments import pick_per_segment


def click_preference(journeys: Journeys, touches: Touches) -> np.ndarray:
    """Priority per pair: clicks (0) before views (1); a view wins only where no click is eligible."""
    return touches.kind[journeys.touch].astype(np.int8)


def one_winner(journeys: Journeys, priority: np.ndarray, *, last: bool):
    """The chosen pair of each journey with weight 1."""
    chosen = pick_per_segment(priority, journeys.starts, last=last)
    return chosen, np.ones(len(chosen), dtype=np.float64)
