"""One reported day of one TikTok entity, whichever way it arrived (API or CSV)."""

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


def to_decimal(raw) -> Decimal:
    """TikTok sends metrics as strings ("12.50", "-" for none, "1,234" in CSV exports)."""
    text = str(raw if raw is not None else "").strip().replace(",", "")
    if text in ("", "-", "--", "N/A"):
        return Decimal("0")
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {raw!r}") from exc


def to_int(raw) -> int:
    return int(to_decimal(raw))
