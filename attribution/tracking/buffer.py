"""The collector's write buffer: accepted records wait in a Redis list and are stored in bulk.

A browser beacon costs one Redis round trip instead of a handful of SQL statements; a drain task
stores hundreds of records per transaction. Storing is idempotent (touch_key, event_id), so the
drain is at-least-once: a crash between storing and trimming only repeats a batch.

Without Redis (``COLLECTOR_BUFFER`` off, the default when no ``REDIS_URL``) records are stored on
the request itself.
"""

import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import redis
from django.conf import settings
from redis.exceptions import NoScriptError

log = logging.getLogger(__name__)

BUFFER_KEY = "cl:collect:buffer"
DEAD_KEY = "cl:collect:dead"
SCHEDULED_KEY = "cl:collect:drain-scheduled"
LOCK_KEY = "cl:collect:drain-lock"


@dataclass(frozen=True)
class ThrottleWindow:
    """A fixed-window rate limit as one Redis counter: ``key`` may reach ``limit`` hits."""

    key: str
    limit: int
    seconds: int
    ends_at: float


def buffer_enabled() -> bool:
    return bool(settings.CLICKLEDGER["COLLECTOR_BUFFER"])


@lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=5)


def redis_client() -> redis.Redis:
    return _client(settings.CLICKLEDGER["COLLECTOR_BUFFER_URL"] or settings.REDIS_URL)


# Count the request in its throttle window and append the record: one round trip per beacon.
_ADMIT_LUA = """
if KEYS[1] ~= '' then
  local hits = redis.call('INCR', KEYS[1])
  if hits == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
  if hits > tonumber(ARGV[1]) then return -1 end
end
redis.call('RPUSH', KEYS[2], ARGV[3])
if redis.call('SET', KEYS[3], '1', 'NX', 'EX', 60) then return 1 end
return 0
"""
THROTTLED, QUEUED, QUEUED_DRAIN_NEEDED = -1, 0, 1


@lru_cache(maxsize=4)
def _admit_script(url: str):
    return _client(url).register_script(_ADMIT_LUA)


class _ThreadConnections(threading.local):
    """Each thread's own connection per Redis URL, for the one command every beacon sends.

    Through the client, a command pays for a pool checkout and release and redis-py's retry and
    observability wrappers: 97-132 µs of CPU per call on the 2-core machine, against 57-69 µs
    on a connection the thread keeps (benchmarks/README.md, collector). The connection is made
    with the client's own settings (timeouts, credentials, TLS) and checked as the pool checks
    its own; a forked child starts afresh.
    """

    def __init__(self):
        self.pid = os.getpid()
        self.by_url: dict[str, redis.connection.AbstractConnection] = {}

    def get(self, url: str):
        if self.pid != os.getpid():
            self.pid, self.by_url = os.getpid(), {}
        conn = self.by_url.get(url)
        if conn is None:
            pool = _client(url).connection_pool
            conn = self.by_url[url] = pool.connection_class(**pool.connection_kwargs)
        return conn


_connections = _ThreadConnections()


def _run_admit(url: str, keys: list[str], args: list) -> int:
    """EVALSHA the admit script on this thread's connection."""
    conn = _connections.get(url)
    _ensure_ready(conn)
    try:
        return _evalsha(conn, _admit_script(url).sha, keys, args)
    except NoScriptError:  # a restarted or flushed Redis: nothing ran; load the script, resend
        return _evalsha(conn, _client(url).script_load(_ADMIT_LUA), keys, args)


def _ensure_ready(conn) -> None:
    """What the pool checks before lending a connection: connected, and nothing left to read
    (an idle connection the server closed reads as end-of-file): else reconnect."""
    try:
        stale = conn.can_read()  # connects first when not connected
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        stale = True
    if stale:
        conn.disconnect()
        conn.connect()


