"""Journey-report figures: a Sankey of the top paths, assists, time lag, path length, customer value."""

from attribution.engine.paths import HORIZON_DAYS
from dashboard.selectors.paths import Assists, CustomerValue, Distribution, TopPath, channel_label

from . import COLORS, empty_figure, figure, to_div

SANKEY_PATHS = 10
SANKEY_STEPS = 5  # longer paths end in "…"


def _color(step: str) -> str:
    return COLORS.get(step.split(":", 1)[0], COLORS["other"])


def path_sankey_spec(paths: list[TopPath], labels: dict[str, str]) -> dict:
    """Touch 1 → touch 2 → … → conversion, for the top paths; link width = conversions."""
    title = "Top conversion paths, touch by touch"
    shown = [p for p in paths if p.steps][:SANKEY_PATHS]
    if not shown:
        return empty_figure(title)
    nodes: dict[tuple[int, str], int] = {}
    names, colors = [], []

    def node(position: int, step: str) -> int:
        key = (position, step)
        if key not in nodes:
            nodes[key] = len(names)
            names.append("Conversion" if step == "=" else "…" if step == "…" else
                         f"{position + 1}. {labels.get(step, step)}")
            colors.append("#111827" if step in ("=", "…") else _color(step))
        return nodes[key]

    links: dict[tuple[int, int], int] = {}
    for path in shown:
        steps = path.steps[:SANKEY_STEPS] + (["…"] if len(path.steps) > SANKEY_STEPS else [])
        chain = [node(i, s) for i, s in enumerate(steps)] + [node(SANKEY_STEPS + 1, "=")]
        for a, b in zip(chain, chain[1:], strict=False):
            links[(a, b)] = links.get((a, b), 0) + path.conversions
    trace = {
        "type": "sankey",
        "arrangement": "snap",
        "node": {"label": names, "color": colors, "pad": 12, "thickness": 14},
        "link": {"source": [a for a, _ in links], "target": [b for _, b in links],
                 "value": list(links.values()), "color": "rgba(100,116,139,0.25)"},
    }
    return figure([trace], title=title, height=420)


def assists_spec(rows: list[Assists], labels: dict[str, str]) -> dict:
    title = "Last-touch vs assisted conversions"
    if not rows:
        return empty_figure(title)
    x = [labels.get(r.step, r.step) for r in rows]
    return figure(
        [
            {"type": "bar", "name": "Last touch", "x": x, "y": [r.last_touch for r in rows],
             "marker": {"color": [_color(r.step) for r in rows]}},
            {"type": "bar", "name": "Assisted", "x": x, "y": [r.assisted for r in rows],
             "marker": {"color": "#9ca3af"}},
        ],
        title=title, barmode="group", yaxis={"title": {"text": "conversions"}},
    )


def distribution_spec(dist: Distribution, *, title: str) -> dict:
    if not dist.rows:
        return empty_figure(title)
    traces = [
        {"type": "bar", "name": channel_label(channel), "x": dist.buckets, "y": counts,
         "marker": {"color": _color(channel)}}
        for channel, counts in dist.rows.items()
    ]
    return figure(traces, title=title, barmode="stack", yaxis={"title": {"text": "conversions"}})


def customer_value_spec(rows: list[CustomerValue], currency: str) -> dict:
    title = f"Revenue per customer by first-touch channel ({currency})"
    if not rows:
        return empty_figure(title)
    x = [channel_label(r.channel) for r in rows]
    traces = [
        {"type": "bar", "name": f"by day {h}", "x": x,
         "y": [float(r.per_customer(i) or 0) for r in rows]}
        for i, h in enumerate(HORIZON_DAYS)
    ]
    return figure(traces, title=title, barmode="group", yaxis={"title": {"text": f"{currency} per customer"}})


def path_sankey(paths, labels):
    return to_div(path_sankey_spec(paths, labels))


def assists_chart(rows, labels):
    return to_div(assists_spec(rows, labels))


def distribution_chart(dist, *, title):
    return to_div(distribution_spec(dist, title=title))


def customer_value_chart(rows, currency):
    return to_div(customer_value_spec(rows, currency))
