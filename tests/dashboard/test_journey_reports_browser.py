"""A real headless Chromium opens the Paths page and the journey finder on seed_demo data, uses
their switches and lookup form, and saves a screenshot of each state to test-artifacts/."""

import pytest
from django.core.cache import cache

from attribution.models import ConversionEvent
from crm_sync.demo.services import ADMIN_PASSWORD, ADMIN_USERNAME

from .test_browser import ARTIFACTS, browser, demo  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_paths_and_finder_pages_render_and_respond_in_a_browser(live_server, demo, browser):  # noqa: F811
    cache.clear()  # (the Paths page is cached by workspace and run ids, which a new test database reuses)
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

    page.click("nav >> text=Paths")
    page.wait_for_selector("body[data-charts-ready]", timeout=15_000)
    assert page.locator(".js-plotly-plot .sankey").count() == 1
    assert page.locator(".js-plotly-plot .main-svg").count() >= 5
    assert "→" in page.locator("section[data-table=paths] tbody").inner_text()
    page.screenshot(path=str(ARTIFACTS / "dashboard-paths.png"), full_page=True)

    page.click("#path-switches >> text=TikTok campaigns")
    page.wait_for_url("**level=campaign**")
    page.click("#path-switches >> text=collapsed")
    page.wait_for_url("**repeats=collapse**")
    page.wait_for_selector("body[data-charts-ready]", timeout=15_000)
    assert "level=campaign" in page.url
    assert "TikTok:" in page.locator("section[data-table=paths] tbody").inner_text()
    page.screenshot(path=str(ARTIFACTS / "dashboard-paths-campaigns-collapsed.png"), full_page=True)

    page.click("nav >> text=Finder")
    page.wait_for_selector("body[data-charts-ready]", timeout=15_000)
    assert "multi-touch" in page.locator("h2").first.inner_text()
    assert page.locator("ol.path").first.locator("li").count() >= 2
    page.screenshot(path=str(ARTIFACTS / "dashboard-finder-example.png"), full_page=True)

    event_id = ConversionEvent.objects.filter(workspace=demo, contact__isnull=False).values_list(
        "event_id", flat=True).first()
    page.select_option("#finder select[name=by]", "event")
    page.fill("#finder input[name=q]", event_id)
    with page.expect_navigation():
        page.click("#finder button[type=submit]")
    page.wait_for_selector("body[data-charts-ready]", timeout=15_000)
    assert page.locator("h2").first.inner_text().startswith("Contact ")
    assert event_id not in page.url  # posted, not put in the address
    page.screenshot(path=str(ARTIFACTS / "dashboard-finder-order-id.png"), full_page=True)

    page.select_option("#finder select[name=by]", "phone")
    page.fill("#finder input[name=q]", "12")
    page.click("#finder button[type=submit]")
    page.wait_for_selector("#finder-error")
    page.screenshot(path=str(ARTIFACTS / "dashboard-finder-bad-phone.png"), full_page=True)
    assert errors == [] or all("400" in e for e in errors)
