"""CRM deals, their stage history, and which stages count as conversions."""

from django.db import models
from django.utils import timezone

from attribution.models import Contact, Touchpoint, Visitor, Workspace


class CrmSource(models.TextChoices):
    HUBSPOT = "hubspot", "HubSpot"
    SALESFORCE = "salesforce", "Salesforce"
    GENERIC = "generic", "Generic CSV"
    API = "api", "API / webhook"


class Deal(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="deals")
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
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="deals")
    visitor = models.ForeignKey(Visitor, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="deals")
    touchpoint = models.ForeignKey(Touchpoint, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="deals",
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
        constraints = [models.UniqueConstraint(fields=["workspace", "crm_id"],
                                               name="deal_unique_crm_id")]
        indexes = [
            models.Index(fields=["workspace", "stage"], name="deal_ws_stage"),
            models.Index(fields=["workspace", "closed_at"], name="deal_ws_closed"),
        ]

    def __str__(self) -> str:
        return self.name or self.crm_id


class DealStageChange(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
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
