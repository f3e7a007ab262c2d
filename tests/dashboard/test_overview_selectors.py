from datetime import date
from decimal import Decimal

from dashboard.selectors.overview import channel_performance, daily_trend, model_comparison


def test_channel_performance_counts_only_the_current_run_and_the_selected_window(
    filters, django_assert_num_queries
):
    with django_assert_num_queries(3):
        rows = channel_performance(filters=filters)
    by_channel = {r.channel: r for r in rows}
    tiktok, meta = by_channel["tiktok"], by_channel["meta"]
    assert (tiktok.spend, tiktok.conversions, tiktok.revenue) == (Decimal("140"), 3.0, Decimal("250"))
    assert tiktok.roas == Decimal("1.7857")
    assert tiktok.cpa == Decimal("46.6667")
    assert (meta.spend, meta.revenue, meta.roas) == (Decimal("60"), Decimal("100"), Decimal("1.6667"))


def test_model_comparison_shows_how_each_model_credits_each_channel(
    filters, world, django_assert_num_queries
):
    with django_assert_num_queries(1):
        rows = model_comparison(filters=filters)
    got = {(r.model_name, r.channel): (r.conversions, r.revenue) for r in rows}
    assert got == {
        ("Last click", "meta"): (1.0, Decimal("100")),
        ("Last click", "tiktok"): (3.0, Decimal("250")),
        ("Linear", "meta"): (2.0, Decimal("175")),
        ("Linear", "tiktok"): (2.0, Decimal("175")),
    }


def test_daily_trend_sets_tiktok_revenue_against_its_spend_per_day(filters, django_assert_num_queries):
    with django_assert_num_queries(3):
        rows = daily_trend(filters=filters, channel="tiktok")
    assert [(r.day, r.spend, r.revenue, r.roas) for r in rows] == [
        (date(2026, 11, 2), Decimal("100"), Decimal("200"), Decimal("2")),
        (date(2026, 11, 3), Decimal("40"), Decimal("50"), Decimal("1.25")),
    ]


def test_overall_trend_sets_all_revenue_against_all_platforms_spend(filters):
    rows = daily_trend(filters=filters)
    assert [(r.day, r.spend, r.revenue) for r in rows] == [
        (date(2026, 11, 2), Decimal("160"), Decimal("300")),
        (date(2026, 11, 3), Decimal("40"), Decimal("50")),
    ]


def test_a_period_without_data_gives_no_rows(filters, django_assert_num_queries):
    from dataclasses import replace

    empty = replace(filters, start=date(2025, 1, 1), end=date(2025, 1, 31))
    assert channel_performance(filters=empty) == []
    assert daily_trend(filters=empty) == []
