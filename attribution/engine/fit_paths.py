"""The journeys a data-driven model is fitted on: converting and non-converting channel paths.

A converting journey is a conversion's eligible touches (the same lookback rules as every model).
A person with touches in the period and no conversion has one non-converting journey: the touches
that would be eligible for a conversion at their last touch of the period. Conversions without
any eligible touch are no channel path and are left out (as the peers do).
"""

from dataclasses import dataclass

import numpy as np

from .arrays import Conversions, Touches
from .journeys import PersonOrder, build_journeys
from .windows import LookbackWindows


@dataclass(frozen=True)
class PathSet:
    """Channel steps grouped by journey (``journey`` is non-decreasing), each journey in time order."""

    channel: np.ndarray  # int64 channel code per step
    journey: np.ndarray  # journey number per step
    converted: np.ndarray  # bool per journey
    value: np.ndarray  # int64 micro-units per journey (0 when it did not convert)

    @property
    def starts(self) -> np.ndarray:
        return np.flatnonzero(np.diff(self.journey, prepend=-1))

    def __len__(self) -> int:
        return len(self.converted)


def fit_paths(conversions: Conversions, touches: Touches, windows: LookbackWindows, *,
              since_us: int) -> PathSet:
    """Paths of ``conversions`` and of the non-converting people among ``touches``' people.

    ``since_us``: the period's start; a non-converting journey only uses touches from then on.
    Both kinds go through one eligibility pass: a non-converting person gets a stand-in
    conversion at their last touch.
    """
    n = len(conversions)
    by_person = PersonOrder.of(touches)
    last = by_person.time[by_person.last]  # each person's last touch
    lonely = ~np.isin(by_person.persons, conversions.person) & (last >= since_us)
    persons, last = by_person.persons[lonely], last[lonely]
    both = Conversions.from_columns(
        id=np.concatenate((conversions.id, np.zeros(len(persons), dtype=np.int64))),
        person=np.concatenate((conversions.person, persons)),
        time=np.concatenate((conversions.time, last)),
        value=np.concatenate((conversions.value, np.zeros(len(persons), dtype=np.int64))))
    journeys = build_journeys(both, touches, windows, by_person=by_person)
    keep = (journeys.conv < n) | (touches.time[journeys.touch] >= since_us)
    conv, touch = journeys.conv[keep], journeys.touch[keep]
    first = np.flatnonzero(np.diff(conv, prepend=-1))  # pairs come grouped by conversion
    starts = np.zeros(len(conv), dtype=np.int64)
    starts[first] = 1
    journey = np.cumsum(starts) - 1
    owner = conv[first]
    return PathSet(channel=touches.channel[touch].astype(np.int64), journey=journey.astype(np.int64),
                   converted=owner < n, value=both.value[owner])

