"""The tracker in a real headless Chromium, on the demo landing pages served by the app."""

import time

import pytest

from attribution.models import ConversionEvent, Touchpoint, Visitor
from tests.conftest import chromium
from tests.factories import SiteFactory

LANDING_QUERY = ("?ttclid=E.C.P.browser-test-1&utm_source=tiktok&utm_medium=paid_social"
                 "&utm_campaign=spring-sale&utm_content=1900000042&utm_term=shoes")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(monkeypatch, settings):
    settings.CLICKLEDGER = {**settings.CLICKLEDGER, "TRACKER_DEMO_PAGES": True}
    with chromium(monkeypatch) as browser:
        context = browser.new_context()
        yield context.new_page()
        context.close()


@pytest.fixture
def demo_site(live_server, workspace):
    host = live_server.url.split("//", 1)[1].split(":")[0]
    return SiteFactory(workspace=workspace, domains=[host], allowed_origins=[live_server.url])


def _wait_for(condition, *, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _browse_to_the_form_and_submit(page, base: str) -> dict:
    page.goto(base + LANDING_QUERY)
    page.wait_for_function("window.Clickledger && window.Clickledger.version")
    page.click("#nav-pricing")
    page.wait_for_url("**/pricing/")
    page.click("#nav-contact")
    page.wait_for_url("**/contact/")
    page.wait_for_selector("#newsletter", state="attached")
    later_form_ttclid = page.evaluate(
        "() => (document.querySelector('#newsletter input[name=ttclid]') || {}).value || null")
    page.click("#submit")
    page.wait_for_selector("#received")
    received = {dd.get_attribute("id").removeprefix("received-"): dd.inner_text()
                for dd in page.query_selector_all("#received dd")}
    ttq_calls = page.evaluate("() => JSON.parse(sessionStorage.getItem('ttq_calls') || '[]')")
    storage = page.evaluate("() => localStorage.getItem('_cl')")
    cookies = {c["name"] for c in page.context.cookies()}
    return {"received": received, "ttq": ttq_calls, "later_form_ttclid": later_form_ttclid,
            "local_storage": storage, "cookies": cookies}


def test_a_tiktok_click_is_captured_once_and_shares_its_event_id_with_the_pixel(
        page, live_server, demo_site):
    seen = _browse_to_the_form_and_submit(page, f"{live_server.url}/demo/landing/{demo_site.public_key}/")

    received = seen["received"]
    assert received["ttclid"] == "E.C.P.browser-test-1"
    assert (received["utm_source"], received["utm_campaign"], received["utm_term"]) == (
        "tiktok", "spring-sale", "shoes")
    assert seen["later_form_ttclid"] == "E.C.P.browser-test-1"  # a form added after load
    assert seen["cookies"] == {"_cl"}
    assert seen["local_storage"]

    # The pixel beacon and the backend's server copy may land in either order: wait for both.
    assert _wait_for(lambda: ConversionEvent.objects.filter(duplicates_seen=1).exists()), \
        list(ConversionEvent.objects.values("source", "duplicates_seen"))
    conversion = ConversionEvent.objects.get()
    assert conversion.event_name == "SubmitForm"
    assert sorted(conversion.sources_seen) == ["pixel", "server"]
    assert received["cl_event_id"] == conversion.event_id
    assert [c["options"]["event_id"] for c in seen["ttq"]] == [conversion.event_id]
    assert seen["ttq"][0]["event"] == "SubmitForm"

    touch = Touchpoint.objects.get()  # two internal page views started no new touch
    assert (touch.channel, touch.ttclid, touch.utm_content) == ("tiktok", "E.C.P.browser-test-1",
                                                                 "1900000042")
    assert str(touch.visitor.uid) == received["cl_visitor_id"] == str(conversion.visitor.uid)
    assert conversion.contact is not None and conversion.contact.email_hash


def test_without_consent_nothing_is_stored_or_sent(page, live_server, demo_site):
    demo_site.requires_consent = True
    demo_site.save()
    seen = _browse_to_the_form_and_submit(page, f"{live_server.url}/demo/landing/{demo_site.public_key}/")
    time.sleep(1.0)  # give any stray beacon time to arrive

    assert seen["received"]["cl_visitor_id"] == "" and seen["received"]["cl_event_id"] == ""
    assert seen["received"]["ttclid"] == ""
    assert seen["ttq"] == []
    assert seen["local_storage"] is None
    assert "_cl" not in seen["cookies"]
    assert not Touchpoint.objects.exists()
    assert not ConversionEvent.objects.exists()
    assert not Visitor.objects.exists()


def test_consent_given_on_the_landing_sends_the_touch_then(page, live_server, demo_site):
    demo_site.requires_consent = True
    demo_site.save()
    page.goto(f"{live_server.url}/demo/landing/{demo_site.public_key}/{LANDING_QUERY}")
    page.wait_for_function("window.Clickledger && window.Clickledger.version")
    assert not Touchpoint.objects.exists()
    page.click("#consent")
    assert _wait_for(lambda: Touchpoint.objects.exists())
    assert Touchpoint.objects.get().ttclid == "E.C.P.browser-test-1"
    assert page.evaluate("() => localStorage.getItem('_cl')")




def test_consent_withdrawn_opts_the_visitor_out_before_forgetting_it(page, live_server, demo_site):
    demo_site.requires_consent = True
    demo_site.save()
    page.goto(f"{live_server.url}/demo/landing/{demo_site.public_key}/{LANDING_QUERY}")
    page.wait_for_function("window.Clickledger && window.Clickledger.version")
    page.click("#consent")
    assert _wait_for(lambda: Touchpoint.objects.exists())
    uid = str(Touchpoint.objects.get().visitor.uid)

    page.evaluate("() => Clickledger.consent(false)")

    assert _wait_for(lambda: Visitor.objects.filter(uid=uid, contact__opted_out=True).exists())
    assert page.evaluate("() => localStorage.getItem('_cl')") is None


def test_a_new_paid_click_starts_a_new_touch_but_a_reload_does_not(page, live_server, demo_site):
    from attribution.models import Contact

    landing = f"{live_server.url}/demo/landing/{demo_site.public_key}/"
    page.goto(landing + LANDING_QUERY)
    page.wait_for_function("window.Clickledger && window.Clickledger.version")
    assert _wait_for(lambda: Touchpoint.objects.count() == 1)
    page.goto(landing + "pricing/?fbclid=IwAR-second-click&utm_source=facebook")
    page.wait_for_function("window.Clickledger && window.Clickledger.version")
    page.reload()
    page.wait_for_function("window.Clickledger && window.Clickledger.version")
    page.evaluate("() => Clickledger.identify({email: ' Jane@Example.com '})")
    assert _wait_for(lambda: Contact.objects.exists() and Touchpoint.objects.count() == 2)
    time.sleep(0.5)  # a stray third touch from the reload would arrive by now
    assert sorted(Touchpoint.objects.values_list("channel", flat=True)) == ["meta", "tiktok"]
    contact = Contact.objects.get()
    assert Visitor.objects.get().contact == contact
    assert page.evaluate("() => Clickledger.values().fbclid") == "IwAR-second-click"
    assert page.evaluate("() => Clickledger.values().ttclid") == ""  # the new click replaced it
