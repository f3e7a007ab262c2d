"""Plotly figure builders: selector rows in, an HTML <div> + script out (plotly.js comes from our static)."""

import plotly.graph_objects as go
import plotly.io as pio

CONFIG = {"displaylogo": False, "responsive": True}
COLORS = {
    "tiktok": "#fe2c55",
    "meta": "#1877f2",
    "google": "#34a853",
    "email": "#f59e0b",
    "organic_search": "#10b981",
    "organic_social": "#8b5cf6",
    "referral": "#64748b",
    "direct": "#111827",
    "other": "#9ca3af",
    "unattributed": "#d1d5db",
}


def base_layout(fig: go.Figure, *, title: str, height: int = 320) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01},
        height=height,
        template="plotly_white",
        margin={"l": 50, "r": 20, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def to_div(fig: go.Figure) -> str:
    """The figure as an embeddable <div> (no plotly.js inlined, no CDN)."""
    return pio.to_html(fig, full_html=False, include_plotlyjs=False, config=CONFIG)


def empty(title: str, message: str = "No data for this selection.") -> str:
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, font={"size": 14, "color": "#6b7280"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return to_div(base_layout(fig, title=title, height=220))
