"""Calendar days in a time zone for many instants at once (rollups are per local day)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np

_BUCKET_US = 15 * 60 * 1_000_000  # every real UTC offset changes on a quarter-hour boundary
_DAY_US = 86_400_000_000


def local_days(time_us: np.ndarray, tz_name: str) -> np.ndarray:
    """Days since 1970-01-01 of each UTC instant (µs) as seen on a wall clock in ``tz_name``.

    The offset is looked up once per distinct quarter hour, not once per row.
    """
    if not len(time_us):
        return np.zeros(0, dtype=np.int32)
    if tz_name == "UTC":
        return (time_us // _DAY_US).astype(np.int32)
    tz = ZoneInfo(tz_name)
    buckets, inverse = np.unique(time_us // _BUCKET_US, return_inverse=True)
    offsets = np.array([
        int(datetime.fromtimestamp(int(b) * _BUCKET_US / 1e6, UTC).astimezone(tz)
            .utcoffset().total_seconds()) * 1_000_000
        for b in buckets], dtype=np.int64)
    return ((time_us + offsets[inverse]) // _DAY_US).astype(np.int32)
