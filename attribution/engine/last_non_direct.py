"""Last non-direct click: like last click, but direct visits win only when nothing else is eligible.

Priority: non-direct clicks, then non-direct views, then direct touches (latest first in each).
"""

import numpy as np

from .single_touch import click_preference, one_winner


def weights(journeys, touches, conversions, *, direct_channel: int, **_params):
    """Return (pair indices, weights); ``direct_channel`` is the code of the "direct" channel."""
    is_direct = touches.channel[journeys.touch] == direct_channel
    priority = np.where(is_direct, np.int8(2), click_preference(journeys, touches))
    return one_winner(journeys, priority, last=True)
