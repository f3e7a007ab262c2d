"""Spend, ROAS, the three-way comparison and recommendations for every paid platform, not TikTok only.

The platform numbers are written by the real importers (Meta and Google exports, TikTok rows through
the one upsert); the credited side is rollups of a current run.
"""

from decimal import Decimal

from django.urls import reverse

from attribution import models as am
from dashboard.selectors.comparison import three_way
from dashboard.selectors.overview import channel_performance
from dashboard.selectors.tiktok import platform_entities


def test_every_paid_channel_has_its_spend_and_roas(three_platforms):
    rows = {r.channel: r for r in channel_performance(filters=three_platforms)}
    assert rows["meta"].spend == Decimal("1304.56") and rows["meta"].roas == Decimal("2.0000")
    assert rows["google"].spend == Decimal("1602.60") and rows["google"].label == "Google Ads"
    assert rows["tiktok"].roas == Decimal("2.0000")


def test_a_platform_with_spend_and_no_credit_is_listed_with_a_roas_of_zero(workspace, three_platforms):
    am.AttributionRollup.objects.filter(channel="google").delete()
    rows = {r.channel: r for r in channel_performance(filters=three_platforms)}
    assert (rows["google"].spend, rows["google"].conversions, rows["google"].roas) == (
        Decimal("1602.60"), 0.0, Decimal("0"))


def test_the_three_way_comparison_reads_each_platform_under_its_own_window(three_platforms):
    meta = three_way(filters=three_platforms, platform="meta")
    assert (meta.reported.source, meta.reported.conversions, meta.reported.revenue) == (
        "Meta reported", Decimal("15"), Decimal("1637.50"))
    assert meta.reported_window == (7, 1) and meta.attributed.conversions == Decimal("10.0")
    assert (meta.crm.source, meta.crm.conversions, meta.crm.revenue) == (
        "CRM closed (Meta-sourced)", Decimal("1"), Decimal("900"))
    google = three_way(filters=three_platforms, platform="google")
    assert google.reported_window == (30, 1) and google.reported.conversions == Decimal("43.5")
    assert google.crm.revenue == Decimal("400")
    assert google.window_mismatch  # our attribution's Google window is the 28/1 fallback, not 30/1


def test_google_campaigns_get_recommendations(three_platforms, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        table = platform_entities(filters=three_platforms, platform="google")
    by_id = {r.external_id: r for r in table.rows}
    assert set(by_id) == {"20111111111", "20122222222"}
    brand = by_id["20111111111"]
    assert brand.spend == Decimal("1292.60") and brand.reported_conversions == Decimal("43.50")
    assert brand.recommendation is not None and brand.recommendation.action in ("scale", "hold", "cut")


def test_the_pages_switch_platform(client, member, three_platforms, workspace):
    client.force_login(member)
    query = {"ws": workspace.pk, "start": "2026-11-01", "end": "2026-11-07",
             "model": three_platforms.model.pk}
    page = client.get(reverse("dashboard:compare"), {**query, "platform": "meta"}).content.decode()
    assert "Meta reported" in page and "CRM closed (Meta-sourced)" in page
    page = client.get(reverse("dashboard:tiktok"), {**query, "platform": "google"}).content.decode()
    assert "Google Ads campaigns" in page and "Brand search" in page and "platform=google" in page
    assert "Spring sale" not in page  # Meta's campaign stays on Meta's page
