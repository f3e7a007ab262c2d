"""Models side by side: channels and TikTok campaigns as rows, every configured model as a column,
each cell's difference from last click."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from attribution.channels import Channel, Platform
from attribution.models import AdCampaign, ModelKind

from ._current import current_rollups
from .common import ZERO, active_models, revenue_sum
from .currency import foreign_revenue, foreign_rows
from .filters import DashboardFilters
from .overview import model_comparison


@dataclass(frozen=True)
class Cell:
    conversions: float = 0.0
    revenue: Decimal = ZERO


@dataclass
class MatrixRow:
    key: str
    label: str
    cells: dict[int, Cell] = field(default_factory=dict)  # model id → its credit

    def cell(self, model_id: int) -> Cell:
        return self.cells.get(model_id) or Cell()


@dataclass(frozen=True)
class ModelMatrix:
    models: list  # AttributionModelConfig, in the workspace's order
    baseline: object | None  # the last-click model (else the first); differences are against it
    channels: list[MatrixRow]
    campaigns: list[MatrixRow]  # TikTok campaigns

    def difference(self, row: MatrixRow, model_id: int) -> Cell | None:
        """The cell minus the baseline's cell on the same row; None for the baseline itself."""
        if self.baseline is None or model_id == self.baseline.pk:
            return None
        mine, base = row.cell(model_id), row.cell(self.baseline.pk)
        return Cell(mine.conversions - base.conversions, mine.revenue - base.revenue)


def _baseline(models):
    return next((m for m in models if m.kind == ModelKind.LAST_CLICK), models[0] if models else None)


def _campaign_rows(filters: DashboardFilters, model_ids: set[int]) -> list[MatrixRow]:
    """TikTok campaigns with credit under any model in the period (2 queries; +2 to convert)."""
    credited = current_rollups(workspace=filters.workspace).filter(
        channel=Channel.TIKTOK, day__gte=filters.start, day__lte=filters.end, campaign_id__isnull=False
    )
    sums = list(
        credited.values("campaign_id", "model_config_id")
        .annotate(conv=Sum("conversions"), rev=revenue_sum(filters.workspace),
                  n_foreign=foreign_rows(filters.workspace))
        .order_by()
    )
    converted = foreign_revenue(
        credited, workspace=filters.workspace, keys=["campaign_id", "model_config_id"], seen=sums
    )
    names = dict(
        AdCampaign.objects.filter(workspace=filters.workspace, platform=Platform.TIKTOK)
        .values_list("id", "name")
    )
    rows: dict[int, MatrixRow] = {}
    for s in sums:
        if s["model_config_id"] not in model_ids:
            continue
        campaign = s["campaign_id"]
        row = rows.setdefault(campaign, MatrixRow(str(campaign), names.get(campaign, "?")))
        revenue = (s["rev"] or ZERO) + converted.get((s["campaign_id"], s["model_config_id"]), ZERO)
        row.cells[s["model_config_id"]] = Cell(s["conv"] or 0.0, revenue)
    return list(rows.values())


def model_matrix(*, filters: DashboardFilters) -> ModelMatrix:
    """Every active model's credit per channel and per TikTok campaign (4 queries; +4 to convert
    other currencies)."""
    models = active_models(workspace=filters.workspace)
    model_ids = {m.pk for m in models}
    labels = dict(Channel.choices)
    channels: dict[str, MatrixRow] = {}
    for r in model_comparison(filters=filters):
        if r.model_id not in model_ids:
            continue
        row = channels.setdefault(r.channel, MatrixRow(r.channel, labels.get(r.channel, r.channel.title())))
        row.cells[r.model_id] = Cell(r.conversions, r.revenue)
    baseline = _baseline(models)

    def weight(row: MatrixRow):
        return -max((c.revenue for c in row.cells.values()), default=ZERO), row.label

    return ModelMatrix(
        models=models,
        baseline=baseline,
        channels=sorted(channels.values(), key=weight),
        campaigns=sorted(_campaign_rows(filters, model_ids), key=weight),
    )
