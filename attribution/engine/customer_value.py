"""Customer value by first-touch channel: what a channel's new customers spend in their first days.

A customer is a person (contact, or a lone visitor) with at least one conversion that has an
eligible touch. Their first touch is the earliest first touch of any of their paths (ties: the
lower conversion id); its channel is the customer's first-touch channel and its local day their
cohort day. Revenue at N days is the value of every conversion of theirs (repeat purchases and CRM
stages alike) booked on the cohort day or up to N days after it. Rows are additive: an
incremental run writes the difference its new conversions make (``customer_value_delta``).
"""

from dataclasses import dataclass

import numpy as np

from .arrays import NO_PERSON
from .local_days import local_days
from .paths import HORIZON_DAYS, NO_TIME


@dataclass(frozen=True)
class PersonConversions:
    """Conversions with their path's first touch: the input, from a chunk or from stored paths."""

    person: np.ndarray
    id: np.ndarray
    day: np.ndarray  # local day the conversion was booked
    value: np.ndarray  # micro-units
    currency: np.ndarray
    first_time: np.ndarray  # µs, or NO_TIME
    first_channel: np.ndarray

    def __len__(self) -> int:
        return len(self.id)

    @classmethod
    def concat(cls, *parts: "PersonConversions") -> "PersonConversions":
        names = ["person", "id", "day", "value", "currency", "first_time", "first_channel"]
        return cls(**{n: np.concatenate([getattr(p, n).astype(np.int64) for p in parts]) for n in names})


@dataclass(frozen=True)
class CustomerValue:
    """Per (cohort day, first-touch channel, currency): customers and revenue at each horizon."""

    day: np.ndarray
    channel: np.ndarray
    currency: np.ndarray
    customers: np.ndarray
    revenue: np.ndarray  # (rows, len(HORIZON_DAYS)) micro-units

    def __len__(self) -> int:
        return len(self.day)


def customer_value(rows: PersonConversions, tz_name: str) -> CustomerValue:
    """Cohort rows of every customer among ``rows`` (all of each person's conversions)."""
    known = rows.person != NO_PERSON
    touched = np.flatnonzero(known & (rows.first_time != NO_TIME))
    order = touched[np.lexsort((rows.id[touched], rows.first_time[touched], rows.person[touched]))]
    person = rows.person[order]
    is_first = np.ones(len(order), dtype=bool)
    is_first[1:] = person[1:] != person[:-1]
    anchors = order[is_first]  # each customer's conversion with the earliest first touch
    customers = rows.person[anchors]
    cohort_day = local_days(rows.first_time[anchors], tz_name).astype(np.int64)
    channel = rows.first_channel[anchors].astype(np.int64)

    if not len(customers):
        empty = np.zeros(0, dtype=np.int64)
        return CustomerValue(empty, empty, empty, empty, np.zeros((0, len(HORIZON_DAYS)), dtype=np.int64))
    pos = np.minimum(np.searchsorted(customers, rows.person), len(customers) - 1)
    mine = known & (customers[pos] == rows.person)
    offset = rows.day.astype(np.int64) - cohort_day[pos]
    counted = np.flatnonzero(mine & (offset >= 0))
    revenue = np.zeros((len(counted), len(HORIZON_DAYS)), dtype=np.int64)
    for i, horizon in enumerate(HORIZON_DAYS):
        revenue[:, i] = np.where(offset[counted] <= horizon, rows.value[counted], 0)
    return _sum_by_key(
        day=np.concatenate((cohort_day, cohort_day[pos[counted]])),
        channel=np.concatenate((channel, channel[pos[counted]])),
        currency=np.concatenate((rows.currency[anchors], rows.currency[counted])).astype(np.int64),
        customers=np.concatenate((np.ones(len(anchors), dtype=np.int64),
                                  np.zeros(len(counted), dtype=np.int64))),
        revenue=np.concatenate((np.zeros((len(anchors), len(HORIZON_DAYS)), dtype=np.int64), revenue)))


def customer_value_delta(before: CustomerValue, after: CustomerValue) -> CustomerValue:
    """``after`` minus ``before``, row by row; keys whose difference is nothing are left out."""
    merged = _sum_by_key(
        day=np.concatenate((after.day, before.day)),
        channel=np.concatenate((after.channel, before.channel)),
        currency=np.concatenate((after.currency, before.currency)),
        customers=np.concatenate((after.customers, -before.customers)),
        revenue=np.concatenate((after.revenue, -before.revenue)))
    keep = (merged.customers != 0) | (merged.revenue != 0).any(axis=1)
    return CustomerValue(merged.day[keep], merged.channel[keep], merged.currency[keep],
                         merged.customers[keep], merged.revenue[keep])


def _sum_by_key(*, day, channel, currency, customers, revenue) -> CustomerValue:
    if not len(day):
        return CustomerValue(day, channel, currency, customers, revenue)
    order = np.lexsort((currency, channel, day))
    change = np.zeros(len(order), dtype=bool)
    change[0] = True
    for key in (day, channel, currency):
        k = key[order]
        change[1:] |= k[1:] != k[:-1]
    starts = np.flatnonzero(change)
    first = order[starts]
    return CustomerValue(day=day[first], channel=channel[first], currency=currency[first],
                         customers=np.add.reduceat(customers[order], starts),
                         revenue=np.add.reduceat(revenue[order], starts, axis=0))
