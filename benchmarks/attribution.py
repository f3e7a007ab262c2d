"""Attribution engine benchmark: seed_demo data on PostgreSQL → every model → credits + rollups.

    DATABASE_URL=postgres://…/bench REDIS_URL=redis://127.0.0.1:6379/N \
        .venv/bin/python benchmarks/attribution.py --conversions 1000000 [--reuse] [--workers 2] \
        [--non-converting 3] [--data-driven-only]

Prints, in one run: the floor (a plain full scan of the touchpoints), our full run end to end in
one process and through N Celery workers (seconds, peak RSS, conversions/s), an incremental run
of 1 % new conversions, and marketing-attribution-models computing the same models on the same
journeys in memory. Then the data-driven models: full runs with last click alone, the six
rule-based models and all eight (the fit pass included), and Markov and Shapley in memory, ours
beside mam's on the same converting and non-converting paths. Figures are printed, never asserted.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Sum  # noqa: E402

from attribution.models import (  # noqa: E402
    AttributionRun,
    ConversionEvent,
    RunStatus,
    Touchpoint,
    Visitor,
    Workspace,
)
from attribution.runs import readers, services  # noqa: E402
from attribution.runs.pgcopy import copy_out_int8  # noqa: E402
from attribution.runs.selectors import current_rollups  # noqa: E402

SLUG = "acme-outdoor"
INC_PREFIX = "bench-inc-"


def rss_mb() -> float:
    """Peak RSS of this process image. (ru_maxrss would carry the parent's peak across exec.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def workspace() -> Workspace:
    return Workspace.objects.get(slug=SLUG)


def seed(conversions: int, non_converting: float, reuse: bool) -> None:
    ws = Workspace.objects.filter(slug=SLUG).first()
    if (
        reuse
        and ws
        and ConversionEvent.objects.filter(workspace=ws).exclude(event_id__startswith=INC_PREFIX).count()
        == conversions
    ):
        ConversionEvent.objects.filter(workspace=ws, event_id__startswith=INC_PREFIX).delete()
        print(f"seed_demo: reusing {conversions:,} conversions")
        return
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "seed_demo",
            "--seed",
            "7",
            "--conversions",
            str(conversions),
            "--non-converting",
            str(non_converting),
            "--reset",
            "-v0",
        ],
        cwd=ROOT,
        check=True,
    )
    print(f"seed_demo: {conversions:,} conversions in {time.perf_counter() - started:.0f} s")


def settle() -> None:
    """VACUUM ANALYZE the tables a run reads, as autovacuum does after a bulk load in production:
    fresh statistics, and the visibility map that lets index-only scans skip the heap. Without
    it a freshly loaded table looks nothing like a live one (and this machine's PostgreSQL runs
    with autovacuum off, so it would stay that way)."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for model in (Touchpoint, Visitor, ConversionEvent):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    print(f"{'VACUUM ANALYZE (untimed setup)':<34} {time.perf_counter() - started:7.2f} s")


def floor_scan() -> tuple[float, int]:
    """The floor: stream every touchpoint's id, visitor and time out of PostgreSQL into numpy."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cols = copy_out_int8(
            cursor.cursor,
            "SELECT id, visitor_id, (EXTRACT(EPOCH FROM occurred_at)"
            f" * 1000000)::bigint FROM {Touchpoint._meta.db_table} WHERE workspace_id = %s",
            [workspace().id],
            ["id", "visitor", "time"],
        )
    return time.perf_counter() - started, len(cols["id"])


def phase_inline(incremental: bool) -> None:
    """Child process: one run end to end in this process; prints JSON (clean peak RSS).

    Output of replaced runs is deleted first, untimed, as the workers' cleanup task does: else
    every measured run leaves millions of dead credit rows behind for the next one to write past.
    """
    services.runs_cleanup(workspace=workspace())
    started = time.perf_counter()
    run = services.run_execute(run=services.run_create(workspace=workspace(), incremental=incremental))
    print(
        json.dumps(
            {
                "seconds": time.perf_counter() - started,
                "rss_mb": rss_mb(),
                "total": run.total,
                "status": run.status,
                "incremental": run.incremental,
            }
        )
    )


