"""Precompute tracking-health diagnostics per day, so pages never scan raw events.

Counted per workspace-local day over the raw tables with a few grouped queries (no per-row work):
- ttclid capture: share of TikTok click sessions that kept their ttclid;
- undeduplicated duplicates: a pixel conversion with a server copy of the same event for the same
  visitor/contact within DUPLICATE_WINDOW but under another event_id (TikTok counts both);
- page-load firing: a pixel conversion within PAGE_LOAD_WINDOW after a landing of the same visitor:
  nobody completes a purchase that fast, the tag fires on page load;
- delayed: received after the TikTok click window had closed for it;
- UTM violations: TikTok sessions whose utm_source / utm_medium / utm_campaign break the convention.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from attribution.channels import Channel, Platform, TouchKind
from attribution.models import AdCampaign, ConversionEvent, EventSource, LookbackWindow, Touchpoint, Workspace
from attribution.models.runs import DEFAULT_WINDOWS
from dashboard.models import DashboardSettings, DiagnosticsDay, UtmViolationDay

DUPLICATE_WINDOW = timedelta(minutes=10)
PAGE_LOAD_WINDOW = timedelta(seconds=3)


def _bounds(workspace: Workspace, start: date, end: date) -> tuple[datetime, datetime]:
    tz = workspace.tzinfo
    return datetime.combine(start, time.min, tz), datetime.combine(end + timedelta(days=1), time.min, tz)


def _tiktok_clicks_by_day(workspace, lo, hi, tz):
    """TikTok click sessions in [lo, hi), each annotated with its local day ``d``."""
    return Touchpoint.objects.filter(
        workspace=workspace, channel=Channel.TIKTOK, kind=TouchKind.CLICK,
        occurred_at__gte=lo, occurred_at__lt=hi,
    ).annotate(d=TruncDate("occurred_at", tzinfo=tz))


def _session_counts(workspace, lo, hi, tz) -> dict[date, dict]:
    rows = (
        _tiktok_clicks_by_day(workspace, lo, hi, tz)
        .values("d")
        .annotate(total=Count("id"), with_ttclid=Count("id", filter=~Q(ttclid="")))
        .order_by()
    )
    return {r["d"]: r for r in rows}


def _conversion_counts(workspace, lo, hi, tz, click_days: int) -> dict[date, dict]:
    server_twin = ConversionEvent.objects.filter(
        Q(visitor_id=OuterRef("visitor_id")) | Q(contact_id=OuterRef("contact_id")),
        workspace_id=OuterRef("workspace_id"),
        event_name=OuterRef("event_name"),
        source=EventSource.SERVER,
        occurred_at__gte=OuterRef("occurred_at") - DUPLICATE_WINDOW,
        occurred_at__lte=OuterRef("occurred_at") + DUPLICATE_WINDOW,
    ).exclude(event_id=OuterRef("event_id"))
    landing = Touchpoint.objects.filter(
        visitor_id=OuterRef("visitor_id"),
        occurred_at__lte=OuterRef("occurred_at"),
        occurred_at__gte=OuterRef("occurred_at") - PAGE_LOAD_WINDOW,
    )
    pixel = Q(source=EventSource.PIXEL)
    rows = (
        ConversionEvent.objects.filter(workspace=workspace, occurred_at__gte=lo, occurred_at__lt=hi)
        .annotate(d=TruncDate("occurred_at", tzinfo=tz), twin=Exists(server_twin), on_load=Exists(landing))
        .values("d")
        .annotate(
            total=Count("id"),
            pixel=Count("id", filter=pixel),
            dups=Count("id", filter=pixel & Q(twin=True)),
            on_load=Count("id", filter=pixel & Q(on_load=True)),
            delayed=Count("id", filter=Q(received_at__gt=F("occurred_at") + timedelta(days=click_days))),
        )
        .order_by()
    )
    return {r["d"]: r for r in rows}


def utm_problems(
    *, source: str, medium: str, campaign: str, settings: DashboardSettings, campaign_names: set[str]
) -> list[str]:
    """What is wrong with one TikTok session's tags under the convention (empty: nothing)."""
    problems = []
    if source != settings.utm_source:
        problems.append(f"utm_source is {source or '∅'!s}, expected {settings.utm_source}")
    if medium != settings.utm_medium:
        problems.append(f"utm_medium is {medium or '∅'!s}, expected {settings.utm_medium}")
    if settings.campaign_must_match and campaign not in campaign_names:
        problems.append("utm_campaign matches no TikTok campaign name")
    return problems


def _utm_violations(workspace, lo, hi, tz) -> list[UtmViolationDay]:
    settings = DashboardSettings.for_workspace(workspace)
    names = set(
        AdCampaign.objects.filter(workspace=workspace, platform=Platform.TIKTOK).values_list(
            "name", flat=True
        )
    )
    combos = (
        _tiktok_clicks_by_day(workspace, lo, hi, tz)
        .values("d", "utm_source", "utm_medium", "utm_campaign")
        .annotate(n=Count("id"))
        .order_by()
    )
    out = []
    for c in combos:
        problems = utm_problems(
            source=c["utm_source"],
            medium=c["utm_medium"],
            campaign=c["utm_campaign"],
            settings=settings,
            campaign_names=names,
        )
        if problems:
            out.append(
                UtmViolationDay(
                    workspace=workspace,
                    day=c["d"],
                    utm_source=c["utm_source"][:255],
                    utm_medium=c["utm_medium"][:255],
                    utm_campaign=c["utm_campaign"][:255],
                    problems="; ".join(problems)[:255],
                    sessions=c["n"],
                )
            )
    return out


def diagnostics_refresh(*, workspace: Workspace, start: date, end: date) -> int:
    """Recompute the diagnostics of [start, end] (workspace-local days); replaces, never adds.

    Returns the number of days written. Idempotent: a rerun yields the same rows.
    """
    tz = workspace.tzinfo
    lo, hi = _bounds(workspace, start, end)
    click_days = (
        LookbackWindow.objects.filter(workspace=workspace, channel=Channel.TIKTOK)
        .values_list("click_days", flat=True)
        .first()
    ) or DEFAULT_WINDOWS[Channel.TIKTOK][0]
    sessions = _session_counts(workspace, lo, hi, tz)
    conversions = _conversion_counts(workspace, lo, hi, tz, click_days)
    violations = _utm_violations(workspace, lo, hi, tz)
    violated = defaultdict(int)
    for v in violations:
        violated[v.day] += v.sessions
    now = timezone.now()
    days = []
    for day in sorted(set(sessions) | set(conversions)):
        s, c = sessions.get(day, {}), conversions.get(day, {})
        days.append(
            DiagnosticsDay(
                workspace=workspace,
                day=day,
                tiktok_sessions=s.get("total", 0),
                tiktok_sessions_with_ttclid=s.get("with_ttclid", 0),
                conversions=c.get("total", 0),
                pixel_conversions=c.get("pixel", 0),
                undeduplicated_duplicates=c.get("dups", 0),
                page_load_conversions=c.get("on_load", 0),
                delayed_conversions=c.get("delayed", 0),
                utm_violations=violated[day],
                computed_at=now,
            )
        )
    with transaction.atomic():
        DiagnosticsDay.objects.filter(workspace=workspace, day__gte=start, day__lte=end).delete()
        UtmViolationDay.objects.filter(workspace=workspace, day__gte=start, day__lte=end).delete()
        DiagnosticsDay.objects.bulk_create(days, batch_size=1000)
        UtmViolationDay.objects.bulk_create(violations, batch_size=1000)
    return len(days)
