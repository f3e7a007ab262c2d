"""Collector throughput: gunicorn + PostgreSQL (+ Redis buffer), loaded by wrk from a second process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cl_bench_collector \
    REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python benchmarks/collector.py

Runs, on loopback, with production settings (DEBUG off):
1. the ceiling: wrk POSTs a beacon-sized body to the cheapest Django view on the same server;
2. the collector: wrk sends a fixed number of beacons (touches and pixel events, every Nth one a
   duplicate), waits for every answer, then the drain stores what was buffered;
3. the check: stored touches and conversions against what was sent, which must be exact.

Prints accepted events/s, p50/p99 latency and the ratio to the ceiling. Needs Debian's ``wrk``
(``apt-get install wrk``). The database named in DATABASE_URL must contain "bench": its tracking
tables are emptied first.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
WRK_DIR = Path(__file__).resolve().parent / "wrk"
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    from config import gunicorn as production  # the production defaults (GUNICORN_* env applies)

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=40_000, help="beacons to send in total")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--workers", type=int, default=production.workers,
                        help="gunicorn workers (default: config/gunicorn.py's, keep-alive)")
    parser.add_argument("--worker-class", default=production.worker_class, help="e.g. sync, to compare")
    parser.add_argument("--worker-threads", type=int, default=production.threads,
                        help="threads per worker (default: config/gunicorn.py's; >1 needs -k gthread)")
    parser.add_argument("--dup-every", type=int, default=9,
                        help="every Nth beacon resends the one before (odd N: touches and events)")
    parser.add_argument("--ceiling-seconds", type=int, default=10)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--no-buffer", action="store_true",
                        help="store on the request (COLLECTOR_BUFFER=false) instead of buffering")
    parser.add_argument("--json", help="also write the figures to this file")
    return parser.parse_args()


def server_env(args: argparse.Namespace) -> dict[str, str]:
    from cryptography.fernet import Fernet

    database_url = os.environ.get("DATABASE_URL",
                                  "postgres://postgres@127.0.0.1:5432/cl_bench_collector")
    if "bench" not in database_url.rsplit("/", 1)[-1]:
        sys.exit(f"Refusing to empty tables of {database_url}: use a database named *bench*.")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "bench-" + Fernet.generate_key().decode(),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3"),
        "CONN_MAX_AGE": "600",
        "COLLECTOR_BUFFER": "false" if args.no_buffer else "true",
        "COLLECTOR_RATE_LIMIT": "1000000000/min",
        "TRACKER_DEMO_PAGES": "true",
        "LOG_LEVEL": "WARNING",
    }


def ensure_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare(env: dict[str, str], origin: str) -> str:
    """Migrate, empty the tracking tables, clear the buffer; return a fresh site's public key."""
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection

    from attribution.models import Site, Workspace
    from attribution.tracking import buffer

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE attribution_touchpoint, attribution_conversionevent, "
                       "attribution_outboxentry, attribution_visitor CASCADE")
    buffer.redis_client().delete(buffer.BUFFER_KEY, buffer.DEAD_KEY, buffer.SCHEDULED_KEY,
                                 buffer.LOCK_KEY)
    workspace, _ = Workspace.objects.get_or_create(slug="bench", defaults={"name": "Benchmark"})
    site = Site.objects.create(workspace=workspace, name="bench", domains=["127.0.0.1"],
                               allowed_origins=[origin])
    return site.public_key


