"""Import TikTok's reported days through the one upsert every ad platform writes with.

Re-importing the same (entity, day, window) updates the row in place, so the daily job can safely
re-read the last days that TikTok is still revising.
"""

from datetime import date

from attribution.channels import Platform
from attribution.models import PlatformImport, PlatformImportStatus, TikTokIntegration
from crm_sync.ad_platforms.accounts import platform_import_finish
from crm_sync.ad_platforms.metrics import platform_metrics_upsert

from .client import TikTokReportingClient, TikTokReportingError, TikTokRetryableError


def tiktok_report_import(
    *,
    integration: TikTokIntegration,
    start: date,
    end: date,
    click_window_days: int,
    view_window_days: int,
    client: TikTokReportingClient | None = None,
) -> int:
    """Fetch campaign, ad group and ad days from the reporting API and upsert them (window stored).

    Records a PlatformImport history row, as every platform's API pull does: "retrying" on a rate
    limit or outage (the error is raised again for the task to retry), "failed" with TikTok's
    message otherwise (raised again too)."""
    record = PlatformImport.objects.create(
        workspace=integration.workspace, platform=Platform.TIKTOK, source="api",
        account=integration.advertiser_id, first_day=start, last_day=end)
    own_client = client is None
    client = client or TikTokReportingClient(access_token=integration.access_token)
    try:
        written = sum(
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
    except TikTokRetryableError as exc:
        platform_import_finish(record, PlatformImportStatus.RETRYING, error=str(exc))
        raise
    except TikTokReportingError as exc:
        platform_import_finish(record, PlatformImportStatus.FAILED, error=str(exc))
        raise
    finally:
        if own_client:
            client.close()
    platform_import_finish(record, PlatformImportStatus.SUCCEEDED, rows_written=written)
    return written
