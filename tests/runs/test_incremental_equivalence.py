"""A full run plus an incremental run gives the very output one full run gives on the same data."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum

from attribution.models import AttributionRun, RunStatus
from attribution.runs import services
from attribution.runs.selectors import current_credits, current_rollups
from tests.factories import ConversionEventFactory, TouchpointFactory, VisitorFactory
from tests.runs.journeys import T0, journey, models_of

pytestmark = pytest.mark.django_db

ROLLUP_KEY = ("model_config", "day", "channel", "campaign", "adgroup", "ad", "currency")


def full_run(workspace):
    run = services.run_create(
        workspace=workspace, period_start=T0 - timedelta(days=60), period_end=T0 + timedelta(days=2)
    )
    return services.run_execute(run=run)


def output(workspace):
    """Current credits per (conversion, touch, model) and rollups summed per key."""
    credits = set()
    for credit in current_credits(workspace=workspace).select_related("run"):
        for i, model in enumerate(credit.run.model_config_ids):
            if credit.weights[i] > 0:
                credits.add(
                    (
                        credit.conversion_id,
                        credit.touchpoint_id,
                        model,
                        round(credit.weights[i], 9),
                        credit.revenues[i],
                    )
                )
    rollups = {
        row[:-2]: (round(row[-2], 9), row[-1])
        for row in current_rollups(workspace=workspace)
        .values_list(*ROLLUP_KEY)
        .annotate(c=Sum("conversions"), r=Sum("revenue"))
        .order_by()
    }
    return credits, rollups


def repeat_purchase(conversion, hours):
    """The same contact converts again: its old touches count for the new conversion too."""
    return ConversionEventFactory(
        workspace=conversion.workspace,
        contact=conversion.contact,
        visitor=conversion.visitor,
        occurred_at=T0 + timedelta(hours=hours),
        value=Decimal("12.34"),
    )


def lone_visitor_conversion(workspace, when):
    visitor = VisitorFactory(workspace=workspace)
    TouchpointFactory(visitor=visitor, occurred_at=when - timedelta(hours=3), channel="meta")
    return ConversionEventFactory(workspace=workspace, visitor=visitor, occurred_at=when)


@pytest.mark.parametrize("chunk_size", [500_000, 2])
def test_full_plus_incremental_equals_one_full_run(workspace, settings, chunk_size):
    settings.CLICKLEDGER = {**settings.CLICKLEDGER, "ATTRIBUTION_CHUNK_CONVERSIONS": chunk_size}
    models_of(workspace)
    old = [
        journey(workspace, touches=[(3, "meta", "click"), (1, "tiktok", "click")], value=f"{i + 1}0")
        for i in range(3)
    ]
    lone_visitor_conversion(workspace, T0)
    base = full_run(workspace)

    repeat_purchase(old[0], hours=2)
    repeat_purchase(old[1], hours=30)
    journey(
        workspace, touches=[(5, "google", "click"), (0.5, "tiktok", "view")], when=T0 + timedelta(hours=6)
    )
    crm = journey(
        workspace,
        touches=[(40, "tiktok", "click")],
        event_name="ClosedWon",
        value="900",
        when=T0 + timedelta(hours=1),
    )  # its window counts back from the deal's creation
    crm.lookback_from = T0 - timedelta(days=38)
    crm.save(update_fields=["lookback_from"])
    lone_visitor_conversion(workspace, T0 + timedelta(hours=4))
    ConversionEventFactory(workspace=workspace, occurred_at=T0 + timedelta(hours=5))  # nobody traceable

    increment = services.run_execute(run=services.run_create(workspace=workspace, incremental=True))
    assert increment.incremental and increment.base_run_id == base.id
    assert increment.status == RunStatus.SUCCEEDED and increment.total == 6
    incremental = output(workspace)
    credited = {(conversion, touch) for conversion, touch, *_ in incremental[0]}
    assert (crm.id, crm.contact.visitors.get().touchpoints.get().id) in credited

    again = full_run(workspace)
    assert again.status == RunStatus.SUCCEEDED and again.total == 10
    assert AttributionRun.objects.get(id=increment.id).status == RunStatus.SUPERSEDED
    assert output(workspace) == incremental
