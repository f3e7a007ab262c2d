"""The weekly audit: refresh diagnostics, compare three ways, store findings, alert the admins."""

import logging
from datetime import date, timedelta

from django.conf import settings as django_settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from attribution.channels import Channel
from attribution.models import LookbackWindow, Membership, Role, Workspace
from attribution.models.runs import DEFAULT_WINDOWS
from dashboard.gaps import explain_gaps, gap_inputs
from dashboard.models import SEVERITY_RANK, AuditReport, DashboardSettings, Severity
from dashboard.selectors.common import active_models
from dashboard.selectors.comparison import ThreeWay, three_way
from dashboard.selectors.diagnostics import DiagnosticsSummary, diagnostics_summary
from dashboard.selectors.filters import DashboardFilters
from dashboard.services.diagnostics import diagnostics_refresh

logger = logging.getLogger(__name__)
AUDIT_DAYS = 7


def _finding(code, severity, title, detail, value, threshold) -> dict:
    return {
        "code": code,
        "severity": severity,
        "title": title,
        "detail": detail,
        "value": None if value is None else round(float(value), 4),
        "threshold": threshold,
    }


def _rate_finding(code, title, value, threshold, *, below: bool, detail: str) -> dict | None:
    """A warning past the threshold, critical past twice as far; None when the rate is fine/unknown."""
    if value is None:
        return None
    crossed = value < threshold if below else value > threshold
    if not crossed:
        return None
    far = value < threshold / 2 if below else value > threshold * 2
    return _finding(code, Severity.CRITICAL if far else Severity.WARNING, title, detail, value, threshold)


# (code, title, rate on DiagnosticsSummary, threshold on DashboardSettings, alert when below, what to do)
DIAGNOSTIC_CHECKS = [
    (
        "ttclid_capture",
        "Low ttclid capture on TikTok sessions",
        "ttclid_capture_rate",
        "alert_ttclid_capture_below",
        True,
        "Clicks lose their ttclid (redirects, consent banners, link shorteners).",
    ),
    (
        "duplicates",
        "Pixel and server events not deduplicated",
        "duplicate_rate",
        "alert_duplicate_rate_above",
        False,
        "Send the same event_id from the pixel and the server.",
    ),
    (
        "page_load",
        "Conversions firing on page load",
        "page_load_rate",
        "alert_page_load_rate_above",
        False,
        "The conversion tag fires without a user action; fire it on the action.",
    ),
    (
        "delayed",
        "Conversions arriving after the click window",
        "delayed_rate",
        "alert_delayed_rate_above",
        False,
        "Send events as they happen; late events cannot be credited by TikTok.",
    ),
    (
        "utm",
        "UTM naming violations",
        "utm_violation_rate",
        "alert_utm_violation_rate_above",
        False,
        "Use the workspace's utm_source and utm_medium, and the campaign's name as utm_campaign.",
    ),
]


def evaluate_findings(
    *, diag: DiagnosticsSummary, comparison: ThreeWay, rules: DashboardSettings, view_window_days: int
) -> list[dict]:
    """Findings for one period, worst first. Pure apart from reading its arguments."""
    candidates = [
        _rate_finding(code, title, getattr(diag, rate), getattr(rules, threshold), below=below, detail=detail)
        for code, title, rate, threshold, below, detail in DIAGNOSTIC_CHECKS
    ]
    causes = " ".join(
        explain_gaps(gap_inputs(comparison=comparison, diag=diag, view_window_days=view_window_days))
    )
    for key, value in comparison.gaps().items():
        if key.endswith("_conversions"):
            title = "Gap: " + key.removesuffix("_conversions").replace("_", " ")
            size = None if value is None else abs(value)
            candidates.append(
                _rate_finding(f"gap_{key}", title, size, rules.alert_gap_above, below=False, detail=causes)
            )
    findings = [f for f in candidates if f] or [
        _finding(
            "all_clear",
            Severity.INFO,
            "No threshold crossed",
            "Tracking health and the three-way comparison are within limits.",
            None,
            None,
        )
    ]
    return sorted(findings, key=lambda f: -SEVERITY_RANK[Severity(f["severity"])])


