"""Attribution configuration, runs, per-touch credits and daily rollups."""

from decimal import Decimal

from django.db import models
from django.utils import timezone

from attribution.channels import Channel
from attribution.engine.windows import DEFAULT_WINDOWS, FALLBACK_WINDOW  # noqa: F401 (re-exported)

from .ads import Ad, AdCampaign, AdGroup
from .conversions import ConversionEvent
from .number_arrays import NumberArrayField
from .tracking import Touchpoint
from .workspace import Workspace, workspace_key


class ModelKind(models.TextChoices):
    LAST_CLICK = "last_click", "Last click"
    FIRST_CLICK = "first_click", "First click"
    LAST_NON_DIRECT = "last_non_direct", "Last non-direct click"
    LINEAR = "linear", "Linear"
    TIME_DECAY = "time_decay", "Time decay"
    POSITION_BASED = "position_based", "Position based (U-shaped)"
    MARKOV = "markov", "Data-driven: Markov chain"
    SHAPLEY = "shapley", "Data-driven: Shapley value"


class AttributionModelConfig(models.Model):
    """One model a workspace computes, with its parameters.

    params: time_decay → {"half_life_days": 7}; position_based → {"first": 0.4, "last": 0.4};
    markov → {"order": 1, "repeats": false, "min_conversions": 30};
    shapley → {"value": "conversion_rate" | "revenue", "min_conversions": 30}.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="model_configs")
    kind = models.CharField(max_length=20, choices=ModelKind.choices)
    name = models.CharField(max_length=100, blank=True)
    params = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["workspace", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "kind", "name"],
                                               name="modelconfig_unique_name")]

    def __str__(self) -> str:
        return self.name or self.get_kind_display()


CLICK_WINDOW_CHOICES = [(d, f"{d}-day click") for d in (1, 7, 14, 28)]
VIEW_WINDOW_CHOICES = [(0, "Views off"), (1, "1-day view"), (7, "7-day view")]


class LookbackWindow(models.Model):
    """How far back a channel's clicks and views may earn credit (TikTok default: 7-day click, 1-day view)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="windows")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    click_days = models.PositiveSmallIntegerField(choices=CLICK_WINDOW_CHOICES, default=7)
    view_days = models.PositiveSmallIntegerField(choices=VIEW_WINDOW_CHOICES, default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "channel"],
                                               name="window_unique_channel")]

    def __str__(self) -> str:
        return f"{self.channel}: {self.click_days}d click / {self.view_days}d view"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    SUPERSEDED = "superseded", "Superseded"


class AttributionRun(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="runs")
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    incremental = models.BooleanField(default=False)
    base_run = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="increments",
        help_text="For an incremental run: the full run whose output it extends.")
    conversion_id_after = models.BigIntegerField(
        default=0, help_text="Only conversions with a larger id are attributed (incremental runs).")
    conversion_id_upto = models.BigIntegerField(
        default=0, help_text="Conversions recorded after planning (larger ids) wait for the next run.")
    model_config_ids = models.JSONField(
        default=list, blank=True, help_text="The models computed, in the order of each credit's weights.")
    status = models.CharField(max_length=12, choices=RunStatus.choices, default=RunStatus.QUEUED)
    config_fingerprint = models.CharField(max_length=64, blank=True, default="")
    total = models.PositiveIntegerField(default=0, help_text="Conversions to attribute.")
    processed = models.PositiveIntegerField(default=0)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    task_id = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["workspace", "status", "created_at"],
                                name="run_ws_status")]

    def __str__(self) -> str:
        return f"Run {self.pk} {self.workspace} {self.status}"

    @property
    def progress(self) -> float:
        return (self.processed / self.total) if self.total else (
            1.0 if self.status == RunStatus.SUCCEEDED else 0.0)


