"""Money in other currencies is converted to the workspace's with the rate of its day; days without
a rate are left out and the page says so."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from dashboard.models import ExchangeRate
from dashboard.selectors.comparison import crm_closed, crm_closed_other_currencies, three_way
from dashboard.selectors.overview import channel_performance, daily_trend, other_currencies
from dashboard.selectors.tiktok import tiktok_entities
from tests.factories import DealFactory

from .factories import RollupFactory
from .world import D2

pytestmark = pytest.mark.django_db


@pytest.fixture
def euro_rows(world, workspace):
    """A euro sale credited to the first TikTok ad on Nov 2, and a deal closed in pounds on Nov 4."""
    ad = world.ad1
    RollupFactory(run=world.current_run, model_config=world.last_click, day=D2, channel="tiktok",
                  conversions=1.0, revenue=Decimal("900"), currency="EUR", campaign=ad.campaign,
                  adgroup=ad.adgroup, ad=ad)
    DealFactory(workspace=workspace, stage="closedwon", closed_at=datetime(2026, 11, 4, tzinfo=UTC),
                amount=Decimal("2000"), currency="GBP", ttclid="E.C.P.gbp")


@pytest.fixture
def rates(db):
    """ECB quotations (units per euro): Nov 2 and Nov 4, 2026."""
    for day, currency, rate in [
        (date(2026, 11, 2), "USD", "1.0850"),
        (date(2026, 11, 4), "USD", "1.0800"),
        (date(2026, 11, 4), "GBP", "0.8300"),
    ]:
        ExchangeRate.objects.create(day=day, currency=currency, rate=Decimal(rate))


def test_without_rates_the_revenue_leaves_other_currencies_out_but_counts_every_conversion(
    filters, euro_rows
):
    tiktok = next(r for r in channel_performance(filters=filters) if r.channel == "tiktok")
    assert (tiktok.conversions, tiktok.revenue, tiktok.roas) == (4.0, Decimal("250"), Decimal("1.7857"))
    assert sum(r.revenue for r in daily_trend(filters=filters, channel="tiktok")) == Decimal("250")
    assert three_way(filters=filters).attributed.revenue == Decimal("250")
    [euros] = other_currencies(filters=filters)
    assert (euros.currency, euros.original, euros.converted, euros.unconverted, euros.missing_days) == (
        "EUR", Decimal("900"), Decimal("0"), Decimal("900"), [D2])


def test_with_rates_every_revenue_figure_converts_other_currencies_to_the_cent(filters, euro_rows, rates):
    converted = Decimal("976.50")  # 900 EUR × 1.0850 USD/EUR on Nov 2
    tiktok = next(r for r in channel_performance(filters=filters) if r.channel == "tiktok")
    assert tiktok.revenue == Decimal("250") + converted
    trend = daily_trend(filters=filters, channel="tiktok")
    assert sum(r.revenue for r in trend) == Decimal("250") + converted
    assert three_way(filters=filters).attributed.revenue == Decimal("250") + converted
    campaigns = tiktok_entities(filters=filters, level="campaign").rows
    assert sum(row.credit(filters.model.pk).revenue for row in campaigns) == Decimal("250") + converted
    [euros] = other_currencies(filters=filters)
    assert (euros.converted, euros.unconverted, euros.missing_days) == (converted, Decimal("0"), [])


def test_deals_convert_with_the_rate_of_the_day_they_closed(filters, euro_rows, rates):
    pounds = Decimal("2602.41")  # 2000 GBP / 0.83 GBP per EUR × 1.08 USD per EUR = 2602.4096…
    tiktok_sourced, everything = crm_closed(filters=filters)
    assert (tiktok_sourced.conversions, tiktok_sourced.revenue) == (Decimal("2"), Decimal("300") + pounds)
    assert (everything.conversions, everything.revenue) == (Decimal("3"), Decimal("1300") + pounds)
    [line] = crm_closed_other_currencies(filters=filters)
    assert (line.currency, line.count, line.original, line.converted) == ("GBP", 1, Decimal("2000"), pounds)


def test_a_weekend_uses_the_last_published_rate_but_an_old_rate_is_never_used(filters, workspace, world):
    ExchangeRate.objects.create(day=date(2026, 10, 30), currency="USD", rate=Decimal("1.1000"))  # a Friday
    for day in (date(2026, 11, 1), date(2026, 11, 6)):  # Sunday: 2 days on; Friday a week on: too old
        RollupFactory(run=world.current_run, model_config=world.last_click, day=day, channel="email",
                      conversions=1.0, revenue=Decimal("10"), currency="EUR")
    [euros] = other_currencies(filters=filters)
    assert (euros.converted, euros.unconverted, euros.missing_days) == (
        Decimal("11.00"), Decimal("10"), [date(2026, 11, 6)])


def _period(world) -> dict:
    return {"start": "2026-11-01", "end": "2026-11-07", "window": "7-1", "model": world.last_click.pk}


def test_the_pages_state_the_days_without_a_rate_and_what_they_leave_out(logged_in, world, euro_rows):
    period = _period(world)

    overview = logged_in.get(reverse("dashboard:overview"), period).content.decode()
    compare = logged_in.get(reverse("dashboard:compare"), period).content.decode()

    assert 'id="missing-rates"' in overview
    assert "€900.00 in EUR\n    (1 day: 2026-11-02)" in overview
    assert "GBP" not in overview
    assert "€900.00" in compare and "£2,000.00" in compare


def test_the_pages_show_converted_revenue_and_the_originals_on_demand(logged_in, world, euro_rows, rates):
    page = logged_in.get(reverse("dashboard:overview"), _period(world)).content.decode()
    assert 'id="other-currencies"' in page and 'id="missing-rates"' not in page
    assert "Show the original amounts" in page
    assert "<td>€900.00</td><td>$976.50</td>" in page
    assert "$1,226.50" in page  # the TikTok row's revenue: 250 + 976.50


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

    assert "CHF" in overview
    assert "€900.00" in tiktok and "CHF" not in tiktok
    assert "€900.00" in compare and "CHF" not in compare
