"""Client for TikTok's synchronous reporting endpoint (``report/integrated/get``, API v1.3).

Token in the ``Access-Token`` header; list parameters JSON-encoded in the query string; results
paginated through ``data.page_info``; metric values arrive as strings and become Decimal here.
The date span per request is capped (a setting), so longer periods are fetched in slices.
"""

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import httpx
from django.conf import settings

from crm_sync.ad_platforms.rows import ReportRow, to_decimal, to_int

DATA_LEVELS = {"campaign": "AUCTION_CAMPAIGN", "adgroup": "AUCTION_ADGROUP", "ad": "AUCTION_AD"}
ID_DIMENSION = {"campaign": "campaign_id", "adgroup": "adgroup_id", "ad": "ad_id"}
NAME_METRICS = {
    "campaign": ["campaign_name"],
    "adgroup": ["campaign_id", "campaign_name", "adgroup_name"],
    "ad": ["campaign_id", "campaign_name", "adgroup_id", "adgroup_name", "ad_name"],
}
RETRYABLE_CODES = {40100, 40200, 40201, 50000, 50002}  # rate limit and TikTok-side errors


class TikTokReportingError(Exception):
    def __init__(
        self, message: str, *, code: int | None = None, request_id: str = "", retryable: bool = False
    ):
        super().__init__(message)
        self.code, self.request_id, self.retryable = code, request_id, retryable


class TikTokRetryableError(TikTokReportingError):
    """A 429/5xx/timeout or a rate-limit code: trying again later can succeed."""


def _config(key):
    return settings.CLICKLEDGER[key]


class TikTokReportingClient:
    def __init__(
        self,
        *,
        access_token: str,
        base_url: str | None = None,
        timeout: float | None = None,
        page_size: int | None = None,
    ):
        self.base_url = (base_url or _config("TIKTOK_API_BASE")).rstrip("/")
        self.page_size = page_size or _config("TIKTOK_REPORT_PAGE_SIZE")
        self._http = httpx.Client(
            timeout=timeout or _config("TIKTOK_TIMEOUT_SECONDS"), headers={"Access-Token": access_token}
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def daily_report(self, *, advertiser_id: str, level: str, start: date, end: date) -> Iterator[ReportRow]:
        """Every (entity, day) row of one level between start and end inclusive, all pages, all slices."""
        span = timedelta(days=_config("TIKTOK_REPORT_MAX_DAYS") - 1)
        slice_start = start
        while slice_start <= end:
            slice_end = min(slice_start + span, end)
            yield from self._slice(advertiser_id=advertiser_id, level=level, start=slice_start, end=slice_end)
            slice_start = slice_end + timedelta(days=1)

    def _slice(self, *, advertiser_id, level, start, end) -> Iterator[ReportRow]:
        metrics = [
            "spend",
            "impressions",
            "clicks",
            _config("TIKTOK_REPORT_CONVERSION_METRIC"),
            _config("TIKTOK_REPORT_VALUE_METRIC"),
            "currency",
            *NAME_METRICS[level],
        ]
        params = {
            "advertiser_id": advertiser_id,
            "report_type": "BASIC",
            "data_level": DATA_LEVELS[level],
            "dimensions": json.dumps([ID_DIMENSION[level], "stat_time_day"]),
            "metrics": json.dumps(metrics),
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "page_size": self.page_size,
        }
        page, total_pages = 1, 1
        while page <= total_pages:
            data = self._get("/open_api/v1.3/report/integrated/get/", {**params, "page": page})
            for item in data.get("list") or []:
                yield self._row(level, item)
            total_pages = int((data.get("page_info") or {}).get("total_page") or 1)
            page += 1

    def _get(self, path: str, params: dict) -> dict:
        try:
            response = self._http.get(self.base_url + path, params=params)
        except httpx.TransportError as exc:
            raise TikTokRetryableError(f"TikTok reporting unreachable: {exc}") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise TikTokRetryableError(f"TikTok reporting HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError as exc:
            raise TikTokReportingError(
                f"TikTok reporting sent non-JSON (HTTP {response.status_code})"
            ) from exc
        code, request_id = body.get("code"), body.get("request_id", "")
        if code != 0:
            error = TikTokRetryableError if code in RETRYABLE_CODES else TikTokReportingError
            raise error(
                f"TikTok reporting error {code}: {body.get('message')}",
                code=code,
                request_id=request_id,
                retryable=code in RETRYABLE_CODES,
            )
        return body.get("data") or {}

    @staticmethod
    def _row(level: str, item: dict) -> ReportRow:
        dims, m = item.get("dimensions") or {}, item.get("metrics") or {}
        ids = {"campaign_id": m.get("campaign_id", ""), "adgroup_id": m.get("adgroup_id", ""), "ad_id": ""}
        ids[ID_DIMENSION[level]] = str(_dimension(dims, ID_DIMENSION[level], level))
        return ReportRow(
            level=level,
            day=_report_day(_dimension(dims, "stat_time_day", level)),
            campaign_id=str(ids["campaign_id"]),
            campaign_name=m.get("campaign_name", ""),
            adgroup_id=str(ids["adgroup_id"]),
            adgroup_name=m.get("adgroup_name", ""),
            ad_id=str(ids["ad_id"]),
            ad_name=m.get("ad_name", ""),
            currency=m.get("currency", ""),
            spend=to_decimal(m.get("spend")),
            impressions=to_int(m.get("impressions")),
            clicks=to_int(m.get("clicks")),
            conversions=to_decimal(m.get(_config("TIKTOK_REPORT_CONVERSION_METRIC"))),
            conversion_value=to_decimal(m.get(_config("TIKTOK_REPORT_VALUE_METRIC"))),
        )


def _dimension(dims: dict, name: str, level: str):
    """A dimension the request asked for; a reply row without it is a reporting error, not a
    crash halfway through an import."""
    value = dims.get(name) if isinstance(dims, dict) else None
    if value in (None, ""):
        raise TikTokReportingError(
            f"TikTok reporting reply for level {level!r} lacks the requested dimension {name!r} "
            f"(row dimensions: {sorted(dims) if isinstance(dims, dict) else dims!r})")
    return value


def _report_day(value) -> date:
    try:
        return datetime.strptime(str(value)[:10], "%Y-%m-%d").date()
    except ValueError as exc:
        raise TikTokReportingError(
            f"TikTok reporting reply has stat_time_day {value!r}, not a YYYY-MM-DD date") from exc
