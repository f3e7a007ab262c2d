from decimal import Decimal

from dashboard.gaps import GapInputs, explain_gaps, gap
from dashboard.recommendations import recommend

RULES = {"target_roas": Decimal("2"), "min_conversions": 20, "min_spend": Decimal("100")}


def test_strong_roas_with_enough_conversions_scales():
    rec = recommend(spend=Decimal("1000"), revenue=Decimal("3000"), conversions=40, clicks=900, **RULES)
    assert rec.action == "scale" and "40.0 credited conversions" in rec.evidence


def test_weak_roas_with_enough_data_is_cut():
    assert (
        recommend(spend=Decimal("1000"), revenue=Decimal("500"), conversions=25, clicks=900, **RULES).action
        == "cut"
    )


def test_great_roas_on_thin_data_is_held():
    rec = recommend(spend=Decimal("50"), revenue=Decimal("500"), conversions=3, clicks=40, **RULES)
    assert rec.action == "hold" and "not enough data" in rec.reason


def test_large_spend_with_nothing_credited_is_cut():
    assert (
        recommend(spend=Decimal("250"), revenue=Decimal("0"), conversions=0, clicks=300, **RULES).action
        == "cut"
    )


def test_roas_between_half_and_target_is_held():
    assert (
        recommend(spend=Decimal("1000"), revenue=Decimal("1500"), conversions=30, clicks=900, **RULES).action
        == "hold"
    )


def test_gap_is_relative_to_the_baseline_and_none_without_one():
    assert gap(150, 100) == 0.5 and gap(1, 0) is None


def inputs(**overrides):
    base = {
        "reported": 100.0,
        "attributed": 100.0,
        "crm": 100.0,
        "view_window_days": 1,
        "window_mismatch": False,
        "ttclid_capture": 0.95,
        "duplicate_rate": 0.0,
        "delayed_rate": 0.0,
    }
    return GapInputs(**{**base, **overrides})


def test_agreeing_sources_are_called_normal_noise():
    assert explain_gaps(inputs()) == [
        "The three sources agree within 15%; differences are within normal reporting noise."
    ]


def test_tiktok_over_reporting_names_view_through_and_duplicates():
    causes = " ".join(explain_gaps(inputs(reported=160.0, duplicate_rate=0.2)))
    assert "view-through" in causes and "20% of pixel conversions have a server twin" in causes


def test_a_window_mismatch_is_named_first():
    assert explain_gaps(inputs(window_mismatch=True))[0].startswith("TikTok's numbers were reported under")


def test_low_ttclid_capture_is_named():
    assert any("kept their ttclid" in c for c in explain_gaps(inputs(ttclid_capture=0.5)))


def test_the_drill_down_writes_the_evidence_in_the_workspace_currency_and_locale(filters, world):
    from attribution.models import MetricLevel
    from dashboard import formatting
    from dashboard.selectors.tiktok import tiktok_entities

    rows = [r for r in tiktok_entities(filters=filters, level=MetricLevel.CAMPAIGN).rows if r.spend]
    evidence = rows[0].recommendation.evidence
    money = formatting.money(rows[0].spend, filters.workspace.currency)
    assert f"{money} spend" in evidence
    assert money != f"{rows[0].spend:.2f}"  # with the currency's symbol, not a bare "1234.00"
