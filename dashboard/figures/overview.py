"""Overview figures: revenue and spend by channel, model comparison, trend over time."""

from dashboard.selectors.overview import ChannelRow, ModelChannelRow, TrendRow

from . import COLORS, empty_figure, figure, to_div


def channel_revenue_spec(rows: list[ChannelRow]) -> dict:
    title = "Attributed revenue and spend by channel"
    if not rows:
        return empty_figure(title)
    labels = [r.label for r in rows]
    return figure(
        [
            {
                "type": "bar",
                "name": "Attributed revenue",
                "x": labels,
                "y": [float(r.revenue) for r in rows],
                "marker": {"color": [COLORS.get(r.channel, "#9ca3af") for r in rows]},
            },
            {
                "type": "bar",
                "name": "Spend",
                "x": labels,
                "y": [float(r.spend or 0) for r in rows],
                "marker": {"color": "#9ca3af"},
            },
        ],
        title=title,
        barmode="group",
    )


def model_comparison_spec(rows: list[ModelChannelRow]) -> dict:
    title = "How each model credits each channel"
    if not rows:
        return empty_figure(title)
    models = list(dict.fromkeys(r.model_name for r in rows))
    by_key = {(r.model_name, r.channel): r.conversions for r in rows}
    traces = [
        {
            "type": "bar",
            "name": channel,
            "x": models,
            "marker": {"color": COLORS.get(channel)},
            "y": [by_key.get((m, channel), 0) for m in models],
        }
        for channel in sorted({r.channel for r in rows})
    ]
    return figure(traces, title=title, barmode="stack", yaxis={"title": {"text": "credited conversions"}})


def trend_spec(rows: list[TrendRow], *, title: str = "Trend: ad spend vs attributed revenue") -> dict:
    if not rows:
        return empty_figure(title)
    days = [r.day.isoformat() for r in rows]
    return figure(
        [
            {
                "type": "scatter",
                "mode": "lines",
                "name": "Attributed revenue",
                "x": days,
                "y": [float(r.revenue) for r in rows],
                "line": {"color": COLORS["tiktok"]},
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": "Ad spend",
                "x": days,
                "y": [float(r.spend) for r in rows],
                "line": {"color": "#111827", "dash": "dot"},
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": "Conversions",
                "x": days,
                "yaxis": "y2",
                "y": [r.conversions for r in rows],
                "line": {"color": "#8b5cf6"},
            },
        ],
        title=title,
        yaxis2={"overlaying": "y", "side": "right", "showgrid": False, "title": {"text": "conversions"}},
    )


def channel_revenue(rows):
    return to_div(channel_revenue_spec(rows))


def model_comparison(rows):
    return to_div(model_comparison_spec(rows))


def trend(rows, **kwargs):
    return to_div(trend_spec(rows, **kwargs))
