"""Last click: the latest eligible click gets everything; a view only if the journey has no click."""

from .single_touch import click_preference, one_winner


def weights(journeys, touches, conversions, **_params):
    """Return (pair indices, weights): one pair per attributed conversion."""
    return one_winner(journeys, click_preference(journeys, touches), last=True)
