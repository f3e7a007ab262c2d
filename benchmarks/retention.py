"""Retention purge on a large touch table: rows purged per second and the longest lock held.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cl_bench \\
        .venv/bin/python benchmarks/retention.py [--touches 1000000] [--batches 1000 5000 20000]

Builds a throwaway test database (PostgreSQL; SQLite works but says little about locks) with one
workspace, ``--touches`` touches spread over 400 days on a quarter as many visitors, every touch
with click id, landing URL, referrer, IP and user agent, then runs the real purge
(``crm_sync.privacy.retention.retention_purge``, policy: touches older than 200 days, so about
half are purged) once per batch size, restoring the purged columns in between.

Reported per batch size: rows purged per second; the longest batch transaction (the longest any
purged row stays locked: a writer of that row, such as an erasure, waits at most that long); and
a concurrent writer's experience — a thread inserting touches into the same table on its own
connection the whole time, its longest and 99th-percentile insert, measured during the purge and,
in the same run, for as long again without it. Figures are printed, never asserted; the machine
is shared, so compare the ratios of one run.
"""

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from attribution.models import Touchpoint, Visitor, Workspace  # noqa: E402
from crm_sync.models import RetentionPolicy  # noqa: E402
from crm_sync.privacy.retention import retention_purge  # noqa: E402

DAYS, KEEP_DAYS = 400, 200


def seed(touches: int) -> Workspace:
    """One workspace, touches/4 visitors and ``touches`` touches, set-based (one INSERT each)."""
    workspace = Workspace.objects.create(name="Retention bench", slug="retention-bench")
    now = timezone.now()
    visitors = max(touches // 4, 1)
    v, t = Visitor._meta.db_table, Touchpoint._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {v} (workspace_id, uid, first_seen_at, last_seen_at) "  # noqa: S608
                "SELECT %s, md5(g::text)::uuid, %s, %s FROM generate_series(1, %s) g",
                [workspace.pk, now, now, visitors])
            cursor.execute(f"SELECT min(id) FROM {v} WHERE workspace_id = %s", [workspace.pk])  # noqa: S608
            first = cursor.fetchone()[0]
            cursor.execute(
                f"INSERT INTO {t} (workspace_id, visitor_id, occurred_at, kind, channel, "  # noqa: S608
                "utm_source, utm_medium, utm_campaign, utm_content, utm_term, ttclid, fbclid, gclid, "
                "landing_url, referrer, ip_truncated, user_agent, touch_key, created_at) "
                "SELECT %s, %s + (g %% %s), %s - (g::bigint * %s * 1440 / %s) * interval '1 minute', "
                "'click', 'tiktok', 'tiktok', 'paid_social', 'spring_sale', '', '', 'E.C.P.' || g, '', '', "
                "'https://shop.example.com/?ttclid=E.C.P.' || g, 'https://www.tiktok.com/', "
                "'203.0.113.0', 'Mozilla/5.0 (bench)', md5(g::text), %s "
                "FROM generate_series(1, %s) g",
                [workspace.pk, first, visitors, now, DAYS, touches, now, touches])
            cursor.execute(f"ANALYZE {t}")
        else:
            raise SystemExit("Run it on PostgreSQL (DATABASE_URL=postgres://…).")
    return workspace


def restore(workspace: Workspace) -> None:
    """Give purged touches their personal columns back, for the next batch size."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Touchpoint._meta.db_table} SET ttclid = 'E.C.P.' || id, "  # noqa: S608
            "landing_url = 'https://shop.example.com/?ttclid=E.C.P.' || id, "
            "referrer = 'https://www.tiktok.com/', ip_truncated = '203.0.113.0', "
            "user_agent = 'Mozilla/5.0 (bench)', touch_key = md5(id::text) "
            "WHERE workspace_id = %s AND ttclid = ''", [workspace.pk])
        cursor.execute(f"VACUUM ANALYZE {Touchpoint._meta.db_table}")


class Writer(threading.Thread):
    """Inserts one touch at a time on its own connection and records each insert's latency."""

    def __init__(self, workspace: Workspace, visitor_id: int):
        super().__init__(daemon=True)
        self.workspace, self.visitor_id = workspace, visitor_id
        self.latencies: list[float] = []
        self.stop = threading.Event()

    def run(self):
        try:
            while not self.stop.is_set():
                started = time.perf_counter()
                Touchpoint.objects.create(workspace=self.workspace, visitor_id=self.visitor_id,
                                          occurred_at=timezone.now(), ttclid="live")
                self.latencies.append(time.perf_counter() - started)
                time.sleep(0.005)
        finally:
            connections.close_all()


def writer_during(workspace, visitor_id, action) -> tuple[object, list[float], float]:
    writer = Writer(workspace, visitor_id)
    writer.start()
    started = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - started
    writer.stop.set()
    writer.join()
    return result, writer.latencies, seconds


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if len(values) >= 100 else max(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--touches", type=int, default=1_000_000)
    parser.add_argument("--batches", type=int, nargs="+", default=[1000, 5000, 20000])
    args = parser.parse_args()
    load_before = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        workspace = seed(args.touches)
        print(f"seeded {args.touches:,} touches in {time.perf_counter() - started:.1f} s")
        visitor_id = Visitor.objects.filter(workspace=workspace).values_list("pk", flat=True)[0]
        for batch in args.batches:
            policy = RetentionPolicy.objects.update_or_create(
                workspace=workspace, defaults={"touch_days": KEEP_DAYS,
                                               "touches_purged_through": None})[0]
            stats, during, seconds = writer_during(
                workspace, visitor_id, lambda p=policy, b=batch: retention_purge(policy=p, batch_size=b))
            _, idle, _ = writer_during(workspace, visitor_id, lambda s=seconds: time.sleep(s))
            rows = stats.rows["touchpoints"]
            print(f"batch {batch:>6,}: {rows:,} touches purged in {seconds:.1f} s = "
                  f"{rows / seconds:,.0f} rows/s; {stats.batches} batches, longest "
                  f"{stats.longest_batch_seconds * 1000:.0f} ms; concurrent insert max / p99 "
                  f"{max(during) * 1000:.0f} / {p99(during) * 1000:.0f} ms during the purge, "
                  f"{max(idle) * 1000:.0f} / {p99(idle) * 1000:.0f} ms without "
                  f"({len(during)} / {len(idle)} inserts)")
            restore(workspace)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"database: {connection.vendor}; load average before: {load_before}, after: {load}")


if __name__ == "__main__":
    main()
