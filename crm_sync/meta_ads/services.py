"""Import a Meta ad account's days and test its connection."""

from datetime import date

from attribution.models import MetaAdAccount, PlatformImport
from crm_sync.ad_platforms.accounts import ad_account_checked, ad_account_error, ad_account_import
from crm_sync.ad_platforms.errors import PlatformError

from .client import MetaAdsClient


def meta_ads_import(*, account: MetaAdAccount, start: date, end: date,
                    client: MetaAdsClient | None = None) -> PlatformImport:
    """Ad-level days of [start, end] with the account's chosen actions under its window; ad set and
    campaign days are their sums. Idempotent; see ``ad_account_import`` for errors."""
    client = client or MetaAdsClient(access_token=account.access_token)
    with client:
        return ad_account_import(
            account=account, account_ref=f"act_{account.ad_account_id}", start=start, end=end,
            roll_up=True,
            read_rows=lambda: client.daily_insights(
                ad_account_id=account.ad_account_id, start=start, end=end,
                action_types=list(account.conversion_actions or []),
                click_window_days=account.click_window_days, view_window_days=account.view_window_days))


def meta_connection_test(*, account: MetaAdAccount, client: MetaAdsClient | None = None) -> str:
    """Read the account once; return what an admin should read (the error is stored on failure)."""
    if not account.has_credentials:
        message = "No access token stored: paste one (a system user token with ads_read)."
        ad_account_error(account=account, message=message)
        return message
    try:
        with client or MetaAdsClient(access_token=account.access_token) as c:
            info = c.ad_account(ad_account_id=account.ad_account_id)
    except PlatformError as exc:
        ad_account_error(account=account, message=str(exc))
        return f"{account.name}: {exc}"
    ad_account_checked(account=account, currency=info.get("currency", ""))
    return f"{account.name}: connected to {info.get('name', '')} ({info.get('currency', '')})."
