"""A workspace without data says what to do next, with links to the admin pages that do it."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["overview", "tiktok", "compare", "diagnostics", "journeys"])
def test_a_workspace_without_attribution_output_shows_its_next_steps_not_empty_charts(logged_in, name):
    html = logged_in.get(reverse(f"dashboard:{name}")).content.decode()
    assert "has no attribution data yet" in html
    assert "Plotly.newPlot" not in html
    assert "/admin/attribution/site/add/" in html and "/admin/crm_sync/dealimport/add/" in html
    assert "/admin/attribution/tiktokintegration/add/" in html


def test_steps_already_done_are_marked_done(logged_in, workspace, member):
    html = logged_in.get(reverse("dashboard:overview")).content.decode()
    assert "Done: Workspace and its members" in html  # the member is its admin
    assert "To do: First attribution run" in html


def test_once_a_run_has_published_the_pages_show_data(logged_in, world):
    html = logged_in.get(reverse("dashboard:overview"), {"start": "2026-11-01", "end": "2026-11-07"}).content
    assert b"has no attribution data yet" not in html and b"Plotly.newPlot" in html
