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
    channel_path = np.full(n, "", dtype=object)
    campaign_path = np.full(n, "", dtype=object)
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
        channel_path[owners] = _signatures(channel, starts, ends, lambda c: names[c])
        step = channel * (1 << 40) + campaign  # one integer per distinct (channel, campaign) step
        campaign_path[owners] = _signatures(step, starts, ends, lambda s: _campaign_step(s, names))
    return Paths(touches=count, first_time=first_time, first_channel=first_channel,
                 last_channel=last_channel, lag_days=lag, channel_path=channel_path,
                 campaign_path=campaign_path)


def _campaign_step(step: int, names: list[str]) -> str:
    channel, campaign = divmod(step, 1 << 40)
    return f"{names[channel]}:{campaign}" if campaign else names[channel]


def _signatures(steps: np.ndarray, starts: np.ndarray, ends: np.ndarray, name) -> list[str]:
    """The joined step names of each group; each distinct step sequence is named once."""
    codes, inverse = np.unique(steps, return_inverse=True)
    step_names = [name(int(c)) for c in codes]
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


@dataclass(frozen=True)
class PathRollup:
    """Conversions and value per (day, channel path, campaign path, touches, lag days, currency)."""

    day: np.ndarray
    channel_path: np.ndarray
    campaign_path: np.ndarray
    touches: np.ndarray
    lag_days: np.ndarray
    currency: np.ndarray
    conversions: np.ndarray
    value: np.ndarray

    def __len__(self) -> int:
        return len(self.day)


def path_rollup(paths: Paths, conversions: Conversions) -> PathRollup:
    """Sum conversions and value micro-units per path key."""
    _, channel_code = np.unique(paths.channel_path.astype(str), return_inverse=True)
    _, campaign_code = np.unique(paths.campaign_path.astype(str), return_inverse=True)
    keys = [conversions.day.astype(np.int64), channel_code, campaign_code, paths.touches,
            paths.lag_days, conversions.currency.astype(np.int64)]
    if not len(conversions):
        return PathRollup(*(np.zeros(0, dtype=np.int64) for _ in range(3)), np.zeros(0, dtype=np.int64),
                          *(np.zeros(0, dtype=np.int64) for _ in range(4)))
    order = np.lexsort(keys[::-1])
    change = np.zeros(len(order), dtype=bool)
    change[0] = True
    for k in keys:
        ordered = k[order]
        change[1:] |= ordered[1:] != ordered[:-1]
    starts = np.flatnonzero(change)
    first = order[starts]
    return PathRollup(
        day=conversions.day[first].astype(np.int64), channel_path=paths.channel_path[first],
        campaign_path=paths.campaign_path[first], touches=paths.touches[first],
        lag_days=paths.lag_days[first], currency=conversions.currency[first].astype(np.int64),
        conversions=np.add.reduceat(np.ones(len(order), dtype=np.int64), starts),
        value=np.add.reduceat(conversions.value[order], starts))
