"""Plotly figure builders: selector rows in, an HTML <div> + script out (plotly.js comes from our static).

Builders return plain Plotly figure specs ({"data": [...], "layout": {...}}) rather than
``plotly.graph_objects`` figures: constructing graph objects validates every property and cost
~15-20 ms per figure, a large share of a page's budget. The specs are validated against Plotly's
schema in the tests instead (tests/dashboard/test_figures.py), and serialized by ``plotly.io``.
"""

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
TEMPLATE = pio.templates["plotly_white"].to_plotly_json()  # resolved once, not per request


# Series are told apart by more than colour (WCAG 1.4.1): each bar series of a figure gets its own
# fill pattern, each line series its own dash and marker symbol, in trace order.
PATTERNS = ["", "/", ".", "x", "\\", "+", "-", "|"]
DASHES = ["solid", "dot", "dash", "longdash", "dashdot", "longdashdot"]
SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "cross"]


def distinguishable(traces: list[dict]) -> list[dict]:
    """The traces with a pattern (bars) or dash and symbol (lines) each, unless they set their own."""
    bars = lines = 0
    for trace in traces:
        if trace.get("type") == "bar" and len(traces) > 1:
            marker = trace.setdefault("marker", {})
            marker.setdefault("pattern", {"shape": PATTERNS[bars % len(PATTERNS)], "fgcolor": "#ffffff"})
            bars += 1
        elif trace.get("type") == "scatter" and "lines" in trace.get("mode", ""):
            trace.setdefault("line", {}).setdefault("dash", DASHES[lines % len(DASHES)])
            trace["mode"] = "lines+markers"
            trace.setdefault("marker", {}).setdefault("symbol", SYMBOLS[lines % len(SYMBOLS)])
            lines += 1
    return traces


def figure(traces: list[dict], *, title: str, height: int = 320, **layout) -> dict:
    traces = distinguishable(traces)
    return {
        "data": traces,
        "layout": {
            "title": {"text": title, "x": 0.01},
            "height": height,
            "template": TEMPLATE,
            "margin": {"l": 50, "r": 20, "t": 50, "b": 40},
            "legend": {"orientation": "h", "y": -0.2},
            **layout,
        },
    }


def to_div(fig: dict) -> str:
    """The figure as an embeddable <div> (no plotly.js inlined, no CDN)."""
    return pio.to_html(fig, full_html=False, include_plotlyjs=False, config=CONFIG, validate=False)


def empty_figure(title: str, message: str = "No data for this selection.") -> dict:
    return figure(
        [],
        title=title,
        height=220,
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[{"text": message, "showarrow": False, "font": {"size": 14, "color": "#6b7280"}}],
    )


def empty(title: str, message: str = "No data for this selection.") -> str:
    return to_div(empty_figure(title, message))
