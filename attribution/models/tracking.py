"""Who clicked: contacts (hashed identity only), visitors (the tracker's cookie id) and touchpoints."""

import uuid

from django.db import models, router, transaction
from django.utils import timezone

from attribution.channels import Channel, TouchKind

from .ads import Ad, AdCampaign, AdGroup
from .workspace import Site, Workspace, workspace_key


class ContactQuerySet(models.QuerySet):
    def delete(self):
        """Lock the contacts before Django unlinks (``SET_NULL``) and deletes them: see
        ``Contact.delete``."""
        with transaction.atomic(using=self.db):
            self.lock()
            return super().delete()

    def lock(self) -> None:
        """Lock these contacts (``FOR UPDATE``) until the transaction ends."""
        list(self.select_for_update().values_list("pk", flat=True))

    delete.alters_data = True
    delete.queryset_only = True


class Contact(models.Model):
    """A person, known only by hashes: SHA-256 of the normalized email / E.164 phone / external id.

    A deal's link to its contact has no database constraint (the import checks a whole batch's
    links in one statement instead of one trigger per deal: ``services.identity.contacts_hold``).
    What keeps a deal from pointing at a deleted contact is the lock order: a writer linking to
    existing contacts holds them (``FOR KEY SHARE``) before it writes, and a contact is locked
    (``FOR UPDATE``) before anything unlinks or deletes it — here, and in a merge
    (``identity._contacts_merge``). Whichever comes second sees what the first committed.
    """

    workspace = workspace_key(related_name="contacts", db_index=False)
    email_hash = models.CharField(max_length=64, blank=True, default="")
    phone_hash = models.CharField(max_length=64, blank=True, default="")
    external_id_hash = models.CharField(max_length=64, blank=True, default="")
    crm_contact_id = models.CharField(max_length=64, blank=True, default="")
    opted_out = models.BooleanField(default=False,
                                    help_text="Never send this person's data to ad platforms.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ContactQuerySet.as_manager()

    class Meta:
        # A contact is found by any one key. Each index leads with its key, so a batch's lookup
        # (attribution/services/identity.contacts_by_key) can only be served by probing it, and holds
        # only contacts that have that key: most have no phone, CRM id or external id.
        indexes = [
            models.Index(fields=[key, "workspace"], name=name, condition=~models.Q(**{key: ""}))
            for key, name in (("email_hash", "contact_email"), ("phone_hash", "contact_phone"),
                              ("external_id_hash", "contact_external_id"),
                              ("crm_contact_id", "contact_crm_id"))
        ]

    def __str__(self) -> str:
        key = self.email_hash or self.phone_hash or self.external_id_hash
        return f"Contact {self.pk} ({key[:10]}…)" if key else f"Contact {self.pk}"

    def delete(self, using=None, keep_parents=False):
        """Lock the row first: ``SET_NULL`` on the deals that name it then runs after any writer
        holding it (``contacts_hold``) has committed, and sees that writer's deals."""
        using = using or router.db_for_write(Contact, instance=self)
        with transaction.atomic(using=using):
            Contact.objects.using(using).filter(pk=self.pk).lock()
            return super().delete(using=using, keep_parents=keep_parents)


class Visitor(models.Model):
    """One browser: the tracker's first-party visitor id. Linked to a contact once identified."""

    # No index of its own: visitors are found by uid, and visitor_unique_uid leads with it.
    workspace = workspace_key(related_name="visitors", db_index=False)
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    uid = models.UUIDField(default=uuid.uuid4, help_text="The tracker's cl_visitor_id.")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="visitors", db_index=False)  # indexed by visitor_contact
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["uid", "workspace"],
                                               name="visitor_unique_uid")]
        indexes = [models.Index(fields=["contact"], name="visitor_contact")]

    def __str__(self) -> str:
        return str(self.uid)


class Touchpoint(models.Model):
    """A click session (or an ad view): where a visitor came from, at what time."""

    workspace = workspace_key(related_name="touchpoints", db_index=False)  # touch_ws_* lead with it
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    visitor = models.ForeignKey(Visitor, on_delete=models.CASCADE, related_name="touchpoints",
                                db_index=False)  # indexed by touch_visitor_time
    occurred_at = models.DateTimeField()
    kind = models.CharField(max_length=8, choices=TouchKind.choices, default=TouchKind.CLICK)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.DIRECT)
    utm_source = models.CharField(max_length=255, blank=True, default="")
    utm_medium = models.CharField(max_length=255, blank=True, default="")
    utm_campaign = models.CharField(max_length=255, blank=True, default="")
    utm_content = models.CharField(max_length=255, blank=True, default="")
    utm_term = models.CharField(max_length=255, blank=True, default="")
    ttclid = models.CharField(max_length=255, blank=True, default="")
    fbclid = models.CharField(max_length=255, blank=True, default="")
    gclid = models.CharField(max_length=255, blank=True, default="")
    landing_url = models.TextField(blank=True, default="")
    referrer = models.TextField(blank=True, default="")
    campaign = models.ForeignKey(AdCampaign, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    adgroup = models.ForeignKey(AdGroup, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    ad = models.ForeignKey(Ad, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ip_truncated = models.CharField(max_length=45, blank=True, default="",
                                    help_text="IPv4 /24 or IPv6 /48: never the full address.")
    user_agent = models.TextField(blank=True, default="")
    touch_key = models.CharField(
        max_length=64, blank=True, default="",
        help_text="Idempotency key from the tracker; a resent touch is stored once.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        indexes = [
            # Covering: an incremental run and a journey read a few people's touches, scattered
            # over the whole table; from the index alone they skip a heap page per touch (an
            # incremental run at 1M conversions read its touches 3.6x faster).
            models.Index(fields=["visitor", "occurred_at"], name="touch_visitor_time",
                         include=["workspace", "id", "kind", "channel", "campaign", "adgroup", "ad"]),
            models.Index(fields=["workspace", "occurred_at"], name="touch_ws_time"),
            models.Index(fields=["workspace", "channel", "occurred_at"], name="touch_ws_chan_time"),
            models.Index(fields=["ttclid", "workspace"], name="touch_ttclid",
                         condition=~models.Q(ttclid="")),
        ]
        constraints = [models.UniqueConstraint(fields=["workspace", "touch_key"],
                                               condition=~models.Q(touch_key=""),
                                               name="touch_unique_key")]

    def __str__(self) -> str:
        return f"{self.channel} {self.kind} @ {self.occurred_at:%Y-%m-%d %H:%M}"


class RuleField(models.TextChoices):
    CLICK_ID = "click_id", "Click id present (ttclid / fbclid / gclid)"
    UTM_SOURCE = "utm_source", "utm_source"
    UTM_MEDIUM = "utm_medium", "utm_medium"
    REFERRER_HOST = "referrer_host", "Referrer host"


class ChannelRule(models.Model):
    """A workspace's own channel classification rule; tried in priority order before the defaults."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="channel_rules")
    priority = models.PositiveIntegerField(default=100, help_text="Lower runs first.")
    field = models.CharField(max_length=16, choices=RuleField.choices)
    pattern = models.CharField(
        max_length=255,
        help_text="Case-insensitive regular expression matched against the field "
                  "(for click_id: the parameter name, e.g. ttclid).")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    kind = models.CharField(max_length=8, choices=TouchKind.choices, default=TouchKind.CLICK)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["workspace", "priority", "id"]

    def __str__(self) -> str:
        return f"{self.field} ~ /{self.pattern}/ → {self.channel}"
