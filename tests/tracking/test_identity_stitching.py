"""A contact's journey is the union of its visitors' touches, including touches before identifying."""

import uuid

import pytest

from attribution.models import Contact
from attribution.tracking.selectors import contact_journey

pytestmark = pytest.mark.django_db


def test_two_devices_with_one_email_make_one_journey(beacon, site, touch_body):
    phone_uid, laptop_uid = str(uuid.uuid4()), str(uuid.uuid4())
    beacon("touch", {**touch_body, "visitor_id": phone_uid, "touch_key": "phone-tiktok"})
    beacon("touch", {**touch_body, "visitor_id": laptop_uid, "touch_key": "laptop-google",
                     "ttclid": "", "utm_source": "", "utm_medium": "", "utm_content": "",
                     "referrer": "https://www.google.com/"})
    beacon("touch", {**touch_body, "visitor_id": str(uuid.uuid4()), "touch_key": "stranger"})
    for uid, email in ((phone_uid, "jane@example.com"), (laptop_uid, " JANE@example.com ")):
        assert beacon("identify", {"key": site.public_key, "visitor_id": uid,
                                   "email": email}).status_code == 202
    contact = Contact.objects.get()
    journey = contact_journey(contact=contact)
    assert sorted(journey.values_list("touch_key", flat=True)) == ["laptop-google", "phone-tiktok"]
    assert sorted(journey.values_list("channel", flat=True)) == ["organic_search", "tiktok"]


def test_touches_after_identifying_join_the_journey_too(beacon, site, touch_body):
    beacon("identify", {"key": site.public_key, "visitor_id": touch_body["visitor_id"],
                        "phone": "+4915123456789"})
    beacon("touch", touch_body)
    contact = Contact.objects.get()
    assert contact_journey(contact=contact).count() == 1