def inline(incremental: bool = False) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--phase", "inc" if incremental else "full"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode:  # say why, not only that the child failed
        sys.exit(f"The {'incremental' if incremental else 'full'} run failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *_children(int(child))]
    return found


def _peak_rss_mb(pids: list[int]) -> float:
    peaks = []
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return max(peaks, default=0.0)


def through_workers(workers: int, incremental: bool = False) -> dict | None:
    """A run handed to ``workers`` real Celery worker processes over Redis, request to published."""
    if not os.environ.get("REDIS_URL"):
        return None
    from attribution.runs.tasks import attribution_run_start
    from config.celery import app

    app.control.purge()
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--concurrency",
            str(workers),
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--prefetch-multiplier",
            "1",
        ],
        cwd=ROOT,
        env={**os.environ, "CELERY_TASK_ALWAYS_EAGER": "false"},
    )
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=0.5) and time.monotonic() < deadline:
            time.sleep(0.5)
        started = time.perf_counter()
        run = services.run_create(workspace=workspace(), incremental=incremental)
        attribution_run_start.delay(run.id)
        while run.status in (RunStatus.QUEUED, RunStatus.RUNNING):
            time.sleep(0.1)
            run.refresh_from_db()
        seconds = time.perf_counter() - started
        rss = _peak_rss_mb([worker.pid, *_children(worker.pid)])
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    return {
        "seconds": seconds,
        "rss_mb": rss,
        "total": run.total,
        "status": run.status,
        "chunks": run.chunks_total,
    }


def add_new_conversions(share: float) -> int:
    """Record ``share`` of the conversions again as new ones an hour later (repeat purchases)."""
    table = ConversionEvent._meta.db_table
    fields = [f.column for f in ConversionEvent._meta.concrete_fields if f.column != "id"]
    select = [
        f"'{INC_PREFIX}' || event_id"
        if c == "event_id"
        else "occurred_at + interval '1 hour'"
        if c == "occurred_at"
        else c
        for c in fields
    ]
    ws = workspace()
    step = round(1 / share)
    ConversionEvent.objects.filter(workspace=ws, event_id__startswith=INC_PREFIX).delete()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(fields)}) SELECT {', '.join(select)}"
            f" FROM {table} WHERE workspace_id = %s AND id %% %s = 0",
            [ws.id, step],
        )
        added = cursor.rowcount
        cursor.execute("ANALYZE " + table)
    return added


def peer(totals_by_channel: dict) -> dict:
    """marketing-attribution-models on the very journeys our engine found eligible, in memory."""
    from attribution.engine.journeys import build_journeys
    from attribution.engine.pipeline import ModelSpec, model_credits
    from attribution.engine.windows import LookbackWindows
    from attribution.runs.config import CHANNELS, window_overrides
    from benchmarks.mam_peer import PEER_MODELS, peer_totals, unified_frame

    ws = workspace()
    run = AttributionRun.objects.filter(workspace=ws, status=RunStatus.SUCCEEDED, incremental=False).latest(
        "id"
    )
    windows = LookbackWindows.build(CHANNELS, window_overrides(workspace=ws))
    span = (-(2**62), 2**62)
    conversions = readers.read_conversions(run, span)
    touches = readers.read_touches(run, np.unique(conversions.person), span, windows.longest)
    journeys = build_journeys(conversions, touches, windows)
    labels = np.array([*CHANNELS, "other"], dtype=object)[touches.channel]
    started = time.perf_counter()
    frame = unified_frame(journeys, conversions, touches, labels)
    built = time.perf_counter() - started
    started = time.perf_counter()
    totals = peer_totals(frame)
    compute = time.perf_counter() - started
    specs = [ModelSpec(kind) for kind in PEER_MODELS]
    started = time.perf_counter()
    for spec in specs:  # our engine on the same eligible journeys, same five models, in memory
        model_credits(spec, journeys, conversions, touches)
    ours = time.perf_counter() - started
    gaps = {
        kind: max(abs(totals[kind].get(ch, 0.0) - float(v)) for ch, v in totals_by_channel[kind].items())
        for kind in PEER_MODELS
    }
    return {
        "build_seconds": built,
        "compute_seconds": compute,
        "journeys": frame.height,
        "ours_in_memory_seconds": ours,
        "max_channel_gap": gaps,
    }


