"""utm_content / utm_campaign resolve Meta and Google touches to their ads and campaigns, as TikTok's."""

import uuid

import pytest

from attribution.models import Touchpoint
from tests.factories import AdFactory

from .conftest import ORIGIN

pytestmark = pytest.mark.django_db


def _touch(site, **fields):
    return {"key": site.public_key, "visitor_id": str(uuid.uuid4()), "touch_key": uuid.uuid4().hex,
            "landing_url": f"{ORIGIN}/", "referrer": "", **fields}


def test_a_meta_click_resolves_its_ad_by_utm_content(beacon, site):
    ad = AdFactory(workspace=site.workspace, platform="meta", external_id="120210000000001001",
                   adgroup__platform="meta", adgroup__campaign__platform="meta")
    beacon("touch", _touch(site, fbclid="IwAR0abc", utm_source="facebook",
                           utm_content="120210000000001001", utm_campaign="120210000000000001"))
    touch = Touchpoint.objects.get()
    assert (touch.channel, touch.ad_id, touch.adgroup_id, touch.campaign_id) == (
        "meta", ad.pk, ad.adgroup_id, ad.campaign_id)


def test_a_google_click_without_an_ad_id_resolves_its_campaign_by_utm_campaign(beacon, site):
    ad = AdFactory(workspace=site.workspace, platform="google", external_id="690000000001",
                   adgroup__platform="google", adgroup__campaign__platform="google",
                   adgroup__campaign__external_id="20111111111",
                   adgroup__campaign__workspace=site.workspace)
    beacon("touch", _touch(site, gclid="Cj0KCQ", utm_source="google", utm_campaign="20111111111"))
    touch = Touchpoint.objects.get()
    assert (touch.channel, touch.ad_id, touch.campaign_id) == ("google", None, ad.campaign_id)


def test_the_same_id_on_another_platform_is_not_a_match(beacon, site):
    AdFactory(workspace=site.workspace, platform="tiktok", external_id="555000111")
    beacon("touch", _touch(site, gclid="Cj0KCQ", utm_source="google", utm_content="555000111"))
    assert Touchpoint.objects.get().ad_id is None
