from datetime import date
from decimal import Decimal

import pytest
from celery.exceptions import Retry

from attribution.models import Ad, AdGroup, MetaAdAccount, PlatformDailyMetric, PlatformImport
from crm_sync.ad_platforms.errors import PlatformRetryableError
from crm_sync.meta_ads.client import MetaAdsClient
from crm_sync.meta_ads.services import meta_ads_import, meta_connection_test
from tests.factories import MetaAdAccountFactory
from tests.fake_meta import FakeMeta, insight


@pytest.fixture
def fake():
    with FakeMeta(token="meta-token") as server:
        yield server


@pytest.fixture
def account(workspace):
    return MetaAdAccountFactory(workspace=workspace)


def client(fake, **kwargs):
    return MetaAdsClient(access_token=kwargs.pop("token", "meta-token"), base_url=fake.base_url,
                         version="v26.0", **kwargs)


def test_ad_days_are_stored_with_their_ad_set_and_campaign_sums_under_the_accounts_window(fake, account):
    fake.insights = [
        insight("a1", "2026-11-02", spend="10.50", purchases={"7d_click": "2", "1d_view": "1"},
                purchase_value={"7d_click": "80", "1d_view": "20"}),
        insight("a2", "2026-11-02", spend="4.50"),
    ]
    record = meta_ads_import(account=account, start=date(2026, 11, 1), end=date(2026, 11, 3),
                             client=client(fake))
    assert (record.status, record.rows_written) == ("succeeded", 4)  # 2 ads, 1 ad set, 1 campaign
    ad = PlatformDailyMetric.objects.get(level="ad", entity_external_id="a1")
    assert (ad.platform, ad.spend, ad.conversions, ad.conversion_value) == (
        "meta", Decimal("10.50"), Decimal("3"), Decimal("100"))
    assert (ad.click_window_days, ad.view_window_days, ad.currency) == (7, 1, "USD")
    campaign = PlatformDailyMetric.objects.get(level="campaign", entity_external_id="c1")
    assert (campaign.spend, campaign.impressions) == (Decimal("15.00"), 2000)
    assert AdGroup.objects.get(external_id="s1").name == "Ad set s1"
    assert Ad.objects.get(external_id="a2").campaign.external_id == "c1"


def test_the_window_asked_for_is_the_accounts_and_only_its_numbers_count(fake, account):
    account.click_window_days, account.view_window_days = 1, 0
    purchases = {"1d_click": "1", "7d_click": "4", "1d_view": "2"}
    fake.insights = [insight("a1", "2026-11-02", purchases=purchases)]
    meta_ads_import(account=account, start=date(2026, 11, 2), end=date(2026, 11, 2), client=client(fake))
    assert fake.requests[0]["query"]["action_attribution_windows"] == '["1d_click"]'
    assert PlatformDailyMetric.objects.get(level="ad").conversions == Decimal("1")
    assert PlatformDailyMetric.objects.get(level="ad").view_window_days == 0


def test_a_reimport_updates_the_same_rows(fake, account):
    fake.insights = [insight("a1", "2026-11-02", spend="10.00")]
    meta_ads_import(account=account, start=date(2026, 11, 2), end=date(2026, 11, 2), client=client(fake))
    fake.insights = [insight("a1", "2026-11-02", spend="12.00")]
    meta_ads_import(account=account, start=date(2026, 11, 2), end=date(2026, 11, 2), client=client(fake))
    assert PlatformDailyMetric.objects.filter(platform="meta").count() == 3
    assert PlatformDailyMetric.objects.get(level="campaign").spend == Decimal("12.00")


def test_pages_are_followed_through_paging_next(fake, account):
    fake.insights = [insight(f"a{i}", "2026-11-02") for i in range(7)]
    c = client(fake, page_size=3)
    rows = list(c.daily_insights(ad_account_id="111", start=date(2026, 11, 2), end=date(2026, 11, 2),
                                 action_types=[], click_window_days=7, view_window_days=1))
    assert [r.ad_id for r in rows] == [f"a{i}" for i in range(7)]
    assert len(fake.requests) == 3
    assert fake.requests[1]["query"]["after"]


def test_a_long_range_runs_as_an_asynchronous_report(fake, account, settings):
    settings.CLICKLEDGER = {**settings.CLICKLEDGER, "META_SYNC_MAX_DAYS": 31, "META_ASYNC_POLL_SECONDS": 0.01}
    fake.insights = [insight("a1", "2026-01-05"), insight("a1", "2026-09-05")]
    record = meta_ads_import(account=account, start=date(2026, 1, 1), end=date(2026, 10, 31),
                             client=client(fake))
    assert record.rows_written == 6
    methods = [(r["method"], r["path"].split("/")[-1]) for r in fake.requests]
    assert methods[0] == ("POST", "insights")
    assert ("GET", "900000") in methods and methods[-1] == ("GET", "insights")


def test_an_expired_token_fails_the_import_with_a_stored_message(fake, account):
    fake.expired.add("old-token")
    record = meta_ads_import(account=account, start=date(2026, 11, 2), end=date(2026, 11, 2),
                             client=client(fake, token="old-token"))
    account.refresh_from_db()
    assert record.status == "failed"
    assert "190" in record.error and "Session has expired" in record.error
    assert "new access token" in account.last_error
    assert not PlatformDailyMetric.objects.exists()


