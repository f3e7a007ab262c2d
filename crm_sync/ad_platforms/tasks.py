"""Daily Meta and Google Ads imports (Celery beat; schedule editable in admin → Periodic tasks).

Each account is its own task: idempotent (upserts), retried on throttling and outages only —
when the platform said when it takes requests again (Meta's usage headers, Google's retryDelay),
at that time, otherwise with exponential backoff; bad credentials end the import with the error
stored on the account.
"""

from datetime import date, timedelta

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.utils import timezone

from attribution.models import GoogleAdsAccount, MetaAdAccount

from .errors import PlatformRetryableError

RETRY = {"bind": True, "acks_late": True, "max_retries": 6}
BACKOFF_SECONDS, BACKOFF_MAX_SECONDS = 60, 3600


def retry_in(exc: PlatformRetryableError, retries: int) -> float:
    """Seconds before attempt ``retries + 2``: the platform's own figure when it gave one (retrying
    earlier would be throttled again, and Meta lengthens a block that is ignored), at most an
    hour; otherwise exponential backoff from a minute, full jitter, at most an hour."""
    if exc.retry_after:
        return min(float(exc.retry_after), BACKOFF_MAX_SECONDS)
    return get_exponential_backoff_interval(factor=BACKOFF_SECONDS, retries=retries,
                                            maximum=BACKOFF_MAX_SECONDS, full_jitter=True)


@shared_task(acks_late=True)
def import_all_ad_accounts() -> int:
    """Queue one import per enabled Meta and Google account that has its credentials."""
    queued = 0
    for model, task in ((MetaAdAccount, import_meta_account), (GoogleAdsAccount, import_google_account)):
        for account in model.objects.filter(enabled=True):
            if account.has_credentials:
                task.delay(account.pk)
                queued += 1
    return queued


def _span(account, start: str | None, end: str | None) -> tuple[date, date]:
    """[start, end], by default the last AD_PLATFORM_REFRESH_DAYS days up to yesterday (account's days
    are the workspace's calendar days)."""
    today = timezone.now().astimezone(account.workspace.tzinfo).date()
    last = date.fromisoformat(end) if end else today - timedelta(days=1)
    first = (date.fromisoformat(start) if start
             else last - timedelta(days=settings.CLICKLEDGER["AD_PLATFORM_REFRESH_DAYS"] - 1))
    return first, last


@shared_task(**RETRY)
def import_meta_account(self, account_id: int, start: str | None = None, end: str | None = None) -> int:
    """Import one Meta ad account's days; returns the rows written (0 when it failed or is off)."""
    from crm_sync.meta_ads.services import meta_ads_import

    account = MetaAdAccount.objects.select_related("workspace").filter(pk=account_id, enabled=True).first()
    if account is None:
        return 0
    first, last = _span(account, start, end)
    try:
        return meta_ads_import(account=account, start=first, end=last).rows_written
    except PlatformRetryableError as exc:
        raise self.retry(exc=exc, countdown=retry_in(exc, self.request.retries)) from exc


@shared_task(**RETRY)
def import_google_account(self, account_id: int, start: str | None = None, end: str | None = None) -> int:
    """Import one Google Ads customer's days; returns the rows written (0 when it failed or is off)."""
    from crm_sync.google_ads.services import google_ads_import

    account = GoogleAdsAccount.objects.select_related("workspace").filter(pk=account_id, enabled=True).first()
    if account is None:
        return 0
    first, last = _span(account, start, end)
    try:
        return google_ads_import(account=account, start=first, end=last).rows_written
    except PlatformRetryableError as exc:
        raise self.retry(exc=exc, countdown=retry_in(exc, self.request.retries)) from exc
