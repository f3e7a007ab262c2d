"""Admin for dashboard settings and audit reports (the audit's schedule is under Periodic tasks)."""

from django.contrib import admin, messages
from django.utils.html import format_html_join

from attribution.admin.base import ReadOnlyScopedAdmin, WorkspaceScopedAdmin
from attribution.models import Role

from .models import AuditReport, DashboardSettings, DiagnosticsDay
from .tasks import run_workspace_audit


@admin.register(DashboardSettings)
class DashboardSettingsAdmin(WorkspaceScopedAdmin):
    edit_role = Role.ADMIN  # thresholds decide who gets alerted
    list_display = [
        "workspace",
        "utm_source",
        "utm_medium",
        "campaign_must_match",
        "target_roas",
        "min_conversions",
    ]
    fieldsets = [
        (
            "UTM convention for TikTok clicks",
            {"fields": ["workspace", "utm_source", "utm_medium", "campaign_must_match"]},
        ),
        ("Recommendations", {"fields": ["target_roas", "min_conversions", "min_spend"]}),
        (
            "Audit alert thresholds",
            {
                "fields": [
                    "alert_ttclid_capture_below",
                    "alert_duplicate_rate_above",
                    "alert_page_load_rate_above",
                    "alert_delayed_rate_above",
                    "alert_utm_violation_rate_above",
                    "alert_gap_above",
                ]
            },
        ),
    ]


@admin.register(AuditReport)
class AuditReportAdmin(ReadOnlyScopedAdmin):
    list_display = [
        "workspace",
        "period_start",
        "period_end",
        "worst_severity",
        "finding_count",
        "emailed_at",
    ]
    list_filter = ["worst_severity", "workspace"]
    readonly_fields = [
        "workspace",
        "period_start",
        "period_end",
        "model_config",
        "click_window_days",
        "view_window_days",
        "worst_severity",
        "findings_list",
        "summary",
        "created_at",
        "emailed_at",
    ]
    exclude = ["findings"]
    actions = ["rerun"]

    @admin.display(description="findings")
    def finding_count(self, obj):
        return len(obj.findings)

    @admin.display(description="findings")
    def findings_list(self, obj):
        return format_html_join(
            "",
            "<p><strong>[{}] {}</strong><br>{}</p>",
            ((f["severity"].upper(), f["title"], f["detail"]) for f in obj.findings),
        )

    @admin.action(description="Run the audit again for these periods (queued)")
    def rerun(self, request, queryset):
        for report in queryset:
            run_workspace_audit.delay(report.workspace_id, report.period_end.isoformat())
        messages.info(request, f"Queued {queryset.count()} audit(s).")


@admin.register(DiagnosticsDay)
class DiagnosticsDayAdmin(ReadOnlyScopedAdmin):
    list_display = [
        "workspace",
        "day",
        "tiktok_sessions",
        "tiktok_sessions_with_ttclid",
        "conversions",
        "undeduplicated_duplicates",
        "page_load_conversions",
        "delayed_conversions",
        "utm_violations",
    ]
    list_filter = ["workspace"]
    date_hierarchy = "day"

from . import admin_setup  # noqa: E402,F401  (the workspace's setup checklist, exchange rates)
