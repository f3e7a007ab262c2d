"""Configuration: the embedded default, and the production checklist."""

import json
import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], 'eager': s.CELERY_TASK_ALWAYS_EAGER,"
    " 'broker': s.CELERY_BROKER_URL, 'cache': s.CACHES['default']['BACKEND'],"
    " 'num_proxies': s.REST_FRAMEWORK['NUM_PROXIES'],"
    " 'demo_pages': s.CLICKLEDGER['TRACKER_DEMO_PAGES']}))"
)


def _settings_with(env: dict) -> dict:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "CI")}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings.local")
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_no_environment_means_sqlite_and_eager_tasks():
    s = _settings_with({})
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["eager"] is True
    assert s["broker"] == "memory://"


def test_num_proxies_is_read_from_the_environment_and_unset_by_default():
    assert _settings_with({})["num_proxies"] is None
    assert _settings_with({"NUM_PROXIES": "1"})["num_proxies"] == 1


def test_database_and_redis_urls_switch_to_postgresql_and_a_real_broker():
    s = _settings_with({"DATABASE_URL": "postgres://u@db.internal:5432/clickledger",
                        "REDIS_URL": "redis://cache.internal:6379/0"})
    assert s["engine"] == "django.db.backends.postgresql"
    assert s["eager"] is False
    assert s["broker"] == "redis://cache.internal:6379/0"
    assert s["cache"] == "django.core.cache.backends.redis.RedisCache"


def test_local_settings_serve_the_demo_landing_pages_because_debug_is_on():
    assert _settings_with({})["demo_pages"] is True
    assert _settings_with({"DEBUG": "false"})["demo_pages"] is False
    assert _settings_with({"TRACKER_DEMO_PAGES": "false"})["demo_pages"] is False


def test_production_settings_pass_check_deploy_without_warnings():
    # Playwright tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never would.
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.production",
               SECRET_KEY=Fernet.generate_key().decode() + "x7!Qz#pL0v$Wm2@Rk9^Tn4&Yb8*Hc6",
               ALLOWED_HOSTS="clickledger.example.com",
               FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode())
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level",
                             "WARNING"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