def _summary(diag: DiagnosticsSummary, comparison: ThreeWay) -> dict:
    return {
        "ttclid_capture_rate": diag.ttclid_capture_rate,
        "duplicate_rate": diag.duplicate_rate,
        "page_load_rate": diag.page_load_rate,
        "delayed_rate": diag.delayed_rate,
        "utm_violation_rate": diag.utm_violation_rate,
        "tiktok_sessions": diag.tiktok_sessions,
        "conversions": diag.conversions,
        "three_way": {
            s.source: {"conversions": str(s.conversions), "revenue": str(s.revenue)}
            for s in (comparison.reported, comparison.attributed, comparison.crm)
        },
        "gaps": comparison.gaps(),
    }


def audit_run(*, workspace: Workspace, period_end: date | None = None) -> AuditReport:
    """Audit the 7 days ending ``period_end`` (default: yesterday, workspace-local).

    Idempotent per (workspace, period_end): a rerun replaces the findings and never re-sends mail.
    """
    end = period_end or (timezone.now().astimezone(workspace.tzinfo).date() - timedelta(days=1))
    start = end - timedelta(days=AUDIT_DAYS - 1)
    window = (
        LookbackWindow.objects.filter(workspace=workspace, channel=Channel.TIKTOK)
        .values_list("click_days", "view_days")
        .first()
    ) or DEFAULT_WINDOWS[Channel.TIKTOK]
    models = active_models(workspace=workspace)
    filters = DashboardFilters(
        workspace=workspace,
        start=start,
        end=end,
        model=models[0] if models else None,
        click_window_days=window[0],
        view_window_days=window[1],
    )
    rules = DashboardSettings.for_workspace(workspace)
    diagnostics_refresh(workspace=workspace, start=start, end=end)
    diag = diagnostics_summary(filters=filters)
    comparison = three_way(filters=filters)
    findings = evaluate_findings(diag=diag, comparison=comparison, rules=rules, view_window_days=window[1])
    report, _ = AuditReport.objects.update_or_create(
        workspace=workspace,
        period_end=end,
        defaults={
            "period_start": start,
            "model_config": filters.model,
            "click_window_days": window[0],
            "view_window_days": window[1],
            "findings": findings,
            "summary": _summary(diag, comparison),
            "worst_severity": findings[0]["severity"],
        },
    )
    if report.emailed_at is None and report.findings_at_least(Severity.WARNING):
        _email_admins(report)
    return report


def _email_admins(report: AuditReport) -> None:
    """Mail the workspace admins once per report; stamp emailed_at in the same transaction."""
    recipients = sorted(
        {
            m.user.email
            for m in Membership.objects.filter(workspace=report.workspace, role=Role.ADMIN).select_related(
                "user"
            )
            if m.user.email
        }
    )
    if not recipients:
        logger.warning(
            "audit %s crossed a threshold but workspace %s has no admin email", report.pk, report.workspace_id
        )
        return
    lines = [
        f"[{f['severity'].upper()}] {f['title']}: {f['detail']}"
        for f in report.findings_at_least(Severity.WARNING)
    ]
    base = getattr(django_settings, "CLICKLEDGER", {}).get("PUBLIC_BASE_URL", "")
    link = f"{base}{reverse('dashboard:audit_detail', args=[report.pk])}"
    with transaction.atomic():
        send_mail(
            subject=f"Clickledger audit {report.period_start}–{report.period_end}: "
            f"{report.worst_severity} findings for {report.workspace.name}",
            message="\n".join(lines + ["", f"Details: {link}"]),
            from_email=None,
            recipient_list=recipients,
        )
        AuditReport.objects.filter(pk=report.pk).update(emailed_at=timezone.now())
    report.refresh_from_db(fields=["emailed_at"])
