"""Client for the Marketing API's Insights edge of an ad account (Graph API; version is a setting).

``GET {base}/{version}/act_{id}/insights`` with ``level=ad``, ``time_increment=1`` and a
``time_range``; results come a page at a time (``paging.next``, ``paging.cursors.after``). Long
ranges go through an asynchronous report run: ``POST`` the same parameters → ``report_run_id``, poll
``GET /{report_run_id}`` until ``async_status`` is "Job Completed", then page its ``/insights``.
Throttling answers (error codes 4, 17, 32, 613, 80000–80014) and 5xx are retryable; 190 (expired or
invalid token) and permission errors are not. See docs/developers/ad-platforms.md.
"""

import json
import time
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import httpx
from django.conf import settings

from crm_sync.ad_platforms.errors import PlatformAuthError, PlatformError, PlatformRetryableError
from crm_sync.ad_platforms.rows import ReportRow, to_decimal, to_int

FIELDS = ("campaign_id", "campaign_name", "adset_id", "adset_name", "ad_id", "ad_name", "spend",
          "impressions", "clicks", "actions", "action_values", "account_currency", "date_start")
THROTTLING_CODES = {4, 17, 32, 613, *range(80000, 80015)}
TRANSIENT_CODES = {-2, 1, 2}  # report failed, "unknown error", "service temporarily unavailable"
# Insights' own subcodes that a later (or smaller) request can pass: timed out, intermittent, report failed.
TRANSIENT_SUBCODES = {1504018, 1504038, 1504043, 2490547}
AUTH_CODES = {10, 102, 190, *range(200, 300)}  # token invalid or expired; permission missing


def _config(key):
    return settings.CLICKLEDGER[key]


def attribution_windows(click_days: int, view_days: int) -> list[str]:
    """The windows to ask for, e.g. ["7d_click", "1d_view"]; a view window of 0 asks for clicks only."""
    return [f"{click_days}d_click"] + ([f"{view_days}d_view"] if view_days else [])


def action_total(entries, action_types, windows) -> Decimal:
    """The chosen actions' count (or value) summed over the requested windows.

    With ``action_attribution_windows`` each entry carries one key per window (``7d_click``,
    ``1d_view``) beside ``value`` (the account's default setting); an entry without the window keys
    counts its ``value``.
    """
    total = Decimal("0")
    for entry in entries or ():
        if entry.get("action_type") not in action_types:
            continue
        if any(w in entry for w in windows):
            total += sum((to_decimal(entry.get(w)) for w in windows), Decimal("0"))
        else:
            total += to_decimal(entry.get("value"))
    return total


