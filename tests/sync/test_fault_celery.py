"""Fault test: a real Celery worker drains the outbox while TikTok fails 30% of requests at random
and the worker is SIGKILLed mid-batch. Afterwards every conversion reached TikTok, each with its own
event_id (duplicates allowed, different ids never), and nothing was dead-lettered.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

import pytest

from attribution.models import OutboxEntry, OutboxStatus
from tests.conftest import require_redis, worker_database_url
from tests.factories import TikTokIntegrationFactory, WorkspaceFactory
from tests.fake_tiktok import RANDOM_RETRYABLE_FAULTS, FakeTikTok, Fault

from .conftest import TOKEN

ROOT = Path(__file__).resolve().parents[2]
CONVERSIONS = 300

pytestmark = [pytest.mark.services, pytest.mark.slow]


class Worker:
    """`celery -A config worker` in a subprocess, on a queue of its own, aimed at the test DB."""

    def __init__(self, *, redis_url: str, queue: str, api_base: str):
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test",
                    "DATABASE_URL": worker_database_url(),
                    "REDIS_URL": redis_url, "CELERY_TASK_ALWAYS_EAGER": "false",
                    "TIKTOK_API_BASE": api_base, "TIKTOK_BATCH_SIZE": "20",
                    "TIKTOK_LEASE_SECONDS": "3", "TIKTOK_TIMEOUT_SECONDS": "1",
                    "TIKTOK_BACKOFF_BASE_SECONDS": "0.2", "TIKTOK_BACKOFF_CAP_SECONDS": "1",
                    "TIKTOK_MAX_ATTEMPTS": "1000", "TIKTOK_RATE_PER_MINUTE": "60000",
                    "TIKTOK_DRAIN_MAX_SECONDS": "20", "PYTHONPATH": str(ROOT)}
        self.queue = queue
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "threads", "-c", "2",
             "-Q", self.queue, "-l", "WARNING", "--without-gossip", "--without-mingle",
             "--without-heartbeat"], cwd=ROOT, env=self.env)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


def _record_conversions(workspace) -> dict[str, str]:
    from django.utils import timezone

    from attribution.services.conversions import conversion_record

    keys = {}
    for n in range(CONVERSIONS):
        conv = conversion_record(workspace=workspace, event_name="CompletePayment",
                                 event_id=uuid.uuid4().hex, occurred_at=timezone.now(),
                                 source="server", currency="USD",
                                 properties={"order_id": f"order-{n}"}).conversion
        keys[f"order-{n}"] = conv.event_id
    return keys


def test_every_conversion_arrives_once_or_more_with_one_event_id_despite_faults_and_sigkill(
        transactional_db):
    redis_url = require_redis()
    from celery import Celery

    workspace = WorkspaceFactory()
    TikTokIntegrationFactory(workspace=workspace, access_token=TOKEN)
    expected = _record_conversions(workspace)
    queue = f"cl-sync-fault-{uuid.uuid4().hex[:8]}"
    broker = Celery(broker=redis_url)
    with FakeTikTok(token=TOKEN, max_batch=20) as fake:
        fake.latency = 0.05
        fake.fail_randomly(0.3, faults=[*RANDOM_RETRYABLE_FAULTS, Fault.slow(1.5)], seed=11)
        worker = Worker(redis_url=redis_url, queue=queue, api_base=fake.base_url)
        try:
            worker.start()
            broker.send_task("crm_sync.tasks.outbox_drain_due", queue=queue)
            _wait_for(lambda: fake.in_flight > 0 and len(fake.accepted) >= 40, 60,
                      "the worker to be mid-batch")
            worker.kill()
            leased = OutboxEntry.objects.filter(status=OutboxStatus.SENDING).count()
            assert leased > 0, "the kill should leave a leased batch behind"

            worker.start()
            deadline = time.monotonic() + 120
            while OutboxEntry.objects.exclude(status__in=[OutboxStatus.SENT,
                                                          OutboxStatus.DEAD]).exists():
                assert time.monotonic() < deadline, "the outbox did not drain in 120 s"
                broker.send_task("crm_sync.tasks.outbox_drain_due", queue=queue)
                time.sleep(1)
        finally:
            worker.kill()
        received = defaultdict(set)
        for event in fake.accepted:
            received[event["properties"]["order_id"]].add(event["event_id"])

    assert not OutboxEntry.objects.filter(status=OutboxStatus.DEAD).exists()
    assert set(received) == set(expected), "every conversion reached TikTok"
    assert {key: ids for key, ids in received.items() if ids != {expected[key]}} == {}
    assert len(fake.accepted) >= CONVERSIONS
    failed = [r for r in fake.requests if r["answer"] != "ok"]
    assert len(failed) >= 3, "the fake server should have failed some requests"
