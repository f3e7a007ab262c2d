"""Conversions: what a visitor or contact did that is worth money."""

from django.db import models
from django.utils import timezone

from .tracking import Contact, Visitor
from .workspace import Site, workspace_key


class EventSource(models.TextChoices):
    PIXEL = "pixel", "Browser (tracker)"
    SERVER = "server", "Server-side events API"
    CRM = "crm", "CRM stage"


class ConversionEvent(models.Model):
    """One conversion, stored once per (workspace, event name, event_id), whoever sent it first.

    Pixel and server copies share the event_id; later copies only bump ``duplicates_seen``.
    """

    workspace = workspace_key(related_name="conversions", db_index=False)  # conv_ws_* lead with it
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    event_name = models.CharField(max_length=64)
    event_id = models.CharField(max_length=128)
    occurred_at = models.DateTimeField()
    lookback_from = models.DateTimeField(
        null=True, blank=True,
        help_text="Where lookback windows start counting back, when not at occurred_at: for a CRM "
                  "stage (a deal won weeks later), when the deal was created — the end of the "
                  "marketing journey that produced it.")
    value = models.DecimalField(max_digits=16, decimal_places=4, default=0)
    currency = models.CharField(max_length=3, blank=True, default="")
    # Indexed by conv_visitor_time and conv_contact_time, which lead with them.
    visitor = models.ForeignKey(Visitor, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="conversions", db_index=False)
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="conversions", db_index=False)
    source = models.CharField(max_length=8, choices=EventSource.choices)
    sources_seen = models.JSONField(default=list, blank=True,
                                    help_text="Every source that sent this event_id.")
    duplicates_seen = models.PositiveIntegerField(default=0)
    ttclid = models.CharField(max_length=255, blank=True, default="")
    ttp = models.CharField(max_length=255, blank=True, default="")
    email_hash = models.CharField(max_length=64, blank=True, default="")
    phone_hash = models.CharField(max_length=64, blank=True, default="")
    external_id_hash = models.CharField(max_length=64, blank=True, default="")
    page_url = models.TextField(blank=True, default="")
    referrer = models.TextField(blank=True, default="")
    ip_truncated = models.CharField(max_length=45, blank=True, default="")
    user_agent = models.TextField(blank=True, default="")
    properties = models.JSONField(default=dict, blank=True)
    external_ref = models.CharField(max_length=128, blank=True, default="",
                                    help_text="e.g. the CRM deal id behind a CRM-stage conversion")
    received_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        # Led by the event id, so that looking conversions up by id can only be an index probe
        # (attribution/key_probes.py); conv_ws_* serve the workspace's ranges.
        constraints = [models.UniqueConstraint(fields=["event_id", "workspace", "event_name"],
                                               name="conversion_unique_event_id")]
        indexes = [
            models.Index(fields=["workspace", "occurred_at"], name="conv_ws_time"),
            models.Index(fields=["workspace", "event_name", "occurred_at"],
                         name="conv_ws_name_time"),
            models.Index(fields=["workspace", "received_at"], name="conv_ws_received"),
            models.Index(fields=["contact", "occurred_at"], name="conv_contact_time"),
            models.Index(fields=["visitor", "occurred_at"], name="conv_visitor_time"),
        ]

    def __str__(self) -> str:
        return f"{self.event_name} {self.event_id}"
