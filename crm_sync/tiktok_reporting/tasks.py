"""Daily TikTok reporting import (Celery beat; schedule editable in admin → Periodic tasks)."""

from datetime import date, timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from attribution.channels import Channel
from attribution.models import LookbackWindow, TikTokIntegration
from attribution.models.runs import DEFAULT_WINDOWS

from .client import TikTokRetryableError
from .services import tiktok_report_import


@shared_task(acks_late=True)
def import_all_tiktok_reports() -> int:
    """Queue one import per enabled integration with an advertiser id and a token."""
    ids = [
        i.pk for i in TikTokIntegration.objects.filter(enabled=True).exclude(advertiser_id="") if i.has_token
    ]
    for integration_id in ids:
        import_tiktok_report.delay(integration_id)
    return len(ids)


@shared_task(
    acks_late=True,
    autoretry_for=(TikTokRetryableError,),
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=6,
)
def import_tiktok_report(integration_id: int, start: str | None = None, end: str | None = None) -> int:
    """Import [start, end] (default: the last TIKTOK_REPORT_REFRESH_DAYS days up to yesterday).

    Idempotent (upserts). Stores the workspace's TikTok lookback window as the window of the numbers:
    set the same attribution window in TikTok's account settings. Retries rate limits and outages only.
    """
    integration = TikTokIntegration.objects.select_related("workspace").filter(pk=integration_id).first()
    if integration is None or not integration.enabled:
        return 0
    today = timezone.now().astimezone(integration.workspace.tzinfo).date()
    last = date.fromisoformat(end) if end else today - timedelta(days=1)
    first = (
        date.fromisoformat(start)
        if start
        else last - timedelta(days=settings.CLICKLEDGER["TIKTOK_REPORT_REFRESH_DAYS"] - 1)
    )
    click, view = (
        LookbackWindow.objects.filter(workspace=integration.workspace, channel=Channel.TIKTOK)
        .values_list("click_days", "view_days")
        .first()
    ) or DEFAULT_WINDOWS[Channel.TIKTOK]
    return tiktok_report_import(
        integration=integration, start=first, end=last, click_window_days=click, view_window_days=view
    )