class MetaAdsClient:
    def __init__(self, *, access_token: str, base_url: str | None = None, version: str | None = None,
                 timeout: float | None = None, page_size: int | None = None):
        self.base_url = (base_url or _config("META_GRAPH_BASE")).rstrip("/")
        self.version = version or _config("META_API_VERSION")
        self.page_size = page_size or _config("META_PAGE_SIZE")
        self.access_token = access_token
        self.usage: dict = {}  # the last usage headers seen, parsed
        self._http = httpx.Client(timeout=timeout or _config("META_TIMEOUT_SECONDS"))

    def close(self) -> None:
        self._http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def ad_account(self, *, ad_account_id: str) -> dict:
        """The account's name, currency and status: proves the token reaches it."""
        return self._request("GET", self._url(f"act_{ad_account_id}"),
                             {"fields": "name,currency,account_status,timezone_name"})

    def daily_insights(self, *, ad_account_id: str, start: date, end: date, action_types: list[str],
                       click_window_days: int, view_window_days: int) -> Iterator[ReportRow]:
        """Every (ad, day) between start and end inclusive, with the chosen actions under the window.

        Ranges longer than META_SYNC_MAX_DAYS run as an asynchronous report job.
        """
        windows = attribution_windows(click_window_days, view_window_days)
        params = {
            "level": "ad",
            "time_increment": 1,
            "time_range": json.dumps({"since": start.isoformat(), "until": end.isoformat()}),
            "fields": ",".join(FIELDS),
            "action_attribution_windows": json.dumps(windows),
            "limit": self.page_size,
        }
        if (end - start) + timedelta(days=1) > timedelta(days=_config("META_SYNC_MAX_DAYS")):
            pages = self._async_pages(ad_account_id, params)
        else:
            pages = self._pages(self._url(f"act_{ad_account_id}/insights"), params)
        for page in pages:
            for item in page:
                yield self._row(item, set(action_types), windows)

    def _async_pages(self, ad_account_id: str, params: dict) -> Iterator[list]:
        run = self._request("POST", self._url(f"act_{ad_account_id}/insights"), params)
        run_id = run.get("report_run_id")
        if not run_id:
            raise PlatformError(f"Meta started no report run: {run}")
        deadline = time.monotonic() + _config("META_ASYNC_MAX_WAIT_SECONDS")
        while True:
            status = self._request("GET", self._url(str(run_id)), {})
            state = status.get("async_status", "")
            if state == "Job Completed" and int(status.get("async_percent_completion") or 0) >= 100:
                break
            if state in ("Job Failed", "Job Skipped"):
                raise PlatformRetryableError(f"Meta report run {run_id} ended as {state!r}")
            if time.monotonic() > deadline:
                raise PlatformRetryableError(f"Meta report run {run_id} still {state!r} "
                                             f"({status.get('async_percent_completion')}%)")
            time.sleep(_config("META_ASYNC_POLL_SECONDS"))
        yield from self._pages(self._url(f"{run_id}/insights"), {"limit": self.page_size})

    def _pages(self, url: str, params: dict) -> Iterator[list]:
        body = self._request("GET", url, params)
        while True:
            yield body.get("data") or []
            # cursors.after is present on the last page too; only paging.next says there is more.
            paging = body.get("paging") or {}
            if not paging.get("next"):
                return
            body = self._request("GET", paging["next"], None)

    def _url(self, path: str) -> str:
        return f"{self.base_url}/{self.version}/{path}"

    def _request(self, method: str, url: str, params: dict | None) -> dict:
        # paging.next carries every parameter already (token included); the rest get the token here.
        params = None if params is None else {**params, "access_token": self.access_token}
        try:
            if method == "POST":
                response = self._http.post(url, data=params)
            else:
                response = self._http.get(url, params=params)
        except httpx.TransportError as exc:
            raise PlatformRetryableError(f"Meta unreachable: {exc}") from exc
        self.usage = _usage(response.headers)
        try:
            body = response.json()
        except ValueError as exc:
            error = PlatformRetryableError if response.status_code >= 500 else PlatformError
            raise error(f"Meta sent non-JSON (HTTP {response.status_code})") from exc
        if isinstance(body, dict) and "error" in body:
            raise _error(body["error"], response.status_code, self.usage)
        if response.status_code == 429 or response.status_code >= 500:
            raise PlatformRetryableError(f"Meta HTTP {response.status_code}")
        return body

    @staticmethod
    def _row(item: dict, action_types: set[str], windows: list[str]) -> ReportRow:
        return ReportRow(
            level="ad",
            day=date.fromisoformat(item["date_start"]),
            campaign_id=str(item.get("campaign_id", "")),
            campaign_name=item.get("campaign_name", ""),
            adgroup_id=str(item.get("adset_id", "")),
            adgroup_name=item.get("adset_name", ""),
            ad_id=str(item.get("ad_id", "")),
            ad_name=item.get("ad_name", ""),
            currency=item.get("account_currency", ""),
            spend=to_decimal(item.get("spend")),
            impressions=to_int(item.get("impressions")),
            clicks=to_int(item.get("clicks")),
            conversions=action_total(item.get("actions"), action_types, windows),
            conversion_value=action_total(item.get("action_values"), action_types, windows),
        )


def _usage(headers) -> dict:
    """X-Business-Use-Case-Usage and X-Ad-Account-Usage, parsed (missing or malformed: left out)."""
    usage = {}
    for name in ("x-business-use-case-usage", "x-ad-account-usage", "x-fb-ads-insights-throttle"):
        if name in headers:
            try:
                usage[name] = json.loads(headers[name])
            except ValueError:
                continue
    return usage


def _regain_seconds(usage: dict) -> float | None:
    """The longest ``estimated_time_to_regain_access`` (minutes) in the business use case header."""
    minutes = [entry.get("estimated_time_to_regain_access") or 0
               for entries in (usage.get("x-business-use-case-usage") or {}).values()
               for entry in (entries if isinstance(entries, list) else [])]
    return max(minutes) * 60.0 if minutes and max(minutes) else None


def _error(error: dict, status: int, usage: dict) -> PlatformError:
    code = error.get("code")
    message = (f"Meta error {code}"
               + (f"/{error['error_subcode']}" if error.get("error_subcode") else "")
               + f": {error.get('message', '')}")
    trace = error.get("fbtrace_id", "")
    transient = (code in TRANSIENT_CODES or error.get("error_subcode") in TRANSIENT_SUBCODES
                 or error.get("is_transient"))
    if code in THROTTLING_CODES or transient or status >= 500:
        return PlatformRetryableError(message, code=code, request_id=trace,
                                      retry_after=_regain_seconds(usage))
    if code in AUTH_CODES:
        return PlatformAuthError(
            message + " — reconnect the ad account with a new access token that has ads_read.",
            code=code, request_id=trace)
    return PlatformError(message, code=code, request_id=trace)
