"""The column layouts of the ad platforms' own exports, and of a saved mapping.

A layout maps each of our fields to the headers an export uses for it (compared with
``header_key``: case, spaces and punctuation do not matter). Meta's Ads Manager export, Google Ads'
report download and TikTok's Ads Manager export are presets; any other platform's export is read
through an ``AdCsvMapping`` an admin saved.
"""

import re
from dataclasses import dataclass

from attribution.channels import Platform
from crm_sync.importing.parsing import header_key

FIELDS = ("day", "campaign_id", "campaign_name", "adgroup_id", "adgroup_name", "ad_id", "ad_name",
          "currency", "spend", "impressions", "clicks", "conversions", "conversion_value", "window")
REQUIRED = ("day", "campaign_id", "spend")


@dataclass(frozen=True)
class CsvLayout:
    key: str
    platform: str
    aliases: dict[str, tuple[str, ...]]
    # Header prefixes whose column is a field whatever follows, e.g. "Amount spent (EUR)".
    prefixes: dict[str, tuple[str, ...]] = None

    def field_of(self, header: str) -> str | None:
        key = header_key(header)
        for field, names in self.aliases.items():
            if key in {header_key(n) for n in names}:
                return field
        for field, starts in (self.prefixes or {}).items():
            if any(key.startswith(header_key(s)) for s in starts):
                return field
        return None


META = CsvLayout(
    key="meta", platform=Platform.META,
    aliases={
        "day": ("Day",),  # "Reporting starts" is the period's first day, not the row's
        "campaign_id": ("Campaign ID",),
        "campaign_name": ("Campaign name",),
        "adgroup_id": ("Ad set ID",),
        "adgroup_name": ("Ad set name",),
        "ad_id": ("Ad ID",),
        "ad_name": ("Ad name",),
        "currency": ("Currency",),
        "impressions": ("Impressions",),
        "clicks": ("Link clicks", "Clicks (all)"),
        "conversions": ("Purchases", "Website purchases", "Leads", "Results"),
        "conversion_value": ("Purchases conversion value", "Website purchases conversion value",
                             "Purchase conversion value"),
        "window": ("Attribution setting",),
    },
    prefixes={"spend": ("Amount spent",)},
)

GOOGLE = CsvLayout(
    key="google", platform=Platform.GOOGLE,
    aliases={
        "day": ("Day", "Date"),
        "campaign_id": ("Campaign ID",),
        "campaign_name": ("Campaign",),
        "adgroup_id": ("Ad group ID",),
        "adgroup_name": ("Ad group",),
        "ad_id": ("Ad ID",),
        "ad_name": ("Ad name", "Ad"),
        "currency": ("Currency code", "Currency"),
        "spend": ("Cost",),
        "impressions": ("Impr.", "Impressions"),
        "clicks": ("Clicks",),
        "conversions": ("Conversions",),
        "conversion_value": ("Conv. value", "Conversion value", "All conv. value"),
    },
)

TIKTOK = CsvLayout(
    key="tiktok", platform=Platform.TIKTOK,
    aliases={
        "day": ("Date", "By Day", "Day", "stat_time_day"),
        "campaign_id": ("Campaign ID",),
        "campaign_name": ("Campaign name", "Campaign"),
        "adgroup_id": ("Ad group ID", "Adgroup ID"),
        "adgroup_name": ("Ad group name", "Adgroup name", "Ad group"),
        "ad_id": ("Ad ID",),
        "ad_name": ("Ad name", "Ad"),
        "currency": ("Currency",),
        "spend": ("Cost", "Spend", "Total cost"),
        "impressions": ("Impressions", "Impression"),
        "clicks": ("Clicks (destination)", "Clicks (all)", "Clicks"),
        "conversions": ("Conversions", "Conversion", "Results", "Result"),
        "conversion_value": ("Total complete payment value", "Complete payment value",
                             "Total purchase value", "Purchase value", "Conversion value"),
    },
)

PRESETS = {layout.key: layout for layout in (META, GOOGLE, TIKTOK)}


def mapping_layout(*, platform: str, columns: dict[str, str]) -> CsvLayout:
    """A saved mapping (our field → the file's header) as a layout; unknown fields are refused."""
    unknown = sorted(set(columns) - set(FIELDS))
    if unknown:
        raise ValueError(f"Unknown field(s) in the mapping: {', '.join(unknown)}; "
                         f"known: {', '.join(FIELDS)}.")
    return CsvLayout(key="mapping", platform=platform,
                     aliases={field: (header,) for field, header in columns.items() if header})


_WINDOW = re.compile(r"(\d+)[- ]day click(?:.*?(\d+)[- ]day (?:engaged[- ])?view)?", re.IGNORECASE)


def window_of(text: str) -> tuple[int, int] | None:
    """Meta's "Attribution setting" cell as (click days, view days): "7-day click or 1-day view"."""
    match = _WINDOW.search(text or "")
    if not match:
        return None
    return int(match.group(1)), int(match.group(2) or 0)


def currency_of_header(header: str) -> str:
    """The currency an export writes into a header, e.g. "Amount spent (EUR)" → "EUR"."""
    match = re.search(r"\(([A-Z]{3})\)\s*$", header.strip())
    return match.group(1) if match else ""
