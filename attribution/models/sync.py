"""Conversion-sync destinations and the outbox.

The outbox sits beside the conversions it delivers so that whoever records a conversion writes its
outbox row in the same transaction; crm_sync's workers drain it.
"""

from django.db import models
from django.utils import timezone

from attribution.crypto import EncryptedTextField

from .conversions import ConversionEvent
from .workspace import Workspace, workspace_key


class TikTokEventSource(models.TextChoices):
    WEB = "web", "Web (pixel code)"
    CRM = "crm", "CRM (event set id)"
    OFFLINE = "offline", "Offline (event set id)"


def default_event_mapping() -> dict[str, str]:
    return {"SubmitForm": "SubmitForm", "CompletePayment": "CompletePayment",
            "QualifiedLead": "QualifyLead", "ClosedWon": "CompletePayment"}


class TikTokIntegration(models.Model):
    """Where and how a workspace's conversions go to TikTok's Events API."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE,
                                  related_name="tiktok_integrations")
    name = models.CharField(max_length=100, default="TikTok")
    enabled = models.BooleanField(default=True)
    advertiser_id = models.CharField(max_length=64, blank=True)
    pixel_code = models.CharField(max_length=64, blank=True,
                                  help_text="Used as event_source_id for web events.")
    event_set_id = models.CharField(max_length=64, blank=True,
                                    help_text="Used as event_source_id for CRM/offline events.")
    access_token = EncryptedTextField(blank=True, help_text="Stored encrypted; never shown back.")
    test_event_code = models.CharField(max_length=64, blank=True,
                                       help_text="When set, events go to TikTok's test tool.")
    event_mapping = models.JSONField(
        default=default_event_mapping, blank=True,
        help_text="Our event name or CRM stage → TikTok event name. Unmapped events are not sent.")
    limited_data_use = models.BooleanField(
        default=False, help_text="Send every event with TikTok's limited_data_use flag (GDPR/CCPA).")
    crm_event_source = models.CharField(
        max_length=8, default=TikTokEventSource.CRM,
        choices=[(TikTokEventSource.CRM, TikTokEventSource.CRM.label),
                 (TikTokEventSource.OFFLINE, TikTokEventSource.OFFLINE.label)],
        help_text="event_source for CRM-stage conversions (sent to the event set id).")
    test_event_accepted_at = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="When TikTok last accepted a test event sent from the admin.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "TikTok integration"
        verbose_name_plural = "TikTok integrations"

    def __str__(self) -> str:
        return f"{self.name} ({self.workspace})"

    @property
    def has_token(self) -> bool:
        return bool(self.access_token)


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    RETRYING = "retrying", "Retrying"
    SENT = "sent", "Sent"
    DEAD = "dead", "Dead (permanent error)"
    SKIPPED = "skipped", "Skipped (not sendable)"


class OutboxEntry(models.Model):
    """One conversion to deliver to one destination; delivery is at-least-once with one event_id."""

    workspace = workspace_key(related_name="+")
    # Indexed by outbox_unique_destination, which leads with it. No database foreign key: an
    # outbox row is written in the transaction that creates its conversion, by the code that
    # creates it (conversion_record, outbox_insert_new), and goes with it (``on_delete`` is
    # Django's) — a per-row check would only confirm that, as for a stage change's deal.
    conversion = models.ForeignKey(ConversionEvent, on_delete=models.CASCADE,
                                   related_name="outbox_entries", db_index=False, db_constraint=False)
    destination = models.CharField(max_length=16, default="tiktok")
    integration = models.ForeignKey(TikTokIntegration, null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="outbox")
    platform_event = models.CharField(max_length=64, help_text="e.g. CompletePayment")
    event_source = models.CharField(max_length=8, choices=TikTokEventSource.choices,
                                    default=TikTokEventSource.WEB)
    status = models.CharField(max_length=10, choices=OutboxStatus.choices,
                              default=OutboxStatus.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="",
                                  help_text="The last error, or why a skipped row is not sent.")
    request_id = models.CharField(max_length=128, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "outbox entries"
        constraints = [models.UniqueConstraint(fields=["conversion", "destination"],
                                               name="outbox_unique_destination")]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            # Partial indexes keep claiming O(batch) however many sent rows pile up.
            models.Index(fields=["next_attempt_at", "id"], name="outbox_due_partial",
                         condition=models.Q(status__in=["queued", "retrying"])),
            models.Index(fields=["locked_until"], name="outbox_lease_partial",
                         condition=models.Q(status="sending")),
        ]

    def __str__(self) -> str:
        return f"{self.platform_event} → {self.destination} ({self.status})"
