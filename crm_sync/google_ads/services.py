"""Import a Google Ads customer's days and test its connection."""

from datetime import date

from attribution.models import GoogleAdsAccount, PlatformImport
from crm_sync.ad_platforms.accounts import ad_account_connection_test, ad_account_import

from .client import GoogleAdsClient


def google_ads_import(*, account: GoogleAdsAccount, start: date, end: date,
                      client: GoogleAdsClient | None = None) -> PlatformImport:
    """Campaign, ad group and ad days of [start, end] under the account's window. Idempotent; see
    ``ad_account_import`` for errors."""
    client = client or GoogleAdsClient.for_account(account)

    def rows():
        for level in ("campaign", "adgroup", "ad"):
            yield from client.daily_rows(customer_id=account.customer_id, level=level, start=start, end=end)

    with client:
        return ad_account_import(account=account, account_ref=account.customer_id, start=start, end=end,
                                 read_rows=rows)


def google_connection_test(*, account: GoogleAdsAccount, client: GoogleAdsClient | None = None) -> str:
    """Read the customer once; return what an admin should read (the error is stored on failure)."""

    def read(c: GoogleAdsClient) -> tuple[str, str]:
        info = c.customer(customer_id=account.customer_id)
        return info.get("descriptiveName", ""), info.get("currencyCode", "")

    return ad_account_connection_test(
        account=account,
        missing="Credentials missing: client secret, refresh token and developer token are all needed.",
        open_client=lambda: client or GoogleAdsClient.for_account(account), read=read)
