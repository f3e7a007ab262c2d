"""The collector stores what the tracker sends: touches, pixel conversions and identify calls."""

import uuid

import pytest

from attribution.identity.normalize import sha256_hex
from attribution.models import ChannelRule, Contact, ConversionEvent, Touchpoint, Visitor
from tests.factories import AdFactory, TikTokIntegrationFactory

pytestmark = pytest.mark.django_db


def test_a_tiktok_landing_is_stored_as_a_tiktok_click_with_a_truncated_ip(beacon, touch_body, site):
    ad = AdFactory(workspace=site.workspace, external_id="1900000001")
    response = beacon("touch", touch_body, REMOTE_ADDR="203.0.113.77")
    assert response.status_code == 202, response.content
    touch = Touchpoint.objects.get()
    assert (touch.channel, touch.kind, touch.ttclid) == ("tiktok", "click", "E.C.P.abc123")
    assert (touch.utm_campaign, touch.ad_id, touch.campaign_id) == ("black-friday", ad.pk,
                                                                     ad.campaign_id)
    assert touch.ip_truncated == "203.0.113.0"
    assert str(touch.visitor.uid) == touch_body["visitor_id"]


def test_a_resent_touch_is_stored_once(beacon, touch_body):
    assert beacon("touch", touch_body).status_code == 202
    assert beacon("touch", touch_body).status_code == 202
    assert Touchpoint.objects.count() == 1
    assert Visitor.objects.count() == 1


def test_the_key_may_come_in_the_query_string_and_json_content_type_works(client, site, touch_body):
    touch_body.pop("key")
    response = client.post(f"/api/v1/collect/touch?k={site.public_key}", data=touch_body,
                           content_type="application/json", HTTP_ORIGIN="https://shop.example.com")
    assert response.status_code == 202
    assert Touchpoint.objects.count() == 1


def test_workspace_channel_rules_decide_before_the_defaults(beacon, touch_body, site):
    ChannelRule.objects.create(workspace=site.workspace, priority=1, field="utm_source",
                               pattern="^tiktok$", channel="other", kind="view")
    touch_body.pop("ttclid")
    beacon("touch", touch_body)
    assert Touchpoint.objects.values_list("channel", "kind").get() == ("other", "view")


def test_a_pixel_conversion_is_stored_once_with_its_visitor_and_queued_for_tiktok(
        beacon, event_body, site):
    TikTokIntegrationFactory(workspace=site.workspace)
    assert beacon("event", event_body).status_code == 202
    assert beacon("event", event_body).status_code == 202
    conversion = ConversionEvent.objects.get()
    assert (conversion.source, conversion.duplicates_seen, conversion.currency) == ("pixel", 1, "EUR")
    assert str(conversion.visitor.uid) == event_body["visitor_id"]
    assert str(conversion.value) == "49.9000"
    assert conversion.outbox_entries.get().platform_event == "SubmitForm"


def test_identify_hashes_on_arrival_and_links_the_visitor(beacon, site, visitor_uid):
    body = {"key": site.public_key, "visitor_id": visitor_uid, "email": "  Jane.Doe@Example.COM ",
            "phone": "+49 151 23456789"}
    assert beacon("identify", body).status_code == 202
    contact = Contact.objects.get()
    assert contact.email_hash == sha256_hex("jane.doe@example.com")
    assert contact.phone_hash == sha256_hex("+4915123456789")
    assert Visitor.objects.get(uid=visitor_uid).contact == contact


def test_a_site_that_requires_consent_refuses_calls_without_it(beacon, site, touch_body, event_body):
    site.requires_consent = True
    site.save()
    for endpoint, body in (("touch", touch_body), ("event", event_body)):
        response = beacon(endpoint, body)
        assert response.status_code == 403
        assert "consent" in response.json()["detail"]
    assert not Touchpoint.objects.exists() and not ConversionEvent.objects.exists()
    assert not Visitor.objects.exists()
    assert beacon("touch", {**touch_body, "consent": True}).status_code == 202
    assert Touchpoint.objects.count() == 1


def test_a_preflight_with_the_sites_key_allows_only_its_origins(client, site):
    def preflight(origin):
        return client.options(f"/api/v1/collect/event?k={site.public_key}", HTTP_ORIGIN=origin,
                              HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")

    allowed = preflight("https://shop.example.com")
    assert allowed["Access-Control-Allow-Origin"] == "https://shop.example.com"
    assert "Access-Control-Allow-Origin" not in preflight("https://evil.example.net")


def test_an_unknown_visitor_sent_by_identify_is_created(beacon, site):
    uid = str(uuid.uuid4())
    beacon("identify", {"key": site.public_key, "visitor_id": uid, "external_id": "crm-42"})
    assert Visitor.objects.get(uid=uid).contact.external_id_hash == sha256_hex("crm-42")