def _evalsha(conn, sha: str, keys: list[str], args: list):
    conn.send_packed_command([resp_command("EVALSHA", sha, len(keys), *keys, *args)])
    return conn.read_response()


def resp_command(*parts: str | int) -> bytes:
    """The command as redis-py's packer writes str (UTF-8) and int arguments, in one bytes object:
    its general packer costs ~4 µs per beacon on encoders and size checks this command never needs."""
    encoded = [part.encode() if isinstance(part, str) else b"%d" % part for part in parts]
    return b"*%d\r\n" % len(encoded) + b"".join(b"$%d\r\n%b\r\n" % (len(e), e) for e in encoded)


def buffer_admit(record: dict, *, throttle: ThrottleWindow | None = None) -> int:
    """Count a beacon against its throttle window and, unless over the limit, append it.

    Returns THROTTLED, QUEUED, or QUEUED_DRAIN_NEEDED (no drain is pending: schedule one).
    Pushing before claiming the flag matters: a drainer that clears it re-checks the list.
    """
    url = settings.CLICKLEDGER["COLLECTOR_BUFFER_URL"] or settings.REDIS_URL
    return int(_run_admit(
        url, [throttle.key if throttle else "", BUFFER_KEY, SCHEDULED_KEY],
        [throttle.limit if throttle else 0, throttle.seconds + 1 if throttle else 0,
         json.dumps(record, separators=(",", ":"))]))


def buffer_push(record: dict) -> bool:
    """Append a record; True when the caller should schedule a drain (none is pending)."""
    pipe = redis_client().pipeline()
    pipe.rpush(BUFFER_KEY, json.dumps(record, separators=(",", ":")))
    # Push before claiming the flag: a drainer that clears the flag re-checks the list afterwards.
    pipe.set(SCHEDULED_KEY, 1, nx=True, ex=60)
    _, claimed = pipe.execute()
    return bool(claimed)


def buffer_length() -> int:
    return redis_client().llen(BUFFER_KEY)


def buffer_drain(*, store: Callable[[list[dict]], object], batch_size: int = 1000,
                 is_retryable: Callable[[Exception], bool] = lambda exc: False) -> tuple[int, bool]:
    """Store buffered records in batches; return (how many, whether a new drain is needed).

    Full batches are drained back to back (a backlog); after a partial one the drain stops, so
    that under a steady trickle batches gather for ``COLLECTOR_DRAIN_DELAY_SECONDS`` instead of
    being stored a few rows at a time. When records arrived meanwhile the second value is True:
    they rely on the caller to schedule the next drain.

    One drainer at a time (a Redis lock). A batch that fails with a non-retryable error is moved to
    ``DEAD_KEY`` (logged) so one bad record cannot stall the buffer; retryable errors propagate with
    the batch still in the list.
    """
    client = redis_client()
    lock = client.lock(LOCK_KEY, timeout=300, blocking=False)
    if not lock.acquire():
        return 0, False
    drained = 0
    try:
        while True:
            raw = client.lrange(BUFFER_KEY, 0, batch_size - 1)
            if raw:
                _store_batch(client, raw, store, is_retryable)
                client.ltrim(BUFFER_KEY, len(raw), -1)
                drained += len(raw)
                lock.extend(300, replace_ttl=True)
            if len(raw) == batch_size:
                continue
            client.delete(SCHEDULED_KEY)
            # A push that raced the flag's deletion found it still set and relies on us.
            pending = bool(client.llen(BUFFER_KEY)) and bool(
                client.set(SCHEDULED_KEY, 1, nx=True, ex=60))
            return drained, pending
    finally:
        lock.release()


def _store_batch(client: redis.Redis, raw: list[bytes], store, is_retryable) -> None:
    try:
        store([json.loads(item) for item in raw])
    except Exception as exc:
        if is_retryable(exc):
            raise
        log.exception("collector drain: %d records moved to %s", len(raw), DEAD_KEY)
        client.rpush(DEAD_KEY, *raw)
