"""Drill-down figures of an ad platform: spend vs credited revenue per entity, ROAS per model."""

from dashboard.selectors.tiktok import EntityTable

from . import empty_figure, figure, to_div

TOP = 15


def spend_vs_revenue_spec(table: EntityTable, *, model_id: int | None, platform: str = "TikTok") -> dict:
    """``platform`` names the platform whose own reported value is the third series."""
    rows = table.rows[:TOP]
    title = f"Spend vs revenue (top {TOP} by spend)"
    if not rows:
        return empty_figure(title)
    names = [r.name for r in rows]
    return figure(
        [
            {
                "type": "bar",
                "name": "Spend",
                "x": names,
                "y": [float(r.spend) for r in rows],
                "marker": {"color": "#111827"},
            },
            {
                "type": "bar",
                "name": "Attributed revenue",
                "x": names,
                "y": [float(r.credit(model_id).revenue) for r in rows],
                "marker": {"color": "#fe2c55"},
            },
            {
                "type": "bar",
                "name": f"{platform}-reported value",
                "x": names,
                "y": [float(r.reported_value) for r in rows],
                "marker": {"color": "#25f4ee"},
            },
        ],
        title=title,
        barmode="group",
    )


def roas_by_model_spec(table: EntityTable) -> dict:
    rows = table.rows[:TOP]
    if not rows or not table.models:
        return empty_figure("ROAS per model")
    names = [r.name for r in rows]
    traces = [
        {
            "type": "bar",
            "name": str(model),
            "x": names,
            "y": [float(r.credit(model.pk).roas or 0) for r in rows],
        }
        for model in table.models
    ]
    return figure(traces, title="ROAS per model", barmode="group", yaxis={"title": {"text": "ROAS"}})


def spend_vs_revenue(table, *, model_id, platform: str = "TikTok"):
    return to_div(spend_vs_revenue_spec(table, model_id=model_id, platform=platform))


def roas_by_model(table):
    return to_div(roas_by_model_spec(table))
