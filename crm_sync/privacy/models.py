"""What privacy work leaves behind: the erasure log, and each workspace's retention policy."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from attribution.models import Workspace


class PersonErasure(models.Model):
    """One erased person, for accountability: who asked, when, how many rows of each table were
    anonymized. The keys the request named are kept only as SHA-256 of ``kind:value``."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="erasures")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=16, help_text="admin, api, command or csv")
    key_hashes = models.JSONField(default=list, help_text="SHA-256 of each key named (kind:value).")
    counts = models.JSONField(default=dict, help_text="Rows anonymized per table.")
    outbox_cancelled = models.PositiveIntegerField(default=0)
    erased_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-erased_at", "-id"]

    def __str__(self) -> str:
        return f"Erasure {self.pk} in {self.workspace} ({self.erased_at:%Y-%m-%d %H:%M})"

    @property
    def rows_total(self) -> int:
        return sum(self.counts.values())


class RetentionPolicy(models.Model):
    """How long a workspace keeps raw personal data. Empty days: kept until deleted."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE,
                                     related_name="retention_policy")
    touch_days = models.PositiveIntegerField(
        null=True, blank=True,
        help_text="Touches older than this lose their click ids, URLs, referrer, IP and user agent "
                  "(channel, campaign and time stay, so attribution output does not change).")
    event_detail_days = models.PositiveIntegerField(
        null=True, blank=True,
        help_text="Conversions older than this lose their page URL, referrer, IP, user agent, "
                  "hashed identity and custom properties (value, currency, time and links stay).")
    lost_deal_days = models.PositiveIntegerField(
        null=True, blank=True,
        help_text="Lost deals closed longer ago than this lose their name, ttclid and visitor id.")
    # How far each purge has got: the next starts here instead of re-reading purged rows.
    touches_purged_through = models.DateTimeField(null=True, blank=True, editable=False)
    events_purged_through = models.DateTimeField(null=True, blank=True, editable=False)
    last_purge_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_purge_counts = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        verbose_name_plural = "retention policies"

    def __str__(self) -> str:
        return f"Retention of {self.workspace}"
