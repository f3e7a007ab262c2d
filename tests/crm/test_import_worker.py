"""A real Celery worker over Redis runs a confirmed import; another process sees its progress."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from crm_sync.importing.selectors import deal_import_progress
from crm_sync.importing.services import deal_import_create, deal_import_queue
from crm_sync.models import Deal, DealImport, ImportStatus
from tests.conftest import real_broker, require_redis, worker_database_url
from tests.factories import WorkspaceFactory

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = [pytest.mark.services, pytest.mark.slow]


@pytest.fixture
def worker(transactional_db, settings, tmp_path):
    url = require_redis()
    # Progress travels through the cache: read it from the Redis the worker writes to.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": url}}
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test",
           "DATABASE_URL": worker_database_url(), "REDIS_URL": url,
           "CELERY_TASK_ALWAYS_EAGER": "false", "MEDIA_ROOT": settings.MEDIA_ROOT}
    with real_broker(url) as app:
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge("celery")
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "--without-gossip",
             "--without-mingle", "--without-heartbeat", "-l", "warning"],
            cwd=ROOT, env=env, stdout=(tmp_path / "worker.log").open("w"), stderr=subprocess.STDOUT)
        yield process
        process.terminate()
        process.wait(timeout=20)


def test_a_worker_imports_a_confirmed_file_and_its_progress_is_visible_meanwhile(worker):
    workspace = WorkspaceFactory()
    rows = "".join(f"{n},appointmentscheduled,{n}.00,p{n}@example.com\n" for n in range(30_000))
    content = ("Record ID,Deal Stage,Amount,Email\n" + rows).encode()
    deal_import = deal_import_create(workspace=workspace, file=ContentFile(content, "big.csv"),
                                     preset="hubspot")

    deal_import_queue(deal_import=deal_import)  # autocommit: on_commit fires at once
    seen, deadline = [], time.monotonic() + 120
    while time.monotonic() < deadline:
        deal_import.refresh_from_db()
        seen.append((deal_import.status, deal_import_progress(deal_import=deal_import)["rows"]))
        if deal_import.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED):
            break
        time.sleep(0.05)

    assert deal_import.status == ImportStatus.SUCCEEDED, deal_import.error
    assert Deal.objects.filter(workspace=workspace).count() == 30_000
    running = [rows for status, rows in seen if status == ImportStatus.RUNNING]
    assert any(0 < rows < 30_000 for rows in running), seen[-5:]
    assert DealImport.objects.get().rows_created == 30_000
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
