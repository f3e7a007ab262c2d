"""One reported day of one ad entity, whichever platform and whichever way it arrived (API or CSV)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation


@dataclass(frozen=True)
class ReportRow:
    level: str  # attribution.models.MetricLevel value
    day: date
    campaign_id: str
    campaign_name: str = ""
    adgroup_id: str = ""
    adgroup_name: str = ""
    ad_id: str = ""
    ad_name: str = ""
    currency: str = ""
    spend: Decimal = Decimal("0")
    impressions: int = 0
    clicks: int = 0
    conversions: Decimal = Decimal("0")
    conversion_value: Decimal = Decimal("0")

    @property
    def entity_external_id(self) -> str:
        return {"campaign": self.campaign_id, "adgroup": self.adgroup_id, "ad": self.ad_id}[self.level]


_EMPTY = ("", "-", "--", "N/A", "n/a", " --")


def to_decimal(raw, *, decimal_comma: bool = False) -> Decimal:
    """A reported number as Decimal: "12.50", "1,234.5", "-" (none) → 0; with ``decimal_comma``
    "1.234,56" and "1 234,56" (locales that write the comma for the point) are read too.

    Currency signs and percent signs that exports put beside the number are dropped.
    """
    text = str(raw if raw is not None else "").strip()
    if text in _EMPTY:
        return Decimal("0")
    text = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").strip("$€£¥%")
    text = text.replace(".", "").replace(",", ".") if decimal_comma else text.replace(",", "")
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {raw!r}") from exc


def to_int(raw, *, decimal_comma: bool = False) -> int:
    return int(to_decimal(raw, decimal_comma=decimal_comma))
