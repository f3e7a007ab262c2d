"""A member of workspace A only crawls every admin list (each filter opened), add and change page,
raw-id lookup and search, every dashboard page and export, and every API endpoint: nothing of
workspace B — its name, slug or any of its rows — appears in any reply."""

import re
from html import unescape
from io import StringIO
from urllib.parse import urljoin

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

from attribution import models as am
from crm_sync import models as cm
from crm_sync.demo.services import DEMO_SLUG
from crm_sync.privacy.erasure import person_erase
from crm_sync.privacy.keys import person_keys
from dashboard.models import AuditReport
from tests.factories import (
    ContactFactory,
    ConversionEventFactory,
    DealFactory,
    MembershipFactory,
    ModelConfigFactory,
    SiteFactory,
    TikTokIntegrationFactory,
    TouchpointFactory,
    UserFactory,
    VisitorFactory,
    WorkspaceFactory,
)

pytestmark = pytest.mark.django_db

B_NAME, B_SLUG = "Zqbravo Client", "zqbravo-client"
MAX_FILTER_LINKS = 40  # per list: every filter's every choice on these small tables


@pytest.fixture
def world():
    """B: the demo workspace (every table filled, attribution, diagnostics and audit computed),
    renamed. A: a few rows of its own, built with factories."""
    out = StringIO()
    call_command("seed_demo", "--conversions", "200", "--seed", "5", "--end-date", "2026-11-01",
                 "--verbosity", "0", stdout=out)
    call_command("demo_compute", stdout=out, stderr=out)
    b = am.Workspace.objects.get(slug=DEMO_SLUG)
    b.name, b.slug = B_NAME, B_SLUG
    b.save()
    cm.ColumnMapping.objects.create(workspace=b, name="zqbravo mapping",
                                    columns={"crm_id": "Id", "stage": "Stage"})
    am.ChannelRule.objects.create(workspace=b, field="utm_source", pattern="zqbravo-rule",
                                  channel="other")
    cm.CrmWebhookSecret.issue(workspace=b, label="zqbravo hook")
    cm.RetentionPolicy.objects.create(workspace=b, touch_days=30)
    b_deal = cm.Deal.objects.filter(workspace=b).first()
    person_erase(workspace=b, keys=person_keys(deal_id=b_deal.crm_id), source="command")

    a = WorkspaceFactory(name="Alpha Shop", slug="alpha-shop")
    site = SiteFactory(workspace=a, name="Alpha site")
    contact = ContactFactory(workspace=a, email_hash="a" * 64)
    visitor = VisitorFactory(workspace=a, contact=contact, site=site)
    TouchpointFactory(visitor=visitor, utm_campaign="alpha_sale", ttclid="alpha-click")
    ConversionEventFactory(workspace=a, contact=contact, visitor=visitor, event_id="alpha-order")
    DealFactory(workspace=a, contact=contact, crm_id="ALPHA-1", name="Alpha deal")
    ModelConfigFactory(workspace=a)
    TikTokIntegrationFactory(workspace=a, name="Alpha TikTok")
    user = UserFactory(username="alpha-admin")
    MembershipFactory(user=user, workspace=a, role=am.Role.ADMIN)
    return a, b, user


def b_markers(b) -> set[str]:
    """Strings that only B's rows hold: its name and slug, and its rows' names and keys."""
    values = {B_NAME, B_SLUG}
    samples = [
        (am.Site, "name"), (am.Site, "public_key"), (am.AdCampaign, "name"), (am.AdGroup, "name"),
        (am.Ad, "name"), (am.AdCampaign, "external_id"), (am.Visitor, "uid"),
        (am.Contact, "email_hash"), (am.Touchpoint, "ttclid"), (am.ConversionEvent, "event_id"),
        (am.TikTokIntegration, "name"), (am.TikTokIntegration, "pixel_code"),
        (cm.Deal, "crm_id"), (cm.Deal, "name"), (cm.ColumnMapping, "name"),
        (am.ChannelRule, "pattern"), (cm.CrmWebhookSecret, "prefix"),
    ]
    for model, field in samples:
        rows = model.objects.filter(workspace=b)
        if field != "uid":
            rows = rows.exclude(**{field: ""})
        for value in rows.values_list(field, flat=True)[:15]:
            text = str(value)
            if field == "email_hash":
                text = text[:12]  # what the contact list shows
            if len(text) >= 6:
                values.add(text)
    return values


