from datetime import date

import pytest

from dashboard.selectors.filters import DashboardFilters

from .world import build_world


@pytest.fixture
def world(workspace):
    return build_world(workspace)


@pytest.fixture
def filters(workspace, world):
    """November 1–7 under last click, TikTok numbers under 7-day click / 1-day view."""
    return DashboardFilters(
        workspace=workspace,
        start=date(2026, 11, 1),
        end=date(2026, 11, 7),
        model=world.last_click,
        click_window_days=7,
        view_window_days=1,
    )


@pytest.fixture
def logged_in(client, member):
    """The test client, logged in as an admin of ``workspace``."""
    client.force_login(member)
    return client