def start(cmd: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(urllib.request.Request(url, data=b"x"), timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"server at {url} did not come up")


def run_ceiling(args, base: str, origin: str) -> dict:
    out = subprocess.run(
        ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.ceiling_seconds}s",
         "-s", str(WRK_DIR / "ping.lua"), base],
        env={**os.environ, "CL_ORIGIN": origin}, capture_output=True, text=True, check=True)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    figures["rate"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def measured_ceiling(args, base: str, server_pid: int) -> dict:
    cpu_before = cpu_seconds(server_pid)
    figures = run_ceiling(args, base, base)
    figures["cpu_ms_per_request"] = 1000 * (cpu_seconds(server_pid) - cpu_before) / \
        figures["requests"]
    return figures


def run_collector(args, base: str, origin: str, key: str, run_id: int) -> dict:
    """wrk with a fixed quota per thread; each thread prints a line when all its answers are in."""
    quota = args.events // args.threads
    env = {**os.environ, "CL_KEY": key, "CL_ORIGIN": origin, "CL_QUOTA": str(quota),
           "CL_DUP_EVERY": str(args.dup_every), "CL_RUN": str(run_id)}
    wrk = subprocess.Popen(
        ["wrk", f"-t{args.threads}", f"-c{args.connections}", "-d600s", "--timeout", "10s",
         "-s", str(WRK_DIR / "collector.lua"), base],
        env=env, stdout=subprocess.PIPE, text=True)
    threads = []
    for line in wrk.stdout:
        if line.startswith('{"thread"'):
            threads.append(json.loads(line))
            if len(threads) == args.threads:
                wrk.send_signal(signal.SIGINT)  # wrk sleeps for -d; its threads are done
        elif line.startswith('{"latency'):
            summary = json.loads(line)
    wrk.wait()
    totals = {k: sum(t[k] for t in threads) for k in
              ("sent_touch", "sent_event", "dup_touch", "dup_event", "accepted", "other")}
    seconds = (max(t["last_us"] for t in threads) - min(t["first_us"] for t in threads)) / 1e6
    statuses: dict[str, int] = {}
    for t in threads:
        for code, count in t["statuses"].items():
            statuses[code] = statuses.get(code, 0) + count
    return {**summary, **totals, "seconds": seconds, "rate": totals["accepted"] / seconds,
            "statuses": statuses}


def cpu_seconds(root_pid: int) -> float:
    """User+system CPU of a process and its live children, from /proc (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    pids, total = [root_pid], 0.0
    while pids:
        pid = pids.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except (OSError, IndexError):
            continue
        pids.extend(int(c) for c in children)
    return total


def wait_for_drain(seconds: float = 300) -> float:
    from attribution.tracking import buffer

    client = buffer.redis_client()
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if not client.llen(buffer.BUFFER_KEY) and not client.exists(buffer.LOCK_KEY):
            return time.monotonic() - started
        time.sleep(0.1)
    sys.exit("the buffer did not drain in time")


def stored_counts(run_id: int) -> dict:
    from django.db.models import Sum

    from attribution.models import ConversionEvent, Touchpoint
    from attribution.tracking import buffer

    conversions = ConversionEvent.objects.filter(event_id__startswith=f"b{run_id}-")
    return {"touches": Touchpoint.objects.filter(touch_key__startswith=f"b{run_id}-").count(),
            "conversions": conversions.count(),
            "duplicates_seen": conversions.aggregate(n=Sum("duplicates_seen"))["n"] or 0,
            "dead_letters": buffer.redis_client().llen(buffer.DEAD_KEY)}


def report(args, ceiling: dict, collector: dict, stored: dict, drain_s: float) -> dict:
    expected = {"touches": collector["sent_touch"] - collector["dup_touch"],
                "conversions": collector["sent_event"] - collector["dup_event"],
                "duplicates_seen": collector["dup_event"], "dead_letters": 0}
    exact = stored == expected and collector["other"] == 0
    ratio = collector["rate"] / ceiling["rate"]
    mode = "request-time storage" if args.no_buffer else "Redis buffer + drain"
    print(f"\nCollector benchmark ({mode}; gunicorn {args.workers} {args.worker_class} workers x "
          f"{args.worker_threads} threads; wrk "
          f"{args.threads} threads x {args.connections} connections; load avg before "
          f"{os.getloadavg()[0]:.2f})")
    print(f"{'':28}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}")
    print(f"{'ceiling (trivial view)*':28}{ceiling['rate']:>10.0f}"
          f"{ceiling['latency_p50_us'] / 1000:>9.2f}{ceiling['latency_p99_us'] / 1000:>9.2f}")
    print(f"{'collector (accepted/s)':28}{collector['rate']:>10.0f}"
          f"{collector['latency_p50_us'] / 1000:>9.2f}{collector['latency_p99_us'] / 1000:>9.2f}")
    print("* mean of a run before and one after the collector's")
    print(f"collector / ceiling: {ratio:.2f}   sent {collector['accepted']} beacons in "
          f"{collector['seconds']:.1f} s, non-202 answers {collector['other']} "
          f"{collector['statuses'] or ''}; buffer drained {drain_s:.1f} s after the last answer")
    cpu_ratio = ceiling["cpu_ms_per_request"] / sum(collector["cpu_ms_per_beacon"].values())
    per_beacon = ", ".join(f"{name} {ms:.2f} ms" for name, ms in
                           collector["cpu_ms_per_beacon"].items())
    print(f"CPU per ceiling request: gunicorn {ceiling['cpu_ms_per_request']:.2f} ms; "
          f"per beacon: {per_beacon}; CPU-cost ratio {cpu_ratio:.2f}")
    for name in expected:
        print(f"  {name:16} expected {expected[name]:>7}  stored {stored[name]:>7}")
    print("stored vs sent: EXACT" if exact else "stored vs sent: MISMATCH")
    return {"mode": mode, "workers": args.workers, "worker_class": args.worker_class,
            "worker_threads": args.worker_threads, "connections": args.connections,
            "ceiling": ceiling, "collector": collector, "expected": expected, "stored": stored,
            "ratio": ratio, "cpu_ratio": cpu_ratio, "exact": exact, "drain_seconds": drain_s,
            "load_average_after": os.getloadavg()[0]}


def main() -> int:
    args = parse_args()
    env = server_env(args)
    ensure_database(env["DATABASE_URL"])
    base = f"http://127.0.0.1:{args.port}"
    key = prepare(env, origin=base)
    run_id = int(time.time()) % 1_000_000
    processes = [start([str(VENV_BIN / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi",
                        "-w", str(args.workers), "-k", args.worker_class,
                        "--threads", str(args.worker_threads),
                        "-b", f"127.0.0.1:{args.port}", "--log-level", "warning"], env)]
    if not args.no_buffer:
        processes.append(start([str(VENV_BIN / "celery"), "-A", "config", "worker", "-P", "solo",
                                "-l", "warning"], env))
    try:
        wait_until_up(f"{base}/demo/ping/")
        subprocess.run(["wrk", "-t1", "-c4", "-d2s", "-s", str(WRK_DIR / "ping.lua"), base],
                       env={**os.environ, "CL_ORIGIN": base}, capture_output=True, check=True)
        # The ceiling runs before and after the collector; other load on the machine drifts.
        before = measured_ceiling(args, base, processes[0].pid)
        cpu_before = [cpu_seconds(p.pid) for p in processes]
        collector = run_collector(args, base, base, key, run_id)
        drain_s = 0.0 if args.no_buffer else wait_for_drain()
        cpu = [cpu_seconds(p.pid) - before for p, before in zip(processes, cpu_before, strict=True)]
        collector["cpu_ms_per_beacon"] = {name: 1000 * c / collector["accepted"] for name, c in
                                          zip(("gunicorn", "drain worker"), cpu, strict=False)}
        after = measured_ceiling(args, base, processes[0].pid)
        ceiling = {k: (before[k] + after[k]) / 2 for k in
                   ("rate", "latency_p50_us", "latency_p99_us", "cpu_ms_per_request")}
        ceiling["runs"] = [before, after]
        figures = report(args, ceiling, collector, stored_counts(run_id), drain_s)
    finally:
        for process in processes:
            stop(process)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0 if figures["exact"] else 1


if __name__ == "__main__":
    sys.exit(main())
