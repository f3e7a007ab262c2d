"""Conversion paths: each conversion's sequence of eligible touches, summed up for journey reports.

Pure numpy over the ``Journeys`` the models share: the same eligible touches, in the same (time,
id) order, so a path never disagrees with the credits. Signatures are text, steps joined by
``STEP`` (``"meta>tiktok>direct"``); the campaign signature names TikTok steps by campaign
(``"meta>tiktok:12>direct"``, ``tiktok`` alone when the touch has no campaign). An unattributed
conversion has the empty path.
"""

from dataclasses import dataclass

import numpy as np

from .arrays import Conversions, Touches
from .journeys import Journeys

STEP = ">"
DAY_US = 86_400_000_000
NO_TIME = -1  # first-touch time of a conversion without eligible touches
NO_CHANNEL = -1
HORIZON_DAYS = (7, 30, 90)  # customer value: revenue so many days after the first touch


@dataclass(frozen=True)
class Paths:
    """One row per conversion, in the order of ``conversions``."""

    touches: np.ndarray  # eligible touches on the path (0: unattributed)
    first_time: np.ndarray  # µs of the first eligible touch, or NO_TIME
    first_channel: np.ndarray  # channel code of the first touch, or NO_CHANNEL
    last_channel: np.ndarray
    lag_days: np.ndarray  # whole days from the first touch to the conversion; -1 when none
    channel_path: np.ndarray  # object array of str
    campaign_path: np.ndarray
    channel_path_collapsed: np.ndarray  # consecutive repeats of a step shown once
    campaign_path_collapsed: np.ndarray

    def __len__(self) -> int:
        return len(self.touches)


def conversion_paths(journeys: Journeys, conversions: Conversions, touches: Touches,
                     channel_names: list[str], *, tiktok_channel: int) -> Paths:
    """Every conversion's path. ``channel_names[code]`` names a channel code; ``tiktok_channel``
    is the code whose steps the campaign signature splits by campaign."""
    n = len(conversions)
    count = np.bincount(journeys.conv, minlength=n).astype(np.int64)
    first_time = np.full(n, NO_TIME, dtype=np.int64)
    first_channel = np.full(n, NO_CHANNEL, dtype=np.int64)
    last_channel = np.full(n, NO_CHANNEL, dtype=np.int64)
    lag = np.full(n, -1, dtype=np.int64)
    signatures = {name: np.full(n, "", dtype=object) for name in (
        "channel_path", "campaign_path", "channel_path_collapsed", "campaign_path_collapsed")}
    if len(journeys):
        starts = journeys.starts
        ends = np.append(starts[1:], len(journeys))
        owners = journeys.attributed
        channel = touches.channel[journeys.touch].astype(np.int64)
        first_time[owners] = touches.time[journeys.touch[starts]]
        first_channel[owners] = channel[starts]
        last_channel[owners] = channel[ends - 1]
        lag[owners] = (conversions.time[owners] - first_time[owners]) // DAY_US
        campaign = np.where(channel == tiktok_channel, touches.campaign[journeys.touch], 0)
        names = [*channel_names, "other"]
        step = channel * (1 << 40) + campaign  # one integer per distinct (channel, campaign) step
        for suffix, keep in (("", None), ("_collapsed", _first_of_runs)):
            signatures["channel_path" + suffix][owners] = _signatures(
                channel, starts, ends, lambda c: names[c], keep and keep(channel, starts))
            signatures["campaign_path" + suffix][owners] = _signatures(
                step, starts, ends, lambda s: _campaign_step(s, names), keep and keep(step, starts))
    return Paths(touches=count, first_time=first_time, first_channel=first_channel,
                 last_channel=last_channel, lag_days=lag, **signatures)


