"""Money in other currencies than the workspace's is never added to its revenue; it is listed apart."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from dashboard.selectors.comparison import crm_closed, crm_closed_other_currencies, three_way
from dashboard.selectors.overview import channel_performance, daily_trend, other_currencies
from dashboard.selectors.tiktok import tiktok_entities
from tests.factories import DealFactory

from .factories import RollupFactory
from .world import D2

pytestmark = pytest.mark.django_db


@pytest.fixture
def euro_rows(world, workspace):
    """A euro sale credited to the first TikTok ad, and a deal closed in pounds."""
    ad = world.ad1
    RollupFactory(run=world.current_run, model_config=world.last_click, day=D2, channel="tiktok",
                  conversions=1.0, revenue=Decimal("900"), currency="EUR", campaign=ad.campaign,
                  adgroup=ad.adgroup, ad=ad)
    DealFactory(workspace=workspace, stage="closedwon", closed_at=datetime(2026, 11, 4, tzinfo=UTC),
                amount=Decimal("2000"), currency="GBP", ttclid="E.C.P.gbp")


def test_revenue_adds_only_the_reporting_currency_but_counts_every_conversion(filters, euro_rows):
    tiktok = next(r for r in channel_performance(filters=filters) if r.channel == "tiktok")
    assert (tiktok.conversions, tiktok.revenue, tiktok.roas) == (4.0, Decimal("250"), Decimal("1.7857"))
    assert sum(r.revenue for r in daily_trend(filters=filters, channel="tiktok")) == Decimal("250")
    assert three_way(filters=filters).attributed.revenue == Decimal("250")
    campaigns = tiktok_entities(filters=filters, level="campaign").rows
    assert sum(row.credit(filters.model.pk).revenue for row in campaigns) == Decimal("250")


def test_the_other_currencies_are_listed_with_what_they_hold(filters, euro_rows):
    assert [(o.currency, o.count, o.amount) for o in other_currencies(filters=filters)] == [
        ("EUR", 1.0, Decimal("900"))]
    assert other_currencies(filters=filters, channel="tiktok") == other_currencies(filters=filters)
    assert other_currencies(filters=filters, channel="meta") == []


def test_deals_closed_in_another_currency_count_but_their_amounts_are_listed_apart(filters, euro_rows):
    tiktok_sourced, everything = crm_closed(filters=filters)
    assert (tiktok_sourced.conversions, tiktok_sourced.revenue) == (Decimal("2"), Decimal("300"))
    assert (everything.conversions, everything.revenue) == (Decimal("3"), Decimal("1300"))
    assert [(d.currency, d.count, d.amount) for d in crm_closed_other_currencies(filters=filters)] == [
        ("GBP", 1, Decimal("2000"))]


def _period(world) -> dict:
    return {"start": "2026-11-01", "end": "2026-11-07", "window": "7-1", "model": world.last_click.pk}


def test_the_pages_say_what_their_revenue_leaves_out(logged_in, world, euro_rows):
    period = _period(world)

    overview = logged_in.get(reverse("dashboard:overview"), period).content.decode()
    compare = logged_in.get(reverse("dashboard:compare"), period).content.decode()

    assert 'id="other-currencies"' in overview
    assert "EUR 900.00 (1 credited conversion under this model)" in overview
    assert "GBP" not in overview
    assert "EUR 900.00" in compare and "GBP 2000.00 (1 closed deal)" in compare


def test_a_single_currency_workspace_shows_no_notice(logged_in, world):
    page = logged_in.get(reverse("dashboard:overview"), _period(world)).content.decode()
    assert 'id="other-currencies"' not in page and "Performance by channel" in page


def test_the_tiktok_pages_list_only_tiktoks_money_in_other_currencies(logged_in, world, euro_rows):
    RollupFactory(run=world.current_run, model_config=world.last_click, day=D2, channel="meta",
                  conversions=2.0, revenue=Decimal("70"), currency="CHF")
    period = _period(world)

    overview = logged_in.get(reverse("dashboard:overview"), period).content.decode()
    tiktok = logged_in.get(reverse("dashboard:tiktok"), period).content.decode()
    compare = logged_in.get(reverse("dashboard:compare"), period).content.decode()

    assert "CHF 70.00 (2 credited conversions under this model)" in overview
    assert "EUR 900.00" in tiktok and "CHF" not in tiktok
    assert "EUR 900.00" in compare and "CHF" not in compare
