"""Channel classification: the pure function and a workspace's own rules from the database."""

import pytest

from attribution.models import ChannelRule
from attribution.tracking.channels import Rule, TouchSignals, classify
from attribution.tracking.rules import channel_rules_for


@pytest.mark.parametrize(("signals", "expected"), [
    (TouchSignals(ttclid="E.C.P.x"), ("tiktok", "click")),
    (TouchSignals(utm_source="TikTok"), ("tiktok", "click")),
    (TouchSignals(fbclid="IwAR0"), ("meta", "click")),
    (TouchSignals(utm_source="instagram", utm_medium="paid"), ("meta", "click")),
    (TouchSignals(gclid="Cj0K"), ("google", "click")),
    (TouchSignals(utm_source="weekly", utm_medium="email"), ("email", "click")),
    (TouchSignals(referrer="https://www.google.de/search?q=x"), ("organic_search", "organic")),
    (TouchSignals(referrer="https://duckduckgo.com/"), ("organic_search", "organic")),
    (TouchSignals(referrer="https://t.co/abc"), ("organic_social", "organic")),
    (TouchSignals(referrer="https://m.facebook.com/"), ("organic_social", "organic")),
    (TouchSignals(referrer="https://blog.partner.io/post"), ("referral", "organic")),
    (TouchSignals(utm_source="partner-newsletter-x"), ("other", "click")),
    (TouchSignals(), ("direct", "direct")),
])
def test_default_rules_classify_by_click_id_utm_and_referrer(signals, expected):
    assert classify(signals) == expected


def test_a_click_id_beats_a_conflicting_utm_source():
    assert classify(TouchSignals(ttclid="E.C.P.x", utm_source="google")) == ("tiktok", "click")


def test_a_referrer_from_the_sites_own_domain_counts_as_direct():
    signals = TouchSignals(referrer="https://www.shop.example.com/cart")
    assert classify(signals, own_domains=("shop.example.com",)) == ("direct", "direct")


def test_workspace_rules_run_before_the_defaults():
    rules = (Rule.of("utm_source", r"^google$", "organic_search", "organic"),)
    assert classify(TouchSignals(utm_source="google"), rules=rules) == ("organic_search", "organic")


@pytest.mark.django_db
def test_rules_edited_in_admin_are_loaded_in_priority_order_and_inactive_ones_skipped(workspace):
    ChannelRule.objects.create(workspace=workspace, priority=20, field="referrer_host",
                               pattern=r"news\.ycombinator\.com", channel="organic_social",
                               kind="organic")
    ChannelRule.objects.create(workspace=workspace, priority=10, field="referrer_host",
                               pattern=r"ycombinator", channel="referral", kind="organic")
    ChannelRule.objects.create(workspace=workspace, priority=1, field="referrer_host",
                               pattern=r".", channel="email", is_active=False)
    rules = channel_rules_for(workspace_id=workspace.pk)
    signals = TouchSignals(referrer="https://news.ycombinator.com/item?id=1")
    assert [r.channel for r in rules] == ["referral", "organic_social"]
    assert classify(signals, rules=rules) == ("referral", "organic")
