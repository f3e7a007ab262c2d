"""Ad platform entities and what the platform itself reports per day."""

from django.db import models
from django.utils import timezone

from attribution.channels import Platform

from .workspace import Workspace


class AdEntity(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(max_length=16, choices=Platform.choices, default=Platform.TIKTOK)
    external_id = models.CharField(max_length=64, help_text="The id the platform gives it.")
    name = models.CharField(max_length=255)
    status = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AdCampaign(AdEntity):
    class Meta(AdEntity.Meta):
        constraints = [models.UniqueConstraint(fields=["workspace", "platform", "external_id"],
                                               name="adcampaign_unique_external")]


class AdGroup(AdEntity):
    campaign = models.ForeignKey(AdCampaign, on_delete=models.CASCADE, related_name="adgroups")

    class Meta(AdEntity.Meta):
        constraints = [models.UniqueConstraint(fields=["workspace", "platform", "external_id"],
                                               name="adgroup_unique_external")]


class Ad(AdEntity):
    adgroup = models.ForeignKey(AdGroup, on_delete=models.CASCADE, related_name="ads")
    campaign = models.ForeignKey(AdCampaign, on_delete=models.CASCADE, related_name="ads")

    class Meta(AdEntity.Meta):
        constraints = [models.UniqueConstraint(fields=["workspace", "platform", "external_id"],
                                               name="ad_unique_external")]


class MetricLevel(models.TextChoices):
    CAMPAIGN = "campaign", "Campaign"
    ADGROUP = "adgroup", "Ad group"
    AD = "ad", "Ad"


class PlatformDailyMetric(models.Model):
    """One day of one entity as the platform reports it, under the attribution window it used.

    Numbers reported under different windows are different facts; both may be stored.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(max_length=16, choices=Platform.choices, default=Platform.TIKTOK)
    level = models.CharField(max_length=10, choices=MetricLevel.choices)
    entity_external_id = models.CharField(max_length=64)
    date = models.DateField()
    campaign = models.ForeignKey(AdCampaign, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    adgroup = models.ForeignKey(AdGroup, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")
    ad = models.ForeignKey(Ad, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    currency = models.CharField(max_length=3, default="USD")
    spend = models.DecimalField(max_digits=16, decimal_places=4, default=0)
    impressions = models.BigIntegerField(default=0)
    clicks = models.BigIntegerField(default=0)
    conversions = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    conversion_value = models.DecimalField(max_digits=16, decimal_places=4, default=0)
    click_window_days = models.PositiveSmallIntegerField(default=7)
    view_window_days = models.PositiveSmallIntegerField(default=1)
    source = models.CharField(max_length=8, choices=[("api", "Reporting API"), ("csv", "CSV")],
                              default="api")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["workspace", "platform", "level", "entity_external_id", "date",
                    "click_window_days", "view_window_days"],
            name="platformmetric_unique_day")]
        indexes = [models.Index(fields=["workspace", "platform", "level", "date"],
                                name="platformmetric_ws_level_day")]

    def __str__(self) -> str:
        return f"{self.platform} {self.level} {self.entity_external_id} {self.date}"
