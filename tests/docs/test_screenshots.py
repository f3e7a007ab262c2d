"""The docs' screenshots, taken by a real Chromium from the demo so they show today's product.

Each page is opened as the demo admin (a new workspace's pages as its own admin) and checked for
what its docs page says it shows, then photographed, scrolled to the section the guide explains.
The pictures go to a temporary folder, or into docs/img/ when CL_DOCS_SCREENSHOTS=1
(`scripts/screenshots`), which is how the committed images are refreshed.
"""

import os
import re
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image

from attribution.models import Membership, MetaAdAccount, Role, Site, TikTokIntegration, Workspace
from crm_sync.demo.services import ADMIN_PASSWORD, ADMIN_USERNAME, DEMO_SLUG
from crm_sync.models import Deal
from crm_sync.privacy.models import RetentionPolicy
from crm_sync.privacy.retention import retention_purge
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
    """Photograph the window; stored with a 256-colour palette (a page's few flat colours survive
    it unchanged to the eye, at a third of the bytes)."""
    path = folder / f"{name}.png"
    picture = Image.open(BytesIO(page.screenshot())).convert("RGB")
    picture.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(path, optimize=True)
    assert path.stat().st_size > 10_000, f"{name}.png is nearly empty"
    return path


def test_dashboard_pages_show_what_the_marketers_guide_describes(live_server, demo, browser, shots):
    page = browser.new_page(viewport=VIEWPORT)
    _log_in(page, live_server.url)

    expected = {
        "overview": ["Attributed revenue", "Paid ROAS", "Performance by channel"],
        "tiktok": ["Recommendation", "ROAS 90% interval"],
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
        if name == "tiktok":  # the campaigns and their recommendations; the charts show in the Meta one
            assert re.search(r"Every model \(\d+\) says|under \d+ of \d+ models", body)
            _scroll_to(page, ".with-aside")
        _shoot(page, shots, f"dashboard-{name}")

    report = AuditReport.objects.filter(workspace=demo).latest("id")
    page.goto(f"{live_server.url}/audits/{report.pk}/")
    assert report.findings[0]["title"] in page.inner_text("body")
    _shoot(page, shots, "dashboard-audit-report")


def test_journey_reports_and_platform_pages_show_what_the_marketers_guide_describes(
        live_server, demo, browser, shots):
    page = browser.new_page(viewport=VIEWPORT)
    _log_in(page, live_server.url)

    _open(page, f"{live_server.url}/paths/")
    body = page.inner_text("body")
    for text in ("Top conversion paths", "Assisted vs last-touch conversions",
                 "Days from first touch to conversion", "Touches per conversion",
                 "Customer value by first-touch channel", "(unattributed)"):
        assert text in body, f"/paths/ does not show {text!r}"
    _shoot(page, shots, "dashboard-paths")
    _scroll_to(page, "[data-table=paths] ~ .card.chart")  # the assists chart, then its table
    _shoot(page, shots, "dashboard-paths-assists")
    _scroll_to(page, ".grid2")  # the time lag and path length charts, side by side
    _shoot(page, shots, "dashboard-paths-lag")
    _scroll_to(page, "[data-table=lag] ~ .card.chart")  # customer value's chart, then its table
    _shoot(page, shots, "dashboard-paths-value")

    _open(page, f"{live_server.url}/finder/")
    assert "an example: the period's latest multi-touch journey" in page.inner_text("body")
    assert page.locator("ol.path li").count() >= 2
    _shoot(page, shots, "dashboard-finder")

    _open(page, f"{live_server.url}/overview/")
    _scroll_to(page, "[data-table=models]")
    models = page.inner_text("[data-table=models]")
    assert "Models side by side: channels" in models and "Data-driven" in models
    _shoot(page, shots, "dashboard-models")

    _open(page, f"{live_server.url}/tiktok/?platform=meta")
    assert "Meta drill-down" in page.inner_text("h1")
    assert page.inner_text("nav.platforms").split(" · ") == ["TikTok", "Meta", "Google Ads"]
    _shoot(page, shots, "dashboard-drilldown-meta")


def test_a_new_workspace_shows_its_setup_steps_on_the_dashboard_and_in_admin(live_server, transactional_db,
                                                                              browser, shots):
    from tests.factories import UserFactory

    user = UserFactory(username="newcomer", is_staff=True)
    user.set_password("pw-newcomer-1")
    user.save()
    workspace = Workspace.objects.create(name="Acme Shoes", slug="acme-shoes")
    Membership.objects.create(user=user, workspace=workspace, role=Role.ADMIN)
    Site.objects.create(workspace=workspace, name="acme-shoes.example", domains=["acme-shoes.example"])
    page = browser.new_page(viewport=VIEWPORT)
    _log_in(page, live_server.url, "newcomer", "pw-newcomer-1")
    steps = page.locator(".first-run li")
    assert steps.count() == 7 and "Done:" in steps.nth(1).inner_text()
    assert "To do:" in steps.nth(2).inner_text()
    _shoot(page, shots, "dashboard-first-run")

    page.goto(f"{live_server.url}/admin/attribution/workspace/{workspace.pk}/change/")
    checklist = page.inner_text(".field-setup_checklist")
    assert "2 of 7 steps done." in checklist and "To do: First touch received" in checklist
    _shoot(page, shots, "admin-setup-checklist")


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

    page.set_viewport_size({"width": 1800, "height": 420})  # like the TikTok list: every column
    page.goto(f"{live_server.url}/admin/attribution/metaadaccount/")
    assert MetaAdAccount.objects.get(workspace=demo).name in page.inner_text("#result_list")
    assert "Test connection" in page.inner_text("select[name=action]")
    _shoot(page, shots, "admin-meta-ad-accounts")

    page.set_viewport_size(VIEWPORT)
    deal = Deal.objects.filter(workspace=demo).order_by("pk").first()
    page.goto(f"{live_server.url}/admin/crm_sync/personerasure/person/")
    page.select_option("select[name=workspace]", str(demo.pk))
    page.fill("input[name=deal_id]", deal.crm_id)
    page.click("button[value=find]")
    assert "Stored about this person" in page.inner_text("#content")
    assert page.locator("button[value=erase]").is_visible()
    _scroll_to(page, "#content h2")
    _shoot(page, shots, "admin-privacy-person")

    page.goto(f"{live_server.url}/admin/")
    privacy = page.inner_text(".module:has-text('7. Privacy')")
    assert "Retention policies" in privacy and "Person erasures" in privacy

    policy = RetentionPolicy.objects.create(workspace=demo, touch_days=30, event_detail_days=40,
                                            lost_deal_days=30)
    retention_purge(policy=policy)  # the demo's oldest weeks: the list shows what the purge did
    page.set_viewport_size({"width": 1800, "height": 420})
    page.goto(f"{live_server.url}/admin/crm_sync/retentionpolicy/")
    listed = page.inner_text("#result_list")
    assert "LAST PURGE: ROWS ANONYMIZED" in listed.upper() and " touchpoint" in listed
    _shoot(page, shots, "admin-retention-policies")


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-charts-ready]", timeout=30_000)


def _scroll_to(page, selector: str) -> None:
    """Bring the element to the top of the window, so the picture starts where its section does."""
    page.locator(selector).first.evaluate("e => e.scrollIntoView({block: 'start'})")


def _log_in(page, base: str, username: str = ADMIN_USERNAME, password: str = ADMIN_PASSWORD) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
