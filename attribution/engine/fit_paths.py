"""The journeys a data-driven model is fitted on: converting and non-converting channel paths.

A converting journey is a conversion's eligible touches (the same lookback rules as every model).
A person with touches in the period and no conversion has one non-converting journey: the touches
that would be eligible for a conversion at their last touch of the period. Conversions without
any eligible touch are no channel path and are left out (as the peers do).
"""

from dataclasses import dataclass

import numpy as np

from .arrays import Conversions, Touches
from .journeys import build_journeys
from .segments import segment_ids
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
    """
    converting = build_journeys(conversions, touches, windows)
    n_conv = len(converting.attributed)
    first = segment_ids(converting.starts, len(converting))

    lonely = ~np.isin(touches.person, conversions.person) & (touches.time >= since_us)
    idle = _take(touches, lonely)
    persons, last = _last_touch_per_person(idle)
    pseudo = Conversions.from_columns(id=np.arange(len(persons)), person=persons, time=last)
    idle_journeys = build_journeys(pseudo, idle, windows)
    second = segment_ids(idle_journeys.starts, len(idle_journeys)) + n_conv

    channel = np.concatenate((touches.channel[converting.touch], idle.channel[idle_journeys.touch]))
    converted = np.concatenate((np.ones(n_conv, bool), np.zeros(len(idle_journeys.attributed), bool)))
    value = np.concatenate((conversions.value[converting.attributed],
                            np.zeros(len(idle_journeys.attributed), dtype=np.int64)))
    return PathSet(channel=channel.astype(np.int64), journey=np.concatenate((first, second)),
                   converted=converted, value=value)


def _take(touches: Touches, rows: np.ndarray) -> Touches:
    return Touches.from_columns(**{name: getattr(touches, name)[rows] for name in
                                   ("id", "person", "time", "kind", "channel", "campaign", "adgroup", "ad")})


def _last_touch_per_person(touches: Touches) -> tuple[np.ndarray, np.ndarray]:
    if not len(touches):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    order = np.lexsort((touches.time, touches.person))
    person, time = touches.person[order], touches.time[order]
    last = np.flatnonzero(np.append(person[1:] != person[:-1], True))
    return person[last], time[last]
