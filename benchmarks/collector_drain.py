"""The collector drain's CPU per record, in-process: buffer N beacons' records, drain them, time it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cl_capture_bench \
    REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python benchmarks/collector_drain.py --records 20000

Records are shaped as ``collector_*_accept`` buffers them, like ``benchmarks/wrk/collector.lua``'s
beacons: alternating touches and pixel events, four beacons per visitor, every 9th a resend of
the one before. The drain is the Celery task's own (``buffer_drain`` storing through
``records_store``, batches of 1,000). Prints the drain process's CPU per record and the
PostgreSQL backend's (read from /proc), then checks stored against sent exactly. The database is
created and migrated if it is not yet. ``CL_TREE``
names another checkout to import the code from (an A/B against an older tree).
"""

import argparse
import os
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(os.environ.get("CL_TREE") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))


def make_records(site_id: int, workspace_id: int, count: int, run: str) -> list[dict]:
    records, previous = [], None
    for i in range(count):
        if i % 9 == 8 and previous is not None:
            records.append(previous)
            continue
        visitor = str(uuid.UUID(int=(hash(run) % 2**32) << 64 | i // 4))
        at = datetime.now(UTC).isoformat()
        base = {"site": site_id, "ws": workspace_id, "v": visitor, "at": at, "ip": "127.0.0.0",
                "ua": "Mozilla/5.0 (X11; Linux x86_64) bench"}
        if i % 2 == 0:
            fields = {"utm_source": "tiktok", "utm_medium": "paid_social", "utm_campaign": "bench",
                      "utm_content": "1900000001", "utm_term": "", "ttclid": f"E.C.P.{i}",
                      "fbclid": "", "gclid": "", "landing_url": f"https://x.test/?ttclid={i}",
                      "referrer": "https://www.tiktok.com/", "touch_key": f"{run}-{i}",
                      "time": None}
            previous = {"t": "touch", **base, "f": fields}
        else:
            fields = {"event": "SubmitForm", "event_id": f"{run}-{i}", "currency": "EUR",
                      "properties": {"form": "lead"}, "page_url": "https://x.test/contact",
                      "referrer": "", "ttclid": f"E.C.P.{i}", "ttp": "", "value": "19.90",
                      "time": None}
            previous = {"t": "event", **base, "f": fields}
        records.append(previous)
    return records


def backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=20_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DEBUG", "false")  # no query log: it would bill the drain for it
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        from benchmarks.collector import ensure_database

        ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    import json

    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Sum

    from attribution.models import ConversionEvent, Site, Touchpoint, Workspace
    from attribution.tracking import buffer
    from attribution.tracking.store import records_store

    if "bench" not in connection.settings_dict["NAME"]:
        sys.exit("use a database named *bench*: its tracking tables grow")
    call_command("migrate", verbosity=0)  # a fresh database works as well as a kept one
    workspace, _ = Workspace.objects.get_or_create(slug="bench", defaults={"name": "Benchmark"})
    site = Site.objects.filter(workspace=workspace).first() or Site.objects.create(
        workspace=workspace, name="bench", domains=["127.0.0.1"])
    run = f"d{uuid.uuid4().hex[:10]}"
    records = make_records(site.pk, workspace.pk, args.records, run)
    client = buffer.redis_client()
    client.delete(buffer.BUFFER_KEY, buffer.SCHEDULED_KEY, buffer.LOCK_KEY)
    for start in range(0, len(records), 1000):
        client.rpush(buffer.BUFFER_KEY, *[json.dumps(r, separators=(",", ":"))
                                          for r in records[start:start + 1000]])
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    cpu0, db0, wall0 = time.process_time(), backend_cpu(pid), time.perf_counter()
    drained, _ = buffer.buffer_drain(store=lambda batch: records_store(records=batch))
    cpu, db, wall = (time.process_time() - cpu0, backend_cpu(pid) - db0,
                     time.perf_counter() - wall0)
    conversions = ConversionEvent.objects.filter(event_id__startswith=f"{run}-")
    stored = (Touchpoint.objects.filter(touch_key__startswith=f"{run}-").count(),
              conversions.count(), conversions.aggregate(n=Sum("duplicates_seen"))["n"] or 0)
    expected = (sum(1 for i in range(args.records) if i % 2 == 0 and i % 9 != 8),
                sum(1 for i in range(args.records) if i % 2 == 1 and i % 9 != 8),
                sum(1 for i in range(args.records) if i % 9 == 8 and i % 2 == 0))
    print(f"{ROOT.name}: drained {drained} in {wall:.2f} s; CPU per record: drain "
          f"{cpu / drained * 1e3:.3f} ms, PostgreSQL backend {db / drained * 1e3:.3f} ms; "
          f"stored (touches, conversions, duplicates) {stored} expected {expected} "
          f"{'exact' if stored == expected else 'MISMATCH'}")
    return 0 if stored == expected else 1


if __name__ == "__main__":
    sys.exit(main())
