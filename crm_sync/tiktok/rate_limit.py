"""Requests-per-minute limits per access token, shared by every worker through Redis.

The algorithm is GCRA with reservations: each caller reserves the next free slot and is told how long
to wait for it, so concurrent workers are spaced evenly instead of racing and retrying. Redis keeps
one number per key (the "theoretical arrival time") and its own clock (``TIME``), so workers on
different machines agree. Without Redis a process-local limiter does the same for one process.
"""

import threading
import time
from collections.abc import Callable
from typing import Protocol

_GCRA_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - tolerance - now
if wait < 0 then wait = 0 end
local new_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.6f', new_tat), 'PX', math.ceil((new_tat - now) * 1000) + 1000)
return tostring(wait)
"""


_GCRA_HOLD = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local until_ = now + tonumber(ARGV[1]) + tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < until_ then
  redis.call('SET', KEYS[1], string.format('%.6f', until_), 'PX', math.ceil((until_ - now) * 1000) + 1000)
end
return 1
"""


class RateLimiter(Protocol):
    def reserve(self, key: str) -> float:
        """Reserve one request slot for ``key``; return the seconds to wait before sending."""

    def hold(self, key: str, seconds: float) -> None:
        """Give no slot for ``key`` for ``seconds`` (TikTok said we are over its limit)."""


def _interval_and_tolerance(rate_per_minute: int, burst: int) -> tuple[float, float]:
    if rate_per_minute <= 0:
        raise ValueError("rate_per_minute must be positive")
    interval = 60.0 / rate_per_minute
    burst = burst or max(1, rate_per_minute // 60)
    return interval, interval * (burst - 1)


class RedisRateLimiter:
    def __init__(self, redis_client, *, rate_per_minute: int, burst: int = 0,
                 prefix: str = "clickledger:ratelimit:"):
        self._redis = redis_client
        self._script = redis_client.register_script(_GCRA_RESERVE)
        self._hold = redis_client.register_script(_GCRA_HOLD)
        self._interval, self._tolerance = _interval_and_tolerance(rate_per_minute, burst)
        self._prefix = prefix

    def reserve(self, key: str) -> float:
        return float(self._script(keys=[self._prefix + key],
                                  args=[repr(self._interval), repr(self._tolerance)]))

    def hold(self, key: str, seconds: float) -> None:
        self._hold(keys=[self._prefix + key], args=[repr(float(seconds)), repr(self._tolerance)])


class LocalRateLimiter:
    """The same reservations in process memory; ``clock`` is injectable for tests."""

    def __init__(self, *, rate_per_minute: int, burst: int = 0,
                 clock: Callable[[], float] = time.monotonic):
        self._interval, self._tolerance = _interval_and_tolerance(rate_per_minute, burst)
        self._clock = clock
        self._tat: dict[str, float] = {}
        self._lock = threading.Lock()

    def reserve(self, key: str) -> float:
        with self._lock:
            now = self._clock()
            tat = max(self._tat.get(key, now), now)
            self._tat[key] = tat + self._interval
            return max(0.0, tat - self._tolerance - now)

    def hold(self, key: str, seconds: float) -> None:
        with self._lock:
            # The first slot after the hold is at now + seconds, even for a full burst.
            until = self._clock() + seconds + self._tolerance
            self._tat[key] = max(self._tat.get(key, 0.0), until)
