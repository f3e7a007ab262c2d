"""Three-way comparison and diagnostics figures."""

import plotly.graph_objects as go

from dashboard.selectors.comparison import ThreeWay
from dashboard.selectors.diagnostics import DiagnosticsSummary

from . import base_layout, empty, to_div


def three_way_bars(data: ThreeWay) -> str:
    sources = [data.reported, data.attributed, data.crm]
    names = [s.source for s in sources]
    colors = ["#25f4ee", "#fe2c55", "#111827"]
    fig = go.Figure()
    fig.add_bar(name="Conversions", x=names, y=[float(s.conversions) for s in sources], marker_color=colors)
    fig.add_bar(
        name="Revenue",
        x=names,
        y=[float(s.revenue) for s in sources],
        marker_color=colors,
        yaxis="y2",
        opacity=0.55,
    )
    fig.update_layout(
        barmode="group",
        yaxis_title="conversions",
        yaxis2={"overlaying": "y", "side": "right", "showgrid": False, "title": "revenue"},
    )
    return to_div(base_layout(fig, title="Conversions (solid) and revenue (light) three ways"))


def diagnostics_rates(summary: DiagnosticsSummary) -> str:
    rates = {
        "ttclid capture": summary.ttclid_capture_rate,
        "duplicates": summary.duplicate_rate,
        "page-load firing": summary.page_load_rate,
        "delayed": summary.delayed_rate,
        "UTM violations": summary.utm_violation_rate,
    }
    known = {k: v for k, v in rates.items() if v is not None}
    if not known:
        return empty("Tracking health", "No diagnostics computed for this period yet.")
    fig = go.Figure(
        go.Bar(
            x=list(known),
            y=[v * 100 for v in known.values()],
            marker_color=["#0f9d58"] + ["#dc2626"] * (len(known) - 1),
        )
    )
    fig.update_layout(yaxis_title="% (capture: higher is better; others: lower)")
    return to_div(base_layout(fig, title="Tracking health"))


def diagnostics_daily(days) -> str:
    if not days:
        return empty("Tracking health per day", "No diagnostics computed for this period yet.")
    x = [d.day.isoformat() for d in days]
    fig = go.Figure()
    fig.add_scatter(
        name="ttclid capture %",
        x=x,
        mode="lines",
        y=[
            100 * d.tiktok_sessions_with_ttclid / d.tiktok_sessions if d.tiktok_sessions else None
            for d in days
        ],
    )
    fig.add_scatter(
        name="duplicates %",
        x=x,
        mode="lines",
        y=[
            100 * d.undeduplicated_duplicates / d.pixel_conversions if d.pixel_conversions else None
            for d in days
        ],
    )
    fig.add_scatter(
        name="UTM violations %",
        x=x,
        mode="lines",
        y=[100 * d.utm_violations / d.tiktok_sessions if d.tiktok_sessions else None for d in days],
    )
    return to_div(base_layout(fig, title="Tracking health per day"))
