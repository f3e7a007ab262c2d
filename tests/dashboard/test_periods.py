"""Period presets, the previous period they are compared with, and the selector's defaults."""

from datetime import date

import pytest
from django.urls import reverse

from attribution.models import LookbackWindow
from dashboard import periods

TODAY = date(2026, 3, 15)


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        (periods.LAST_7, (date(2026, 3, 9), TODAY)),
        (periods.LAST_30, (date(2026, 2, 14), TODAY)),
        (periods.LAST_90, (date(2025, 12, 16), TODAY)),
        (periods.MONTH_TO_DATE, (date(2026, 3, 1), TODAY)),
        (periods.LAST_MONTH, (date(2026, 2, 1), date(2026, 2, 28))),
    ],
)
def test_each_preset_ends_today_or_covers_last_month(preset, expected):
    assert periods.preset_range(preset, today=TODAY) == expected


def test_the_previous_period_is_as_long_and_ends_the_day_before():
    assert periods.previous_range(date(2026, 3, 9), date(2026, 3, 15)) == (date(2026, 3, 2), date(2026, 3, 8))


def test_a_whole_month_compares_with_the_whole_month_before():
    march = (date(2026, 3, 1), date(2026, 3, 31))
    assert periods.previous_range(*march) == (date(2026, 2, 1), date(2026, 2, 28))


@pytest.mark.django_db
def test_the_selector_starts_at_the_last_30_days_and_the_workspaces_tiktok_window(
    logged_in, workspace, world
):
    LookbackWindow.objects.update_or_create(workspace=workspace, channel="tiktok",
                                            defaults={"click_days": 28, "view_days": 0})
    response = logged_in.get(reverse("dashboard:overview"))
    filters = response.context["filters"]
    assert (filters.period, filters.days, filters.compare) == ("last_30", 30, True)
    assert (filters.click_window_days, filters.view_window_days) == (28, 0)
    assert '<option value="28-0" selected>' in response.content.decode()


@pytest.mark.django_db
def test_a_preset_overrides_typed_dates_and_dates_alone_are_a_custom_period(logged_in, world):
    preset = logged_in.get(reverse("dashboard:overview"), {"period": "last_7", "start": "2026-01-01",
                                                          "end": "2026-01-31"}).context["filters"]
    custom = logged_in.get(reverse("dashboard:overview"), {"start": "2026-11-01",
                                                          "end": "2026-11-07"}).context["filters"]
    assert preset.days == 7 and preset.start != date(2026, 1, 1)
    assert (custom.period, custom.start, custom.end) == ("custom", date(2026, 11, 1), date(2026, 11, 7))


@pytest.mark.django_db
def test_the_kpi_cards_and_the_channel_table_show_the_change_against_the_previous_period(logged_in, world):
    response = logged_in.get(reverse("dashboard:overview"), {"start": "2026-11-02", "end": "2026-11-02",
                                                            "model": world.last_click.pk})
    kpis = {k.label: k for k in response.context["kpis"]}
    assert kpis["Attributed revenue"].value == "$300.00"
    assert str(kpis["Attributed revenue"].change) == "new"  # nothing on Nov 1
    later = logged_in.get(reverse("dashboard:overview"), {"start": "2026-11-03", "end": "2026-11-03",
                                                         "model": world.last_click.pk})
    kpis = {k.label: k for k in later.context["kpis"]}
    assert (kpis["Attributed revenue"].value, kpis["Attributed revenue"].previous) == ("$50.00", "$300.00")
    assert str(kpis["Attributed revenue"].change) == "−83.3%"
    tiktok = next(r for r in later.context["tables"]["channels"].rows if r[0] == "TikTok")
    assert [str(c) for c in tiktok[-2:]] == ["−50.0%", "−75.0%"]  # 1 vs 2 conversions, 50 vs 200


@pytest.mark.django_db
def test_comparing_with_nothing_drops_the_change_columns(logged_in, world):
    response = logged_in.get(reverse("dashboard:overview"), {"start": "2026-11-03", "end": "2026-11-03",
                                                            "compare": "none"})
    assert "Revenue vs previous" not in response.context["tables"]["channels"].columns
    assert all(k.change is None for k in response.context["kpis"])


@pytest.mark.django_db
def test_the_drill_down_shows_spend_conversions_and_revenue_against_the_previous_period(logged_in, world):
    response = logged_in.get(reverse("dashboard:tiktok"), {
        "start": "2026-11-03", "end": "2026-11-03", "model": world.last_click.pk})
    table = response.context["tables"]["entities"]
    assert table.columns[7:10] == ["Spend vs previous", "Last click conv. vs previous",
                                   "Last click revenue vs previous"]  # beside TikTok's own numbers
    changes = {r[0]: [str(c) for c in r[7:10]] for r in table.rows}
    # Spring Sale spent 100 and was credited 2 conversions / 200 on Nov 2, nothing on Nov 3;
    # Retargeting had nothing on Nov 2
    assert changes == {"Spring Sale": ["−100.0%", "−100.0%", "−100.0%"], "Retargeting": ["new", "new", "new"]}
    assert "Changes are against Nov 2" in table.note
    export = logged_in.get(reverse("dashboard:export", args=["tiktok", "entities"]), {
        "start": "2026-11-03", "end": "2026-11-03", "model": world.last_click.pk}).content.decode()
    assert ("TikTok value (USD),Spend vs previous,Last click conv. vs previous,"
            "Last click revenue vs previous,") in export.splitlines()[0]


@pytest.mark.django_db
def test_the_drill_down_without_a_comparison_has_no_change_columns(logged_in, world):
    response = logged_in.get(reverse("dashboard:tiktok"), {
        "start": "2026-11-03", "end": "2026-11-03", "compare": "none"})
    assert not any("vs previous" in c for c in response.context["tables"]["entities"].columns)
