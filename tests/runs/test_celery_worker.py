"""A real ``celery -A config worker`` over real Redis attributes a run in the test database.

The worker is a separate process, so the test commits its data (transactional_db) and points the
worker at the test database: PostgreSQL by name, or SQLite's test file.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db.models import Sum

from attribution.models import (
    AttributionCredit,
    AttributionModelFit,
    AttributionRollup,
    AttributionRun,
    FitStatus,
    RunStatus,
)
from attribution.runs import services
from attribution.runs.tasks import attribution_run_start
from config.celery import app
from tests.conftest import redis_url, require_redis, worker_database_url
from tests.runs.journeys import journey, models_of

pytestmark = [pytest.mark.services, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def broker():
    url = require_redis()
    with app.connection_for_write(url) as conn:
        conn.default_channel.queue_purge("celery")
        eager, app.conf.task_always_eager = app.conf.task_always_eager, False
        yield conn
        app.conf.task_always_eager = eager


@pytest.fixture
def worker(transactional_db, broker):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test",
           "DATABASE_URL": worker_database_url(), "REDIS_URL": redis_url(),
           "CELERY_TASK_ALWAYS_EAGER": "false", "CONN_MAX_AGE": "0",
           "ATTRIBUTION_CHUNK_CONVERSIONS": "2"}  # the worker plans: three chunks for five conversions
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
         "--loglevel", "WARNING", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def wait_for_end(run_id: int, worker, timeout: float = 90.0) -> AttributionRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = AttributionRun.objects.get(id=run_id)
        if run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
            return run
        time.sleep(0.3)
    worker.terminate()
    log = worker.communicate(timeout=20)[0].decode()[-3000:]
    raise AssertionError(f"run {run_id} still {run.status} after {timeout}s; worker said:\n{log}")


def test_a_real_worker_runs_every_chunk_and_publishes_the_run(worker, broker, workspace):
    models_of(workspace)
    for _ in range(5):
        journey(workspace, touches=[(3, "meta", "click"), (1, "tiktok", "click")])
    run = services.run_create(workspace=workspace)
    attribution_run_start.apply_async((run.id,), connection=broker)
    finished = wait_for_end(run.id, worker)
    assert finished.status == RunStatus.SUCCEEDED, finished.error
    assert (finished.total, finished.processed) == (5, 5)
    assert finished.chunks_total == finished.chunks_done == 3
    assert AttributionCredit.objects.filter(run=finished).count() == 5 * 2


def test_a_real_worker_fits_a_run_of_one_chunk_inside_that_chunk(worker, broker, workspace):
    models = models_of(workspace)
    models["markov"].params = {"min_conversions": 2}
    models["markov"].save()
    for _ in range(2):  # two conversions: one chunk
        journey(workspace, touches=[(3, "meta", "click"), (1, "tiktok", "click")])
    run = services.run_create(workspace=workspace)
    attribution_run_start.apply_async((run.id,), connection=broker)
    finished = wait_for_end(run.id, worker)
    assert finished.status == RunStatus.SUCCEEDED, finished.error
    assert finished.chunks_total == 1
    fit = AttributionModelFit.objects.get(run=finished, model_config=models["markov"])
    assert (fit.status, fit.converting) == (FitStatus.FITTED, 2)
    credited = AttributionRollup.objects.filter(run=finished, model_config=models["markov"])
    assert credited.aggregate(s=Sum("conversions"))["s"] == pytest.approx(2)
