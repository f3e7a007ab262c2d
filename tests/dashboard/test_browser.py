"""A real headless Chromium walks every dashboard page on seed_demo data.

It logs in, opens each page at a desktop (1400 px) and a phone's width (390 px), checks that the
Plotly charts render with no console error and that axe-core finds no serious or critical
accessibility issue, switches model and period, and saves a screenshot of each page to test-artifacts/.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from attribution.models import AttributionModelConfig, Workspace
from crm_sync.demo.services import ADMIN_PASSWORD, ADMIN_USERNAME, DEMO_SLUG
from dashboard.models import AuditReport
from dashboard.services.audit import audit_run
from dashboard.services.diagnostics import diagnostics_refresh
from tests.browser_tools.axe import axe_script, serious_violations
from tests.conftest import chromium

from .standin import engine_available, standin_attribution

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PAGES = ["overview", "tiktok", "compare", "diagnostics", "journeys", "audits"]
WIDTHS = {"desktop": 1400, "phone": 390}

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


def _log_in(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", ADMIN_USERNAME)
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_every_page_renders_readably_and_accessibly_at_each_width(live_server, demo, browser):
    axe_script()  # installs axe-core on a fresh machine (or skips with the reason)
    ARTIFACTS.mkdir(exist_ok=True)
    audit = AuditReport.objects.filter(workspace=demo).first()
    errors, findings = [], {}
    for width in WIDTHS:
        page = browser.new_page(viewport={"width": WIDTHS[width], "height": 1000})
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        _log_in(page, live_server)
        findings.update(_walk_every_page(page, live_server, audit, width))
    serious = [f"{name}: {line}" for name, lines in findings.items() for line in lines]
    assert serious == [], "axe-core:\n" + "\n".join(serious)
    assert errors == []


def _walk_every_page(page, live_server, audit, width: str) -> dict:
    findings = {}
    for name in PAGES + ["audit"]:
        url = f"/audits/{audit.pk}/" if name == "audit" else f"/{name}/"
        page.goto(f"{live_server.url}{url}")
        page.wait_for_selector("body[data-charts-ready]", timeout=15_000)
        if name not in ("audits", "audit"):
            assert page.locator(".js-plotly-plot .main-svg").count() >= 1
        page.screenshot(path=str(ARTIFACTS / f"dashboard-{name}-{width}.png"), full_page=True)
        findings[f"{name} at {width} width"] = serious_violations(page)
        if width == "phone":  # nothing wider than the screen but the tables' own scrolling boxes
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{name} is {overflow}px wider than a phone"
    return findings


def _numbers_read_as_people_write_them(page, live_server):
    page.goto(f"{live_server.url}/overview/")
    revenue = page.locator("[data-kpi=attributed-revenue] .v").inner_text()
    conversions = page.locator("[data-kpi=conversions] .v").inner_text()
    assert revenue.startswith("$") and "," in revenue and revenue[-3] == "."
    assert conversions.replace(",", "").replace(".", "").isdigit() and not conversions.endswith(".00")
    assert page.locator("[data-kpi=attributed-revenue] .delta").inner_text().split()[1][0] in "+−±n"
    assert page.input_value("select[name=period]") == "last_30"


def _filters_and_sorting_work_from_the_keyboard(page, live_server):
    page.goto(f"{live_server.url}/overview/")
    page.focus("select[name=period]")
    page.keyboard.press("Tab")  # the dates, compare, model, window, then Apply: all reachable
    reached = []
    for _ in range(30):  # a date input takes a Tab per part (month, day, year)
        reached.append(page.evaluate("document.activeElement.name || document.activeElement.tagName"))
        if reached[-1] == "BUTTON":
            break
        page.keyboard.press("Tab")
    assert {"start", "end", "compare", "model", "window"} <= set(reached) and "BUTTON" in reached
    page.select_option("select[name=period]", "last_7")
    page.focus("#selector button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**period=last_7**")
    header = page.locator("section[data-table=channels] thead th", has_text="Revenue").first
    header.focus()
    page.keyboard.press("Enter")
    assert header.get_attribute("aria-sort") == "ascending"


def test_a_workspace_being_set_up_shows_its_next_steps(live_server, transactional_db, browser):
    from attribution.models import Membership, Workspace
    from tests.factories import UserFactory

    user = UserFactory(username="newcomer", is_staff=True)
    user.set_password("pw-newcomer-1")
    user.save()
    Membership.objects.create(user=user, workspace=Workspace.objects.create(name="Fresh", slug="fresh"),
                              role="admin")
    page = browser.new_page(viewport={"width": 390, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "newcomer")
    page.fill("input[name=password]", "pw-newcomer-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator(".first-run li").count() == 7
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-first-run-phone.png"), full_page=True)
    assert serious_violations(page) == []
    page.locator(".first-run a", has_text="Site and snippet").click()
    page.wait_for_url("**/admin/attribution/site/add/")


def test_numbers_filters_and_sorting_as_a_marketer_uses_them(live_server, demo, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _log_in(page, live_server)
    _numbers_read_as_people_write_them(page, live_server)
    _filters_and_sorting_work_from_the_keyboard(page, live_server)

    # switch the model and the date range on the overview; the numbers follow
    linear = AttributionModelConfig.objects.get(workspace=demo, kind="linear")
    page.goto(f"{live_server.url}/overview/")
    before = page.locator("section[data-table=channels] tbody").inner_text()
    page.select_option("select[name=model]", str(linear.pk))
    start = (timezone.now().astimezone(demo.tzinfo).date() - timedelta(days=13)).isoformat()
    page.fill("input[name=start]", start)
    page.dispatch_event("input[name=start]", "change")  # typing a date makes the period custom
    page.click("#selector button[type=submit]")
    page.wait_for_url(f"**model={linear.pk}**")
    page.wait_for_selector("body[data-charts-ready]")
    assert page.input_value("input[name=start]") == start
    assert page.locator("section[data-table=channels] tbody").inner_text() != before
    page.screenshot(path=str(ARTIFACTS / "dashboard-overview-linear-14d.png"), full_page=True)

    # drill down from a campaign to its ad groups, then sort the table by spend
    page.goto(f"{live_server.url}/tiktok/")
    page.locator("section[data-table=entities] tbody tr th a").first.click()
    page.wait_for_url("**level=adgroup**")
    page.wait_for_selector("body[data-charts-ready]")
    page.locator("section[data-table=entities] thead th", has_text="Spend").first.click()
    assert page.locator("section[data-table=entities] th[data-dir=asc]").inner_text().startswith("Spend")
    assert page.locator("section[data-table=entities] thead th", has_text="Spend vs previous").count() == 1
    page.screenshot(path=str(ARTIFACTS / "dashboard-tiktok-adgroups.png"), full_page=True)

    # percentages sort as numbers (as text, "9.5%" would follow "80.0%")
    page.goto(f"{live_server.url}/compare/")
    page.wait_for_selector("body[data-charts-ready]")
    page.locator("section[data-table=gaps] thead th", has_text="Gap").click()
    cells = page.locator("section[data-table=gaps] tbody td:last-child").all_inner_texts()
    gaps = [float(c.rstrip("%").replace(",", "").replace("−", "-")) for c in cells if c != "–"]
    assert len(gaps) >= 2 and gaps == sorted(gaps)

    assert errors == []
