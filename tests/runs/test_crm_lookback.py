"""A deal won weeks after its lead: windows count back from the deal's creation (lookback_from)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from attribution.models import AttributionRollup, EventSource
from tests.runs.journeys import T0, journey, models_of
from tests.runs.test_run_service import credits_by_kind, full_run

pytestmark = pytest.mark.django_db
CREATED = T0 - timedelta(days=30)


@pytest.fixture
def won_deal(workspace):
    workspace.attributed_event_names = ["ClosedWon"]
    workspace.save()
    models_of(workspace)
    # A TikTok click two days before the deal was created, an email after it; won 30 days later.
    conversion = journey(workspace, touches=[(32, "tiktok", "click"), (10, "email", "click")],
                         event_name="ClosedWon", source=EventSource.CRM, value="5000.00")
    return conversion


def test_the_click_before_the_deal_was_created_earns_the_won_revenue(workspace, won_deal):
    won_deal.lookback_from = CREATED
    won_deal.save()
    full_run(workspace)
    credits = credits_by_kind(won_deal)
    assert credits["last_click"] == [("tiktok", 1.0, Decimal("5000"))]
    assert credits["linear"] == [("tiktok", 1.0, Decimal("5000"))]  # the later email is not eligible


def test_without_lookback_from_the_same_deal_counts_from_its_close(workspace, won_deal):
    full_run(workspace)
    credits = credits_by_kind(won_deal)
    assert credits["last_click"] == [("email", 1.0, Decimal("5000"))]


def test_revenue_is_booked_on_the_day_the_deal_closed(workspace, won_deal):
    won_deal.lookback_from = CREATED
    won_deal.save()
    full_run(workspace)
    days = set(AttributionRollup.objects.filter(channel="tiktok").values_list("day", flat=True))
    assert days == {T0.astimezone(workspace.tzinfo).date()}
