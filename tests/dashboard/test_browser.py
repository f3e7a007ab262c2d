"""A real headless Chromium walks every dashboard page on seed_demo data.

It logs in, opens each page, switches model and date range, checks that the Plotly charts render
with no console error, and saves a screenshot of each page to test-artifacts/.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from attribution.models import AttributionModelConfig, Workspace
from crm_sync.demo.services import ADMIN_PASSWORD, ADMIN_USERNAME, DEMO_SLUG
from dashboard.services.audit import audit_run
from dashboard.services.diagnostics import diagnostics_refresh
from tests.conftest import chromium

from .standin import engine_available, standin_attribution

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PAGES = ["overview", "tiktok", "compare", "diagnostics", "journeys", "audits"]

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", seed=7, conversions=3000, days=45, verbosity=0)
    workspace = Workspace.objects.get(slug=DEMO_SLUG)
    if engine_available():
        call_command("run_attribution", workspace=[DEMO_SLUG], verbosity=0)
    else:
        standin_attribution(workspace)
    today = timezone.now().astimezone(workspace.tzinfo).date()
    diagnostics_refresh(workspace=workspace, start=today - timedelta(days=60), end=today)
    audit_run(workspace=workspace)
    return workspace


@pytest.fixture
def browser(monkeypatch):
    with chromium(monkeypatch) as instance:
        yield instance


def test_every_page_renders_its_charts_without_console_errors(live_server, demo, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", ADMIN_USERNAME)
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    for name in PAGES:
        page.goto(f"{live_server.url}/{name}/")
        page.wait_for_selector("body[data-charts-ready]", timeout=15_000)
        if name != "audits":
            assert page.locator(".js-plotly-plot .main-svg").count() >= 1
        page.screenshot(path=str(ARTIFACTS / f"dashboard-{name}.png"), full_page=True)

    # switch the model and the date range on the overview; the numbers follow
    linear = AttributionModelConfig.objects.get(workspace=demo, kind="linear")
    page.goto(f"{live_server.url}/overview/")
    before = page.locator("section[data-table=channels] tbody").inner_text()
    page.select_option("select[name=model]", str(linear.pk))
    start = (timezone.now().astimezone(demo.tzinfo).date() - timedelta(days=13)).isoformat()
    page.fill("input[name=start]", start)
    page.click("#selector button[type=submit]")
    page.wait_for_url(f"**model={linear.pk}**")
    page.wait_for_selector("body[data-charts-ready]")
    assert page.input_value("input[name=start]") == start
    assert page.locator("section[data-table=channels] tbody").inner_text() != before
    page.screenshot(path=str(ARTIFACTS / "dashboard-overview-linear-14d.png"), full_page=True)

    # drill down from a campaign to its ad groups, then sort the table by spend
    page.goto(f"{live_server.url}/tiktok/")
    page.locator("section[data-table=entities] tbody tr td a").first.click()
    page.wait_for_url("**level=adgroup**")
    page.wait_for_selector("body[data-charts-ready]")
    page.locator("section[data-table=entities] th", has_text="Spend").click()
    assert page.locator("section[data-table=entities] th[data-dir=asc]").inner_text().startswith("Spend")
    page.screenshot(path=str(ARTIFACTS / "dashboard-tiktok-adgroups.png"), full_page=True)

    assert errors == []
