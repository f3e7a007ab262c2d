"""Shared fixtures and the service-availability rules.

Tests that need a real PostgreSQL, Redis or Celery worker are marked ``services``; tests that need
Debian's Chromium are marked ``browser``. Without those on the machine they are skipped with the
reason — except under ``CI=true``, where a skip of that kind fails the run.
"""

import os

import pytest

from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

IN_CI = os.environ.get("CI", "").lower() == "true"


def skip_or_fail(reason: str):
    """Skip locally; in CI a missing service is an error, never a silent skip."""
    if IN_CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


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


def redis_url() -> str:
    """The Redis tests may use: REDIS_URL, else the machine's local Redis (db 14)."""
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"


@pytest.fixture
def live_redis():
    """A reachable, emptied Redis database; skipped (failed under CI) when there is none."""
    import redis

    url = redis_url()
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        skip_or_fail(f"no Redis at {url}")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()
