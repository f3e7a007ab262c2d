"""The fitted data-driven models of a run: what the Markov and Shapley credits were computed from."""

from django.db import models

from .runs import AttributionModelConfig, AttributionRun


class FitStatus(models.TextChoices):
    FITTED = "fitted", "Fitted"
    NOT_FITTED = "not_fitted", "Not fitted (see the message)"


class AttributionModelFit(models.Model):
    """One data-driven model fitted for one run (an incremental run keeps its full run's fit).

    ``channels``: per channel, {"channel", "effect" (removal effect or Shapley value), "share"
    (normalized, what per-conversion credit uses)}. ``detail``: the transition table (Markov:
    rows {"from", "to", "count", "probability"}) or the coalition table (Shapley: rows
    {"channels", "journeys", "conversions", "revenue", "worth"}).
    """

    run = models.ForeignKey(AttributionRun, on_delete=models.CASCADE, related_name="fits")
    model_config = models.ForeignKey(AttributionModelConfig, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=FitStatus.choices)
    message = models.TextField(blank=True, default="")
    journeys = models.PositiveIntegerField(default=0, help_text="Journeys counted, converting or not.")
    converting = models.PositiveIntegerField(default=0, help_text="Converting journeys counted.")
    conversion_probability = models.FloatField(
        null=True, blank=True, help_text="Markov: P(conversion) from the start state.")
    channels = models.JSONField(default=list, blank=True)
    detail = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "model_config"], name="fit_unique_model")]

    def __str__(self) -> str:
        return f"Run {self.run_id} {self.model_config_id}: {self.get_status_display()}"

    def effects_by_channel(self) -> dict[str, float]:
        return {row["channel"]: row["share"] for row in self.channels}
