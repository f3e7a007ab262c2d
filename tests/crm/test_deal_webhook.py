"""The deal webhook: secret-authenticated, with the import's semantics."""

import pytest
from rest_framework.test import APIClient

from attribution.models import ConversionEvent
from crm_sync.models import CrmWebhookSecret, Deal, DealStageRule

URL = "/api/v1/crm/webhook/{}/deals/"


@pytest.fixture
def secret(workspace):
    _, plaintext = CrmWebhookSecret.issue(workspace=workspace, label="HubSpot workflow")
    return plaintext


def _post(workspace, body, secret):
    return APIClient().post(URL.format(workspace.slug), body, format="json",
                            HTTP_X_CLICKLEDGER_SECRET=secret)


def test_only_the_hash_of_a_webhook_secret_is_stored(workspace, secret):
    row = CrmWebhookSecret.objects.get()
    assert secret not in (row.secret_hash, row.prefix) and len(row.secret_hash) == 64


@pytest.mark.parametrize("given", ["", "whk_wrong"])
def test_a_missing_or_wrong_secret_is_refused(workspace, secret, given):
    response = _post(workspace, {"deals": [{"crm_id": "1", "stage": "closedwon"}]}, given)

    assert response.status_code == 401
    assert not Deal.objects.exists()


def test_a_secret_of_another_workspace_is_refused(workspace, other_workspace, secret):
    response = _post(other_workspace, {"crm_id": "1", "stage": "closedwon"}, secret)

    assert response.status_code == 401


def test_a_revoked_secret_is_refused(workspace, secret):
    CrmWebhookSecret.objects.update(revoked_at="2026-11-01T00:00:00Z")

    assert _post(workspace, {"crm_id": "1", "stage": "won"}, secret).status_code == 401


def test_posted_deals_move_through_stages_with_history_and_conversions(workspace, secret):
    DealStageRule.objects.create(workspace=workspace, crm_stage="closedwon", event_name="ClosedWon",
                                 uses_amount=True)
    first = _post(workspace, {"crm_id": "W-1", "stage": "qualifiedtobuy", "amount": 900,
                              "currency": "eur", "email": "a@b.example"}, secret)

    won = _post(workspace, {"deals": [{"crm_id": "W-1", "stage": "closedwon", "amount": "1,200.00",
                                       "currency": "EUR", "closed_at": "2026-11-20T10:00:00Z",
                                       "email": "a@b.example"}]}, secret)
    repeat = _post(workspace, {"deals": [{"crm_id": "W-1", "stage": "closedwon", "amount": "1,200.00",
                                          "currency": "EUR", "closed_at": "2026-11-20T10:00:00Z",
                                          "email": "a@b.example"}]}, secret)

    assert first.json()["created"] == 1
    assert won.json() | {"errors": []} == {"created": 0, "updated": 1, "unchanged": 0, "failed": 0,
                                            "stage_changes": 1, "conversions_created": 1, "errors": []}
    assert repeat.json()["unchanged"] == 1 and repeat.json()["stage_changes"] == 0
    deal = Deal.objects.get(crm_id="W-1")
    assert deal.crm == "api"
    assert [c.source for c in deal.stage_changes.all()] == ["webhook", "webhook"]
    conversion = ConversionEvent.objects.get(event_id="deal:W-1:ClosedWon")
    assert str(conversion.value) == "1200.0000" and conversion.contact == deal.contact


def test_a_preset_payload_uses_the_crms_own_property_names(workspace, secret):
    response = _post(workspace, {"preset": "hubspot", "deals": [
        {"Record ID": 42, "Deal Stage": "Closed Won", "Amount": "10", "dealname": "Via workflow"}]}, secret)

    assert response.status_code == 200, response.json()
    deal = Deal.objects.get(crm_id="42")
    assert (deal.crm, deal.stage, deal.name) == ("hubspot", "closedwon", "Via workflow")


def test_bad_deals_are_reported_by_index_while_good_ones_import(workspace, secret):
    response = _post(workspace, {"deals": [{"crm_id": "ok", "stage": "new"},
                                           {"stage": "new"},
                                           {"crm_id": "x", "stage": "new", "email": "nope"}]}, secret)

    body = response.json()
    assert (body["created"], body["failed"]) == (1, 2)
    assert [(e["index"], e["field"]) for e in body["errors"]] == [(1, "crm_id"), (2, "email")]


def test_an_empty_payload_is_a_validation_error(workspace, secret):
    assert _post(workspace, {"deals": []}, secret).status_code == 400


def test_a_bare_list_of_deals_is_accepted(workspace, secret):
    deals = [{"crm_id": "L-1", "stage": "new"}, {"crm_id": "L-2", "stage": "new"}]
    response = _post(workspace, deals, secret)

    assert response.json()["created"] == 2
