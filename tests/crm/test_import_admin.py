"""The admin flow: upload → preview with the mapping applied → confirm → counts, row errors, report."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from crm_sync.models import CrmWebhookSecret, Deal, DealImport, ImportStatus
from tests.crm.conftest import FIXTURES
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def admin_client(client, member):
    client.force_login(member)
    return client


def _page(admin_client, deal_import) -> str:
    url = reverse("admin:crm_sync_dealimport_change", args=[deal_import.pk])
    return admin_client.get(url).content.decode()


def _upload(admin_client, workspace, name, **options):
    return admin_client.post(reverse("admin:crm_sync_dealimport_add"), {
        "workspace": workspace.pk, "preset": "hubspot",
        "file": SimpleUploadedFile(name, (FIXTURES / name).read_bytes()), **options})


def test_upload_shows_a_preview_and_imports_nothing_until_confirmed(admin_client, workspace):
    response = _upload(admin_client, workspace, "hubspot_deals.csv", phone_region="US")

    deal_import = DealImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:crm_sync_dealimport_change", args=[deal_import.pk])
    page = admin_client.get(response["Location"]).content.decode()
    assert "Confirm and import" in page
    assert "9876543210" in page and "appointmentscheduled" in page and "12500.50" in page
    assert "Jane.Doe@Example.com" not in page  # identities are shown hashed
    assert not Deal.objects.exists()


def test_the_upload_options_are_shown_in_words(admin_client, workspace):
    _upload(admin_client, workspace, "hubspot_deals.csv", phone_region="US", decimal_comma="on",
            extra_stages="Demo booked, Pilot")

    page = _page(admin_client, DealImport.objects.get())
    assert "decimal comma; phone region: US; extra stages: Demo booked, Pilot" in page
    assert "&quot;phone_region&quot;" not in page  # not the stored JSON


def test_confirming_imports_and_the_page_shows_counts_errors_and_the_report(
        admin_client, workspace, django_capture_on_commit_callbacks):
    _upload(admin_client, workspace, "hubspot_bad_rows.csv")
    deal_import = DealImport.objects.get()
    confirm_url = reverse("admin:crm_sync_dealimport_confirm", args=[deal_import.pk])

    confirm_page = admin_client.get(confirm_url).content.decode()
    assert "Yes, import" in confirm_page
    assert "Import <strong>hubspot_bad_rows.csv</strong> into" in confirm_page  # the file, not its status
    assert reverse("admin:crm_sync_dealimport_change", args=[deal_import.pk]) in confirm_page  # breadcrumb
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(confirm_url)

    deal_import.refresh_from_db()
    assert deal_import.status == ImportStatus.SUCCEEDED
    page = _page(admin_client, deal_import)
    assert "8 rows: 2 created" in page and "6 bad" in page
    assert "6 bad; 2 stage changes, 0 conversions<" in page
    assert "unknown stage" in page and "Download all row errors" in page
    report = admin_client.get(reverse("admin:crm_sync_dealimport_report", args=[deal_import.pk]))
    assert report.status_code == 200 and b"missing deal id" in b"".join(report.streaming_content)


def test_a_file_that_cannot_be_read_says_why_in_the_preview(admin_client, workspace):
    admin_client.post(reverse("admin:crm_sync_dealimport_add"), {
        "workspace": workspace.pk, "preset": "hubspot",
        "file": SimpleUploadedFile("deals.xlsx", b"PK\x03\x04" + b"\x00" * 40)})

    deal_import = DealImport.objects.get()
    page = _page(admin_client, deal_import)
    assert "not a CSV file" in page


def test_a_generic_upload_without_a_mapping_is_refused_by_the_form(admin_client, workspace):
    response = _upload(admin_client, workspace, "generic_deals.csv", preset="generic")

    assert response.status_code == 200
    assert "A generic import needs a saved column mapping." in response.content.decode()
    assert not DealImport.objects.exists()


def test_a_viewer_cannot_confirm_an_import(client, workspace):
    viewer = UserFactory()
    MembershipFactory(user=viewer, workspace=workspace, role="viewer")
    deal_import = DealImport.objects.create(workspace=workspace, preset="hubspot", file="x.csv")
    client.force_login(viewer)

    response = client.post(reverse("admin:crm_sync_dealimport_confirm", args=[deal_import.pk]))

    assert response.status_code == 403
    assert DealImport.objects.get().status == ImportStatus.UPLOADED


def test_a_new_webhook_secret_is_shown_once_and_stored_hashed(admin_client, workspace):
    response = admin_client.post(reverse("admin:crm_sync_crmwebhooksecret_add"),
                                 {"workspace": workspace.pk, "label": "HubSpot"}, follow=True)

    secret = CrmWebhookSecret.objects.get()
    shown = [str(m) for m in response.context["messages"]][0]
    plaintext = shown.split("Webhook secret: ")[1].split(" ")[0]
    assert plaintext.startswith("whk_") and secret.prefix == plaintext[:10]
    assert plaintext not in secret.secret_hash
