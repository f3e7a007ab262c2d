"""The flat, column-oriented inputs and outputs of the engine.

Times are int64 microseconds since the Unix epoch (UTC). Money is int64 micro-units of the
currency (value × 10⁶), so splitting and summing is exact. Ids of ad entities use 0 for "none".
"""

from dataclasses import dataclass, fields

import numpy as np

KIND_CLICK = 0  # click, organic and direct touches: they use the click window
KIND_VIEW = 1
NO_PERSON = 0  # a conversion nobody can be traced for (contact ids > 0, lone visitors < 0)
NO_TOUCH = -1  # touch index of an "unattributed" credit


def _as(kind, values):
    return np.ascontiguousarray(values, dtype=kind)


@dataclass(frozen=True)
class Touches:
    """One row per touchpoint. ``person`` is the contact (cross-device) or else the lone visitor."""

    id: np.ndarray
    person: np.ndarray
    time: np.ndarray
    kind: np.ndarray
    channel: np.ndarray
    campaign: np.ndarray
    adgroup: np.ndarray
    ad: np.ndarray

    @classmethod
    def from_columns(cls, **cols) -> "Touches":
        n = len(cols["id"])
        zeros = np.zeros(n, dtype=np.int64)
        return cls(
            id=_as(np.int64, cols["id"]), person=_as(np.int64, cols["person"]),
            time=_as(np.int64, cols["time"]), kind=_as(np.int8, cols["kind"]),
            channel=_as(np.int16, cols["channel"]),
            campaign=_as(np.int64, cols.get("campaign", zeros)),
            adgroup=_as(np.int64, cols.get("adgroup", zeros)),
            ad=_as(np.int64, cols.get("ad", zeros)),
        )

    def __len__(self) -> int:
        return len(self.id)

    def take(self, rows: np.ndarray) -> "Touches":
        """The touches selected by ``rows`` (a boolean mask or indexes), in that order."""
        return Touches(**{f.name: getattr(self, f.name)[rows] for f in fields(self)})


@dataclass(frozen=True)
class Conversions:
    """One row per conversion to attribute. ``day`` is the local calendar day (days since epoch)."""

    id: np.ndarray
    person: np.ndarray
    time: np.ndarray
    value: np.ndarray
    currency: np.ndarray
    day: np.ndarray

    @classmethod
    def from_columns(cls, **cols) -> "Conversions":
        n = len(cols["id"])
        time = _as(np.int64, cols["time"])
        return cls(
            id=_as(np.int64, cols["id"]), person=_as(np.int64, cols["person"]), time=time,
            value=_as(np.int64, cols.get("value", np.zeros(n))),
            currency=_as(np.int32, cols.get("currency", np.zeros(n))),
            day=_as(np.int32, cols["day"] if "day" in cols else time // 86_400_000_000),
        )

    def __len__(self) -> int:
        return len(self.id)

    def take(self, rows: np.ndarray) -> "Conversions":
        """The conversions selected by ``rows`` (a boolean mask or indexes), in that order."""
        return Conversions(**{f.name: getattr(self, f.name)[rows] for f in fields(self)})


@dataclass(frozen=True)
class Credits:
    """One model's credits, grouped by conversion: touch == NO_TOUCH means unattributed.

    ``row`` is the credit's journey row: its pair index in ``Journeys`` or, for an unattributed
    conversion, ``len(journeys) + its position in journeys.unattributed``.
    """

    conv: np.ndarray
    touch: np.ndarray
    weight: np.ndarray
    revenue: np.ndarray
    row: np.ndarray

    def __len__(self) -> int:
        return len(self.conv)


@dataclass(frozen=True)
class Rollup:
    """Aggregated credits per (day, channel, campaign, ad group, ad, currency)."""

    day: np.ndarray
    channel: np.ndarray
    campaign: np.ndarray
    adgroup: np.ndarray
    ad: np.ndarray
    currency: np.ndarray
    conversions: np.ndarray
    revenue: np.ndarray

    def __len__(self) -> int:
        return len(self.day)

    def rows(self):
        """Plain tuples in field order, for writers and tests."""
        cols = [getattr(self, f.name).tolist() for f in fields(self)]
        return list(zip(*cols, strict=True))