def leaks(body: str, markers: set[str]) -> list[str]:
    text = unescape(body)
    return sorted(m for m in markers if m in text)


def _admin_url(model, view, *args):
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)
    except NoReverseMatch:
        return None


def _filter_links(url: str, html: str) -> list[str]:
    """The changelist's filter choices (and date-hierarchy steps): links that are a query string."""
    links = {urljoin(url, unescape(href)) for href in re.findall(r'href="(\?[^"]*)"', html)}
    return sorted(links)[:MAX_FILTER_LINKS]


def test_a_member_of_one_workspace_sees_nothing_of_another_anywhere(client, world):
    a, b, user = world
    markers = b_markers(b)
    assert len(markers) > 40, "B must hold rows of every kind for the crawl to mean something"
    client.force_login(user)
    seen: dict[str, list[str]] = {}

    def visit(url, *, method="get", echoed: str = "", **kwargs):
        """GET (or POST) ``url``; ``echoed`` is what the request itself carries (a search term, a
        slug asked for), which a reply may repeat without revealing anything."""
        response = getattr(client, method)(url, **kwargs)
        assert response.status_code < 500, (url, response.status_code)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        found = leaks(body.decode("utf-8", "replace"),
                      {m for m in markers if not (echoed and m in echoed)})
        if found:
            seen[url] = found
        return response, body.decode("utf-8", "replace")

    b_search_terms = sorted(m for m in markers if m not in (B_NAME, B_SLUG))[::17][:3]
    visited_lists = 0
    for model, model_admin in admin.site._registry.items():
        changelist = _admin_url(model, "changelist")
        response, html = visit(changelist)
        if response.status_code != 200:
            continue  # not this user's screen (users, groups, beat schedules)
        visited_lists += 1
        for link in _filter_links(changelist, html):
            visit(link)
        visit(changelist + "?_popup=1&_to_field=id")  # the raw-id lookup window
        for term in b_search_terms:
            visit(changelist + "?q=" + term, echoed=term)
        if add := _admin_url(model, "add"):
            visit(add)
        path = getattr(model_admin, "workspace_path", "workspace")
        if path != "pk" and path.split("__")[0] not in {f.name for f in model._meta.get_fields()}:
            continue  # a table every workspace shares (exchange rates): no workspace's rows
        for workspace in (a, b):
            row = model._default_manager.filter(**{path: workspace}).order_by("pk").first() \
                if path != "pk" else workspace
            if row is not None:
                visit(_admin_url(model, "change", row.pk))
    assert visited_lists >= 20
    visit("/admin/")
    visit("/admin/crm_sync/personerasure/person/")
    response, _ = visit("/admin/crm_sync/personerasure/person/", method="post",
                        data={"workspace": b.pk, "deal_id": "D-1", "do": "export"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    visit("/admin/autocomplete/?app_label=attribution&model_name=membership&field_name=user&term=")

    for name in ("overview", "tiktok", "compare", "diagnostics", "journeys", "audits"):
        for query in ("", f"?ws={b.pk}"):
            _, html = visit(f"/{name}/{query}")
            for export in set(re.findall(r'href="(/export/[^"]+)"', html)):
                visit(unescape(export))
    b_contact = am.Contact.objects.filter(workspace=b, conversions__isnull=False).first()
    visit(f"/journeys/?contact={b_contact.pk}")
    campaign = am.AdCampaign.objects.filter(workspace=b).first()
    visit(f"/tiktok/?level=adgroup&parent={campaign.pk}")
    for report in AuditReport.objects.filter(workspace=b):
        assert visit(f"/audits/{report.pk}/")[0].status_code == 404

    for url in ("/api/v1/workspaces/", "/api/v1/conversions/", "/api/v1/runs/",
                "/api/v1/deal-imports/"):
        visit(url)
    for url in (f"/api/v1/conversions/?workspace={B_SLUG}", f"/api/v1/runs/?workspace={B_SLUG}"):
        assert visit(url, echoed=B_SLUG)[0].status_code == 404
    for run in am.AttributionRun.objects.filter(workspace=b)[:3]:
        assert visit(f"/api/v1/runs/{run.pk}/")[0].status_code == 404
    for url in ("/api/v1/runs/", "/api/v1/privacy/export/", "/api/v1/privacy/erase/"):
        response, _ = visit(url, method="post", data={"workspace": B_SLUG, "deal_id": "D-1"},
                            content_type="application/json", echoed=B_SLUG)
        assert response.status_code == 404, url

    assert not seen, f"workspace B leaked into: {seen}"
