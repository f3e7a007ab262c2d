"""Journey-report tables a run writes beside its credits: paths per conversion, and their sums.

Like credits and rollups they carry their run's id, become visible when the run is published
(``attribution.runs.path_selectors``) and are replaced by a rerun. Foreign keys are not checked by
the database (rows are written in bulk from ids the run has just read), as for credits.
"""

from django.db import models

from .conversions import ConversionEvent
from .runs import AttributionRun
from .workspace import workspace_key


class PathSignature(models.Model):
    """One distinct path of a workspace, stored once in its four forms; conversions' paths and
    path sums refer to it by ``key`` (``attribution.engine.paths.signature_keys``: a hash of the
    workspace and the campaign path, the same in every run). Steps are joined by ">"; TikTok steps
    name their campaign in the campaign forms (``tiktok:12``); collapsed forms show consecutive
    repeats of a step once."""

    key = models.BigIntegerField(primary_key=True)
    workspace = workspace_key(related_name="+")
    campaign_path = models.TextField()
    channel_path = models.TextField()
    campaign_path_collapsed = models.TextField()
    channel_path_collapsed = models.TextField()

    def __str__(self) -> str:
        return self.channel_path


def _path_key(help_text: str) -> models.ForeignKey:
    """A row's path (NULL: an unattributed conversion), unchecked by the database like ``run``."""
    return models.ForeignKey(PathSignature, on_delete=models.DO_NOTHING, related_name="+", null=True,
                             blank=True, db_constraint=False, db_index=False, help_text=help_text)


class ConversionPath(models.Model):
    """One conversion's path: its eligible touches in order (``path``), first touch and length.

    ``person`` is the engine's person key (contact id > 0, minus a lone visitor's id < 0).
    ``first_touch_at`` is NULL (and the paths empty, ``touches`` 0) for an unattributed conversion.
    """

    workspace = workspace_key(related_name="+", db_index=False)
    run = models.ForeignKey(AttributionRun, on_delete=models.CASCADE, related_name="+",
                            db_constraint=False, db_index=False)
    conversion = models.ForeignKey(ConversionEvent, on_delete=models.CASCADE, related_name="+",
                                   db_constraint=False, db_index=False)
    person = models.BigIntegerField()
    day = models.DateField(help_text="Local day the conversion was booked.")
    value = models.DecimalField(max_digits=18, decimal_places=6, default=0)
    currency = models.CharField(max_length=3, blank=True, default="")
    touches = models.PositiveIntegerField(default=0)
    first_touch_at = models.DateTimeField(null=True, blank=True)
    first_channel = models.CharField(max_length=20, blank=True, default="")
    last_channel = models.CharField(max_length=20, blank=True, default="")
    lag_days = models.IntegerField(null=True, blank=True,
                                   help_text="Whole days from the first touch to the conversion.")
    path = _path_key("The eligible touches in time order; empty when unattributed.")

    class Meta:
        indexes = [
            models.Index(fields=["run", "person"], name="path_run_person"),
            models.Index(fields=["workspace", "day"], name="path_ws_day"),
        ]

    def __str__(self) -> str:
        return f"Conversion {self.conversion_id}: {self.path_id or '(unattributed)'}"


class PathRollup(models.Model):
    """Conversions and value per day × path × touches × lag × currency (a path's channel and
    collapsed forms are read through its signature: they add no rows)."""

    workspace = workspace_key(related_name="+", db_index=False)
    run = models.ForeignKey(AttributionRun, on_delete=models.CASCADE, related_name="+",
                            db_constraint=False, db_index=False)
    day = models.DateField()
    path = _path_key("Empty for unattributed conversions.")
    touches = models.PositiveIntegerField(default=0)
    lag_days = models.IntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True, default="")
    conversions = models.IntegerField(default=0)
    value = models.DecimalField(max_digits=18, decimal_places=6, default=0)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "day"], name="pathrollup_ws_day"),
            models.Index(fields=["run"], name="pathrollup_run"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.path_id or '(unattributed)'}: {self.conversions}"


class PathLevel(models.IntegerChoices):
    CHANNEL = 0, "Channel"
    CAMPAIGN = 1, "TikTok campaign"


class PathStepRollup(models.Model):
    """Per day × level × step (a channel, or at campaign level a TikTok campaign): conversions it
    opened (first touch), closed (last touch) and assisted (on the path before the last touch)."""

    workspace = workspace_key(related_name="+", db_index=False)
    run = models.ForeignKey(AttributionRun, on_delete=models.CASCADE, related_name="+",
                            db_constraint=False, db_index=False)
    day = models.DateField()
    level = models.PositiveSmallIntegerField(choices=PathLevel.choices)
    step = models.CharField(max_length=64)
    first_touch = models.IntegerField(default=0)
    last_touch = models.IntegerField(default=0)
    assisted = models.IntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "day"], name="pathstep_ws_day"),
            models.Index(fields=["run"], name="pathstep_run"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.step}: {self.last_touch} last, {self.assisted} assisted"


class PathLagRollup(models.Model):
    """Attributed conversions per day × first-touch channel × days from first touch × touches."""

    workspace = workspace_key(related_name="+", db_index=False)
    run = models.ForeignKey(AttributionRun, on_delete=models.CASCADE, related_name="+",
                            db_constraint=False, db_index=False)
    day = models.DateField()
    first_channel = models.CharField(max_length=20)
    lag_days = models.IntegerField()
    touches = models.PositiveIntegerField()
    conversions = models.IntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "day"], name="pathlag_ws_day"),
            models.Index(fields=["run"], name="pathlag_run"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.first_channel}: {self.conversions} after {self.lag_days} days"


class CustomerValueRollup(models.Model):
    """Per cohort day (of the first touch) × first-touch channel × currency: customers and the
    revenue they brought by 7, 30 and 90 days after it. Additive: incremental runs add differences
    (negative ones too), so always aggregate with Sum."""

    workspace = workspace_key(related_name="+", db_index=False)
    run = models.ForeignKey(AttributionRun, on_delete=models.CASCADE, related_name="+",
                            db_constraint=False, db_index=False)
    day = models.DateField()
    channel = models.CharField(max_length=20)
    currency = models.CharField(max_length=3, blank=True, default="")
    customers = models.IntegerField(default=0)
    revenue_7d = models.DecimalField(max_digits=18, decimal_places=6, default=0)
    revenue_30d = models.DecimalField(max_digits=18, decimal_places=6, default=0)
    revenue_90d = models.DecimalField(max_digits=18, decimal_places=6, default=0)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "day"], name="cohort_ws_day"),
            models.Index(fields=["run"], name="cohort_run"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel}: {self.customers} customers"
