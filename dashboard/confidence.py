"""How sure a scale / hold / cut recommendation is: a ROAS interval and the models' agreement.

Pure: no Django. The interval treats credited conversions as a Poisson count (a Gamma posterior
for its rate, the exact Garwood interval) and revenue per conversion as observed: on the thin data
recommendations are made on, how many conversions come is the dominant uncertainty.
"""

from dataclasses import dataclass
from decimal import Decimal
from statistics import NormalDist

SCALE, HOLD, CUT = "scale", "hold", "cut"


@dataclass(frozen=True)
class RoasInterval:
    low: Decimal
    high: Decimal
    level: float

    @property
    def text(self) -> str:
        return f"ROAS {self.level:.0%} interval {self.low:.2f}–{self.high:.2f}"


def gamma_quantile(p: float, shape: float) -> float:
    """Quantile of Gamma(shape, 1) by the Wilson–Hilferty cube-root normal approximation
    (relative error under 1 % for shape ≥ 1, far below the interval's own width)."""
    if shape <= 0:
        return 0.0
    z = NormalDist().inv_cdf(p)
    k = 2 * shape  # Gamma(a, 1) = χ²(2a) / 2
    return max(0.0, k * (1 - 2 / (9 * k) + z * (2 / (9 * k)) ** 0.5) ** 3 / 2)


def roas_interval(*, spend: Decimal, revenue: Decimal, conversions: float,
                  level: float = 0.9) -> RoasInterval | None:
    """Interval for ROAS from ``conversions`` credited conversions worth ``revenue`` in total.

    None without spend or without any credited conversion (then nothing bounds revenue per
    conversion). Fractional credited conversions are used as they are (the Gamma is continuous).
    """
    if spend <= 0 or conversions <= 0:
        return None
    tail = (1 - level) / 2
    low_count = gamma_quantile(tail, conversions)
    high_count = gamma_quantile(1 - tail, conversions + 1)
    per_conversion = Decimal(str(revenue)) / Decimal(str(conversions))
    return RoasInterval(low=per_conversion * Decimal(str(low_count)) / spend,
                        high=per_conversion * Decimal(str(high_count)) / spend, level=level)


@dataclass(frozen=True)
class Agreement:
    action: str
    agreeing: list[str]
    others: list[str]

    @property
    def unanimous(self) -> bool:
        return not self.others

    @property
    def text(self) -> str:
        total = len(self.agreeing) + len(self.others)
        if total <= 1:
            return ""
        if self.unanimous:
            return f"Every model ({total}) says {self.action}."
        return (f"{self.action.capitalize()} under {len(self.agreeing)} of {total} models;"
                f" not under {', '.join(self.others)}.")


def model_agreement(*, action: str, actions_by_model: dict[str, str]) -> Agreement:
    """Which models (by name) recommend the same ``action``, in the given order."""
    agreeing = [name for name, other in actions_by_model.items() if other == action]
    others = [name for name, other in actions_by_model.items() if other != action]
    return Agreement(action=action, agreeing=agreeing, others=others)
