"""Conversion paths: each conversion's sequence of eligible touches, summed up for journey reports.

Pure numpy over the ``Journeys`` the models share: the same eligible touches, in the same (time,
id) order, so a path never disagrees with the credits. A batch's distinct paths are named once
(``Signatures``) and each conversion refers to its path by index: signatures are text, steps joined
by ``STEP`` (``"meta>tiktok>direct"``); the campaign signature names TikTok steps by campaign
(``"meta>tiktok:12>direct"``, ``tiktok`` alone when the touch has no campaign). An unattributed
conversion has no path (``NO_PATH``): the empty signature.
"""

import hashlib
from dataclasses import dataclass

import numpy as np

from .arrays import Conversions, Touches
from .journeys import Journeys

STEP = ">"
DAY_US = 86_400_000_000
NO_TIME = -1  # first-touch time of a conversion without eligible touches
NO_CHANNEL = -1
NO_PATH = -1
HORIZON_DAYS = (7, 30, 90)  # customer value: revenue so many days after the first touch
FORMS = ("campaign_path", "channel_path", "campaign_path_collapsed", "channel_path_collapsed")


@dataclass(frozen=True)
class Signatures:
    """A batch's distinct paths, one row each, in their four text forms (object arrays of str).
    The campaign path names the path; the other forms follow from it."""

    campaign_path: np.ndarray
    channel_path: np.ndarray
    campaign_path_collapsed: np.ndarray  # consecutive repeats of a step shown once
    channel_path_collapsed: np.ndarray

    def __len__(self) -> int:
        return len(self.campaign_path)


@dataclass(frozen=True)
class Paths:
    """One row per conversion, in the order of ``conversions``."""

    touches: np.ndarray  # eligible touches on the path (0: unattributed)
    first_time: np.ndarray  # µs of the first eligible touch, or NO_TIME
    first_channel: np.ndarray  # channel code of the first touch, or NO_CHANNEL
    last_channel: np.ndarray
    lag_days: np.ndarray  # whole days from the first touch to the conversion; -1 when none
    path: np.ndarray  # index into ``signatures``, or NO_PATH
    signatures: Signatures

    def __len__(self) -> int:
        return len(self.touches)

    def text(self, form: str) -> np.ndarray:
        """Each conversion's signature in one of ``FORMS`` ("" when unattributed)."""
        return np.append(getattr(self.signatures, form), "")[self.path]


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
    path = np.full(n, NO_PATH, dtype=np.int64)
    signatures = _texts([], np.zeros(0, dtype=np.int64), channel_names)
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
        step = channel * (1 << 40) + campaign  # one integer per distinct (channel, campaign) step
        codes, inverse = _distinct(step)
        raw = inverse.astype(np.int32).tobytes()
        index: dict[bytes, int] = {}  # each distinct step sequence → its signature's index
        path[owners] = np.fromiter(
            (index.setdefault(raw[lo:hi], len(index)) for lo, hi in zip(
                (starts * 4).tolist(), (ends * 4).tolist(), strict=True)),
            dtype=np.int64, count=len(starts))
        signatures = _texts(list(index), codes, channel_names)
    return Paths(touches=count, first_time=first_time, first_channel=first_channel,
                 last_channel=last_channel, lag_days=lag, path=path, signatures=signatures)


