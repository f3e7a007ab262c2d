"""Ad platform drill-down (TikTok, Meta, Google, …): campaign → ad group → ad, the platform's numbers
beside every model's credit, and scale / hold / cut per campaign and ad group."""

from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import Sum

from attribution.channels import Platform
from attribution.models import Ad, AdCampaign, AdGroup, MetricLevel
from dashboard import formatting
from dashboard.confidence import model_agreement
from dashboard.models import DashboardSettings
from dashboard.recommendations import Recommendation, Wording, recommend

from ._current import current_rollups
from .common import ZERO, active_models, platform_metrics, platform_window, ratio, revenue_sum
from .currency import foreign_revenue, foreign_rows
from .filters import DashboardFilters

LEVELS = {
    MetricLevel.CAMPAIGN: (AdCampaign, "campaign_id", None),
    MetricLevel.ADGROUP: (AdGroup, "adgroup_id", "campaign_id"),
    MetricLevel.AD: (Ad, "ad_id", "adgroup_id"),
}


@dataclass(frozen=True)
class ModelCredit:
    conversions: float
    revenue: Decimal
    roas: Decimal | None


@dataclass
class EntityRow:
    entity_id: int
    external_id: str
    name: str
    spend: Decimal = ZERO
    impressions: int = 0
    clicks: int = 0
    reported_conversions: Decimal = ZERO
    reported_value: Decimal = ZERO
    by_model: dict[int, ModelCredit] = field(default_factory=dict)
    recommendation: Recommendation | None = None

    def credit(self, model_id: int | None) -> ModelCredit:
        return self.by_model.get(model_id) or ModelCredit(0.0, ZERO, ratio(ZERO, self.spend))


@dataclass(frozen=True)
class EntityTable:
    level: str
    models: list
    rows: list[EntityRow]


def tiktok_entities(
    *, filters: DashboardFilters, level: str = MetricLevel.CAMPAIGN, parent_id: int | None = None
) -> EntityTable:
    """TikTok's entities of one level: ``platform_entities`` for TikTok (5 queries)."""
    return platform_entities(filters=filters, platform=Platform.TIKTOK, level=level, parent_id=parent_id)


def platform_entities(
    *, filters: DashboardFilters, platform: str, level: str = MetricLevel.CAMPAIGN,
    parent_id: int | None = None,
) -> EntityTable:
    """A platform's entities of one level (under ``parent_id``), with spend and credit per model
    (5 queries; 7 for a platform other than TikTok, whose window is looked up; +2 to convert other
    currencies).

    The platform's numbers are read under the selected window (TikTok) or the one ``platform_window``
    picks. Recommendations use the selected model and the workspace's rules; ads get none.
    """
    entity_model, fk, parent_fk = LEVELS[MetricLevel(level)]
    entities = entity_model.objects.filter(workspace=filters.workspace, platform=platform)
    window = ((filters.click_window_days, filters.view_window_days) if platform == Platform.TIKTOK
              else platform_window(filters=filters, platform=platform) or (-1, -1))
    platform_rows = platform_metrics(filters=filters, platform=platform, level=level, window=window)
    credited = current_rollups(workspace=filters.workspace).filter(
        channel=platform, day__gte=filters.start, day__lte=filters.end, **{f"{fk}__isnull": False}
    )
    if parent_fk and parent_id is not None:
        entities = entities.filter(**{parent_fk: parent_id})
        platform_rows = platform_rows.filter(**{parent_fk: parent_id})
        credited = credited.filter(**{parent_fk: parent_id})

    rows = {
        e.pk: EntityRow(entity_id=e.pk, external_id=e.external_id, name=e.name)
        for e in entities.only("id", "external_id", "name")
    }
    for agg in (
        platform_rows.filter(**{f"{fk}__isnull": False})
        .values(fk)
        .annotate(
            spend=Sum("spend"),
            imp=Sum("impressions"),
            clicks=Sum("clicks"),
            conv=Sum("conversions"),
            value=Sum("conversion_value"),
        )
        .order_by()
    ):
        row = rows.get(agg[fk])
        if row:
            row.spend, row.impressions, row.clicks = agg["spend"] or ZERO, agg["imp"] or 0, agg["clicks"] or 0
            row.reported_conversions, row.reported_value = agg["conv"] or ZERO, agg["value"] or ZERO
    sums = list(
        credited.values(fk, "model_config_id")
        .annotate(conv=Sum("conversions"), rev=revenue_sum(filters.workspace),
                  n_foreign=foreign_rows(filters.workspace))
        .order_by()
    )
    converted = foreign_revenue(credited, workspace=filters.workspace, keys=[fk, "model_config_id"],
                                seen=sums)
    for agg in sums:
        row = rows.get(agg[fk])
        if row:
            revenue = (agg["rev"] or ZERO) + converted.get((agg[fk], agg["model_config_id"]), ZERO)
            row.by_model[agg["model_config_id"]] = ModelCredit(
                agg["conv"] or 0.0, revenue, ratio(revenue, row.spend)
            )
    models = active_models(workspace=filters.workspace)
    if level != MetricLevel.AD:
        _attach_recommendations(rows.values(), filters, models)
    ordered = sorted(rows.values(), key=lambda r: (-r.spend, r.name))
    return EntityTable(level=level, models=models, rows=ordered)


def _attach_recommendations(rows, filters: DashboardFilters, models) -> None:
    """The selected model's recommendation, with whether the other models that credited
    anything in this table recommend the same (a case several models make is stronger)."""
    rows = list(rows)
    rules = DashboardSettings.for_workspace(filters.workspace)
    model_id = filters.model.pk if filters.model else None
    crediting = [m for m in models if any(m.pk in row.by_model for row in rows)]
    currency = filters.workspace.currency
    wording = Wording(money=lambda amount: formatting.money(amount, currency),
                      count=formatting.count, credited=formatting.credited)
    for row in rows:
        by_model = {m: _recommend(row, row.credit(m.pk), rules, wording) for m in crediting}
        rec = _recommend(row, row.credit(model_id), rules, wording)
        agreement = model_agreement(action=rec.action,
                                    actions_by_model={str(m): r.action for m, r in by_model.items()})
        row.recommendation = replace(rec, agreement=agreement.text)


def _recommend(row, credit: ModelCredit, rules, wording: Wording) -> Recommendation:
    return recommend(spend=row.spend, revenue=credit.revenue, conversions=credit.conversions,
                     clicks=row.clicks, target_roas=rules.target_roas,
                     min_conversions=rules.min_conversions, min_spend=rules.min_spend, wording=wording)
