import json
from datetime import date
from decimal import Decimal

import pytest

from crm_sync.tiktok_reporting.client import TikTokReportingClient, TikTokReportingError, TikTokRetryableError

from .fake_tiktok import FakeTikTokReporting

TOKEN = "tt-report-token"


def campaign_row(cid, day, spend="10.50", conv="2", value="99.90"):
    return {
        "dimensions": {"campaign_id": cid, "stat_time_day": f"{day} 00:00:00"},
        "metrics": {
            "spend": spend,
            "impressions": "1000",
            "clicks": "40",
            "conversion": conv,
            "total_complete_payment_rate": value,
            "currency": "USD",
            "campaign_name": f"C {cid}",
        },
    }


@pytest.fixture
def fake():
    with FakeTikTokReporting(TOKEN) as server:
        yield server


def test_client_pages_through_every_result_and_converts_strings_to_decimal(fake):
    fake.rows["campaign"] = [campaign_row(str(1000 + i), "2026-11-02") for i in range(5)]
    with TikTokReportingClient(access_token=TOKEN, base_url=fake.base_url, page_size=2) as client:
        rows = list(
            client.daily_report(
                advertiser_id="adv1", level="campaign", start=date(2026, 11, 1), end=date(2026, 11, 3)
            )
        )
    assert [r.campaign_id for r in rows] == ["1000", "1001", "1002", "1003", "1004"]
    assert rows[0].spend == Decimal("10.50") and rows[0].conversion_value == Decimal("99.90")
    assert rows[0].day == date(2026, 11, 2) and rows[0].campaign_name == "C 1000"
    assert [r["query"]["page"] for r in fake.requests] == ["1", "2", "3"]


def test_client_sends_the_token_header_and_json_encoded_lists(fake):
    with TikTokReportingClient(access_token=TOKEN, base_url=fake.base_url) as client:
        list(
            client.daily_report(
                advertiser_id="adv1", level="ad", start=date(2026, 11, 1), end=date(2026, 11, 1)
            )
        )
    sent = fake.requests[0]
    assert sent["token"] == TOKEN
    assert sent["query"]["data_level"] == "AUCTION_AD" and sent["query"]["report_type"] == "BASIC"
    assert json.loads(sent["query"]["dimensions"]) == ["ad_id", "stat_time_day"]
    assert {"spend", "conversion", "total_complete_payment_rate", "adgroup_id"} <= set(
        json.loads(sent["query"]["metrics"])
    )


def test_a_long_period_is_fetched_in_slices_the_api_accepts(fake, settings):
    settings.CLICKLEDGER = {**settings.CLICKLEDGER, "TIKTOK_REPORT_MAX_DAYS": 30}
    with TikTokReportingClient(access_token=TOKEN, base_url=fake.base_url) as client:
        list(
            client.daily_report(
                advertiser_id="a", level="campaign", start=date(2026, 1, 1), end=date(2026, 3, 1)
            )
        )
    spans = [(r["query"]["start_date"], r["query"]["end_date"]) for r in fake.requests]
    assert spans == [("2026-01-01", "2026-01-30"), ("2026-01-31", "2026-03-01")]


def test_rate_limit_and_server_errors_are_retryable(fake):
    fake.failures = [
        (429, {"code": 40100, "message": "Too many requests"}),
        (200, {"code": 40100, "message": "Requests made too frequently", "request_id": "r1"}),
    ]
    with TikTokReportingClient(access_token=TOKEN, base_url=fake.base_url) as client:
        for _ in range(2):
            with pytest.raises(TikTokRetryableError):
                list(
                    client.daily_report(
                        advertiser_id="a", level="campaign", start=date(2026, 1, 1), end=date(2026, 1, 1)
                    )
                )


def test_a_bad_token_is_a_permanent_error_with_the_platform_message(fake):
    with (
        TikTokReportingClient(access_token="wrong", base_url=fake.base_url) as client,
        pytest.raises(TikTokReportingError) as err,
    ):
        list(
            client.daily_report(
                advertiser_id="a", level="campaign", start=date(2026, 1, 1), end=date(2026, 1, 1)
            )
        )
    assert not isinstance(err.value, TikTokRetryableError)
    assert err.value.code == 40105 and "revoked" in str(err.value)


@pytest.mark.parametrize("missing", ["campaign_id", "stat_time_day"])
def test_a_reply_without_a_requested_dimension_is_a_clear_reporting_error(fake, missing):
    row = campaign_row("1000", "2026-11-02")
    del row["dimensions"][missing]
    fake.failures = [(200, {"code": 0, "message": "OK", "request_id": "r1",
                            "data": {"list": [row], "page_info": {"total_page": 1}}})]
    with (
        TikTokReportingClient(access_token=TOKEN, base_url=fake.base_url) as client,
        pytest.raises(TikTokReportingError) as err,
    ):
        list(client.daily_report(advertiser_id="a", level="campaign",
                                 start=date(2026, 11, 1), end=date(2026, 11, 3)))
    assert not isinstance(err.value, TikTokRetryableError)
    assert f"lacks the requested dimension '{missing}'" in str(err.value)
