"""The docs' screenshots, taken by a real Chromium from the demo so they show today's product.

Each page is opened as the demo admin and checked for what its docs page says it shows, then
photographed. The pictures go to a temporary folder, or into docs/img/ when CL_DOCS_SCREENSHOTS=1
(`scripts/screenshots`), which is how the committed images are refreshed.
"""

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from attribution.models import Site, TikTokIntegration, Workspace
from crm_sync.demo.services import ADMIN_PASSWORD, ADMIN_USERNAME, DEMO_SLUG
from dashboard.models import AuditReport
from tests.conftest import chromium

from .checks import DOCS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VIEWPORT = {"width": 1280, "height": 860}


@pytest.fixture
def shots(tmp_path):
    folder = DOCS / "img" if os.environ.get("CL_DOCS_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def demo(transactional_db, settings):
    settings.CLICKLEDGER = {**settings.CLICKLEDGER, "PUBLIC_ORIGIN": "https://clickledger.example.com"}
    call_command("seed_demo", seed=7, conversions=3000, days=45, verbosity=0)
    call_command("demo_compute", stdout=StringIO())
    return Workspace.objects.get(slug=DEMO_SLUG)


@pytest.fixture
def browser(monkeypatch):
    with chromium(monkeypatch) as instance:
        yield instance


def _shoot(page, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000, f"{name}.png is nearly empty"
    return path


def test_dashboard_pages_show_what_the_marketers_guide_describes(live_server, demo, browser, shots):
    page = browser.new_page(viewport=VIEWPORT)
    _log_in(page, live_server.url)

    expected = {
        "overview": ["Attributed revenue", "Paid ROAS", "Performance by channel"],
        "tiktok": ["Recommendation"],
        "compare": ["TikTok reported", "Our attribution → TikTok", "CRM closed (TikTok-sourced)",
                    "Likely causes"],
        "diagnostics": ["ttclid kept on TikTok sessions", "Conversions firing on page load"],
        "journeys": ["Recent conversions by known contacts", "credit"],
        "audits": ["Weekly audits"],
    }
    for name, texts in expected.items():
        page.goto(f"{live_server.url}/{name}/")
        page.wait_for_selector("body[data-charts-ready]", timeout=30_000)
        body = page.inner_text("body")
        for text in texts:
            assert text in body, f"/{name}/ does not show {text!r}"
        _shoot(page, shots, f"dashboard-{name}")

    report = AuditReport.objects.filter(workspace=demo).latest("id")
    page.goto(f"{live_server.url}/audits/{report.pk}/")
    assert report.findings[0]["title"] in page.inner_text("body")
    _shoot(page, shots, "dashboard-audit-report")


def test_admin_screens_show_what_the_admin_and_sales_ops_guides_describe(live_server, demo, browser,
                                                                          shots):
    page = browser.new_page(viewport=VIEWPORT)
    _log_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/")
    page.evaluate("localStorage.setItem('django.admin.navSidebarIsOpen', 'false')")  # room for tables

    site = Site.objects.get(workspace=demo)
    page.goto(f"{live_server.url}/admin/attribution/site/{site.pk}/change/")
    snippet = page.inner_text(".field-tracker_snippet")
    assert f'data-key="{site.public_key}"' in snippet
    assert "https://clickledger.example.com/static/clickledger/tracker.js" in snippet
    page.locator(".field-tracker_snippet").scroll_into_view_if_needed()
    _shoot(page, shots, "admin-site")

    page.set_viewport_size({"width": 1800, "height": 420})  # the outbox counts are the last column
    page.goto(f"{live_server.url}/admin/attribution/tiktokintegration/")
    listed = page.inner_text("#result_list")
    assert TikTokIntegration.objects.get(workspace=demo).name in listed
    assert "OUTBOX (QUEUED / RETRYING / SENT / DEAD / SKIPPED)" in listed.upper()
    assert "Test connection" in page.inner_text("select[name=action]")
    _shoot(page, shots, "admin-tiktok-integration")

    page.set_viewport_size(VIEWPORT)
    page.goto(f"{live_server.url}/admin/crm_sync/dealimport/add/")
    form = page.inner_text("#dealimport_form")
    for label in ("Preset", "Day first", "Decimal comma", "Phone region", "Encoding"):
        assert label in form, f"the deal import form has no {label!r}"
    _shoot(page, shots, "admin-deal-import")


def _log_in(page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", ADMIN_USERNAME)
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
