"""Dashboard models: per-workspace conventions and thresholds, precomputed diagnostics, audit reports.

The diagnostics tables are small daily aggregates filled by ``dashboard.services.diagnostics``: pages
read them instead of scanning millions of touchpoints and conversions on every request.
"""

from decimal import Decimal

from django.db import models
from django.utils import timezone

from attribution.models import AttributionModelConfig, Workspace


class DashboardSettings(models.Model):
    """A workspace's UTM convention, recommendation rules and audit alert thresholds."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="dashboard_settings")
    utm_source = models.CharField(
        max_length=64, default="tiktok", help_text="Expected utm_source on TikTok ad clicks."
    )
    utm_medium = models.CharField(
        max_length=64, default="paid_social", help_text="Expected utm_medium on TikTok ad clicks."
    )
    campaign_must_match = models.BooleanField(
        default=True, help_text="utm_campaign must equal a TikTok campaign name as the platform has it."
    )
    target_roas = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        default=Decimal("2.00"),
        help_text="Scale above this ROAS; cut below half of it.",
    )
    min_conversions = models.PositiveIntegerField(
        default=20, help_text="Credited conversions needed before recommending scale or cut."
    )
    min_spend = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("100.00"),
        help_text="Spend needed before recommending a cut.",
    )
    alert_ttclid_capture_below = models.FloatField(default=0.8)
    alert_duplicate_rate_above = models.FloatField(default=0.05)
    alert_page_load_rate_above = models.FloatField(default=0.02)
    alert_delayed_rate_above = models.FloatField(default=0.05)
    alert_utm_violation_rate_above = models.FloatField(default=0.05)
    alert_gap_above = models.FloatField(
        default=0.30, help_text="Three-way gap (share) that raises a finding."
    )

    class Meta:
        verbose_name = "dashboard settings"
        verbose_name_plural = "dashboard settings"

    def __str__(self) -> str:
        return f"Dashboard settings of {self.workspace}"

    @classmethod
    def for_workspace(cls, workspace: Workspace) -> "DashboardSettings":
        """The stored settings, or unsaved defaults (reads never write)."""
        try:
            return cls.objects.get(workspace=workspace)
        except cls.DoesNotExist:
            return cls(workspace=workspace)


class DiagnosticsDay(models.Model):
    """One workspace day of tracking-health counts (conversions counted on the day they occurred)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    tiktok_sessions = models.PositiveIntegerField(default=0)
    tiktok_sessions_with_ttclid = models.PositiveIntegerField(default=0)
    conversions = models.PositiveIntegerField(default=0)
    pixel_conversions = models.PositiveIntegerField(default=0)
    undeduplicated_duplicates = models.PositiveIntegerField(
        default=0, help_text="Pixel conversions with a server twin under another event_id."
    )
    page_load_conversions = models.PositiveIntegerField(
        default=0, help_text="Pixel conversions seconds after landing: fired on page load."
    )
    delayed_conversions = models.PositiveIntegerField(
        default=0, help_text="Received after the TikTok click window had closed."
    )
    utm_violations = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "day"], name="diagday_unique")]

    def __str__(self) -> str:
        return f"Diagnostics {self.workspace_id} {self.day}"


class UtmViolationDay(models.Model):
    """TikTok sessions of one day whose UTM tags break the workspace convention, by tag combination."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    utm_source = models.CharField(max_length=255, blank=True, default="")
    utm_medium = models.CharField(max_length=255, blank=True, default="")
    utm_campaign = models.CharField(max_length=255, blank=True, default="")
    problems = models.CharField(max_length=255)
    sessions = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["workspace", "day"], name="utmviol_ws_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.utm_source}/{self.utm_medium}/{self.utm_campaign}: {self.problems}"


class Severity(models.TextChoices):
    INFO = "info", "Info"
    WARNING = "warning", "Warning"
    CRITICAL = "critical", "Critical"


SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


class AuditReport(models.Model):
    """The weekly audit of one workspace: diagnostics and the three-way comparison, as findings.

    findings: [{"code", "severity", "title", "detail", "value", "threshold"}], worst first.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="audit_reports")
    period_start = models.DateField()
    period_end = models.DateField()
    model_config = models.ForeignKey(
        AttributionModelConfig, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    click_window_days = models.PositiveSmallIntegerField(default=7)
    view_window_days = models.PositiveSmallIntegerField(default=1)
    worst_severity = models.CharField(max_length=8, choices=Severity.choices, default=Severity.INFO)
    findings = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_end", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "period_end"], name="auditreport_unique_period")
        ]

    def __str__(self) -> str:
        return f"Audit {self.workspace} {self.period_start}–{self.period_end} ({self.worst_severity})"

    def findings_at_least(self, severity: str) -> list[dict]:
        floor = SEVERITY_RANK[Severity(severity)]
        return [f for f in self.findings if SEVERITY_RANK[Severity(f["severity"])] >= floor]


class RateSource(models.TextChoices):
    ECB = "ecb", "ECB reference rate (imported)"
    MANUAL = "manual", "Entered by hand"


class ExchangeRate(models.Model):
    """Units of ``currency`` per 1 euro on ``day`` (the ECB's quotation): the pages convert revenue
    in other currencies to a workspace's reporting currency with it (``dashboard.fx``)."""

    day = models.DateField()
    currency = models.CharField(max_length=3, help_text="ISO 4217 code, e.g. USD.")
    rate = models.DecimalField(
        max_digits=20, decimal_places=8, help_text="Units of this currency per 1 EUR on that day."
    )
    source = models.CharField(max_length=8, choices=RateSource.choices, default=RateSource.MANUAL)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day", "currency"]
        verbose_name = "exchange rate"
        constraints = [
            models.UniqueConstraint(fields=["currency", "day"], name="exchangerate_unique_day"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchangerate_positive"),
        ]

    def __str__(self) -> str:
        return f"1 EUR = {self.rate} {self.currency} on {self.day}"

    def clean(self):
        self.currency = (self.currency or "").upper()
        if len(self.currency) != 3 or not self.currency.isalpha():
            from django.core.exceptions import ValidationError

            raise ValidationError({"currency": "Use a three-letter ISO 4217 code, e.g. USD."})
