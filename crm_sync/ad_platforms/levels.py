"""Ad-level days rolled up to ad group and campaign days, for platforms read at the ad level only."""

from collections.abc import Iterable, Iterator
from dataclasses import replace
from decimal import Decimal

from .rows import ReportRow


def with_parent_levels(rows: Iterable[ReportRow]) -> Iterator[ReportRow]:
    """Every ad row as it passes, then one row per (ad group, day) and (campaign, day) with the sums.

    Spend, impressions, clicks, conversions and their value add up across ads (no unique counts
    are imported), so the parents' days equal what the platform reports for them.
    """
    parents: dict[tuple, list] = {}
    for row in rows:
        yield row
        if row.level != "ad":
            continue
        for level, key in (("adgroup", row.adgroup_id), ("campaign", row.campaign_id)):
            if not key:
                continue
            total = parents.get((level, key, row.day))
            if total is None:
                parents[(level, key, row.day)] = [row, row.spend, row.impressions, row.clicks,
                                                  row.conversions, row.conversion_value]
            else:
                total[1] += row.spend
                total[2] += row.impressions
                total[3] += row.clicks
                total[4] += row.conversions
                total[5] += row.conversion_value
    for (level, _key, _day), (first, spend, imp, clicks, conv, value) in parents.items():
        yield replace(
            first, level=level, ad_id="", ad_name="",
            adgroup_id=first.adgroup_id if level == "adgroup" else "",
            adgroup_name=first.adgroup_name if level == "adgroup" else "",
            spend=Decimal(spend), impressions=imp, clicks=clicks, conversions=Decimal(conv),
            conversion_value=Decimal(value))
