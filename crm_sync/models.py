"""CRM deals, their stage history, and which stages count as conversions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from attribution.crypto import hash_secret, new_secret
from attribution.models import Contact, Touchpoint, Visitor, Workspace
from attribution.models.workspace import workspace_key


class CrmSource(models.TextChoices):
    HUBSPOT = "hubspot", "HubSpot"
    SALESFORCE = "salesforce", "Salesforce"
    GENERIC = "generic", "Generic CSV"
    API = "api", "API / webhook"


class Deal(models.Model):
    # No index of its own: the unique (workspace, crm_id) constraint's index leads with it, and each
    # extra index costs every imported deal an insert into it.
    workspace = workspace_key(related_name="deals", db_index=False)
    crm = models.CharField(max_length=16, choices=CrmSource.choices, default=CrmSource.GENERIC)
    crm_id = models.CharField(max_length=64, help_text="The deal/opportunity id in the CRM.")
    name = models.CharField(max_length=255, blank=True, default="")
    stage = models.CharField(max_length=100)
    pipeline = models.CharField(max_length=100, blank=True, default="")
    amount = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True, default="")
    owner = models.CharField(max_length=255, blank=True, default="")
    created_at_crm = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # No database constraint: a per-row trigger cost the import a sixth of its database time. A
    # batch's links to existing contacts are checked, and held, in one statement instead
    # (attribution.services.identity.contacts_hold); see Contact for why none can dangle.
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="deals", db_constraint=False)
    # Most deals have no visitor or click: their indexes (deal_visitor, deal_click) skip NULLs.
    visitor = models.ForeignKey(Visitor, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="deals", db_index=False)
    touchpoint = models.ForeignKey(Touchpoint, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="deals", db_index=False,
                                   help_text="The click matched by ttclid, when there is one.")
    utm_source = models.CharField(max_length=255, blank=True, default="")
    utm_medium = models.CharField(max_length=255, blank=True, default="")
    utm_campaign = models.CharField(max_length=255, blank=True, default="")
    utm_content = models.CharField(max_length=255, blank=True, default="")
    utm_term = models.CharField(max_length=255, blank=True, default="")
    ttclid = models.CharField(max_length=255, blank=True, default="")
    cl_visitor_id = models.CharField(max_length=64, blank=True, default="")
    imported_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # Led by the CRM id, so that the import's lookup by id can only be an index probe
        # (attribution/key_probes.py); deal_ws_* serve the workspace's lists.
        constraints = [models.UniqueConstraint(fields=["crm_id", "workspace"],
                                               name="deal_unique_crm_id")]
        indexes = [
            models.Index(fields=["workspace", "stage"], name="deal_ws_stage"),
            models.Index(fields=["workspace", "closed_at"], name="deal_ws_closed"),
            models.Index(fields=["visitor"], name="deal_visitor", condition=Q(visitor__isnull=False)),
            models.Index(fields=["touchpoint"], name="deal_click", condition=Q(touchpoint__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.name or self.crm_id


class DealStageChange(models.Model):
    # No workspace index: the history is read by deal (stagechange_deal_time), and deleting a
    # workspace, rare, may scan.
    workspace = workspace_key(related_name="+", db_index=False)
    # Indexed by stagechange_deal_time, which leads with it (see Deal.workspace). No database
    # foreign key: a stage change is written with its deal, by the code that just wrote the deal,
    # and goes with it (``on_delete`` is Django's) — a per-row check would only confirm that.
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes",
                             db_index=False, db_constraint=False)
    from_stage = models.CharField(max_length=100, blank=True, default="")
    to_stage = models.CharField(max_length=100)
    changed_at = models.DateTimeField()
    source = models.CharField(max_length=16, default="import")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["deal", "changed_at", "id"]
        indexes = [models.Index(fields=["deal", "changed_at"], name="stagechange_deal_time")]

    def __str__(self) -> str:
        return f"{self.deal}: {self.from_stage or '∅'} → {self.to_stage}"


class DealStageRule(models.Model):
    """Which CRM stage becomes which conversion event (e.g. 'closedwon' → ClosedWon)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="stage_rules")
    crm_stage = models.CharField(max_length=100, help_text="Stage as the CRM export spells it "
                                                           "(compared case-insensitively).")
    event_name = models.CharField(max_length=64, help_text="e.g. Lead, QualifiedLead, ClosedWon")
    uses_amount = models.BooleanField(default=False,
                                      help_text="Carry the deal amount as the conversion value.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "crm_stage"],
                                               name="stagerule_unique_stage")]

    def __str__(self) -> str:
        return f"{self.crm_stage} → {self.event_name}"