def test_throttling_is_retryable_and_says_when_access_returns(fake, account):
    fake.script(FakeMeta.throttled(code=80000, regain_minutes=3))
    with pytest.raises(PlatformRetryableError) as caught:
        meta_ads_import(account=account, start=date(2026, 11, 2), end=date(2026, 11, 2), client=client(fake))
    assert caught.value.code == 80000 and caught.value.retry_after == 180
    assert PlatformImport.objects.get().status == "retrying"


@pytest.mark.parametrize("code", [4, 17, 32, 613])
def test_every_rate_limit_code_is_retryable(fake, code):
    fake.script(FakeMeta.throttled(code=code))
    with pytest.raises(PlatformRetryableError):
        client(fake).ad_account(ad_account_id="111")


def test_a_server_error_is_retryable_and_the_retry_succeeds(fake, account, settings):
    from crm_sync.ad_platforms.tasks import import_meta_account

    settings.CLICKLEDGER = {**settings.CLICKLEDGER, "META_GRAPH_BASE": fake.base_url,
                            "META_API_VERSION": "v26.0"}
    fake.insights = [insight("a1", "2026-11-02")]
    fake.script(FakeMeta.server_error())
    with pytest.raises(PlatformRetryableError):
        import_meta_account.run(account.pk, "2026-11-02", "2026-11-02")
    assert import_meta_account.run(account.pk, "2026-11-02", "2026-11-02") == 3


def test_the_usage_headers_are_read(fake):
    c = client(fake)
    c.ad_account(ad_account_id="111")
    assert c.usage["x-ad-account-usage"]["acc_id_util_pct"] == 9.5
    assert c.usage["x-business-use-case-usage"]["111"][0]["type"] == "ads_insights"


def test_the_connection_test_stores_the_currency_or_the_error(fake, account):
    assert "connected to Shop (EUR)" in meta_connection_test(account=account, client=client(fake))
    account.refresh_from_db()
    assert (account.currency, account.last_error) == ("EUR", "")
    message = meta_connection_test(account=account, client=client(fake, token="wrong"))
    account.refresh_from_db()
    assert "Invalid OAuth access token" in message and "Invalid OAuth" in account.last_error


def test_the_token_is_encrypted_at_rest(account):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT access_token FROM {MetaAdAccount._meta.db_table}")
        stored = cursor.fetchone()[0]
    assert stored and "meta-token" not in stored
    assert MetaAdAccount.objects.get().access_token == "meta-token"


def test_an_insights_timeout_is_retryable_but_a_bad_parameter_is_not(fake):
    fake.script((400, {"error": {"message": "Please reduce the amount of data you're asking for",
                                 "type": "OAuthException", "code": 100, "error_subcode": 1504018,
                                 "fbtrace_id": "Ftimeout"}}, {}),
                (400, {"error": {"message": "(#100) Unsupported get request", "type": "OAuthException",
                                 "code": 100, "fbtrace_id": "Fbad"}}, {}))
    with pytest.raises(PlatformRetryableError):
        client(fake).ad_account(ad_account_id="111")
    with pytest.raises(Exception) as caught:
        client(fake).ad_account(ad_account_id="111")
    assert type(caught.value).__name__ == "PlatformError" and "Unsupported get request" in str(caught.value)


def test_the_task_retries_a_throttled_import_when_meta_says_access_returns(fake, account, settings):
    from crm_sync.ad_platforms.tasks import BACKOFF_MAX_SECONDS, import_meta_account, retry_in

    settings.CLICKLEDGER = {**settings.CLICKLEDGER, "META_GRAPH_BASE": fake.base_url,
                            "META_API_VERSION": "v26.0"}
    fake.insights = [insight("a1", "2026-11-02")]
    fake.script(FakeMeta.throttled(code=80000, regain_minutes=3))

    with pytest.raises(Retry) as retried:
        import_meta_account.apply(args=(account.pk, "2026-11-02", "2026-11-02"))
    assert retried.value.when == 180  # Meta's 3 minutes
    assert import_meta_account.apply(args=(account.pk, "2026-11-02", "2026-11-02")).get() == 3
    assert list(PlatformImport.objects.order_by("id").values_list("status", flat=True)) == [
        "retrying", "succeeded"]
    # Meta's own figure, never the backoff's few seconds, at most an hour; without one, backoff.
    assert retry_in(PlatformRetryableError("x", retry_after=180), retries=0) == 180
    assert retry_in(PlatformRetryableError("x", retry_after=7200), retries=0) == BACKOFF_MAX_SECONDS
    backoffs = [retry_in(PlatformRetryableError("x"), retries=r) for r in (0, 3, 9) for _ in range(50)]
    assert all(0 <= b <= BACKOFF_MAX_SECONDS for b in backoffs)
    assert max(backoffs[:50]) <= 60 < max(backoffs[50:100]) <= 480  # full jitter under 60 · 2^retries
