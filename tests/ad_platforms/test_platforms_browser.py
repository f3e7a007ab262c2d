"""A real headless Chromium reads the overview and the three-way comparison of three platforms."""

from pathlib import Path

import pytest

from tests.conftest import chromium

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def browser(monkeypatch):
    with chromium(monkeypatch) as instance:
        yield instance


def test_overview_and_comparison_show_tiktok_meta_and_google(transactional_db, live_server, member,
                                                              three_platforms, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", member.username)
    page.fill("input[name=password]", "pass-word-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    query = (f"ws={three_platforms.workspace.pk}&start=2026-11-01&end=2026-11-07"
             f"&model={three_platforms.model.pk}")

    page.goto(f"{live_server.url}/overview/?{query}")
    page.wait_for_selector("body[data-charts-ready]", timeout=15_000)
    channels = page.locator("section[data-table=channels] tbody").inner_text()
    for label in ("TikTok", "Meta", "Google Ads"):
        assert label in channels
    assert "1,304.56" in channels or "1304.56" in channels  # Meta's spend, from its export
    page.screenshot(path=str(ARTIFACTS / "ad-platforms-overview.png"), full_page=True)

    page.goto(f"{live_server.url}/compare/?{query}&platform=meta")
    page.wait_for_selector("body[data-charts-ready]", timeout=15_000)
    assert "Meta reported" in page.locator("section[data-table=sources]").inner_text()
    page.click("nav.platforms >> text=Google Ads")
    page.wait_for_url("**platform=google**")
    page.wait_for_selector("body[data-charts-ready]", timeout=15_000)
    sources = page.locator("section[data-table=sources]").inner_text()
    assert "Google Ads reported" in sources and "CRM closed (Google Ads-sourced)" in sources
    assert "30-day click / 1-day view" in page.locator("main").inner_text()
    assert page.locator(".js-plotly-plot .main-svg").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "ad-platforms-compare-google.png"), full_page=True)
    assert errors == []
