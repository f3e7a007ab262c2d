"""The admin's tracker snippet and the channel-rule form."""

import pytest

from attribution.admin.tracking import ChannelRuleForm
from attribution.tracking.snippet import tracker_snippet

pytestmark = pytest.mark.django_db


def test_the_snippet_carries_the_public_key_and_the_consent_flag(site):
    html = tracker_snippet(site=site, origin="https://cl.example.com/")
    assert 'src="https://cl.example.com/static/clickledger/tracker.js"' in html
    assert f'data-key="{site.public_key}"' in html
    assert "data-requires-consent" not in html
    site.requires_consent = True
    assert 'data-requires-consent="true"' in tracker_snippet(site=site)


def test_the_site_admin_shows_the_snippet_as_text_to_copy_not_as_a_script_that_runs(site, client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "x"))
    html = client.get(f"/admin/attribution/site/{site.pk}/change/").content.decode()
    shown = ("&lt;script async src=&quot;/static/clickledger/tracker.js&quot; "
             f"data-key=&quot;{site.public_key}")
    assert shown in html
    assert "<script async" not in html


def test_a_channel_rule_with_a_broken_regex_is_refused_with_the_reason(workspace):
    form = ChannelRuleForm(data={"workspace": workspace.pk, "priority": 10, "field": "utm_source",
                                 "pattern": "tiktok(", "channel": "tiktok", "kind": "click",
                                 "is_active": True})
    assert not form.is_valid()
    assert "Not a valid regular expression" in str(form.errors["pattern"])
