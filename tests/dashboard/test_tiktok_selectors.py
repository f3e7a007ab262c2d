from dataclasses import replace
from decimal import Decimal

from attribution.models import MetricLevel
from dashboard.selectors.tiktok import tiktok_entities
from tests.factories import AdCampaignFactory


def test_campaign_table_sets_platform_numbers_beside_each_models_credit(
    filters, world, django_assert_num_queries
):
    with django_assert_num_queries(5):
        table = tiktok_entities(filters=filters, level=MetricLevel.CAMPAIGN)
    spring = next(r for r in table.rows if r.name == "Spring Sale")
    assert (spring.spend, spring.clicks, spring.reported_conversions) == (Decimal("100"), 50, Decimal("5"))
    assert spring.credit(world.last_click.pk).revenue == Decimal("200")
    assert spring.credit(world.last_click.pk).roas == Decimal("2")
    assert spring.credit(world.linear.pk).roas == Decimal("1.5")
    assert [r.name for r in table.rows] == ["Spring Sale", "Retargeting"]  # by spend


def test_query_count_does_not_grow_with_the_number_of_campaigns(
    filters, workspace, django_assert_num_queries
):
    AdCampaignFactory.create_batch(30, workspace=workspace)
    with django_assert_num_queries(5):
        table = tiktok_entities(filters=filters, level=MetricLevel.CAMPAIGN)
    assert len(table.rows) == 32


def test_drilling_into_a_campaign_lists_only_its_ad_groups(filters, world):
    table = tiktok_entities(filters=filters, level=MetricLevel.ADGROUP, parent_id=world.ad2.campaign_id)
    assert [(r.name, r.spend, r.credit(world.last_click.pk).conversions) for r in table.rows] == [
        ("Retargeting 7d", Decimal("40"), 1.0)
    ]


def test_ad_level_has_numbers_but_no_recommendation(filters, world):
    table = tiktok_entities(filters=filters, level=MetricLevel.AD, parent_id=world.ad1.adgroup_id)
    assert [(r.external_id, r.spend, r.recommendation) for r in table.rows] == [
        (world.ad1.external_id, Decimal("100"), None)
    ]


def test_recommendations_hold_when_the_data_is_thin(filters):
    table = tiktok_entities(filters=filters, level=MetricLevel.CAMPAIGN)
    spring = next(r for r in table.rows if r.name == "Spring Sale")
    assert spring.recommendation.action == "hold"
    assert spring.recommendation.evidence == "2 credited conversions, 50 clicks, $100.00 spend"


def test_another_window_shows_the_numbers_reported_under_it(filters, world):
    table = tiktok_entities(filters=replace(filters, click_window_days=1, view_window_days=0))
    spring = next(r for r in table.rows if r.name == "Spring Sale")
    assert (spring.spend, spring.reported_conversions) == (Decimal("100"), Decimal("3"))


def test_a_recommendation_says_which_models_agree_and_its_roas_interval(filters, world):
    table = tiktok_entities(filters=filters, level=MetricLevel.CAMPAIGN)
    spring = next(r for r in table.rows if r.name == "Spring Sale")
    # Both models credit Spring Sale with too few conversions to act on: both say hold.
    assert spring.recommendation.agreement == "Every model (2) says hold."
    assert spring.recommendation.confidence.startswith("ROAS 90% interval ")
