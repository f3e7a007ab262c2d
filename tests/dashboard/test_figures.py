"""Figure specs are plain dicts for speed; here each one is checked against Plotly's schema."""

from datetime import UTC, datetime
from decimal import Decimal

import plotly.graph_objects as go
import pytest

from attribution.models import MetricLevel
from dashboard.figures import comparison, journeys, overview, tiktok
from dashboard.selectors.comparison import three_way
from dashboard.selectors.diagnostics import diagnostics_days, summarize
from dashboard.selectors.journeys import JourneyConversion, JourneyTouch
from dashboard.selectors.overview import channel_performance, daily_trend, model_comparison
from dashboard.selectors.tiktok import tiktok_entities


def valid(spec: dict) -> go.Figure:
    return go.Figure(spec)  # raises ValueError on any property Plotly does not know


def test_every_figure_spec_is_valid_plotly(filters, world):
    table = tiktok_entities(filters=filters, level=MetricLevel.CAMPAIGN)
    days = diagnostics_days(filters=filters)
    specs = [
        overview.channel_revenue_spec(channel_performance(filters=filters)),
        overview.model_comparison_spec(model_comparison(filters=filters)),
        overview.trend_spec(daily_trend(filters=filters)),
        tiktok.spend_vs_revenue_spec(table, model_id=world.last_click.pk),
        tiktok.roas_by_model_spec(table),
        comparison.three_way_spec(three_way(filters=filters)),
        comparison.diagnostics_rates_spec(summarize(days)),
        comparison.diagnostics_daily_spec(days),
        journeys.credit_per_touch_spec(
            JourneyConversion(
                conversion_id=1,
                event_name="CompletePayment",
                occurred_at=datetime(2026, 11, 2, tzinfo=UTC),
                value=Decimal("10"),
                currency="USD",
                touches=[
                    JourneyTouch(
                        1,
                        datetime(2026, 11, 1, tzinfo=UTC),
                        "tiktok",
                        "click",
                        "",
                        True,
                        {world.linear.pk: (0.5, Decimal("5"))},
                    )
                ],
            ),
            [world.last_click, world.linear],
        ),
    ]
    for spec in specs:
        valid(spec)


def test_the_trend_plots_what_the_selector_returned(filters):
    spec = overview.trend_spec(daily_trend(filters=filters, channel="tiktok"))
    revenue = next(t for t in spec["data"] if t["name"] == "Attributed revenue")
    assert (revenue["x"], revenue["y"]) == (["2026-11-02", "2026-11-03"], [200.0, 50.0])


@pytest.mark.parametrize("builder", [overview.channel_revenue_spec, overview.trend_spec])
def test_no_data_gives_a_valid_empty_figure_with_a_message(builder):
    spec = builder([])
    valid(spec)
    assert spec["layout"]["annotations"][0]["text"] == "No data for this selection."


def test_figures_embed_no_plotly_library_and_no_cdn(filters):
    html = overview.channel_revenue(channel_performance(filters=filters))
    assert "Plotly.newPlot" in html and "cdn" not in html and len(html) < 50_000


def test_the_drill_down_chart_names_the_platform_whose_value_it_shows(filters, world):
    table = tiktok_entities(filters=filters, level=MetricLevel.CAMPAIGN)
    spec = tiktok.spend_vs_revenue_spec(table, model_id=world.last_click.pk, platform="Meta")
    assert [trace["name"] for trace in spec["data"]] == ["Spend", "Attributed revenue", "Meta-reported value"]
