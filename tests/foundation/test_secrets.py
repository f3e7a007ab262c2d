"""Secrets: API keys stored hashed, tokens encrypted at rest, neither ever rendered back."""

import pytest
from django.db import connection

from attribution.crypto import hash_secret
from attribution.models import SiteSecretKey, TikTokIntegration
from tests.factories import SiteFactory, TikTokIntegrationFactory


def test_site_secret_key_is_stored_only_as_a_hash(workspace):
    site = SiteFactory(workspace=workspace)
    row, plaintext = site.issue_secret_key(label="backend")
    assert plaintext.startswith("sk_") and len(plaintext) > 30
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {SiteSecretKey._meta.db_table}")
        stored = " ".join(str(v) for v in cursor.fetchone())
    assert plaintext not in stored
    assert hash_secret(plaintext) in stored
    assert SiteSecretKey.objects.matching(plaintext).get() == row
    assert not SiteSecretKey.objects.matching(plaintext + "x").exists()


def test_a_revoked_key_no_longer_matches(workspace):
    row, plaintext = SiteFactory(workspace=workspace).issue_secret_key()
    row.revoked_at = row.created_at
    row.save()
    assert not SiteSecretKey.objects.matching(plaintext).exists()


def test_tiktok_token_is_encrypted_at_rest_and_decrypts(workspace):
    integration = TikTokIntegrationFactory(workspace=workspace, access_token="tok-SECRET-123")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT access_token FROM {TikTokIntegration._meta.db_table}")
        raw = cursor.fetchone()[0]
    assert "tok-SECRET-123" not in raw and raw.startswith("gAAAA")  # a Fernet token
    assert TikTokIntegration.objects.get(pk=integration.pk).access_token == "tok-SECRET-123"


@pytest.fixture
def admin_client_of(client, member):
    client.force_login(member)
    return client


def test_admin_never_renders_the_token_and_blank_keeps_it(admin_client_of, workspace):
    integration = TikTokIntegrationFactory(workspace=workspace, access_token="tok-SECRET-123")
    url = f"/admin/attribution/tiktokintegration/{integration.pk}/change/"
    page = admin_client_of.get(url)
    assert page.status_code == 200
    assert "tok-SECRET-123" not in page.content.decode()
    form = {"workspace": workspace.pk, "name": "Renamed", "enabled": "on",
            "advertiser_id": "1", "pixel_code": "P", "event_set_id": "E", "access_token": "",
            "test_event_code": "", "event_mapping": '{"SubmitForm": "SubmitForm"}'}
    assert admin_client_of.post(url, form).status_code == 302
    integration.refresh_from_db()
    assert integration.name == "Renamed" and integration.access_token == "tok-SECRET-123"


def test_admin_issues_a_secret_key_once_and_shows_only_its_prefix_after(admin_client_of, workspace):
    site = SiteFactory(workspace=workspace)
    reply = admin_client_of.post("/admin/attribution/site/", {
        "action": "issue_secret_key", "_selected_action": [site.pk]}, follow=True)
    shown = [str(m) for m in reply.context["messages"]]
    assert any("sk_" in m for m in shown)
    plaintext = next(w for m in shown for w in m.split() if w.startswith("sk_"))
    page = admin_client_of.get(f"/admin/attribution/site/{site.pk}/change/").content.decode()
    assert plaintext not in page and plaintext[:10] in page
