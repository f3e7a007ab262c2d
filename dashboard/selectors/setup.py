"""A workspace's setup, step by step: what is done and where in the admin to do the rest."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.http import urlencode

from attribution.models import (
    AttributionRun,
    Membership,
    Role,
    RunStatus,
    Site,
    TikTokIntegration,
    Touchpoint,
    Workspace,
)
from crm_sync.models import Deal


@dataclass(frozen=True)
class SetupStep:
    key: str
    title: str
    done: bool
    how: str  # what to do (or what was found)
    link: str  # the admin page that does it
    link_text: str


def _admin(name: str, *args, **query) -> str:
    url = reverse(f"admin:{name}", args=args)
    return f"{url}?{urlencode(query)}" if query else url


def has_attribution_output(*, workspace: Workspace) -> bool:
    """Whether any attribution run has published output for the workspace (1 query)."""
    return AttributionRun.objects.filter(workspace=workspace, status=RunStatus.SUCCEEDED).exists()


def setup_checklist(*, workspace: Workspace) -> list[SetupStep]:
    """The setup steps in the order a new advertiser follows them (7 queries, each an EXISTS or one row)."""
    ws = workspace.pk
    site = Site.objects.filter(workspace=workspace).order_by("pk").first()
    tiktok = (
        TikTokIntegration.objects.filter(workspace=workspace)
        .only("id", "access_token", "test_event_accepted_at").order_by("pk").first()
    )
    site_link = _admin("attribution_site_change", site.pk) if site else _admin("attribution_site_add")
    tiktok_link = (
        _admin("attribution_tiktokintegration_change", tiktok.pk)
        if tiktok else _admin("attribution_tiktokintegration_add")
    )
    return [
        SetupStep("members", "Workspace and its members",
                  Membership.objects.filter(workspace=workspace, role=Role.ADMIN).exists(),
                  "Add the people who use the dashboard; admins receive the weekly audit.",
                  _admin("attribution_workspace_change", ws), "Members"),
        SetupStep("snippet", "Snippet installed on the site", site is not None,
                  "Add the site, then paste its tracker snippet into every page's <head>.",
                  site_link, "Site and snippet"),
        SetupStep("first_touch", "First touch received",
                  Touchpoint.objects.filter(workspace=workspace).exists(),
                  "Open the site from an ad link (with utm_* or ttclid): the first visit shows up here.",
                  _admin("attribution_touchpoint_changelist", workspace__id__exact=ws), "Touchpoints"),
        SetupStep("tiktok", "TikTok connected", bool(tiktok and tiktok.has_token),
                  "Add the TikTok integration: pixel code, access token, event mapping.",
                  tiktok_link, "TikTok integration"),
        SetupStep("test_event", "Test event sent to TikTok", bool(tiktok and tiktok.test_event_accepted_at),
                  "Set a test event code, then run “Send a test event” on the integration.",
                  _admin("attribution_tiktokintegration_changelist", workspace__id__exact=ws),
                  "Send a test event"),
        SetupStep("deals", "Deals imported from the CRM",
                  Deal.objects.filter(workspace=workspace).exists(),
                  "Upload a HubSpot or Salesforce export (or connect the webhook).",
                  _admin("crm_sync_dealimport_add"), "Import deals"),
        SetupStep("first_run", "First attribution run", has_attribution_output(workspace=workspace),
                  "Start a run (or wait for the nightly schedule); the dashboard fills in when it finishes.",
                  _admin("attribution_attributionrun_changelist", workspace__id__exact=ws),
                  "Attribution runs"),
    ]