def _first_of_runs(steps: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Pairs that start a run of equal consecutive steps within their conversion."""
    keep = np.ones(len(steps), dtype=bool)
    keep[1:] = steps[1:] != steps[:-1]
    keep[starts] = True
    return keep


def _campaign_step(step: int, names: list[str]) -> str:
    channel, campaign = divmod(step, 1 << 40)
    return f"{names[channel]}:{campaign}" if campaign else names[channel]


def _signatures(steps: np.ndarray, starts: np.ndarray, ends: np.ndarray, name,
                keep: np.ndarray | None = None) -> list[str]:
    """The joined step names of each group (only the ``keep`` pairs); each distinct step
    sequence is named once."""
    codes, inverse = np.unique(steps, return_inverse=True)
    step_names = [name(int(c)) for c in codes]
    if keep is not None:  # drop pairs: groups shrink, their bounds move
        kept_before = np.concatenate(([0], np.cumsum(keep)))
        starts, ends, inverse = kept_before[starts], kept_before[ends], inverse[keep]
    raw = inverse.astype(np.int32).tobytes()
    cache: dict[bytes, str] = {}
    out = []
    for lo, hi in zip((starts * 4).tolist(), (ends * 4).tolist(), strict=True):
        key = raw[lo:hi]
        text = cache.get(key)
        if text is None:
            text = cache[key] = STEP.join(step_names[i] for i in np.frombuffer(key, dtype=np.int32))
        out.append(text)
    return out


def collapse(signature: str) -> str:
    """The path with consecutive repeats of a step shown once (``a>a>b>a`` → ``a>b>a``)."""
    steps = signature.split(STEP) if signature else []
    return STEP.join(s for i, s in enumerate(steps) if i == 0 or s != steps[i - 1])


def group_sums(keys: list[np.ndarray], values: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Rows with equal keys summed: the index of one row of each group, and each value's sums."""
    if not len(keys[0]):
        return np.zeros(0, dtype=np.int64), [v[:0] for v in values]
    order = np.lexsort(keys[::-1])
    change = np.zeros(len(order), dtype=bool)
    change[0] = True
    for k in keys:
        ordered = k[order]
        change[1:] |= ordered[1:] != ordered[:-1]
    starts = np.flatnonzero(change)
    return order[starts], [np.add.reduceat(v[order], starts, axis=0) for v in values]


@dataclass(frozen=True)
class PathRollup:
    """Conversions and value per (day, path, touches, lag days, currency); the channel path and
    both collapsed forms follow from the campaign path, so they add no rows."""

    day: np.ndarray
    channel_path: np.ndarray
    campaign_path: np.ndarray
    channel_path_collapsed: np.ndarray
    campaign_path_collapsed: np.ndarray
    touches: np.ndarray
    lag_days: np.ndarray
    currency: np.ndarray
    conversions: np.ndarray
    value: np.ndarray

    def __len__(self) -> int:
        return len(self.day)


def path_rollup(paths: Paths, conversions: Conversions) -> PathRollup:
    """Sum conversions and value micro-units per path key."""
    index: dict[str, int] = {}
    campaign_code = np.fromiter((index.setdefault(p, len(index)) for p in paths.campaign_path.tolist()),
                                dtype=np.int64, count=len(paths))
    first, (count, value) = group_sums(
        [conversions.day.astype(np.int64), campaign_code.astype(np.int64), paths.touches, paths.lag_days,
         conversions.currency.astype(np.int64)],
        [np.ones(len(conversions), dtype=np.int64), conversions.value])
    return PathRollup(
        day=conversions.day[first].astype(np.int64), channel_path=paths.channel_path[first],
        campaign_path=paths.campaign_path[first],
        channel_path_collapsed=paths.channel_path_collapsed[first],
        campaign_path_collapsed=paths.campaign_path_collapsed[first], touches=paths.touches[first],
        lag_days=paths.lag_days[first], currency=conversions.currency[first].astype(np.int64),
        conversions=count, value=value)


LEVEL_CHANNEL, LEVEL_CAMPAIGN = 0, 1


@dataclass(frozen=True)
class StepRollup:
    """Per (day, level, step): conversions it opened (first touch), closed (last touch) and
    assisted (on the path before the last touch; once per conversion however often)."""

    day: np.ndarray
    level: np.ndarray  # LEVEL_CHANNEL or LEVEL_CAMPAIGN
    step: np.ndarray  # object array of step names
    first_touch: np.ndarray
    last_touch: np.ndarray
    assisted: np.ndarray

    def __len__(self) -> int:
        return len(self.day)


def step_rollup(journeys: Journeys, conversions: Conversions, touches: Touches, channel_names: list[str],
                *, tiktok_channel: int) -> StepRollup:
    """First-, last-touch and assisted conversions per step, at channel and at campaign level."""
    if not len(journeys):
        empty = np.zeros(0, dtype=np.int64)
        return StepRollup(empty, empty, np.zeros(0, dtype=object), empty, empty, empty)
    starts = journeys.starts
    ends = np.append(starts[1:], len(journeys))
    channel = touches.channel[journeys.touch].astype(np.int64)
    campaign = np.where(channel == tiktok_channel, touches.campaign[journeys.touch], 0)
    group = np.repeat(np.arange(len(starts), dtype=np.int64), ends - starts)
    before_last = np.ones(len(journeys), dtype=bool)
    before_last[ends - 1] = False
    day = conversions.day[journeys.attributed].astype(np.int64)
    names = [*channel_names, "other"]
    days, levels, steps, counts = [], [], [], []
    by_channel = channel * (1 << 40)  # step codes as in the campaign signature, campaign 0
    for level, step in ((LEVEL_CHANNEL, by_channel), (LEVEL_CAMPAIGN, by_channel + campaign)):
        assisted = np.unique(np.stack((group[before_last], step[before_last]), axis=1), axis=0)
        for role, (g, st) in enumerate(((np.arange(len(starts)), step[starts]),
                                        (np.arange(len(starts)), step[ends - 1]),
                                        (assisted[:, 0], assisted[:, 1]))):
            days.append(day[g])
            levels.append(np.full(len(g), level, dtype=np.int64))
            steps.append(st)
            one_hot = np.zeros((len(g), 3), dtype=np.int64)
            one_hot[:, role] = 1
            counts.append(one_hot)
    first, (sums,) = group_sums([np.concatenate(days), np.concatenate(levels), np.concatenate(steps)],
                                [np.concatenate(counts)])
    step = np.concatenate(steps)[first]
    return StepRollup(day=np.concatenate(days)[first], level=np.concatenate(levels)[first],
                      step=np.array([_campaign_step(int(s), names) for s in step], dtype=object),
                      first_touch=sums[:, 0], last_touch=sums[:, 1], assisted=sums[:, 2])


@dataclass(frozen=True)
class LagRollup:
    """Attributed conversions per (day, first-touch channel, lag days, touches)."""

    day: np.ndarray
    first_channel: np.ndarray
    lag_days: np.ndarray
    touches: np.ndarray
    conversions: np.ndarray

    def __len__(self) -> int:
        return len(self.day)


def lag_rollup(paths: Paths, conversions: Conversions) -> LagRollup:
    keep = paths.touches > 0
    keys = [conversions.day[keep].astype(np.int64), paths.first_channel[keep], paths.lag_days[keep],
            paths.touches[keep]]
    first, (count,) = group_sums(keys, [np.ones(int(keep.sum()), dtype=np.int64)])
    return LagRollup(*(k[first] for k in keys), conversions=count)
