"""A small, fully known world: two TikTok campaigns, two models, a current run and decoy runs.

Every number the selector tests assert is derived by hand from this file.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from attribution import models as am
from tests.factories import AdFactory, DealFactory, ModelConfigFactory

from .factories import PlatformMetricFactory, RollupFactory, RunFactory

D2, D3 = date(2026, 11, 2), date(2026, 11, 3)


@dataclass
class World:
    last_click: am.AttributionModelConfig
    linear: am.AttributionModelConfig
    ad1: am.Ad
    ad2: am.Ad
    current_run: am.AttributionRun


def _platform_rows(ws, ad, day, *, spend, clicks, conv, value, window=(7, 1)):
    for level, fields in (
        (am.MetricLevel.CAMPAIGN, {"campaign": ad.campaign}),
        (am.MetricLevel.ADGROUP, {"campaign": ad.campaign, "adgroup": ad.adgroup}),
        (am.MetricLevel.AD, {"campaign": ad.campaign, "adgroup": ad.adgroup, "ad": ad}),
    ):
        PlatformMetricFactory(
            workspace=ws,
            level=level,
            date=day,
            spend=Decimal(spend),
            clicks=clicks,
            impressions=clicks * 20,
            conversions=Decimal(conv),
            conversion_value=Decimal(value),
            click_window_days=window[0],
            view_window_days=window[1],
            **fields,
        )


def build_world(ws) -> World:
    last_click = ModelConfigFactory(workspace=ws, kind=am.ModelKind.LAST_CLICK, name="Last click")
    linear = ModelConfigFactory(workspace=ws, kind=am.ModelKind.LINEAR, name="Linear")
    ad1 = AdFactory(
        workspace=ws,
        adgroup__workspace=ws,
        adgroup__campaign__workspace=ws,
        adgroup__campaign__name="Spring Sale",
        adgroup__name="Spring broad",
    )
    ad2 = AdFactory(
        workspace=ws,
        adgroup__workspace=ws,
        adgroup__campaign__workspace=ws,
        adgroup__campaign__name="Retargeting",
        adgroup__name="Retargeting 7d",
    )
    old = RunFactory(
        workspace=ws, status=am.RunStatus.SUPERSEDED, finished_at=datetime(2026, 11, 10, tzinfo=UTC)
    )
    current = RunFactory(workspace=ws, finished_at=datetime(2026, 11, 20, tzinfo=UTC))
    failed = RunFactory(
        workspace=ws, status=am.RunStatus.FAILED, finished_at=datetime(2026, 11, 21, tzinfo=UTC)
    )
    for decoy in (old, failed):  # rows of runs that are not current must never be counted
        RollupFactory(
            run=decoy,
            model_config=last_click,
            day=D2,
            channel="tiktok",
            conversions=99,
            revenue=Decimal("9999"),
            campaign=ad1.campaign,
            adgroup=ad1.adgroup,
            ad=ad1,
        )

    def rollup(model, day, channel, conv, rev, ad=None):
        RollupFactory(
            run=current,
            model_config=model,
            day=day,
            channel=channel,
            conversions=conv,
            revenue=Decimal(rev),
            campaign=ad and ad.campaign,
            adgroup=ad and ad.adgroup,
            ad=ad,
        )

    rollup(last_click, D2, "tiktok", 2.0, "200", ad1)
    rollup(last_click, D3, "tiktok", 1.0, "50", ad2)
    rollup(last_click, D2, "meta", 1.0, "100")
    rollup(linear, D2, "tiktok", 1.5, "150", ad1)
    rollup(linear, D3, "tiktok", 0.5, "25", ad2)
    rollup(linear, D2, "meta", 2.0, "175")

    _platform_rows(ws, ad1, D2, spend="100", clicks=50, conv="5", value="500")
    _platform_rows(ws, ad2, D3, spend="40", clicks=20, conv="2", value="80")
    _platform_rows(ws, ad1, D2, spend="100", clicks=50, conv="3", value="300", window=(1, 0))

    for window in ((7, 1), (28, 1)):  # Meta reports the same spend under two windows: count it once
        PlatformMetricFactory(
            workspace=ws,
            platform="meta",
            date=D2,
            spend=Decimal("60"),
            entity_external_id="m1",
            click_window_days=window[0],
            view_window_days=window[1],
        )

    closed = datetime(2026, 11, 3, 15, tzinfo=UTC)
    DealFactory(workspace=ws, stage="closedwon", closed_at=closed, amount=Decimal("300"), ttclid="E.C.P.abc")
    DealFactory(workspace=ws, stage="Closed Won", closed_at=closed, amount=Decimal("1000"))
    DealFactory(workspace=ws, stage="appointmentscheduled", ttclid="E.C.P.def", amount=Decimal("700"))
    DealFactory(
        workspace=ws,
        stage="closedwon",
        closed_at=datetime(2026, 10, 1, tzinfo=UTC),
        amount=Decimal("5000"),
        utm_source="tiktok",
    )
    return World(last_click=last_click, linear=linear, ad1=ad1, ad2=ad2, current_run=current)
