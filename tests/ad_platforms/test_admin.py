"""Admin for ad platform accounts: write-only secrets, test connection, import now, history, CSV upload."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from attribution.models import GoogleAdsAccount, MetaAdAccount, PlatformDailyMetric, PlatformImport
from config.celery import app as celery_app
from tests.factories import GoogleAdsAccountFactory, MetaAdAccountFactory, WorkspaceFactory
from tests.fake_google_ads import FakeGoogleAds, ad_result
from tests.fake_meta import FakeMeta

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ad_platforms"
META = "/admin/attribution/metaadaccount/"
GOOGLE = "/admin/attribution/googleadsaccount/"
IMPORTS = "/admin/attribution/platformimport/"


@pytest.fixture
def eager_celery():
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def admin_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def meta_fake(settings):
    with FakeMeta(token="meta-token") as fake:
        settings.CLICKLEDGER = {**settings.CLICKLEDGER, "META_GRAPH_BASE": fake.base_url,
                                "META_API_VERSION": "v26.0"}
        yield fake


@pytest.fixture
def google_fake(settings):
    with FakeGoogleAds() as fake:
        settings.CLICKLEDGER = {**settings.CLICKLEDGER, "GOOGLE_ADS_API_BASE": fake.base_url,
                                "GOOGLE_OAUTH_TOKEN_URL": fake.token_url, "GOOGLE_ADS_API_VERSION": "v26"}
        yield fake


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _action(client, url, action, ids):
    return client.post(url, {"action": action, "_selected_action": ids}, follow=True)


def test_a_meta_token_is_written_never_shown_and_kept_when_left_blank(admin_client, workspace):
    form = {"workspace": workspace.pk, "name": "Shop", "enabled": "on", "ad_account_id": "act_111",
            "access_token": "EAAB-secret", "conversion_actions": '["lead"]',
            "click_window_days": 7, "view_window_days": 1}
    assert admin_client.post(f"{META}add/", form).status_code == 302
    account = MetaAdAccount.objects.get()
    assert (account.ad_account_id, account.access_token) == ("111", "EAAB-secret")
    url = f"{META}{account.pk}/change/"
    assert "EAAB-secret" not in admin_client.get(url).content.decode()
    assert admin_client.post(url, {**form, "access_token": "", "name": "Shop EU"}).status_code == 302
    account.refresh_from_db()
    assert (account.name, account.access_token) == ("Shop EU", "EAAB-secret")


def test_google_secrets_are_write_only_and_the_customer_id_is_checked(admin_client, workspace):
    form = {"workspace": workspace.pk, "name": "Search", "enabled": "on", "customer_id": "123-456",
            "login_customer_id": "", "client_id": "cid", "client_secret": "s3cret", "refresh_token": "1//r",
            "developer_token": "dev", "click_window_days": 30, "view_window_days": 1}
    response = admin_client.post(f"{GOOGLE}add/", form)
    assert "A customer id has 10 digits" in response.content.decode()
    assert admin_client.post(f"{GOOGLE}add/", {**form, "customer_id": "123-456-7890"}).status_code == 302
    account = GoogleAdsAccount.objects.get()
    page = admin_client.get(f"{GOOGLE}{account.pk}/change/").content.decode()
    assert "s3cret" not in page and "1//r" not in page and account.customer_id == "1234567890"


def test_test_connection_reports_success_or_the_stored_error(admin_client, workspace, meta_fake):
    good = MetaAdAccountFactory(workspace=workspace)
    bad = MetaAdAccountFactory(workspace=workspace, ad_account_id="222", name="Old", access_token="expired")
    meta_fake.expired.add("expired")
    messages = _messages(_action(admin_client, META, "test_connection", [good.pk, bad.pk]))
    assert any("connected to Shop (EUR)" in m for m in messages)
    assert any("Session has expired" in m for m in messages)
    bad.refresh_from_db()
    assert "new access token" in bad.last_error
    assert "Session has expired" in admin_client.get(META).content.decode()


def test_import_now_imports_and_the_history_shows_counts(admin_client, workspace, google_fake, eager_celery):
    account = GoogleAdsAccountFactory(workspace=workspace)
    today = timezone.now().astimezone(workspace.tzinfo).date()
    google_fake.add_ad(ad_result("301", (today - timedelta(days=30)).isoformat()))  # older than re-read
    google_fake.add_ad(ad_result("302", (today - timedelta(days=1)).isoformat()))
    messages = _messages(_action(admin_client, GOOGLE, "import_now", [account.pk]))
    assert any("3 day row(s) imported" in m for m in messages), messages
    record = PlatformImport.objects.get()
    assert (record.platform, record.status, record.rows_written) == ("google", "succeeded", 3)
    page = admin_client.get(IMPORTS).content.decode()
    assert "1234567890" in page and "Succeeded" in page


def test_a_csv_upload_with_bad_rows_lists_them_and_imports_nothing(admin_client, workspace):
    upload = SimpleUploadedFile("meta.csv", (FIXTURES / "meta_ads_manager_bad_row.csv").read_bytes())
    response = admin_client.post(f"{IMPORTS}upload/", {"workspace": workspace.pk, "file": upload,
                                                       "layout": "meta"}, follow=True)
    page = response.content.decode()
    assert "2 bad row(s); nothing was imported" in page
    assert "line 3: cannot read the date" in page and "line 4: not a number" in page
    assert not PlatformDailyMetric.objects.exists()


def test_a_csv_upload_imports_a_google_report_under_the_stated_window(admin_client, workspace):
    upload = SimpleUploadedFile("google.csv", (FIXTURES / "google_ads_report.csv").read_bytes())
    response = admin_client.post(f"{IMPORTS}upload/", {
        "workspace": workspace.pk, "file": upload, "layout": "google", "click_window_days": 30,
        "view_window_days": 1}, follow=True)
    assert "day row(s) imported" in response.content.decode()
    assert set(PlatformDailyMetric.objects.values_list("platform", "click_window_days")) == {("google", 30)}


def test_accounts_of_other_workspaces_are_not_listed(admin_client, workspace):
    MetaAdAccountFactory(workspace=WorkspaceFactory(), name="Not yours")
    assert "Not yours" not in admin_client.get(META).content.decode()
