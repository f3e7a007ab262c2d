"""TikTok drill-down figures: spend vs credited revenue per entity, ROAS per model."""

import plotly.graph_objects as go

from dashboard.selectors.tiktok import EntityTable

from . import base_layout, empty, to_div

TOP = 15


def spend_vs_revenue(table: EntityTable, *, model_id: int | None) -> str:
    rows = table.rows[:TOP]
    if not rows:
        return empty("Spend vs attributed revenue")
    names = [r.name for r in rows]
    fig = go.Figure()
    fig.add_bar(name="Spend", x=names, y=[float(r.spend) for r in rows], marker_color="#111827")
    fig.add_bar(
        name="Attributed revenue",
        x=names,
        y=[float(r.credit(model_id).revenue) for r in rows],
        marker_color="#fe2c55",
    )
    fig.add_bar(
        name="TikTok-reported value",
        x=names,
        y=[float(r.reported_value) for r in rows],
        marker_color="#25f4ee",
    )
    fig.update_layout(barmode="group")
    return to_div(base_layout(fig, title=f"Spend vs revenue (top {TOP} by spend)"))


def roas_by_model(table: EntityTable) -> str:
    rows = table.rows[:TOP]
    if not rows or not table.models:
        return empty("ROAS per model")
    fig = go.Figure()
    for model in table.models:
        fig.add_bar(
            name=str(model), x=[r.name for r in rows], y=[float(r.credit(model.pk).roas or 0) for r in rows]
        )
    fig.update_layout(barmode="group", yaxis_title="ROAS")
    return to_div(base_layout(fig, title="ROAS per model"))
