from datetime import date
from decimal import Decimal

import pytest

from attribution.models import Ad, GoogleAdsAccount, PlatformDailyMetric, PlatformImport
from crm_sync.ad_platforms.errors import PlatformRetryableError
from crm_sync.google_ads.client import GoogleAdsClient, gaql
from crm_sync.google_ads.services import google_ads_import, google_connection_test
from tests.factories import GoogleAdsAccountFactory
from tests.fake_google_ads import FakeGoogleAds, ad_result


@pytest.fixture
def fake():
    with FakeGoogleAds() as server:
        yield server


@pytest.fixture
def account(workspace):
    return GoogleAdsAccountFactory(workspace=workspace)


def client(fake, account, **kwargs):
    return GoogleAdsClient.for_account(account, base_url=fake.base_url, token_url=fake.token_url,
                                       version="v26", **kwargs)


def test_every_level_is_stored_with_cost_in_currency_units_under_the_accounts_window(fake, account):
    fake.add_ad(ad_result("301", "2026-11-02", cost_micros="12500000", conversions=1.5, value=45.0))
    record = google_ads_import(account=account, start=date(2026, 11, 1), end=date(2026, 11, 3),
                               client=client(fake, account))
    assert (record.status, record.rows_written) == ("succeeded", 3)
    ad = PlatformDailyMetric.objects.get(level="ad")
    assert (ad.platform, ad.entity_external_id, ad.spend, ad.conversions, ad.conversion_value) == (
        "google", "301", Decimal("12.5"), Decimal("1.5"), Decimal("45"))
    assert (ad.currency, ad.click_window_days, ad.view_window_days, ad.impressions) == ("EUR", 30, 1, 900)
    assert Ad.objects.get(external_id="301").adgroup.external_id == "20"
    assert PlatformDailyMetric.objects.get(level="campaign").spend == Decimal("12.5")


def test_the_query_is_gaql_segmented_by_date_and_the_headers_carry_the_tokens(fake, account):
    fake.login_customer_id = "9998887777"
    account.login_customer_id = "999-888-7777"
    account.save()
    google_ads_import(account=account, start=date(2026, 11, 2), end=date(2026, 11, 2),
                      client=client(fake, account))
    token_request, first = fake.requests[0], fake.requests[1]
    assert token_request["form"]["grant_type"] == "refresh_token"
    assert first["headers"]["developer-token"] == "dev-token"
    assert first["headers"]["login-customer-id"] == "9998887777"
    assert first["headers"]["Authorization"].startswith("Bearer ya29.")
    assert "FROM campaign WHERE segments.date BETWEEN '2026-11-02' AND '2026-11-02'" in first["query"]
    assert sum(1 for r in fake.requests if r["path"] == "/token") == 1  # the access token is reused


def test_batches_of_the_stream_are_all_read_and_long_ranges_are_sliced(fake, account, settings):
    settings.CLICKLEDGER = {**settings.CLICKLEDGER, "GOOGLE_ADS_MAX_DAYS": 10}
    for day in range(1, 31):
        fake.rows["ad_group_ad"].append(ad_result(str(400 + day), f"2026-11-{day:02d}"))
    with client(fake, account) as c:
        rows = list(c.daily_rows(customer_id="1234567890", level="ad", start=date(2026, 11, 1),
                                 end=date(2026, 11, 30)))
    assert len(rows) == 30
    assert len([r for r in fake.requests if r["path"] != "/token"]) == 3


def test_a_revoked_refresh_token_fails_with_a_stored_message(fake, account):
    account.refresh_token = "revoked"
    account.save()
    record = google_ads_import(account=account, start=date(2026, 11, 2), end=date(2026, 11, 2),
                               client=client(fake, account))
    account.refresh_from_db()
    assert record.status == "failed" and "invalid_grant" in record.error
    assert "reconnect the account" in account.last_error


def test_a_wrong_developer_token_is_an_unauthenticated_error(fake, account):
    account.developer_token = "not-approved"
    record = google_ads_import(account=account, start=date(2026, 11, 2), end=date(2026, 11, 2),
                               client=client(fake, account))
    assert record.status == "failed"
    assert "UNAUTHENTICATED" in record.error and "DEVELOPER_TOKEN_INVALID" in record.error


