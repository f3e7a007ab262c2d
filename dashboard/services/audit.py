"""The weekly audit: refresh diagnostics, compare three ways, store findings, alert the admins."""

import logging
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings as django_settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from attribution.channels import Channel
from attribution.models import LookbackWindow, Membership, Role, Workspace
from attribution.models.runs import DEFAULT_WINDOWS
from dashboard.formatting import money
from dashboard.gaps import explain_gap, gap_inputs
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


# (code, title, rate on DiagnosticsSummary, threshold on DashboardSettings, alert when below,
#  its causes, the money it puts at stake: (basis in words, "reported" or "attributed" TikTok money, share))
DIAGNOSTIC_CHECKS = [
    (
        "ttclid_capture",
        "Low ttclid capture on TikTok sessions",
        "ttclid_capture_rate",
        "alert_ttclid_capture_below",
        True,
        [
            "Clicks lose their ttclid on the way to the site: redirects, link shorteners, or a consent "
            "banner that reloads the page without the query string.",
            "Without it a click cannot be matched to its conversion, by us or by TikTok.",
        ],
        ("TikTok-reported value whose clicks could not be matched", "reported", lambda r: 1 - r),
    ),
    (
        "duplicates",
        "Pixel and server events not deduplicated",
        "duplicate_rate",
        "alert_duplicate_rate_above",
        False,
        [
            "The pixel and the server send the same conversion with different event_ids, so TikTok "
            "counts it twice.",
            "Send the same event_id from the pixel and the server.",
        ],
        ("TikTok-reported value counted twice", "reported", lambda r: r),
    ),
    (
        "page_load",
        "Conversions firing on page load",
        "page_load_rate",
        "alert_page_load_rate_above",
        False,
        [
            "The conversion tag fires when a page loads (a thank-you page reloaded, a tag on every "
            "page), not when the user acts.",
            "Fire it on the action (the purchase, the form submit).",
        ],
        ("TikTok-reported value from conversions nobody made", "reported", lambda r: r),
    ),
    (
        "delayed",
        "Conversions arriving after the click window",
        "delayed_rate",
        "alert_delayed_rate_above",
        False,
        [
            "Conversions reach us after TikTok's click window closed: a batch upload, a queue that "
            "drains late, CRM stages synced days later.",
            "Send events as they happen; late events cannot be credited by TikTok.",
        ],
        ("attributed TikTok revenue TikTok cannot credit", "attributed", lambda r: r),
    ),
    (
        "utm",
        "UTM naming violations",
        "utm_violation_rate",
        "alert_utm_violation_rate_above",
        False,
        [
            "TikTok ads link with utm_source/utm_medium other than the workspace's convention, or a "
            "utm_campaign that is not the campaign's name.",
            "Such sessions fall into the wrong channel or no campaign: use the convention in every ad's URL.",
        ],
        ("attributed TikTok revenue on mis-tagged sessions", "attributed", lambda r: r),
    ),
]
def _money(value) -> str:
    return str(Decimal(str(value)).quantize(Decimal("0.01")))


def _diagnostic_findings(diag: DiagnosticsSummary, comparison: ThreeWay, rules: DashboardSettings) -> list:
    money = {"reported": comparison.reported.revenue, "attributed": comparison.attributed.revenue}
    findings = []
    for code, title, rate, threshold, below, causes, (basis, source, share) in DIAGNOSTIC_CHECKS:
        value = getattr(diag, rate)
        finding = _rate_finding(code, title, value, getattr(rules, threshold), below=below, detail=causes[-1])
        if finding:
            stake = money[source] * Decimal(str(max(0.0, share(value))))
            finding.update(causes=causes, page="diagnostics", at_stake=_money(stake), at_stake_basis=basis)
            findings.append(finding)
    return findings


def _gap_findings(diag: DiagnosticsSummary, comparison: ThreeWay, rules: DashboardSettings,
                  view_window_days: int) -> list:
    inputs = gap_inputs(comparison=comparison, diag=diag, view_window_days=view_window_days)
    sources = {"reported": comparison.reported, "attributed": comparison.attributed, "crm": comparison.crm}
    findings = []
    for key, value in comparison.gaps().items():
        if not key.endswith("_conversions"):
            continue
        pair = key.removesuffix("_conversions")
        size = None if value is None else abs(value)
        causes = explain_gap(pair, inputs)
        finding = _rate_finding(f"gap_{key}", "Gap: " + pair.replace("_", " "), size, rules.alert_gap_above,
                                below=False, detail=causes[0])
        if finding:
            one, other = (sources[name] for name in pair.split("_vs_"))
            finding.update(causes=causes, page="compare", at_stake=_money(abs(one.revenue - other.revenue)),
                           at_stake_basis=f"revenue difference between {one.source} and {other.source}")
            findings.append(finding)
    return findings


def evaluate_findings(
    *, diag: DiagnosticsSummary, comparison: ThreeWay, rules: DashboardSettings, view_window_days: int
) -> list[dict]:
    """Findings for one period, the most money at stake first (then the worst). Pure apart from
    reading its arguments. Each finding has its own causes, the page that shows its evidence, and
    the money at stake in the reporting currency with what that figure is."""
    findings = _diagnostic_findings(diag, comparison, rules) + _gap_findings(
        diag, comparison, rules, view_window_days
    )
    if not findings:
        return [
            _finding(
                "all_clear",
                Severity.INFO,
                "No threshold crossed",
                "Tracking health and the three-way comparison are within limits.",
                None,
                None,
            )
        ]
    return sorted(
        findings, key=lambda f: (-Decimal(f["at_stake"]), -SEVERITY_RANK[Severity(f["severity"])], f["code"])
    )


def evidence_link(finding: dict, filters: DashboardFilters) -> str | None:
    """The dashboard page and selection that show a finding's evidence."""
    if not finding.get("page"):
        return None
    query = urlencode({
        "ws": filters.workspace.pk, "period": "custom", "start": filters.start, "end": filters.end,
        "compare": "none", "model": filters.model.pk if filters.model else "",
        "window": f"{filters.click_window_days}-{filters.view_window_days}",
    })
    return f"{reverse('dashboard:' + finding['page'])}?{query}"


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
    for finding in findings:
        finding["link"] = evidence_link(finding, filters)
        finding["currency"] = workspace.currency
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
            "worst_severity": max((f["severity"] for f in findings), key=lambda v: SEVERITY_RANK[v]),
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
    base = getattr(django_settings, "CLICKLEDGER", {}).get("PUBLIC_BASE_URL", "")
    lines = []
    for f in report.findings_at_least(Severity.WARNING):
        stake = f" ({money(Decimal(f['at_stake']), f['currency'])} at stake)" if f.get("at_stake") else ""
        lines.append(f"[{f['severity'].upper()}] {f['title']}{stake}: {f['detail']}")
        if f.get("link"):
            lines.append(f"    Evidence: {base}{f['link']}")
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
