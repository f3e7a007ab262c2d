"""Import a Meta ad account's days and test its connection."""

from datetime import date

from attribution.models import MetaAdAccount, PlatformImport
from crm_sync.ad_platforms.accounts import ad_account_connection_test, ad_account_import

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

    def read(c: MetaAdsClient) -> tuple[str, str]:
        info = c.ad_account(ad_account_id=account.ad_account_id)
        return info.get("name", ""), info.get("currency", "")

    return ad_account_connection_test(
        account=account, missing="No access token stored: paste one (a system user token with ads_read).",
        open_client=lambda: client or MetaAdsClient(access_token=account.access_token), read=read)
