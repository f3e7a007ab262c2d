"""The REST endpoint: upload, preview, confirm, follow progress, download the row-error report."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from crm_sync.models import ColumnMapping, Deal, DealImport, ImportStatus
from tests.crm.conftest import FIXTURES
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def client(member):
    api = APIClient()
    api.force_authenticate(member)
    return api


def _upload(name: str):
    return SimpleUploadedFile(name, (FIXTURES / name).read_bytes(), content_type="text/csv")


def test_upload_with_confirm_imports_in_the_background_and_reports_counts(
        client, workspace, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/deal-imports/", {
            "workspace": workspace.slug, "file": _upload("hubspot_deals.csv"), "preset": "hubspot",
            "phone_region": "US"}, format="multipart")

    assert response.status_code == 202, response.json()
    detail = client.get(f"/api/v1/deal-imports/{response.json()['id']}/").json()
    assert detail["status"] == "succeeded"
    assert detail["rows_created"] == 4
    assert detail["progress"] == {"rows": 4, "percent": 100.0}
    assert Deal.objects.filter(workspace=workspace).count() == 4


def test_upload_without_confirm_previews_the_first_rows_with_the_mapping_applied(client, workspace):
    response = client.post("/api/v1/deal-imports/", {
        "workspace": workspace.slug, "file": _upload("salesforce_opportunities.csv"),
        "preset": "salesforce", "confirm": "false", "phone_region": "US"}, format="multipart")

    body = response.json()
    assert response.status_code == 201 and body["status"] == "uploaded"
    first = body["preview"]["rows"][0]
    assert first["values"]["crm_id"] == "0065g00000XyZ1AAA"
    assert first["values"]["amount"] == "25000.00"
    assert first["values"]["created_at"] == "2026-11-02 00:00 UTC"
    assert first["values"]["email"].startswith("hashed ")
    assert body["preview"]["headers"]["stage"] == "Stage"
    assert not Deal.objects.exists()


def test_confirming_an_uploaded_import_runs_it_once(client, workspace, django_capture_on_commit_callbacks):
    created = client.post("/api/v1/deal-imports/", {
        "workspace": workspace.slug, "file": _upload("hubspot_deals_later.csv"), "preset": "hubspot",
        "confirm": "false", "phone_region": "US"}, format="multipart").json()

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(f"/api/v1/deal-imports/{created['id']}/confirm/")
    again = client.post(f"/api/v1/deal-imports/{created['id']}/confirm/")

    assert confirmed.status_code == 202
    assert again.status_code == 409
    assert DealImport.objects.get().status == ImportStatus.SUCCEEDED


def test_the_row_error_report_downloads_as_csv(client, workspace, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post("/api/v1/deal-imports/", {
            "workspace": workspace.slug, "file": _upload("hubspot_bad_rows.csv"), "preset": "hubspot"},
            format="multipart").json()
    detail = client.get(f"/api/v1/deal-imports/{created['id']}/").json()

    response = client.get(f"/api/v1/deal-imports/{created['id']}/report/")

    assert detail["report_url"].endswith(f"/api/v1/deal-imports/{created['id']}/report/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["row"] for r in rows] == ["3", "4", "5", "6", "7", "8"]


def test_a_refused_file_is_reported_on_the_import(client, workspace, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post("/api/v1/deal-imports/", {
            "workspace": workspace.slug, "preset": "hubspot",
            "file": SimpleUploadedFile("deals.xlsx", b"PK\x03\x04" + b"\x00" * 50)},
            format="multipart").json()

    detail = client.get(f"/api/v1/deal-imports/{created['id']}/").json()
    assert detail["status"] == "failed"
    assert "not a CSV file" in detail["error"]


def test_a_generic_import_uses_a_saved_column_mapping(client, workspace, django_capture_on_commit_callbacks):
    ColumnMapping.objects.create(
        workspace=workspace, name="Pipedrive", stages=["new lead", "won", "lost"],
        columns={"crm_id": "Deal #", "name": "Title", "stage": "Status", "amount": "Value",
                 "currency": "Cur", "created_at": "Opened", "closed_at": "Won on", "email": "E-mail"})

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/api/v1/deal-imports/", {
            "workspace": workspace.slug, "file": _upload("generic_deals.csv"), "preset": "generic",
            "mapping": "Pipedrive"}, format="multipart")

    bakery = Deal.objects.get(workspace=workspace, crm_id="G-2")
    assert (bakery.crm, bakery.stage, str(bakery.amount), bakery.currency) == ("generic", "won",
                                                                               "1100.0000", "GBP")


def test_imports_of_other_workspaces_are_invisible(client, other_workspace):
    foreign = DealImport.objects.create(workspace=other_workspace, preset="hubspot", file="x.csv")

    assert client.get(f"/api/v1/deal-imports/{foreign.pk}/").status_code == 404
    response = client.post("/api/v1/deal-imports/", {
        "workspace": other_workspace.slug, "file": _upload("hubspot_deals.csv"), "preset": "hubspot"},
        format="multipart")
    assert response.status_code == 404


def test_a_viewer_cannot_import(workspace):
    viewer = UserFactory()
    MembershipFactory(user=viewer, workspace=workspace, role="viewer")
    api = APIClient()
    api.force_authenticate(viewer)

    response = api.post("/api/v1/deal-imports/", {
        "workspace": workspace.slug, "file": _upload("hubspot_deals.csv"), "preset": "hubspot"},
        format="multipart")

    assert response.status_code == 403
    assert not DealImport.objects.exists()