def our_channel_totals() -> dict:
    ws = workspace()
    out = {}
    for config in ws.model_configs.filter(is_active=True):
        rows = current_rollups(workspace=ws, model_config=config).exclude(channel="unattributed")
        out[config.kind] = dict(rows.values_list("channel").annotate(s=Sum("revenue")))
    return out


def use_models(kinds) -> None:
    """Make exactly ``kinds`` the workspace's active models (creating the configs if needed)."""
    from attribution.models import AttributionModelConfig

    ws = workspace()
    services.default_models_ensure(workspace=ws)
    for kind in set(AttributionModelConfig.objects.filter(workspace=ws).values_list("kind", flat=True)):
        AttributionModelConfig.objects.filter(workspace=ws, kind=kind).update(is_active=kind in kinds)


def data_driven_runs() -> dict[str, dict]:
    """Full runs in one process with 1, 6 and 8 models (each a fresh full run: the config changed)."""
    from attribution.engine.data_driven import FITTED_KINDS
    from attribution.models import ModelKind

    rules = [k for k in ModelKind.values if k not in FITTED_KINDS]
    out = {}
    for label, kinds in (("1 model (last click)", ["last_click"]), ("6 rule-based models", rules),
                         ("8 models (6 + Markov + Shapley)", ModelKind.values)):
        use_models(kinds)
        out[label] = inline()
    use_models(ModelKind.values)
    return out


def data_driven_in_memory() -> dict:
    """The fit and credit passes of both data-driven models in memory, and mam's Markov and
    Shapley on the very same paths (converting and non-converting)."""
    import polars as pl
    from mam.models.markov import MarkovModel
    from mam.models.shapley import ShapleyModel

    from attribution.engine import data_driven
    from attribution.engine.fit_paths import fit_paths
    from attribution.engine.journeys import build_journeys
    from attribution.engine.pipeline import ModelSpec, model_credits
    from attribution.engine.windows import LookbackWindows
    from attribution.runs.config import CHANNELS, DIRECT_CHANNEL, window_overrides

    ws = workspace()
    run = AttributionRun.objects.filter(workspace=ws, status=RunStatus.SUCCEEDED,
                                        incremental=False).latest("id")
    windows = LookbackWindows.build(CHANNELS, window_overrides(workspace=ws))
    span = (-(2**62), 2**62)
    conversions = readers.read_conversions(run, span)
    touches = readers.read_touches(run, np.zeros(0, dtype=np.int64), span, windows.longest)
    started = time.perf_counter()
    paths = fit_paths(conversions, touches, windows, since_us=readers.micros(run.period_start))
    timings = {"paths": time.perf_counter() - started}
    journeys = build_journeys(conversions, touches, windows)
    for kind in data_driven.FITTED_KINDS:
        started = time.perf_counter()
        counts = data_driven.count(kind, {}, paths)
        outcome = data_driven.fit(kind, {}, counts, channel_codes=len(CHANNELS) + 1)
        spec = data_driven.with_effects(ModelSpec(kind), outcome.effects)
        model_credits(spec, journeys, conversions, touches, direct_channel=DIRECT_CHANNEL)
        timings[kind] = time.perf_counter() - started
    started = time.perf_counter()
    for kind in ("last_click", "first_click", "last_non_direct", "linear", "time_decay", "position_based"):
        model_credits(ModelSpec(kind), journeys, conversions, touches, direct_channel=DIRECT_CHANNEL)
    timings["six rule-based"] = time.perf_counter() - started

    names = np.array([*CHANNELS, "other"], dtype=object)
    starts = paths.starts
    frame = pl.DataFrame({
        "journey_id": np.arange(len(paths)),
        "channels": pl.Series([list(x) for x in np.split(names[paths.channel], starts[1:])]),
        "has_conversion": paths.converted, "weight": np.ones(len(paths), dtype=np.int64),
        "conversion_value": paths.value / 1_000_000})
    for label, model in (("mam markov", MarkovModel()), ("mam shapley", ShapleyModel(max_size=None))):
        started = time.perf_counter()
        model.get_aggregated_results(frame)
        timings[label] = time.perf_counter() - started
    timings["journeys"] = len(paths)
    timings["converting"] = int(paths.converted.sum())
    return timings