# --- Imports (CSV files, saved column mappings) and the deal webhook's secret -------------------

class ImportPreset(models.TextChoices):
    HUBSPOT = "hubspot", "HubSpot deals export"
    SALESFORCE = "salesforce", "Salesforce opportunities export"
    GENERIC = "generic", "Generic CSV (saved column mapping)"


class ColumnMapping(models.Model):
    """A generic CSV layout an admin saved once and reuses: our field → the file's column header."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="column_mappings")
    name = models.CharField(max_length=100)
    columns = models.JSONField(
        default=dict,
        help_text='Our field → the CSV header, e.g. {"crm_id": "Deal #", "stage": "Status", '
                  '"amount": "Value", "email": "E-mail"}. crm_id and stage are required.')
    stages = models.JSONField(default=list, blank=True,
                              help_text="Stages this CRM uses; other stages are row errors. "
                                        "Empty: any stage is accepted.")
    day_first = models.BooleanField(default=False, help_text="Dates are written 31/12/2026.")
    decimal_comma = models.BooleanField(default=False, help_text="Amounts are written 1.234,56.")
    default_currency = models.CharField(max_length=3, blank=True,
                                        help_text="When a row has none; blank: the workspace's.")
    phone_region = models.CharField(max_length=2, blank=True,
                                    help_text="ISO country (e.g. DE) for phone numbers without +.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "name"],
                                               name="columnmapping_unique_name")]

    def __str__(self) -> str:
        return self.name


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded (awaiting confirmation)"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed (nothing imported)"


class DealImport(models.Model):
    """One uploaded file and what importing it did. A failed file leaves no deal behind."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="deal_imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    file = models.FileField(upload_to="crm_imports/%Y/%m/")
    original_name = models.CharField(max_length=255, blank=True)
    preset = models.CharField(max_length=16, choices=ImportPreset.choices)
    mapping = models.ForeignKey(ColumnMapping, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="imports")
    options = models.JSONField(
        default=dict, blank=True,
        help_text="day_first, decimal_comma, default_currency, phone_region, encoding, extra_stages.")
    status = models.CharField(max_length=10, choices=ImportStatus.choices,
                              default=ImportStatus.UPLOADED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_failed = models.PositiveIntegerField(default=0)
    stage_changes = models.PositiveIntegerField(default=0)
    conversions_created = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, help_text="Why the whole file was refused.")
    error_sample = models.JSONField(default=list, blank=True,
                                    help_text="The first row errors; the report has them all.")
    report = models.FileField(upload_to="crm_import_reports/%Y/%m/", blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name or self.file.name} — {self.status}"

    @property
    def rows_imported(self) -> int:
        return self.rows_created + self.rows_updated + self.rows_unchanged


class CrmWebhookSecret(models.Model):
    """Authenticates deal updates a CRM posts to us. Only the SHA-256 of the secret is stored."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="crm_webhook_secrets")
    label = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12, editable=False)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "CRM webhook secret"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.label or 'unlabelled'})"

    @classmethod
    def issue(cls, *, workspace: Workspace, label: str = "") -> tuple["CrmWebhookSecret", str]:
        """Create a secret; return the row and the plaintext, shown to the user once."""
        plaintext = new_secret("whk")
        row = cls.objects.create(workspace=workspace, label=label, prefix=plaintext[:10],
                                 secret_hash=hash_secret(plaintext))
        return row, plaintext


# Privacy: the erasure log and retention policies (crm_sync.privacy).
from crm_sync.privacy.models import PersonErasure, RetentionPolicy  # noqa: E402, F401
