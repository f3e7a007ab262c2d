"""A deal won weeks after its lead: windows count back from the deal's creation (lookback_from)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from attribution.models import AttributionRollup, EventSource
from attribution.runs import fitting, services
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


@pytest.mark.parametrize("chunk_conversions", [100, 1], ids=["one-chunk", "chunk-per-person"])
def test_with_data_driven_models_a_deal_created_before_the_period_still_reaches_its_touches(
        workspace, settings, chunk_conversions):
    """Data-driven models read every person's touches over the period (the non-converting journeys
    need them), and a run in one process credits its chunks from the fit pass's reads: those
    reads too reach back to the earliest deal's creation. The period starts the day before the
    win; the TikTok click lies 32 days before it, beyond the period start minus the longest
    window (28 days)."""
    settings.CLICKLEDGER = {**settings.CLICKLEDGER, "ATTRIBUTION_CHUNK_CONVERSIONS": chunk_conversions}
    workspace.attributed_event_names = ["ClosedWon"]
    workspace.save()
    models_of(workspace)
    journey(workspace, touches=[(2, "meta", "click")], event_name="ClosedWon", source=EventSource.CRM)
    won = journey(workspace, touches=[(32, "tiktok", "click"), (10, "email", "click")],
                  event_name="ClosedWon", source=EventSource.CRM, value="5000.00")
    won.lookback_from = CREATED
    won.save()
    run = services.run_create(workspace=workspace, period_start=T0 - timedelta(days=1),
                              period_end=T0 + timedelta(days=1))
    assert {"markov", "shapley"} <= {spec.kind for spec in fitting.fitted_model_specs(run=run)}

    services.run_execute(run=run)

    assert run.chunks.count() == (1 if chunk_conversions == 100 else 2)
    credits = credits_by_kind(won)
    assert credits["last_click"] == [("tiktok", 1.0, Decimal("5000"))]
    assert credits["linear"] == [("tiktok", 1.0, Decimal("5000"))]
