"""A real ``celery -A config worker`` over Redis attributes a run in the PostgreSQL test database."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from attribution.models import AttributionCredit, AttributionRun, RunStatus
from attribution.runs import services
from tests.conftest import skip_or_fail
from tests.runs.journeys import journey, models_of

pytestmark = [pytest.mark.services, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


def _redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def worker(transactional_db):
    """A worker process bound to this test's database (which it can see: data is committed)."""
    if connection.vendor != "postgresql":
        skip_or_fail("the Celery worker test needs PostgreSQL (DATABASE_URL=postgres://…)")
    if not settings.REDIS_URL or not _redis_reachable(settings.REDIS_URL):
        skip_or_fail("the Celery worker test needs Redis (REDIS_URL=redis://…)")
    db = settings.DATABASES["default"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "REDIS_URL": settings.REDIS_URL, "CELERY_TASK_ALWAYS_EAGER": "false", "CONN_MAX_AGE": "0",
           "ATTRIBUTION_CHUNK_CONVERSIONS": "2"}  # the worker plans: three chunks for five conversions
    from config.celery import app

    app.control.purge()
    eager, app.conf.task_always_eager = app.conf.task_always_eager, False  # send through Redis
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
         "--concurrency", "1", "--loglevel", "WARNING", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    yield proc
    app.conf.task_always_eager = eager
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def wait_for_end(run_id: int, timeout: float = 90.0) -> AttributionRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = AttributionRun.objects.get(id=run_id)
        if run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
            return run
        time.sleep(0.3)
    raise AssertionError(f"run {run_id} still {run.status} after {timeout}s")


def test_a_real_worker_runs_every_chunk_and_publishes_the_run(worker, workspace):
    models_of(workspace)
    for _ in range(5):
        journey(workspace, touches=[(3, "meta", "click"), (1, "tiktok", "click")])
    run = services.run_request(workspace=workspace)  # autocommit: on_commit sends at once
    finished = wait_for_end(run.id)
    if finished.status != RunStatus.SUCCEEDED:
        worker.terminate()
        raise AssertionError(f"run ended {finished.status}: {finished.error}\n"
                             f"{worker.communicate(timeout=20)[0].decode()[-3000:]}")
    assert (finished.total, finished.processed) == (5, 5)
    assert finished.chunks_total == finished.chunks_done == 3
    assert AttributionCredit.objects.filter(run=finished).count() == 5 * (3 + 3 * 2)
