"""Opt-outs — the tracker's consent(false), the events API's ``opt_out``, a deal import's opt-out
column — stop any further sync of the person: their conversions are stored and attributed, and
their outbox rows are skipped with the reason."""

import time
import uuid

import pytest

from attribution.identity.normalize import hash_email
from attribution.models import Contact, ConversionEvent, OutboxEntry, OutboxStatus, Visitor
from crm_sync.importing.webhook import deals_receive
from crm_sync.models import DealStageRule
from tests.factories import ContactFactory, TikTokIntegrationFactory

pytestmark = pytest.mark.django_db
OPTED_OUT = "contact opted out of data sharing"


@pytest.fixture(autouse=True)
def integration(workspace):
    return TikTokIntegrationFactory(workspace=workspace)


def _event(email="jane.doe@example.com", **user):
    return {"event": "CompletePayment", "event_id": uuid.uuid4().hex,
            "event_time": int(time.time()), "value": 10, "currency": "USD",
            "user": {"email": email, **user}}


def _outbox_of(event_id: str) -> OutboxEntry:
    return OutboxEntry.objects.get(conversion__event_id=event_id)


def test_the_tracker_opt_out_marks_the_identified_person_and_their_later_conversions_stay_home(
        beacon, site, visitor_uid, server_post):
    beacon("identify", {"key": site.public_key, "visitor_id": visitor_uid,
                        "email": "jane.doe@example.com"})
    response = beacon("consent", {"key": site.public_key, "visitor_id": visitor_uid,
                                  "opt_out": True})
    assert response.status_code == 202
    assert Contact.objects.get(email_hash=hash_email("jane.doe@example.com")).opted_out

    later = _event()
    assert server_post(later).status_code == 201
    entry = _outbox_of(later["event_id"])
    assert (entry.status, entry.last_error) == (OutboxStatus.SKIPPED, OPTED_OUT)
    assert ConversionEvent.objects.filter(event_id=later["event_id"]).exists()  # still counted


def test_an_opt_out_is_accepted_on_a_site_that_requires_consent_without_consent(
        beacon, site, visitor_uid):
    site.requires_consent = True
    site.save()
    response = beacon("consent", {"key": site.public_key, "visitor_id": visitor_uid,
                                  "consent": False})
    assert response.status_code == 202
    refused = beacon("identify", {"key": site.public_key, "visitor_id": visitor_uid,
                                  "email": "jane.doe@example.com"})
    assert refused.status_code == 403


def test_an_anonymous_visitor_opt_out_survives_identifying_later(beacon, site, visitor_uid,
                                                                 workspace):
    ContactFactory(workspace=workspace, email_hash=hash_email("jane.doe@example.com"))
    beacon("consent", {"key": site.public_key, "visitor_id": visitor_uid})
    assert Visitor.objects.get(uid=visitor_uid).contact.opted_out

    beacon("identify", {"key": site.public_key, "visitor_id": visitor_uid,
                        "email": "jane.doe@example.com"})

    visitor = Visitor.objects.select_related("contact").get(uid=visitor_uid)
    assert visitor.contact.email_hash == hash_email("jane.doe@example.com")
    assert visitor.contact.opted_out


def test_the_events_api_opt_out_skips_this_and_every_later_conversion_of_the_person(server_post):
    first, later, other = _event(opt_out=True), _event(), _event(email="john@example.com")
    for body in (first, later, other):
        assert server_post(body).status_code == 201
    assert _outbox_of(first["event_id"]).last_error == OPTED_OUT
    assert _outbox_of(later["event_id"]).last_error == OPTED_OUT
    assert _outbox_of(other["event_id"]).status == OutboxStatus.QUEUED


def test_an_opted_out_event_without_identity_is_not_sent_either(server_post):
    body = _event(email="")
    del body["user"]["email"]
    body["user"]["opt_out"] = True
    assert server_post(body).status_code == 201
    assert _outbox_of(body["event_id"]).last_error == OPTED_OUT


def test_the_opt_out_field_is_in_the_events_api_schema(client, member):
    client.force_login(member)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "opt_out" in schema["components"]["schemas"]["ServerUserIn"]["properties"]
    assert "/api/v1/collect/consent" in schema["paths"]


def test_a_deal_import_opt_out_column_stops_the_sync_of_the_deal_person(workspace):
    DealStageRule.objects.create(workspace=workspace, crm_stage="closedwon",
                                 event_name="ClosedWon", uses_amount=True)
    result = deals_receive(workspace=workspace, preset="hubspot", deals=[
        {"Record ID": "1", "Deal Stage": "closedwon", "Amount": "100", "Email": "a@example.com",
         "Opted out": "Yes"},
        {"Record ID": "2", "Deal Stage": "closedwon", "Amount": "100", "Email": "b@example.com",
         "Opted out": "no"},
        {"Record ID": "3", "Deal Stage": "closedwon", "Amount": "100", "Email": "c@example.com",
         "Opted out": "maybe"}])

    assert [(e.crm_id, e.field) for e in result.errors] == [("3", "opt_out")]
    assert "not a yes/no value" in result.errors[0].message
    assert Contact.objects.get(email_hash=hash_email("a@example.com")).opted_out
    assert not Contact.objects.get(email_hash=hash_email("b@example.com")).opted_out
    assert _outbox_of("deal:1:ClosedWon").last_error == OPTED_OUT
    assert _outbox_of("deal:2:ClosedWon").status == OutboxStatus.QUEUED


def test_a_later_import_row_that_opts_out_an_unchanged_deal_still_counts(workspace):
    deal = {"crm_id": "9", "stage": "appointmentscheduled", "email": "d@example.com"}
    deals_receive(workspace=workspace, deals=[deal])
    deals_receive(workspace=workspace, deals=[{**deal, "opt_out": "true"}])
    assert Contact.objects.get(email_hash=hash_email("d@example.com")).opted_out
