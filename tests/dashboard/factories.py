"""Factories for the rows the dashboard reads (runs, rollups, credits, platform metrics)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import factory

from attribution import models as am
from tests.factories import ModelConfigFactory, WorkspaceFactory


class RunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.AttributionRun

    workspace = factory.SubFactory(WorkspaceFactory)
    period_start = datetime(2026, 10, 1, tzinfo=UTC)
    period_end = datetime(2026, 12, 1, tzinfo=UTC)
    status = am.RunStatus.SUCCEEDED
    finished_at = factory.LazyFunction(lambda: datetime(2026, 11, 20, tzinfo=UTC))


class RollupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.AttributionRollup

    run = factory.SubFactory(RunFactory)
    workspace = factory.SelfAttribute("run.workspace")
    model_config = factory.SubFactory(ModelConfigFactory, workspace=factory.SelfAttribute("..workspace"))
    day = date(2026, 11, 2)
    channel = "tiktok"
    currency = "USD"
    conversions = 1.0
    revenue = Decimal("100")


class CreditFactory(factory.django.DjangoModelFactory):
    """One (conversion, touch) credit row: ``weights``/``revenues`` follow ``run.model_config_ids``."""

    class Meta:
        model = am.AttributionCredit

    run = factory.SubFactory(RunFactory)
    workspace = factory.SelfAttribute("run.workspace")
    weights = factory.LazyFunction(lambda: [1.0])
    revenues = factory.LazyFunction(lambda: [100_000_000])  # micro-units: 100.00


class PlatformMetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.PlatformDailyMetric

    workspace = factory.SubFactory(WorkspaceFactory)
    level = am.MetricLevel.CAMPAIGN
    entity_external_id = factory.LazyAttribute(
        lambda o: (o.ad or o.adgroup or o.campaign).external_id if (o.ad or o.adgroup or o.campaign) else "x"
    )
    date = date(2026, 11, 2)
    campaign = None
    adgroup = None
    ad = None
    spend = Decimal("100")
    impressions = 1000
    clicks = 50
    conversions = Decimal("5")
    conversion_value = Decimal("500")
