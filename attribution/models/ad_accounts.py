"""Ad accounts we import spend from (Meta, Google Ads), saved CSV layouts, and the import history.

Credentials are Fernet-encrypted at rest (``EncryptedTextField``) and write-only in admin. The
clients and importers that use them live in crm_sync (``meta_ads``, ``google_ads``, ``ad_platforms``).
"""

from django.db import models
from django.utils import timezone

from attribution.channels import Platform
from attribution.crypto import EncryptedTextField

from .workspace import Workspace


def default_meta_actions() -> list[str]:
    return ["offsite_conversion.fb_pixel_purchase"]


class AdAccount(models.Model):
    """What every platform account has: a window its numbers are reported under, a last error."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    enabled = models.BooleanField(default=True, help_text="Off: the daily import skips it.")
    click_window_days = models.PositiveSmallIntegerField(
        default=7, help_text="The click-through window the account reports conversions under.")
    view_window_days = models.PositiveSmallIntegerField(
        default=1, help_text="The view-through window (0: views off).")
    currency = models.CharField(max_length=3, blank=True,
                                help_text="The account's currency; filled in by the first import.")
    last_import_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False,
                                  help_text="Why the last import or connection test failed.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    platform: str = ""
    secret_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.workspace})"

    @property
    def has_credentials(self) -> bool:
        return all(getattr(self, f) for f in self.secret_fields)


class MetaAdAccount(AdAccount):
    """A Meta (Facebook/Instagram) ad account read through the Marketing API's Insights."""

    ad_account_id = models.CharField(max_length=32, help_text="Digits only, without act_.")
    access_token = EncryptedTextField(blank=True, help_text="Stored encrypted; never shown back.")
    conversion_actions = models.JSONField(
        default=default_meta_actions, blank=True,
        help_text='The action types counted as conversions (and their values), e.g. '
                  '["offsite_conversion.fb_pixel_purchase"] or ["lead"].')

    platform = Platform.META
    secret_fields = ("access_token",)

    class Meta(AdAccount.Meta):
        verbose_name = "Meta ad account"
        constraints = [models.UniqueConstraint(fields=["workspace", "ad_account_id"],
                                               name="metaadaccount_unique_account")]


class GoogleAdsAccount(AdAccount):
    """A Google Ads customer read through searchStream, with an OAuth refresh token."""

    customer_id = models.CharField(max_length=16, help_text="10 digits, dashes are dropped.")
    login_customer_id = models.CharField(
        max_length=16, blank=True, help_text="The manager account's id when access goes through one.")
    client_id = models.CharField(max_length=255, help_text="OAuth client id.")
    client_secret = EncryptedTextField(blank=True, help_text="Stored encrypted; never shown back.")
    refresh_token = EncryptedTextField(blank=True, help_text="Stored encrypted; never shown back.")
    developer_token = EncryptedTextField(blank=True, help_text="Stored encrypted; never shown back.")

    platform = Platform.GOOGLE
    secret_fields = ("client_secret", "refresh_token", "developer_token")

    class Meta(AdAccount.Meta):
        verbose_name = "Google Ads account"
        constraints = [models.UniqueConstraint(fields=["workspace", "customer_id"],
                                               name="googleadsaccount_unique_customer")]

    def save(self, *args, **kwargs):
        self.customer_id = self.customer_id.replace("-", "").strip()
        self.login_customer_id = self.login_customer_id.replace("-", "").strip()
        super().save(*args, **kwargs)


class AdCsvMapping(models.Model):
    """A platform export's layout an admin saved once: our field → the file's column header."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    platform = models.CharField(max_length=16, choices=Platform.choices)
    columns = models.JSONField(
        default=dict,
        help_text='Our field → the CSV header, e.g. {"day": "Date", "campaign_id": "Campaign ID", '
                  '"campaign_name": "Campaign Name", "spend": "Total Spent", "impressions": '
                  '"Impressions", "clicks": "Clicks", "conversions": "Conversions", '
                  '"conversion_value": "Conversion Value"}. day, campaign_id and spend are required.')
    decimal_comma = models.BooleanField(default=False, help_text="Numbers are written 1.234,56.")
    day_first = models.BooleanField(default=False, help_text="Dates are written 31/12/2026.")
    click_window_days = models.PositiveSmallIntegerField(default=7)
    view_window_days = models.PositiveSmallIntegerField(default=1)
    currency = models.CharField(max_length=3, blank=True,
                                help_text="When the file has no currency column; blank: the workspace's.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "ad CSV mapping"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"],
                                               name="adcsvmapping_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_platform_display()})"


class PlatformImportStatus(models.TextChoices):
    RUNNING = "running", "Running"
    RETRYING = "retrying", "Waiting to retry"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class PlatformImport(models.Model):
    """One import of reported days (an API pull or a CSV file) and what it did."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(max_length=16, choices=Platform.choices)
    source = models.CharField(max_length=8, choices=[("api", "Reporting API"), ("csv", "CSV")])
    account = models.CharField(max_length=64, blank=True, help_text="The ad account / customer id.")
    file_name = models.CharField(max_length=255, blank=True)
    first_day = models.DateField(null=True, blank=True)
    last_day = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=PlatformImportStatus.choices,
                              default=PlatformImportStatus.RUNNING)
    rows_written = models.PositiveIntegerField(default=0)
    rows_failed = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    error_sample = models.JSONField(default=list, blank=True,
                                    help_text="The first row errors: [line, message].")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["workspace", "platform", "-started_at"],
                                name="platformimport_ws_recent")]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.source} {self.started_at:%Y-%m-%d %H:%M}"