def report(label: str, result: dict | None, baseline: float) -> None:
    if result is None:
        print(f"{label:<34} skipped (no REDIS_URL)")
        return
    rate = result["total"] / result["seconds"]
    print(
        f"{label:<34} {result['seconds']:7.2f} s  peak RSS {result['rss_mb']:6.0f} MB  "
        f"{rate:9,.0f} conv/s  {result['seconds'] / baseline:5.1f}× floor  "
        f"[{result['total']:,} conversions, {result['status']}]"
    )


def rule_based_section(args, floor: float) -> None:
    """The six rule-based models: one process, Celery workers, incremental, mam's five in memory."""
    full = inline()
    report("full run, 1 process", full, floor)
    workers = through_workers(args.workers)
    report(f"full run, {args.workers} Celery workers", workers, floor)
    mam = peer(our_channel_totals())
    added = add_new_conversions(0.01)
    increment = inline(incremental=True)
    report(f"incremental (+{added:,}), 1 process", increment, floor)
    best_full = min(r["seconds"] for r in (full, workers) if r)
    print(
        f"incremental / full run: {increment['seconds'] / full['seconds']:.1%}"
        f" (incremental={increment['incremental']})"
    )
    print(
        f"{'peer: mam, 5 models, in memory':<34} {mam['compute_seconds']:7.2f} s  "
        f"(+{mam['build_seconds']:.2f} s to build its table of {mam['journeys']:,} journeys)"
    )
    print(
        f"{'ours: same 5 models, in memory':<34} {mam['ours_in_memory_seconds']:7.2f} s  "
        f"(peer / ours: {mam['compute_seconds'] / mam['ours_in_memory_seconds']:.1f}×)"
    )
    print(
        f"ours end to end (6 models, DB→DB) / peer in-memory compute: "
        f"{best_full / mam['compute_seconds']:.1f}×"
    )
    print(
        "largest per-channel revenue gap vs peer: "
        + ", ".join(f"{k} {v:,.2f}" for k, v in mam["max_channel_gap"].items())
    )
    ConversionEvent.objects.filter(workspace=workspace(), event_id__startswith=INC_PREFIX).delete()


def data_driven_section(floor: float) -> None:
    """Full runs with 1, 6 and 8 models, then Markov and Shapley in memory beside mam's."""
    print("--- data-driven models ---")
    runs = data_driven_runs()
    for label, result in runs.items():
        report(f"full run, {label}", result, floor)
    one, six, eight = (r["seconds"] for r in runs.values())
    print(f"the two data-driven models add {eight - six:.2f} s (8 − 6 models); the six-model run takes"
          f" {six:.2f} s, of which the five rules beyond last click add {six - one:.2f} s")
    memory = data_driven_in_memory()
    print(f"in memory, {memory['journeys']:,} paths ({memory['converting']:,} converting):"
          f" build paths {memory['paths']:.2f} s")
    for label in ("markov", "shapley", "six rule-based", "mam markov", "mam shapley"):
        print(f"  {label:<32} {memory[label]:7.2f} s")
    print(f"mam markov / ours: {memory['mam markov'] / memory['markov']:.1f}×;"
          f" mam shapley / ours: {memory['mam shapley'] / memory['shapley']:.1f}×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversions", type=int, default=100_000)
    parser.add_argument("--non-converting", type=float, default=3.0,
                        help="seed_demo's visitors who never convert, per converting person.")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="Keep an already seeded demo workspace.")
    parser.add_argument("--data-driven-only", action="store_true",
                        help="Only the data-driven part: runs with 1, 6 and 8 models, then in memory.")
    parser.add_argument("--phase", choices=["full", "inc"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        return phase_inline(args.phase == "inc")
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL=postgres://… (the benchmark measures PostgreSQL).")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # a reused database follows the code's schema
    seed(args.conversions, args.non_converting, args.reuse)
    from attribution.engine.data_driven import FITTED_KINDS
    from attribution.models import ModelKind

    use_models([k for k in ModelKind.values if k not in FITTED_KINDS])  # the six, as before
    settle()
    floor, touch_count = floor_scan()
    print(f"{'floor: full scan of touchpoints':<34} {floor:7.2f} s  ({touch_count:,} touchpoints)")
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if not args.data_driven_only:
        rule_based_section(args, floor)
    data_driven_section(floor)
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