def test_resource_exhausted_is_retryable_with_the_delay_google_asks_for(fake, account):
    fake.script(FakeGoogleAds.resource_exhausted(retry_seconds=30))
    with pytest.raises(PlatformRetryableError) as caught:
        google_ads_import(account=account, start=date(2026, 11, 2), end=date(2026, 11, 2),
                          client=client(fake, account))
    assert caught.value.code == "RESOURCE_EXHAUSTED" and caught.value.retry_after == 30
    assert PlatformImport.objects.get().status == "retrying"


def test_an_outage_is_retried_by_the_task_and_the_retry_succeeds(fake, account, settings):
    from crm_sync.ad_platforms.tasks import import_google_account

    settings.CLICKLEDGER = {**settings.CLICKLEDGER, "GOOGLE_ADS_API_BASE": fake.base_url,
                            "GOOGLE_OAUTH_TOKEN_URL": fake.token_url, "GOOGLE_ADS_API_VERSION": "v26"}
    fake.add_ad(ad_result("301", "2026-11-02"))
    fake.script(FakeGoogleAds.unavailable())
    with pytest.raises(PlatformRetryableError):
        import_google_account.run(account.pk, "2026-11-02", "2026-11-02")
    assert import_google_account.run(account.pk, "2026-11-02", "2026-11-02") == 3
    assert list(PlatformImport.objects.order_by("id").values_list("status", flat=True)) == [
        "retrying", "succeeded"]


def test_an_expired_access_token_is_refreshed_once(fake, account):
    with client(fake, account) as c:
        c.customer(customer_id="1234567890")
        fake.access_tokens.clear()  # Google forgot it: the next call answers 401
        assert c.customer(customer_id="1234567890")["currencyCode"] == "EUR"
    assert sum(1 for r in fake.requests if r["path"] == "/token") == 2


def test_the_connection_test_stores_the_currency_or_the_error(fake, account):
    message = google_connection_test(account=account, client=client(fake, account))
    assert "connected to Shop DE (EUR)" in message
    account.refresh_from_db()
    assert account.currency == "EUR"
    fake.customer_id = "5555555555"
    message = google_connection_test(account=account, client=client(fake, account))
    account.refresh_from_db()
    assert "PERMISSION_DENIED" in message and "PERMISSION_DENIED" in account.last_error


def test_dashes_in_customer_ids_are_dropped_and_secrets_are_encrypted(account):
    from django.db import connection

    account.customer_id = "123-456-7890"
    account.save()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT refresh_token, client_secret FROM {GoogleAdsAccount._meta.db_table}")
        stored = cursor.fetchone()
    assert "refresh-token" not in stored[0] and "client-secret" not in stored[1]
    assert GoogleAdsAccount.objects.get().customer_id == "1234567890"


def test_gaql_of_the_ad_level_reads_ad_group_ads():
    query = gaql("ad", date(2026, 1, 1), date(2026, 1, 31))
    assert "metrics.cost_micros" in query and "FROM ad_group_ad" in query


def test_the_daily_import_is_registered_with_celery_and_scheduled(db):
    from django_celery_beat.models import PeriodicTask

    import crm_sync.ad_platforms.tasks  # noqa: F401  (config/celery.py autodiscovers it in workers)
    from config.celery import app

    assert "crm_sync.ad_platforms.tasks.import_all_ad_accounts" in app.tasks
    task = PeriodicTask.objects.get(name="Daily Meta and Google Ads import")
    assert task.task == "crm_sync.ad_platforms.tasks.import_all_ad_accounts" and task.enabled


def test_the_daily_import_queues_every_enabled_account_with_credentials(workspace, fake, settings):
    from crm_sync.ad_platforms.tasks import import_all_ad_accounts

    settings.CLICKLEDGER = {**settings.CLICKLEDGER, "GOOGLE_ADS_API_BASE": fake.base_url,
                            "GOOGLE_OAUTH_TOKEN_URL": fake.token_url, "GOOGLE_ADS_API_VERSION": "v26"}
    GoogleAdsAccountFactory(workspace=workspace)
    GoogleAdsAccountFactory(workspace=workspace, customer_id="2222222222", enabled=False)
    GoogleAdsAccountFactory(workspace=workspace, customer_id="3333333333", refresh_token="")
    assert import_all_ad_accounts.run() == 1
    assert PlatformImport.objects.get().account == "1234567890"
