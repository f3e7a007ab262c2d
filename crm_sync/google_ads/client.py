"""Client for the Google Ads API's REST ``searchStream`` (version and hosts are settings).

An access token comes from the OAuth refresh-token grant (``POST`` to the token URL); each query is
``POST {base}/{version}/customers/{customer_id}/googleAds:searchStream`` with ``{"query": GAQL}`` and
the headers ``Authorization: Bearer``, ``developer-token`` and, through a manager account,
``login-customer-id``. The reply is a JSON array of batches ``{results, fieldMask, requestId}``;
int64 values (ids, ``costMicros``, clicks, impressions) arrive as strings, doubles as numbers.
``RESOURCE_EXHAUSTED`` (HTTP 429) and 5xx are retryable; ``UNAUTHENTICATED``/``PERMISSION_DENIED``
and a refused refresh token are not. See docs/developers/ad-platforms.md.
"""

import time
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import httpx
from django.conf import settings

from crm_sync.ad_platforms.errors import PlatformAuthError, PlatformError, PlatformRetryableError
from crm_sync.ad_platforms.rows import ReportRow, to_decimal, to_int

MICROS = Decimal("1000000")
METRICS = ("metrics.cost_micros, metrics.impressions, metrics.clicks, metrics.conversions, "
           "metrics.conversions_value, customer.currency_code, segments.date")
# Each level from its own resource: campaigns without ads (Performance Max) still carry their spend.
QUERIES = {
    "campaign": "SELECT campaign.id, campaign.name, {metrics} FROM campaign",
    "adgroup": "SELECT campaign.id, campaign.name, ad_group.id, ad_group.name, {metrics} FROM ad_group",
    "ad": ("SELECT campaign.id, campaign.name, ad_group.id, ad_group.name, ad_group_ad.ad.id, "
           "ad_group_ad.ad.name, {metrics} FROM ad_group_ad"),
}
RETRYABLE_STATUS = {"RESOURCE_EXHAUSTED", "UNAVAILABLE", "INTERNAL", "DEADLINE_EXCEEDED", "ABORTED"}
AUTH_STATUS = {"UNAUTHENTICATED", "PERMISSION_DENIED"}


def _config(key):
    return settings.CLICKLEDGER[key]


def gaql(level: str, start: date, end: date) -> str:
    """The day-segmented query of one level, e.g. ``... FROM ad_group_ad WHERE segments.date BETWEEN``."""
    return (QUERIES[level].format(metrics=METRICS)
            + f" WHERE segments.date BETWEEN '{start.isoformat()}' AND '{end.isoformat()}'")


