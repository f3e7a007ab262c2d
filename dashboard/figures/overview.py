"""Overview figures: revenue and spend by channel, model comparison, trend over time."""

import plotly.graph_objects as go

from dashboard.selectors.overview import ChannelRow, ModelChannelRow, TrendRow

from . import COLORS, base_layout, empty, to_div


def channel_revenue(rows: list[ChannelRow]) -> str:
    if not rows:
        return empty("Revenue by channel")
    fig = go.Figure()
    fig.add_bar(
        name="Attributed revenue",
        x=[r.label for r in rows],
        y=[float(r.revenue) for r in rows],
        marker_color=[COLORS.get(r.channel, "#9ca3af") for r in rows],
    )
    fig.add_bar(
        name="Spend", x=[r.label for r in rows], y=[float(r.spend or 0) for r in rows], marker_color="#9ca3af"
    )
    fig.update_layout(barmode="group")
    return to_div(base_layout(fig, title="Attributed revenue and spend by channel"))


def model_comparison(rows: list[ModelChannelRow]) -> str:
    if not rows:
        return empty("How each model credits each channel")
    channels = sorted({r.channel for r in rows})
    models = list(dict.fromkeys(r.model_name for r in rows))
    by_key = {(r.model_name, r.channel): r for r in rows}
    fig = go.Figure()
    for channel in channels:
        fig.add_bar(
            name=channel,
            x=models,
            marker_color=COLORS.get(channel),
            y=[by_key[(m, channel)].conversions if (m, channel) in by_key else 0 for m in models],
        )
    fig.update_layout(barmode="stack", yaxis_title="credited conversions")
    return to_div(base_layout(fig, title="How each model credits each channel"))


def trend(rows: list[TrendRow], *, title: str = "Trend: ad spend vs attributed revenue") -> str:
    if not rows:
        return empty(title)
    days = [r.day.isoformat() for r in rows]
    fig = go.Figure()
    fig.add_scatter(
        name="Attributed revenue",
        x=days,
        y=[float(r.revenue) for r in rows],
        mode="lines",
        line={"color": COLORS["tiktok"]},
    )
    fig.add_scatter(
        name="Ad spend",
        x=days,
        y=[float(r.spend) for r in rows],
        mode="lines",
        line={"color": "#111827", "dash": "dot"},
    )
    fig.add_scatter(
        name="Conversions",
        x=days,
        y=[r.conversions for r in rows],
        mode="lines",
        yaxis="y2",
        line={"color": "#8b5cf6"},
    )
    fig.update_layout(yaxis2={"overlaying": "y", "side": "right", "showgrid": False, "title": "conversions"})
    return to_div(base_layout(fig, title=title))
