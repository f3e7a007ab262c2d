"""Deal import throughput and memory: rows/s and peak RSS at 100k and 1M rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cl_crm \
        .venv/bin/python benchmarks/deal_import.py [--sizes 100000 1000000]

Each size runs in its own process (so peak RSS belongs to that size), on PostgreSQL in a database
created for that run and dropped after (``--same-db``: DATABASE_URL's own; a run there meets the
dead rows, with the very same keys, that the previous run's cleanup left: its first 100k inserts
ran half as fast). It writes a HubSpot-style
export (two deals per contact email, 30% with a phone, 20% with the visitor id of a stored visitor
and half of those with the ttclid of a stored click, 20% closed won → ClosedWon conversions with
outbox rows), imports it through the same service the Celery task uses, then imports it again
(every row unchanged). DEBUG is off, as in production.
Baseline, measured in the same process: one pass of ``csv.reader`` over the file, the ceiling of
any CSV import in Python. Figures are printed, never asserted. CPU seconds are printed too (this
process, all threads; and its PostgreSQL server process): on a shared, loaded machine rows per
CPU-second move far less than rows per wall-clock second.
"""

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager, nullcontext
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("appointmentscheduled", "Qualified To Buy", "contractsent", "Closed Won", "closedlost")
HEADER = ["Record ID", "Deal Name", "Deal Stage", "Pipeline", "Amount", "Deal currency code",
          "Create Date", "Close Date", "Deal owner", "Email", "Phone Number", "utm_source",
          "utm_medium", "utm_campaign", "ttclid", "cl_visitor_id"]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds(backend_pid: int | None) -> tuple[float, float, float]:
    """CPU time (user + system) so far of this process (all its threads), of its finished child
    processes (the parsing process) and of its database server process (PostgreSQL on this
    machine; 0 elsewhere): stable figures on a loaded machine, where wall-clock time depends on
    what the other processes do."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    server = 0.0
    if backend_pid:
        try:
            fields = Path(f"/proc/{backend_pid}/stat").read_text().rsplit(")", 1)[1].split()
            server = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            server = 0.0
    return usage.ru_utime + usage.ru_stime, children.ru_utime + children.ru_stime, server


def write_export(path: Path, rows: int, known: int) -> None:
    """Two deals per person; persons below ``known`` came through the site: their deals carry the
    visitor id, and every second one of them also the ttclid of a stored click."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for n in range(rows):
            person = n // 2
            on_site = person < known
            out.writerow([
                str(10_000_000_000 + n), f"Deal {n}", STAGES[n % 5], "Sales Pipeline",
                f"{(n % 997) * 13 + 100:,}.50", "USD",
                f"2026-{1 + n % 12:02d}-{1 + n % 28:02d} 10:{n % 60:02d}",
                f"2026-12-{1 + n % 28:02d}", f"Owner {n % 40}", f"person{person}@example.com",
                f"+1415{person:07d}" if n % 10 < 3 else "",
                "tiktok" if n % 3 else "google", "paid_social", f"campaign_{n % 50}",
                f"E.C.P.bench{person}" if on_site and person % 2 == 0 else "",
                str(uuid.UUID(int=person + 1)) if on_site else "",
            ])


def _known_visitors(workspace, site, known: int) -> None:
    """Visitors (and clicks) the export's hidden fields point at, created in chunks."""
    from attribution.models import Touchpoint, Visitor

    for start in range(0, known, 5000):
        people = range(start, min(start + 5000, known))
        visitors = Visitor.objects.bulk_create(
            [Visitor(workspace=workspace, site=site, uid=uuid.UUID(int=p + 1)) for p in people])
        Touchpoint.objects.bulk_create(
            [Touchpoint(workspace=workspace, visitor=v, occurred_at=v.first_seen_at,
                        ttclid=f"E.C.P.bench{p}") for p, v in zip(people, visitors, strict=True)
             if p % 2 == 0])


