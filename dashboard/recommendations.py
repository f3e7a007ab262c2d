"""Scale / hold / cut for a TikTok campaign or ad group, from ROAS under the chosen model.

Pure: no Django. A recommendation is only as good as the data behind it, so each one says how much
data it rests on, and too little data always means "hold".
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from .confidence import roas_interval

SCALE, HOLD, CUT = "scale", "hold", "cut"


@dataclass(frozen=True)
class Recommendation:
    action: str
    reason: str
    evidence: str  # how much data is behind it, in words
    interval: str = ""  # the ROAS interval that data allows
    agreement: str = ""  # whether the other models recommend the same

    @property
    def confidence(self) -> str:
        interval = f"{self.interval}." if self.interval else ""
        return " ".join(part for part in (interval, self.agreement) if part)

    @property
    def css(self) -> str:
        return {SCALE: "ok", HOLD: "muted", CUT: "bad"}[self.action]


@dataclass(frozen=True)
class Wording:
    """How amounts and counts are written for the reader; the dashboard passes its locale's
    and the workspace currency's (dashboard.formatting), the default is plain."""

    money: Callable[[Decimal], str] = lambda amount: f"{amount:,.2f}"
    count: Callable[[int], str] = lambda n: f"{n:,}"
    credited: Callable[[float], str] = lambda c: f"{c:,.1f}"


PLAIN = Wording()


def recommend(
    *,
    spend: Decimal,
    revenue: Decimal,
    conversions: float,
    clicks: int,
    target_roas: Decimal,
    min_conversions: int,
    min_spend: Decimal,
    wording: Wording = PLAIN,
) -> Recommendation:
    """Scale above the target ROAS, cut below half of it, hold in between or when data is thin.

    Cutting needs min_spend (money was really at stake); scaling and cutting both need
    min_conversions credited conversions, unless spend is large and nothing converted at all.
    """
    w = wording
    evidence = (f"{w.credited(conversions)} credited conversions, {w.count(clicks)} clicks, "
                f"{w.money(spend)} spend")
    interval = roas_interval(spend=spend, revenue=revenue, conversions=conversions)
    rec = _decide(spend=spend, revenue=revenue, conversions=conversions, target_roas=target_roas,
                  min_conversions=min_conversions, min_spend=min_spend, evidence=evidence,
                  money=w.money)
    return Recommendation(rec.action, rec.reason, rec.evidence, interval.text if interval else "")


def _decide(*, spend, revenue, conversions, target_roas, min_conversions, min_spend, evidence, money):
    if spend <= 0:
        return Recommendation(HOLD, "No spend in the period.", evidence)
    roas = Decimal(str(revenue)) / spend
    if conversions < 1 and spend >= 2 * min_spend:
        return Recommendation(CUT, f"Spent {money(spend)} with no credited conversion.", evidence)
    if conversions < min_conversions:
        return Recommendation(
            HOLD,
            f"ROAS {roas:.2f}, but under {min_conversions} conversions: not enough data to trust it yet.",
            evidence,
        )
    if roas >= target_roas:
        return Recommendation(SCALE, f"ROAS {roas:.2f} ≥ target {target_roas:.2f}.", evidence)
    if roas < target_roas / 2 and spend >= min_spend:
        return Recommendation(CUT, f"ROAS {roas:.2f} < half the target ({target_roas / 2:.2f}).", evidence)
    return Recommendation(HOLD, f"ROAS {roas:.2f} is between half the target and the target.", evidence)
