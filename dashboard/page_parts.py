"""Pieces several pages share: KPI cards with their change, money cells, the currency notice, the
models side by side. Pages (``dashboard.pages``) assemble them."""

from dataclasses import dataclass

from .formatting import Change, Credited, Money, Signed, SignedMoney, count, credited, money, relative_change
from .selectors.filters import DashboardFilters
from .selectors.model_matrix import ModelMatrix
from .tables import Table


def cash(filters: DashboardFilters, amount) -> Money:
    """An amount in the workspace's reporting currency, as a table cell."""
    return Money(amount, filters.workspace.currency)


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str  # formatted
    change: Change | None = None  # vs the previous period; None when not compared
    previous: str = ""  # the previous period's value, formatted

    @property
    def key(self) -> str:
        return self.label.lower().replace(" ", "-")


def kpi(label: str, current, previous, kind: str, *, filters: DashboardFilters, compared: bool) -> Kpi:
    """A card: ``kind`` is "money", "credited" or "ratio"."""
    shown = {
        "money": lambda v: money(v, filters.workspace.currency),
        "credited": credited,
        "count": count,
        "ratio": lambda v: "–" if v is None else f"{v:.2f}",
    }[kind]
    if not compared:
        return Kpi(label, shown(current))
    return Kpi(label, shown(current), Change(relative_change(current, previous)), shown(previous))


def change_cell(current, previous) -> Change:
    return Change(relative_change(current, previous))


def currency_notice(page_context: dict, filters: DashboardFilters, lines) -> None:
    """Revenue in other currencies: how much was converted, and the days without a rate (stated)."""
    lines = [line for line in lines if line.original]
    page_context.update(
        currency_lines=lines,
        reporting_currency=filters.workspace.currency,
        missing_rates=any(line.missing_days for line in lines),
    )


def merge_currency_lines(*groups):
    """One line per currency from several selections (credited revenue and closed deals are listed
    apart: they are different money), keeping each group's lines as they are."""
    return [line for group in groups for line in group]


def matrix_tables(matrix: ModelMatrix, filters: DashboardFilters) -> dict[str, Table]:
    """The side-by-side tables: conversions and revenue per model, each with its change from the baseline."""
    base = matrix.baseline
    columns = ["Channel"]
    for m in matrix.models:
        columns += [f"{m} conv.", f"{m} revenue"]
        if base is not None and m.pk != base.pk:
            columns += [f"{m} conv. vs {base}", f"{m} revenue vs {base}"]

    def rows(matrix_rows):
        out = []
        for r in matrix_rows:
            cells = [r.label]
            for m in matrix.models:
                c = r.cell(m.pk)
                cells += [Credited(c.conversions), cash(filters, c.revenue)]
                diff = matrix.difference(r, m.pk)
                if diff is not None:
                    cells += [Signed(diff.conversions), SignedMoney(diff.revenue, filters.workspace.currency)]
            out.append(cells)
        return out

    note = f"Differences are against {base}, the usual platform view." if base else ""
    return {
        "models": Table("Models side by side: channels", columns, rows(matrix.channels), note=note),
        "model_campaigns": Table(
            "Models side by side: TikTok campaigns",
            ["Campaign", *columns[1:]],
            rows(matrix.campaigns),
            note=note,
        ),
    }
