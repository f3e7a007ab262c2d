"""Workspaces (one advertiser each), memberships with roles, and tracked sites with their keys."""

import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.timezone import now

from attribution.crypto import hash_secret, new_secret


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"Unknown time zone {value!r}; use an IANA name like Europe/Berlin.")


def default_attributed_events() -> list[str]:
    return ["CompletePayment", "SubmitForm", "ClosedWon"]


class WorkspaceQuerySet(models.QuerySet):
    def for_user(self, user):
        if user.is_superuser:
            return self
        return self.filter(memberships__user=user)


class Workspace(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone],
                                help_text="Dates in imports and dashboards are read and shown here.")
    currency = models.CharField(max_length=3, default="USD",
                                help_text="Reporting currency (ISO 4217) for spend and revenue.")
    attributed_event_names = models.JSONField(
        default=default_attributed_events, blank=True,
        help_text="Conversion event names the attribution engine credits (web events and CRM "
                  "stages, e.g. CompletePayment, SubmitForm, ClosedWon).")
    created_at = models.DateTimeField(default=now, editable=False)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer (dashboards only)"
    ANALYST = "analyst", "Analyst (dashboards, imports, runs)"
    ADMIN = "admin", "Admin (everything, incl. integrations and keys)"


ROLE_RANK = {Role.VIEWER: 0, Role.ANALYST: 1, Role.ADMIN: 2}


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="memberships")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "workspace"],
                                               name="membership_unique_user_workspace")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.workspace} ({self.role})"

    def has_role(self, role: str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]


def new_public_key() -> str:
    return "pk_" + secrets.token_urlsafe(18)


class Site(models.Model):
    """A tracking source: the tracker authenticates with the public key, servers with a secret key."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(max_length=200)
    domains = models.JSONField(default=list, blank=True,
                               help_text='Hostnames of the site, e.g. ["shop.example.com"].')
    allowed_origins = models.JSONField(
        default=list, blank=True,
        help_text='Origins allowed to call the collector, e.g. ["https://shop.example.com"].')
    public_key = models.CharField(max_length=64, unique=True, default=new_public_key,
                                  editable=False)
    requires_consent = models.BooleanField(
        default=False, help_text="The tracker stores and sends nothing until consent is given.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["workspace", "name"]

    def __str__(self) -> str:
        return self.name

    def issue_secret_key(self, *, label: str = "") -> tuple["SiteSecretKey", str]:
        """Create a server-side key; return the row and the plaintext, shown to the user once."""
        plaintext = new_secret("sk")
        row = SiteSecretKey.objects.create(site=self, label=label, prefix=plaintext[:10],
                                           key_hash=hash_secret(plaintext))
        return row, plaintext


class SiteSecretKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, site__is_active=True)

    def matching(self, plaintext: str):
        return self.active().filter(key_hash=hash_secret(plaintext))


class SiteSecretKey(models.Model):
    """A server-side events API key. Only its SHA-256 is stored; the prefix helps people tell keys apart."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="secret_keys")
    label = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = SiteSecretKeyQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.label or 'unlabelled'})"

    @property
    def workspace(self) -> Workspace:
        return self.site.workspace


def workspace_key(*, related_name: str, db_index: bool = True) -> models.ForeignKey:
    """The workspace column of a high-volume table (touches, visitors, contacts, conversions,
    outbox rows, deals, stage changes, the engine's credits and rollups), without a database-level
    foreign key.

    Every such row is written by code that already holds the workspace (the collector, the
    events API, the CRM import, the demo), so the constraint would only re-check one and the same
    row per insert: a deferred trigger per row that cost the CRM import a third of its database
    time. Deleting a workspace still removes its rows: ``on_delete=CASCADE`` is Django's.
    ``db_index=False`` where a composite index already leads with the column.
    """
    return models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name=related_name,
                             db_constraint=False, db_index=db_index)
