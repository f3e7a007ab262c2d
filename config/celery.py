"""The Celery application.

With no ``REDIS_URL`` the settings make every task run eagerly in-process (the embedded default);
with it, tasks go through Redis to real workers (``celery -A config worker``).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("clickledger")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["crm_sync.tiktok_reporting", "crm_sync.ad_platforms"])  # sub-packages
app.autodiscover_tasks(["crm_sync.privacy"])  # retention purge
