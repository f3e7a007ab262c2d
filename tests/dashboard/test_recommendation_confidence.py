"""Recommendations say how sure they are: a ROAS interval from the credited conversions, and
whether the models agree."""

from decimal import Decimal

import pytest

from dashboard.confidence import gamma_quantile, model_agreement, roas_interval
from dashboard.recommendations import recommend

RULES = {"target_roas": Decimal("2"), "min_conversions": 20, "min_spend": Decimal("100")}


@pytest.mark.parametrize(("p", "shape", "exact"), [
    # Gamma(shape, 1) quantiles from scipy.stats.gamma.ppf (Garwood: 10 events → 5.425 to 16.962).
    (0.05, 10, 5.4254), (0.95, 11, 16.9622), (0.05, 40, 30.1957), (0.95, 41, 52.0694), (0.95, 1, 2.9957),
])
def test_the_gamma_quantile_is_within_one_percent_of_the_exact_value(p, shape, exact):
    assert gamma_quantile(p, shape) == pytest.approx(exact, rel=0.01)


def test_the_roas_interval_scales_the_poisson_interval_of_the_conversions():
    # 10 conversions worth 300 on 100 spend: ROAS 3; 90 % Garwood bounds 5.43 and 16.96 conversions
    # at 30 each → ROAS 1.63 to 5.09.
    interval = roas_interval(spend=Decimal("100"), revenue=Decimal("300"), conversions=10)
    assert float(interval.low) == pytest.approx(1.6276, rel=0.01)
    assert float(interval.high) == pytest.approx(5.0887, rel=0.01)
    assert interval.text.startswith("ROAS 90% interval 1.6")


def test_more_conversions_at_the_same_roas_narrow_the_interval():
    thin = roas_interval(spend=Decimal("100"), revenue=Decimal("300"), conversions=10)
    thick = roas_interval(spend=Decimal("1000"), revenue=Decimal("3000"), conversions=100)
    assert thin.low < thick.low < Decimal(3) < thick.high < thin.high


def test_no_interval_without_spend_or_without_a_credited_conversion():
    assert roas_interval(spend=Decimal("0"), revenue=Decimal("10"), conversions=1) is None
    assert roas_interval(spend=Decimal("100"), revenue=Decimal("0"), conversions=0) is None


def test_a_recommendation_carries_its_interval():
    rec = recommend(spend=Decimal("1000"), revenue=Decimal("3000"), conversions=40, clicks=900, **RULES)
    assert rec.action == "scale" and rec.confidence.startswith("ROAS 90% interval 2.")


def test_models_agreeing_and_disagreeing_are_named():
    agreement = model_agreement(action="scale", actions_by_model={
        "Last click": "scale", "Data-driven: Markov chain": "scale", "First click": "hold"})
    assert agreement.agreeing == ["Last click", "Data-driven: Markov chain"]
    assert agreement.text == "Scale under 2 of 3 models; not under First click."
    unanimous = model_agreement(action="cut", actions_by_model={"Linear": "cut", "Last click": "cut"})
    assert unanimous.unanimous and unanimous.text == "Every model (2) says cut."
    assert model_agreement(action="hold", actions_by_model={"Linear": "hold"}).text == ""