def child(rows: int, *, keep: bool = False) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DEBUG"] = "false"  # as in production: no query log
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.files import File
    from django.core.management import call_command
    from django.db import connection

    from attribution.models import Site, Workspace
    from crm_sync.importing.services import deal_import_create, deal_import_run
    from crm_sync.models import DealStageRule
    from tests.factories import TikTokIntegrationFactory

    call_command("migrate", verbosity=0)
    workspace = Workspace.objects.create(name="bench", slug=f"bench-{uuid.uuid4().hex[:8]}")
    site = Site.objects.create(workspace=workspace, name="bench")
    DealStageRule.objects.create(workspace=workspace, crm_stage="closedwon", event_name="ClosedWon",
                                 uses_amount=True)
    TikTokIntegrationFactory(workspace=workspace)
    _known_visitors(workspace, site, known=rows // 10)
    backend_pid = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend_pid = cursor.fetchone()[0]
    rss_before = rss_mb()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "deals.csv"
        write_export(path, rows, known=rows // 10)
        started = time.perf_counter()
        with path.open(encoding="utf-8", newline="") as handle:
            sum(1 for _ in csv.reader(handle))
        baseline = time.perf_counter() - started
        timings, cpu, imports = [], [], []
        for _ in range(2):  # first import, then the same file again (all unchanged)
            with path.open("rb") as handle:
                deal_import = deal_import_create(workspace=workspace, file=File(handle, "deals.csv"),
                                                 preset="hubspot")
            started, cpu_started = time.perf_counter(), cpu_seconds(backend_pid)
            deal_import = deal_import_run(deal_import=deal_import)
            timings.append(time.perf_counter() - started)
            cpu.append([b - a for a, b in zip(cpu_started, cpu_seconds(backend_pid), strict=True)])
            imports.append(deal_import)
            assert deal_import.status == "succeeded", deal_import.error
            deal_import.file.delete(save=False)
        size_mb = path.stat().st_size / 2**20
    result = {"rows": rows, "file_mb": round(size_mb, 1), "db": connection.vendor,
              "csv_reader_rows_s": round(rows / baseline), "import_rows_s": round(rows / timings[0]),
              "reimport_rows_s": round(rows / timings[1]),
              "import_cpu_s": round(cpu[0][0], 1), "import_parse_cpu_s": round(cpu[0][1], 1),
              "import_db_cpu_s": round(cpu[0][2], 1),
              "reimport_cpu_s": round(cpu[1][0], 1), "reimport_parse_cpu_s": round(cpu[1][1], 1),
              "reimport_db_cpu_s": round(cpu[1][2], 1),
              "load_avg": round(os.getloadavg()[0], 1),
              "conversions": imports[0].conversions_created,
              "rss_before_mb": round(rss_before), "peak_rss_mb": round(rss_mb())}
    if keep:
        result["kept_workspace_id"] = workspace.pk  # left in place to EXPLAIN queries against
    else:
        _cleanup(connection, workspace.pk)
    return result


def _cleanup(connection, workspace_id: int) -> None:
    tables = ["attribution_outboxentry", "crm_sync_dealstagechange", "crm_sync_deal",
              "attribution_conversionevent", "attribution_touchpoint", "attribution_visitor",
              "attribution_contact", "crm_sync_dealimport", "crm_sync_dealstagerule",
              "attribution_tiktokintegration", "attribution_site", "attribution_workspace"]
    with connection.cursor() as cursor:
        for table in tables:
            column = "id" if table == "attribution_workspace" else "workspace_id"
            cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [workspace_id])  # noqa: S608


@contextmanager
def fresh_database(url: str, keep: bool):
    """A new PostgreSQL database beside ``url``'s, as a DATABASE_URL (dropped after unless
    ``keep``); other URLs are used as they are."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        yield url
        return
    import psycopg

    name = f"{parts.path.lstrip('/') or 'postgres'}_bench_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        if not keep:
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true",
                        help="leave the imported rows (and on PostgreSQL the run's database) in place, to "
                             "study query plans against")
    parser.add_argument("--same-db", action="store_true",
                        help="run in DATABASE_URL's database rather than a new one per size")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, keep=args.keep)))
        return
    results = []
    url = os.environ.get("DATABASE_URL", "")
    for size in args.sizes:
        command = [sys.executable, __file__, "--child", str(size), *(["--keep"] if args.keep else [])]
        database = nullcontext(url) if args.same_db or not url else fresh_database(url, args.keep)
        with database as run_url:
            env = {**os.environ, "DATABASE_URL": run_url} if run_url else None
            out = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT, env=env)
            if args.keep and run_url != url:
                print(f"{'':>9}  kept database: {run_url}", flush=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        r = results[-1]
        print(f"{r['rows']:>9,} rows ({r['file_mb']} MB, {r['db']}): import {r['import_rows_s']:,} rows/s, "
              f"re-import {r['reimport_rows_s']:,} rows/s, csv.reader baseline {r['csv_reader_rows_s']:,} "
              f"rows/s (import at {r['import_rows_s'] / r['csv_reader_rows_s']:.1%} of it), "
              f"{r['conversions']:,} conversions, peak RSS {r['peak_rss_mb']} MB "
              f"(after setup {r['rss_before_mb']} MB)", flush=True)
        if "kept_workspace_id" in r:
            print(f"{'':>9}  kept: workspace {r['kept_workspace_id']}", flush=True)
        total = r['import_cpu_s'] + r['import_parse_cpu_s'] + r['import_db_cpu_s']
        print(f"{'':>9}  CPU: import {r['import_cpu_s']} s here + {r['import_parse_cpu_s']} s parsing "
              f"process + {r['import_db_cpu_s']} s in the database server "
              f"({r['rows'] / r['import_cpu_s']:,.0f} rows per CPU-second here, "
              f"{r['rows'] / total:,.0f} counting all three); re-import "
              f"{r['reimport_cpu_s']} + {r['reimport_parse_cpu_s']} + {r['reimport_db_cpu_s']} s; "
              f"load average {r['load_avg']}", flush=True)
    if len(results) > 1:
        first, last = results[0], results[-1]
        print(f"memory ratio {last['rows'] // first['rows']}x rows → "
              f"{last['peak_rss_mb'] / first['peak_rss_mb']:.2f}x peak RSS")


if __name__ == "__main__":
    main()