def _distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct values (a few hundred steps) and each value's index among them: a hash
    pass and a binary search, twice as fast as the full sort of ``np.unique(return_inverse=True)``."""
    distinct = np.unique(values)
    return distinct, np.searchsorted(distinct, values)


def _texts(sequences: list[bytes], codes: np.ndarray, channel_names: list[str]) -> Signatures:
    """The four text forms of each distinct sequence (int32 indexes into the step ``codes``).
    Each step is named once; the texts are cut from one joined string (sequences end in a newline,
    which no name holds), so no Python runs per sequence or per step."""
    names = [*channel_names, "other"]
    flat = np.frombuffer(b"".join(sequences), dtype=np.int32).astype(np.int64)
    ends = np.cumsum(np.fromiter(map(len, sequences), dtype=np.int64, count=len(sequences))) // 4
    last = np.zeros(len(flat), dtype=bool)
    last[ends - 1] = True
    forms = {}
    for form, steps in (("campaign_path", [_campaign_step(int(c), names) for c in codes]),
                        ("channel_path", [names[int(c) >> 40] for c in codes])):
        distinct, name_of = np.unique(np.array(steps, dtype=str), return_inverse=True)
        step = name_of.reshape(-1)[flat]  # equal steps, equal names
        forms[form] = _joined(distinct, step, last, np.ones(len(step), dtype=bool))
        repeat = np.append(step[1:] == step[:-1], False) & ~last  # the next step is the same one
        forms[f"{form}_collapsed"] = _joined(distinct, step, last, ~repeat)
    return Signatures(**{form: forms[form] for form in FORMS})


def _joined(names: np.ndarray, step: np.ndarray, last: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Each sequence's kept steps joined by ``STEP`` (a sequence's last step is always kept)."""
    tokens = np.array([[f"{n}{STEP}", f"{n}\n"] for n in names.tolist()], dtype=object).reshape(-1, 2)
    text = "".join(tokens[step[keep], last[keep].astype(np.int64)].tolist())
    return np.array(text.split("\n")[:-1], dtype=object)


def _campaign_step(step: int, names: list[str]) -> str:
    channel, campaign = divmod(step, 1 << 40)
    return f"{names[channel]}:{campaign}" if campaign else names[channel]


def signature_keys(workspace_id: int, campaign_paths) -> np.ndarray:
    """The id of each path in a workspace's path table: a 64-bit hash of the workspace and the
    campaign path, so chunks written in parallel (and any later run) name a path alike without
    asking the database. Collisions (odds ~n²/2⁶⁵) are detected when the table is written."""
    prefix = f"{workspace_id}|".encode()
    return np.array([int.from_bytes(hashlib.blake2b(prefix + p.encode(), digest_size=8).digest(),
                                    "big", signed=True) for p in campaign_paths], dtype=np.int64)


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
    """Conversions and value per (day, path, touches, lag days, currency); ``path`` indexes the
    batch's ``Signatures`` (every form of a path follows from it, so the forms add no rows)."""

    day: np.ndarray
    path: np.ndarray  # index into the signatures, or NO_PATH
    touches: np.ndarray
    lag_days: np.ndarray
    currency: np.ndarray
    conversions: np.ndarray
    value: np.ndarray

    def __len__(self) -> int:
        return len(self.day)


def path_rollup(paths: Paths, conversions: Conversions) -> PathRollup:
    """Sum conversions and value micro-units per path key."""
    keys = [conversions.day.astype(np.int64), paths.path, paths.touches, paths.lag_days,
            conversions.currency.astype(np.int64)]
    first, (count, value) = group_sums(keys, [np.ones(len(conversions), dtype=np.int64), conversions.value])
    return PathRollup(*(k[first] for k in keys), conversions=count, value=value)


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
    by_channel = channel * (1 << 40)  # step codes as in the campaign signature, campaign 0
    codes, inverse = _distinct(np.concatenate((by_channel, by_channel + campaign)))
    n, width = len(codes), len(codes) * 2  # a row's key: (day, level, step) packed in one int64
    group = np.repeat(np.arange(len(starts), dtype=np.int64), ends - starts)
    before_last = np.ones(len(journeys), dtype=bool)
    before_last[ends - 1] = False
    day = conversions.day[journeys.attributed].astype(np.int64)
    day0 = int(day.min())
    keys, roles = [], []
    for level, step in enumerate(inverse.reshape(2, -1)):  # LEVEL_CHANNEL, LEVEL_CAMPAIGN
        assisted = np.unique(group[before_last] * n + step[before_last])  # once per conversion
        for role, (g, st) in enumerate(((slice(None), step[starts]), (slice(None), step[ends - 1]),
                                        (assisted // n, assisted % n))):
            keys.append((day[g] - day0) * width + level * n + st)
            roles.append(np.full(len(keys[-1]), role, dtype=np.int64))
    distinct, row = np.unique(np.concatenate(keys), return_inverse=True)
    sums = np.bincount(row.reshape(-1) * 3 + np.concatenate(roles), minlength=len(distinct) * 3)
    sums = sums.reshape(-1, 3)
    names = np.array([_campaign_step(int(c), [*channel_names, "other"]) for c in codes], dtype=object)
    return StepRollup(day=distinct // width + day0, level=distinct % width // n, step=names[distinct % n],
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