class GoogleAdsClient:
    def __init__(self, *, client_id: str, client_secret: str, refresh_token: str, developer_token: str,
                 login_customer_id: str = "", base_url: str | None = None, token_url: str | None = None,
                 version: str | None = None, timeout: float | None = None):
        self.base_url = (base_url or _config("GOOGLE_ADS_API_BASE")).rstrip("/")
        self.token_url = token_url or _config("GOOGLE_OAUTH_TOKEN_URL")
        self.version = version or _config("GOOGLE_ADS_API_VERSION")
        self._oauth = {"grant_type": "refresh_token", "client_id": client_id,
                       "client_secret": client_secret, "refresh_token": refresh_token}
        self._headers = {"developer-token": developer_token}
        if login_customer_id:
            self._headers["login-customer-id"] = login_customer_id.replace("-", "")
        self._token, self._token_expires = "", 0.0
        self._http = httpx.Client(timeout=timeout or _config("GOOGLE_ADS_TIMEOUT_SECONDS"))

    @classmethod
    def for_account(cls, account, **kwargs) -> "GoogleAdsClient":
        return cls(client_id=account.client_id, client_secret=account.client_secret,
                   refresh_token=account.refresh_token, developer_token=account.developer_token,
                   login_customer_id=account.login_customer_id, **kwargs)

    def close(self) -> None:
        self._http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def customer(self, *, customer_id: str) -> dict:
        """The customer's name and currency: proves every credential reaches it."""
        rows = list(self.search_stream(
            customer_id=customer_id,
            query="SELECT customer.id, customer.descriptive_name, customer.currency_code FROM customer"))
        return rows[0].get("customer", {}) if rows else {}

    def daily_rows(self, *, customer_id: str, level: str, start: date, end: date) -> Iterator[ReportRow]:
        """Every (entity, day) of one level in [start, end], GOOGLE_ADS_MAX_DAYS days per request."""
        span = timedelta(days=_config("GOOGLE_ADS_MAX_DAYS") - 1)
        first = start
        while first <= end:
            last = min(first + span, end)
            for result in self.search_stream(customer_id=customer_id, query=gaql(level, first, last)):
                yield _row(level, result)
            first = last + timedelta(days=1)

    def search_stream(self, *, customer_id: str, query: str) -> Iterator[dict]:
        """The rows (``GoogleAdsRow`` as JSON) of one GAQL query, batch after batch."""
        customer = customer_id.replace("-", "")
        url = f"{self.base_url}/{self.version}/customers/{customer}/googleAds:searchStream"
        response = self._post(url, query)
        if response.status_code == 401:  # the access token may have just expired: one fresh try
            self._token = ""
            response = self._post(url, query)
        body = _json(response)
        if isinstance(body, dict):  # an error answers with one object, not the array
            raise _error(body, response.status_code)
        for batch in body:
            if "error" in batch:  # a failure after the stream started ends it with an error batch
                raise _error(batch, response.status_code)
            yield from batch.get("results") or []

    def _post(self, url: str, query: str) -> httpx.Response:
        headers = {**self._headers, "Authorization": f"Bearer {self._access_token()}"}
        try:
            return self._http.post(url, json={"query": query}, headers=headers)
        except httpx.TransportError as exc:
            raise PlatformRetryableError(f"Google Ads unreachable: {exc}") from exc

    def _access_token(self) -> str:
        if self._token and time.monotonic() < self._token_expires:
            return self._token
        try:
            response = self._http.post(self.token_url, data=self._oauth)
        except httpx.TransportError as exc:
            raise PlatformRetryableError(f"Google OAuth unreachable: {exc}") from exc
        body = _json(response)
        if response.status_code >= 500:
            raise PlatformRetryableError(f"Google OAuth HTTP {response.status_code}")
        if response.status_code != 200 or "access_token" not in body:
            raise PlatformAuthError(
                f"Google OAuth refused the refresh token: {body.get('error', response.status_code)} "
                f"{body.get('error_description', '')}".rstrip()
                + " — reconnect the account (new refresh token, or check the client id and secret).")
        self._token = body["access_token"]
        self._token_expires = time.monotonic() + float(body.get("expires_in", 3600)) - 60
        return self._token


def _json(response: httpx.Response):
    try:
        return response.json()
    except ValueError as exc:
        error = PlatformRetryableError if response.status_code >= 500 else PlatformError
        raise error(f"Google sent non-JSON (HTTP {response.status_code})") from exc


def _error(body: dict, http_status: int) -> PlatformError:
    error = body.get("error") or {}
    status = error.get("status", "")
    details = [e for d in error.get("details") or [] for e in d.get("errors") or []]
    codes = [f"{k}={v}" for e in details for k, v in (e.get("errorCode") or {}).items()]
    request_id = next((d.get("requestId", "") for d in error.get("details") or [] if d.get("requestId")), "")
    message = f"Google Ads {status or http_status}: {error.get('message', '')}"
    if codes:
        message += f" ({', '.join(codes)})"
    if status in RETRYABLE_STATUS or http_status == 429 or http_status >= 500:
        delays = [(e.get("details") or {}).get("quotaErrorDetails", {}).get("retryDelay", "")
                  for e in details]
        seconds = [float(d.rstrip("s")) for d in delays if d]
        return PlatformRetryableError(message, code=status, request_id=request_id,
                                      retry_after=max(seconds) if seconds else None)
    if status in AUTH_STATUS or http_status in (401, 403):
        return PlatformAuthError(message + " — check the developer token, the customer id and the "
                                 "login customer id, then reconnect.", code=status, request_id=request_id)
    return PlatformError(message, code=status, request_id=request_id)


def _row(level: str, result: dict) -> ReportRow:
    campaign, group = result.get("campaign") or {}, result.get("adGroup") or {}
    ad = (result.get("adGroupAd") or {}).get("ad") or {}
    metrics = result.get("metrics") or {}
    return ReportRow(
        level=level,
        day=date.fromisoformat(result["segments"]["date"]),
        campaign_id=str(campaign.get("id", "")),
        campaign_name=campaign.get("name", ""),
        adgroup_id=str(group.get("id", "")),
        adgroup_name=group.get("name", ""),
        ad_id=str(ad.get("id", "")),
        ad_name=ad.get("name", ""),
        currency=(result.get("customer") or {}).get("currencyCode", ""),
        spend=to_decimal(metrics.get("costMicros")) / MICROS,
        impressions=to_int(metrics.get("impressions")),
        clicks=to_int(metrics.get("clicks")),
        conversions=to_decimal(metrics.get("conversions")),
        conversion_value=to_decimal(metrics.get("conversionsValue")),
    )
