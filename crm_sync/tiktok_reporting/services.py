"""Import TikTok's reported days through the one upsert every ad platform writes with.

Re-importing the same (entity, day, window) updates the row in place, so the daily job can safely
re-read the last days that TikTok is still revising.
"""

from datetime import date

from attribution.channels import Platform
from attribution.models import TikTokIntegration
from crm_sync.ad_platforms.metrics import platform_metrics_upsert

from .client import TikTokReportingClient


def tiktok_report_import(
    *,
    integration: TikTokIntegration,
    start: date,
    end: date,
    click_window_days: int,
    view_window_days: int,
    client: TikTokReportingClient | None = None,
) -> int:
    """Fetch campaign, ad group and ad days from the reporting API and upsert them (window stored)."""
    own_client = client is None
    client = client or TikTokReportingClient(access_token=integration.access_token)
    try:
        return sum(
            platform_metrics_upsert(
                workspace=integration.workspace,
                platform=Platform.TIKTOK,
                rows=client.daily_report(
                    advertiser_id=integration.advertiser_id, level=level, start=start, end=end
                ),
                click_window_days=click_window_days,
                view_window_days=view_window_days,
                source="api",
            )
            for level in ("campaign", "adgroup", "ad")
        )
    finally:
        if own_client:
            client.close()