class AttributionCredit(models.Model):
    """What one touch earned for one conversion under each of its run's models.

    ``weights[i]`` and ``revenues[i]`` belong to ``run.model_config_ids[i]``; revenue is in integer
    micro-units of the conversion's currency (exact: use ``revenue_of``). touchpoint NULL = the
    conversion had no eligible touch (weight 1 in every model).

    One row per (conversion, touch) rather than per (model, conversion, touch), narrow, without
    database-level foreign-key checks and with one index: a 1M-conversion run writes millions of
    these with COPY, and rows, indexes and FK triggers are what cost load time. Channel, campaign,
    ad and day are one join away (touchpoint, conversion); dashboards read rollups.
    """

    workspace = workspace_key(related_name="+", db_index=False)
    run = models.ForeignKey(AttributionRun, on_delete=models.CASCADE, related_name="credits",
                            db_constraint=False, db_index=False)
    conversion = models.ForeignKey(ConversionEvent, on_delete=models.CASCADE, related_name="credits",
                                   db_constraint=False, db_index=False)
    touchpoint = models.ForeignKey(Touchpoint, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="credits", db_constraint=False, db_index=False)
    weights = NumberArrayField(default=list, help_text="Per model of the run: share of the conversion (0–1).")
    revenues = NumberArrayField(integer=True, default=list,
                                help_text="Per model of the run: micro-units of the conversion's currency.")

    class Meta:
        indexes = [models.Index(fields=["run", "conversion"], name="credit_run_conversion")]

    def __str__(self) -> str:
        return f"Conversion {self.conversion_id} → touch {self.touchpoint_id}: {self.weights}"

    def revenue_of(self, index: int) -> Decimal:
        return Decimal(int(self.revenues[index])).scaleb(-6)


class ChunkStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DONE = "done", "Done"


class AttributionRunChunk(models.Model):
    """One slice of a run (a range of person keys) that one worker attributes in one transaction."""

    run = models.ForeignKey(AttributionRun, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    person_lo = models.BigIntegerField(help_text="Inclusive lower bound of the person key.")
    person_hi = models.BigIntegerField(help_text="Exclusive upper bound of the person key.")
    status = models.CharField(max_length=8, choices=ChunkStatus.choices, default=ChunkStatus.PENDING)
    conversions = models.PositiveIntegerField(default=0)
    credits = models.PositiveBigIntegerField(default=0)
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["run", "index"]
        constraints = [models.UniqueConstraint(fields=["run", "index"], name="chunk_unique_index")]

    def __str__(self) -> str:
        return f"Run {self.run_id} chunk {self.index} ({self.status})"


class AttributionRollup(models.Model):
    """Per day × channel × campaign × ad group × ad × model: credited conversions and revenue.

    Like credits, rollups are written in bulk by runs (an incremental run of 1 % of the conversions
    still writes ~20k rows: keys are sparse) from ids the run has just read, so the foreign keys
    are not checked by the database: six deferred FK checks per row (each locking the referenced
    row) cost more at commit than the insert itself. Django still applies ``on_delete``. Only the
    indexes reads use are kept: dashboards find rows through ``rollup_run`` (the current runs) or
    ``rollup_ws_model_day``; single-column indexes on the ad entities were never chosen and cost
    every inserted row (ads are only deleted with their workspace).
    """

    workspace = workspace_key(related_name="+", db_index=False)
    run = models.ForeignKey(AttributionRun, on_delete=models.CASCADE, related_name="rollups",
                            db_constraint=False, db_index=False)
    model_config = models.ForeignKey(AttributionModelConfig, on_delete=models.CASCADE,
                                     related_name="+", db_constraint=False, db_index=False)
    day = models.DateField()
    channel = models.CharField(max_length=20)
    campaign = models.ForeignKey(AdCampaign, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", db_constraint=False, db_index=False)
    adgroup = models.ForeignKey(AdGroup, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", db_constraint=False, db_index=False)
    ad = models.ForeignKey(Ad, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                           db_constraint=False, db_index=False)
    currency = models.CharField(max_length=3, blank=True, default="")
    conversions = models.FloatField(default=0)
    revenue = models.DecimalField(max_digits=18, decimal_places=6, default=0)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "model_config", "day"], name="rollup_ws_model_day"),
            models.Index(fields=["run"], name="rollup_run"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel}: {self.conversions:.2f} conv, {self.revenue} {self.currency}"
