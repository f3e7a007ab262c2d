"""Conversion sync throughput: events/s delivered to the fake TikTok, batched vs one event per request.

Runs the real drain (claim with SKIP LOCKED, payload building, HTTP on loopback, recording replies)
against a throwaway test database (SQLite by default, PostgreSQL when DATABASE_URL is set) and the
fake server from tests/fake_tiktok.py, which runs in a process of its own (TikTok's servers do not
share our CPU time either, and it still validates every event). Rate limiting is set out of the way:
this measures our side.

    python benchmarks/sync.py                    # 20,000 events batched, 2,000 unbatched
    python benchmarks/sync.py --events 50000 --unbatched-events 3000
"""

import argparse
import multiprocessing
import os
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from attribution.models import (  # noqa: E402
    ConversionEvent,
    OutboxEntry,
    OutboxStatus,
    TikTokIntegration,
    Workspace,
)
from crm_sync.services.outbox_drain import Environment, outbox_drain  # noqa: E402
from crm_sync.tiktok.rate_limit import LocalRateLimiter  # noqa: E402
from tests.fake_tiktok import FakeTikTok  # noqa: E402

TOKEN = "bench-token"
EMAIL_HASH = "836f82db99121b3481011f16b49dfa5fbc714a0d1b1b9f784a1ebbbf5b39577f"


def seed(count: int) -> TikTokIntegration:
    """``count`` conversions with realistic fields and their queued outbox rows, in bulk."""
    workspace = Workspace.objects.create(name="Bench", slug=f"bench-{uuid.uuid4().hex[:8]}")
    integration = TikTokIntegration.objects.create(
        workspace=workspace,
        pixel_code="CBENCHPIXEL000000000",
        event_set_id="7100000000000000001",
        access_token=TOKEN,
    )
    now = timezone.now()
    conversions = ConversionEvent.objects.bulk_create(
        [
            ConversionEvent(
                workspace=workspace,
                event_name="CompletePayment",
                event_id=uuid.uuid4().hex,
                occurred_at=now - timedelta(minutes=n % 600),
                source="server",
                value="49.90",
                currency="USD",
                ttclid=f"E.C.P.{n:012d}",
                ttp=f"ttp-{n}",
                email_hash=EMAIL_HASH,
                ip_truncated="203.0.113.0",
                user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)",
                page_url="https://shop.example.com/checkout/thanks",
                properties={"order_id": f"order-{n}"},
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    OutboxEntry.objects.bulk_create(
        [
            OutboxEntry(
                workspace=workspace,
                conversion=c,
                integration=integration,
                platform_event="CompletePayment",
                next_attempt_at=now,
            )
            for c in conversions
        ],
        batch_size=2000,
    )
    if connection.vendor == "postgresql":
        # Autovacuum would do this within a minute of a bulk load; the benchmark cannot wait.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE attribution_outboxentry; ANALYZE attribution_conversionevent")
    return integration


class FakeServerProcess:
    """FakeTikTok in a child process, driven over a pipe: base_url, reset, accepted count."""

    def __init__(self, max_batch: int):
        self._conn, child = multiprocessing.Pipe()
        self._process = multiprocessing.Process(target=_serve, args=(child, max_batch), daemon=True)
        self._process.start()
        self.base_url = self._conn.recv()

    def call(self, command: str):
        self._conn.send(command)
        return self._conn.recv()

    def stop(self) -> None:
        self.call("stop")
        self._process.join(timeout=10)


def _serve(conn, max_batch: int) -> None:
    with FakeTikTok(token=TOKEN, max_batch=max_batch) as fake:
        conn.send(fake.base_url)
        while (command := conn.recv()) != "stop":
            if command == "reset":
                fake.reset()
            conn.send(len(fake.accepted))
        conn.send(None)


def run(*, batch_size: int, events: int, fake: FakeServerProcess) -> tuple[float, float]:
    """Seed ``events`` rows, drain them all; return events per wall-clock and per CPU second.

    The CPU figure counts only the draining process: on a shared machine it is the steadier one.
    """
    OutboxEntry.objects.all().delete()
    integration = seed(events)
    fake.call("reset")
    settings.CLICKLEDGER = {
        **settings.CLICKLEDGER,
        "TIKTOK_API_BASE": fake.base_url,
        "TIKTOK_BATCH_SIZE": batch_size,
    }
    env = Environment(limiter=LocalRateLimiter(rate_per_minute=10**9))
    started, cpu_started = time.perf_counter(), time.process_time()
    stats = outbox_drain(env=env, integration_id=integration.pk, max_seconds=600)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    accepted = fake.call("count")
    assert stats.sent == events == accepted, (stats, accepted)
    assert not OutboxEntry.objects.exclude(status=OutboxStatus.SENT).exists()
    return events / elapsed, events / cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=20_000, help="events sent batched")
    parser.add_argument(
        "--unbatched-events", type=int, default=2_000, help="events sent one per request (slow, so fewer)"
    )
    parser.add_argument("--batch-size", type=int, default=50)
    args = parser.parse_args()

    load_before = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    setup_test_environment()
    if connection.vendor == "sqlite":  # not the test suite's file: a test run may be using it
        connection.settings_dict["TEST"]["NAME"] = str(ROOT / "var" / f"bench-{Path(__file__).stem}.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        fake = FakeServerProcess(max_batch=max(args.batch_size, 1))
        try:
            run(batch_size=args.batch_size, events=min(2000, args.events), fake=fake)  # warm-up
            batched = run(batch_size=args.batch_size, events=args.events, fake=fake)
            single = run(batch_size=1, events=args.unbatched_events, fake=fake)
        finally:
            fake.stop()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"database: {connection.vendor}; load average before: {load_before}, after: {load}")
    print(
        f"batched ({args.batch_size}/request): {batched[0]:10,.0f} events/s "
        f"({batched[1]:,.0f} per CPU second; {args.events:,} events)"
    )
    print(
        f"unbatched (1/request):   {single[0]:10,.0f} events/s "
        f"({single[1]:,.0f} per CPU second; {args.unbatched_events:,} events)"
    )
    print(
        f"ratio batched / unbatched: {batched[0] / single[0]:.1f}x "
        f"(per CPU second: {batched[1] / single[1]:.1f}x)"
    )


if __name__ == "__main__":
    main()
