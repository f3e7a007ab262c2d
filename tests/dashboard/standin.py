"""A stand-in for the attribution engine's output on seed_demo data, for the browser test and benchmark.

Until the engine's ``run_attribution`` is on main, this writes one SUCCEEDED run with rollups of the
same shape and volume the engine produces (day × channel × campaign/ad group/ad × model), derived
from what seed_demo wrote: paid channels from the platforms' ad-level days (scaled per model), other
channels from the day's conversions. The numbers are plausible, not attribution.
"""

from datetime import UTC, datetime
from decimal import Decimal

from django.core.management import get_commands
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate

from attribution import models as am

MODEL_FACTOR = {
    "last_click": 1.0,
    "first_click": 0.8,
    "last_non_direct": 1.05,
    "linear": 0.9,
    "time_decay": 0.95,
    "position_based": 0.85,
}
UNPAID_SHARE = {"organic_search": 0.08, "organic_social": 0.05, "email": 0.07, "direct": 0.1}
PAID_SHARE = 0.7  # platforms claim more than a multi-touch model gives them


def engine_available() -> bool:
    return "run_attribution" in get_commands()


def standin_attribution(workspace: am.Workspace, *, batch_size: int = 5000) -> am.AttributionRun:
    """Write one SUCCEEDED run of rollups for every active model (replacing earlier stand-ins)."""
    am.AttributionRun.objects.filter(workspace=workspace).update(status=am.RunStatus.SUPERSEDED)
    run = am.AttributionRun.objects.create(
        workspace=workspace,
        period_start=datetime(2000, 1, 1, tzinfo=UTC),
        period_end=datetime.now(UTC),
        status=am.RunStatus.SUCCEEDED,
        finished_at=datetime.now(UTC),
    )
    paid = (
        am.PlatformDailyMetric.objects.filter(workspace=workspace, level=am.MetricLevel.AD)
        .values("platform", "date", "campaign_id", "adgroup_id", "ad_id")
        .annotate(conv=Sum("conversions"), value=Sum("conversion_value"), windows=Count("id"))
        .order_by()
    )
    per_day = (
        am.ConversionEvent.objects.filter(
            workspace=workspace, event_name__in=workspace.attributed_event_names
        )
        .annotate(d=TruncDate("occurred_at", tzinfo=workspace.tzinfo))
        .values("d")
        .annotate(n=Count("id"), value=Sum("value"))
        .order_by()
    )
    paid, per_day = list(paid), list(per_day)
    rows = []
    for model in am.AttributionModelConfig.objects.filter(workspace=workspace, is_active=True):
        f = MODEL_FACTOR.get(model.kind, 1.0)
        for p in paid:
            share = PAID_SHARE * f / p["windows"]
            rows.append(
                am.AttributionRollup(
                    workspace=workspace,
                    run=run,
                    model_config=model,
                    day=p["date"],
                    channel=p["platform"],
                    campaign_id=p["campaign_id"],
                    adgroup_id=p["adgroup_id"],
                    ad_id=p["ad_id"],
                    currency=workspace.currency,
                    conversions=float(p["conv"]) * share,
                    revenue=(p["value"] * Decimal(str(share))).quantize(Decimal("0.000001")),
                )
            )
        for d in per_day:
            for channel, share in UNPAID_SHARE.items():
                rows.append(
                    am.AttributionRollup(
                        workspace=workspace,
                        run=run,
                        model_config=model,
                        day=d["d"],
                        channel=channel,
                        currency=workspace.currency,
                        conversions=d["n"] * share * f,
                        revenue=((d["value"] or 0) * Decimal(str(share * f))).quantize(Decimal("0.000001")),
                    )
                )
    am.AttributionRollup.objects.bulk_create(rows, batch_size=batch_size)
    return run
