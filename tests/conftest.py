"""Shared fixtures and the service-availability rules.

Tests that need a real PostgreSQL, Redis or Celery worker are marked ``services``; tests that need
Debian's Chromium are marked ``browser``. Without those on the machine they are skipped with the
reason — except under ``CI=true``, where a skip of that kind fails the run.
"""

import contextlib
import os
from pathlib import Path

import pytest

from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

IN_CI = os.environ.get("CI", "").lower() == "true"


def skip_or_fail(reason: str):
    """Skip locally; in CI a missing service is an error, never a silent skip."""
    if IN_CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


CHROMIUM = "/usr/bin/chromium"  # Debian's; Playwright's own browser downloads fail here
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@contextlib.contextmanager
def chromium(monkeypatch):
    """A headless Chromium launched through Playwright, for a fixture to yield from; skipped (or
    failed, in CI) without Debian's Chromium."""
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"{CHROMIUM} is missing (apt-get install chromium)")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls around it are sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # The connection the test used under Playwright (its event loop gives the ORM another
            # context) is closed here: the session's teardown does not see it, and PostgreSQL
            # would refuse to drop the test database while it is open.
            connections.close_all()


@pytest.fixture
def workspace(db):
    return WorkspaceFactory()


@pytest.fixture
def other_workspace(db):
    return WorkspaceFactory()


@pytest.fixture
def member(db, workspace):
    """A staff user who is an admin of ``workspace`` only."""
    user = UserFactory()
    MembershipFactory(user=user, workspace=workspace)
    return user


_LOCAL_REDIS = "redis://127.0.0.1:6379/{db}"
_CLAIM_KEY = "clickledger:tests:claimed-by"
_claimed_url: str | None = None


def redis_url() -> str:
    """The Redis tests may use: REDIS_URL, else a database of the machine's local Redis that no
    other test run is using (two checkouts' suites at once would otherwise flush, purge and drain
    each other's data). The claim lasts for this run, or an hour should the run die."""
    global _claimed_url
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    if _claimed_url is None:
        _claimed_url = _claim_local_database()
    return _claimed_url


def _claim_local_database() -> str:
    import redis

    for db in range(14, 7, -1):
        url = _LOCAL_REDIS.format(db=db)
        try:
            client = redis.Redis.from_url(url, socket_connect_timeout=1)
            if client.set(_CLAIM_KEY, os.getpid(), nx=True, ex=3600) or \
                    client.get(_CLAIM_KEY) == str(os.getpid()).encode():
                return url
        except redis.RedisError:
            break  # no local Redis: require_redis() says so
    return _LOCAL_REDIS.format(db=14)


def flush_redis(client) -> None:
    """Empty the tests' Redis database, keeping this run's claim on it."""
    client.flushdb()
    if _claimed_url is not None and not os.environ.get("REDIS_URL"):
        client.set(_CLAIM_KEY, os.getpid(), ex=3600)


def pytest_sessionfinish(session, exitstatus):
    if _claimed_url is None or os.environ.get("REDIS_URL"):
        return
    import redis

    with contextlib.suppress(redis.RedisError):
        client = redis.Redis.from_url(_claimed_url, socket_connect_timeout=1)
        if client.get(_CLAIM_KEY) == str(os.getpid()).encode():
            client.delete(_CLAIM_KEY)


@pytest.fixture
def live_redis():
    """A reachable, emptied Redis database; skipped (failed under CI) when there is none."""
    import redis

    client = redis.Redis.from_url(require_redis())
    flush_redis(client)
    yield client
    flush_redis(client)
    client.close()


def require_redis() -> str:
    """The URL of a reachable Redis for tests that need one; skip (fail under CI) without."""
    import redis

    url = redis_url()
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        skip_or_fail(f"no Redis at {url}: {exc}")
    return url


@contextlib.contextmanager
def real_broker(url: str):
    """Send this process's Celery tasks through Redis at ``url`` (not eagerly) for a while.

    The test settings run tasks eagerly with an in-memory broker when REDIS_URL is unset; a test
    that starts a real worker needs ``.delay()`` in the code under test to reach that worker.
    """
    from config.celery import app

    def forget_pools():
        # Connection and producer pools are bound to the broker they were first made for.
        app._pool = None
        app.amqp._producer_pool = None

    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = url, False
    forget_pools()
    try:
        yield app
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        forget_pools()


def worker_database_url() -> str:
    """The test database as a URL that a worker subprocess can open (PostgreSQL or the SQLite file)."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return (f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
                f"/{db['NAME']}")
    if connection.vendor == "sqlite" and not connection.is_in_memory_db():
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    skip_or_fail(f"a worker process cannot share a {connection.vendor} in-memory test database")
