"""Server time of every dashboard page at 100k and 1M conversions on PostgreSQL, p50/p95.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cl_dashboard \\
        .venv/bin/python benchmarks/dashboard.py --sizes 100000 1000000 --requests 40

For each size: seed_demo (--reset), attribution output (the engine's run_attribution when it is
installed, else the stand-in of tests/dashboard/standin.py with the engine's rollup shape and
volume), diagnostics precomputation and one audit (both timed: they run off the request path).
Then every page is requested in-process through Django's test client, logged in as the demo admin,
over the demo's full 90-day period compared with the 90 days before it (the pages' "vs previous
period", on by default); the time is the server's (routing, queries, figures, template). Two rows
measure the overview and three-way pages without the comparison, for the ratio in the same run.
The floor is the login page: a page that renders a template and touches no data.
"first ms" is a page's first view after the run (the Paths page is cached until the next run:
each of its four variants, channel or campaign level with repeats kept or collapsed, is cold then).
The overview carries the models side by side (channels and TikTok campaigns × every model).
Targets: p95 < 300 ms for every page at 1M conversions. Nothing is asserted; figures are printed.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from attribution.models import (  # noqa: E402
    AdCampaign,
    AdGroup,
    AttributionModelConfig,
    ConversionEvent,
    Workspace,
)
from attribution.models.runs import AttributionRunChunk  # noqa: E402
from crm_sync.demo.services import ADMIN_USERNAME, DEMO_SLUG  # noqa: E402
from dashboard.services.audit import audit_run  # noqa: E402
from dashboard.services.diagnostics import diagnostics_refresh  # noqa: E402
from tests.dashboard.standin import engine_available, standin_attribution  # noqa: E402


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - started


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def prepare(size: int, use_engine: bool, reuse: bool) -> tuple[Workspace, dict[str, float]]:
    """Seed (unless --reuse finds a demo of this size), then compute attribution and diagnostics."""
    setup = {}
    existing = Workspace.objects.filter(slug=DEMO_SLUG).first()
    if not (reuse and existing and ConversionEvent.objects.filter(workspace=existing).count() == size):
        # seed_demo --reset deletes table by table but not the engine's run chunks (FK): clear them first
        AttributionRunChunk.objects.filter(run__workspace__slug=DEMO_SLUG).delete()
        _, setup["seed_demo"] = timed(
            call_command, "seed_demo", seed=42, conversions=size, days=90, reset=True, verbosity=0
        )
    workspace = Workspace.objects.get(slug=DEMO_SLUG)
    if use_engine and engine_available():
        _, setup["run_attribution"] = timed(
            call_command, "run_attribution", workspace=[DEMO_SLUG], verbosity=0
        )
    else:
        _, setup["standin_rollups"] = timed(standin_attribution, workspace)
    today = timezone.now().astimezone(workspace.tzinfo).date()
    _, setup["diagnostics_90d"] = timed(
        diagnostics_refresh, workspace=workspace, start=today - timedelta(days=91), end=today
    )
    _, setup["audit_7d"] = timed(audit_run, workspace=workspace)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return workspace, setup


def page_urls(workspace: Workspace) -> dict[str, str]:
    today = timezone.now().astimezone(workspace.tzinfo).date()
    model = AttributionModelConfig.objects.filter(workspace=workspace, kind="linear").first()
    query = (
        f"ws={workspace.pk}&period=custom&start={today - timedelta(days=89)}&end={today}"
        f"&model={model.pk}&window=7-1&compare=previous"
    )
    alone = query.replace("compare=previous", "compare=none")
    campaign_id = AdCampaign.objects.filter(workspace=workspace, platform="tiktok").values_list(
        "pk", flat=True
    )[0]
    adgroup_id = AdGroup.objects.filter(campaign_id=campaign_id).values_list("pk", flat=True)[0]
    contact_id = (
        ConversionEvent.objects.filter(workspace=workspace, contact__isnull=False)
        .order_by("-occurred_at")
        .values_list("contact_id", flat=True)[0]
    )
    event_id = ConversionEvent.objects.filter(workspace=workspace).values_list("event_id", flat=True)[0]
    return {
        "floor: login page": "/accounts/login/",
        "overview": f"/overview/?{query}",
        "overview (no comparison)": f"/overview/?{alone}",
        "tiktok campaigns": f"/tiktok/?{query}",
        "tiktok ad groups": f"/tiktok/?{query}&level=adgroup&parent={campaign_id}",
        "tiktok ads": f"/tiktok/?{query}&level=ad&parent={adgroup_id}",
        "three-way": f"/compare/?{query}",
        "three-way (no comparison)": f"/compare/?{alone}",
        "diagnostics": f"/diagnostics/?{query}",
        "journeys": f"/journeys/?{query}&contact={contact_id}",
        "audits": "/audits/",
        "csv: tiktok table": f"/export/tiktok/entities.csv?{query}",
        "paths": f"/paths/?{query}",
        "paths: channels, collapsed": f"/paths/?{query}&repeats=collapse",
        "paths: campaigns": f"/paths/?{query}&level=campaign",
        "paths: campaigns, collapsed": f"/paths/?{query}&level=campaign&repeats=collapse",
        "csv: paths table": f"/export/paths/paths.csv?{query}",
        "finder: example journey": f"/finder/?{query}",
        "finder: by order id": f"/finder/?{query}&by=event&q={event_id}",
    }


def measure(urls: dict[str, str], requests: int) -> dict[str, tuple[float, float]]:
    from django.contrib.auth import get_user_model

    anonymous, client = Client(), Client()
    client.force_login(get_user_model().objects.get(username=ADMIN_USERNAME))
    results = {}
    for name, url in urls.items():
        who = anonymous if name.startswith("floor") else client
        started = time.perf_counter()
        assert who.get(url).status_code == 200, url  # the first view: nothing cached yet
        first = (time.perf_counter() - started) * 1000
        for _ in range(2):  # warm caches, connections, template loaders
            assert who.get(url).status_code == 200, url
        samples = []
        for _ in range(requests):
            started = time.perf_counter()
            response = who.get(url)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        results[name] = (first, statistics.median(samples), percentile(samples, 0.95))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--no-engine", action="store_true", help="always use the stand-in rollups")
    parser.add_argument("--reuse", action="store_true", help="keep a demo workspace of the same size")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("warning: not PostgreSQL; figures are not comparable to the targets", file=sys.stderr)
    setup_test_environment()
    call_command("migrate", verbosity=0)
    for size in args.sizes:
        workspace, setup = prepare(size, use_engine=not args.no_engine, reuse=args.reuse)
        print(f"\n== {size:,} conversions ({connection.vendor}) ==")
        print("  setup (off the request path): " + ", ".join(f"{k} {v:.1f}s" for k, v in setup.items()))
        results = measure(page_urls(workspace), args.requests)
        floor = results["floor: login page"][2]
        print(f"  {'page':<30}{'first ms':>9}{'p50 ms':>9}{'p95 ms':>9}{'p95/floor':>11}  target p95<300ms")
        for name, (first, p50, p95) in results.items():
            verdict = "" if name.startswith("floor") else ("ok" if p95 < 300 else "OVER")
            print(f"  {name:<30}{first:>9.1f}{p50:>9.1f}{p95:>9.1f}{p95 / floor:>10.1f}x  {verdict}")


if __name__ == "__main__":
    main()
