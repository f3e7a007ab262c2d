"""Three-way comparison and diagnostics figures."""

from dashboard.selectors.comparison import ThreeWay
from dashboard.selectors.diagnostics import DiagnosticsSummary

from . import empty_figure, figure, to_div

NO_DIAGNOSTICS = "No diagnostics computed for this period yet."


def three_way_spec(data: ThreeWay) -> dict:
    sources = [data.reported, data.attributed, data.crm]
    names = [s.source for s in sources]
    colors = ["#25f4ee", "#fe2c55", "#111827"]
    return figure(
        [
            {
                "type": "bar",
                "name": "Conversions",
                "x": names,
                "y": [float(s.conversions) for s in sources],
                "marker": {"color": colors},
                "offsetgroup": "conversions",
            },
            {
                "type": "bar",
                "name": "Revenue",
                "x": names,
                "y": [float(s.revenue) for s in sources],
                "marker": {"color": colors},
                "opacity": 0.55,
                "yaxis": "y2",
                "offsetgroup": "revenue",
            },
        ],
        title="Conversions (solid) and revenue (light) three ways",
        barmode="group",
        yaxis={"title": {"text": "conversions"}},
        yaxis2={"overlaying": "y", "side": "right", "showgrid": False, "title": {"text": "revenue"}},
    )


def diagnostics_rates_spec(summary: DiagnosticsSummary) -> dict:
    rates = {
        "ttclid capture": summary.ttclid_capture_rate,
        "duplicates": summary.duplicate_rate,
        "page-load firing": summary.page_load_rate,
        "delayed": summary.delayed_rate,
        "UTM violations": summary.utm_violation_rate,
    }
    known = {k: v for k, v in rates.items() if v is not None}
    if not known:
        return empty_figure("Tracking health", NO_DIAGNOSTICS)
    colors = ["#0f9d58" if k == "ttclid capture" else "#dc2626" for k in known]
    return figure(
        [
            {
                "type": "bar",
                "x": list(known),
                "y": [v * 100 for v in known.values()],
                "marker": {"color": colors},
            }
        ],
        title="Tracking health",
        yaxis={"title": {"text": "% (capture: higher is better; others: lower)"}},
    )


def _pct(part, whole):
    return 100 * part / whole if whole else None


def diagnostics_daily_spec(days) -> dict:
    if not days:
        return empty_figure("Tracking health per day", NO_DIAGNOSTICS)
    x = [d.day.isoformat() for d in days]
    series = {
        "ttclid capture %": [_pct(d.tiktok_sessions_with_ttclid, d.tiktok_sessions) for d in days],
        "duplicates %": [_pct(d.undeduplicated_duplicates, d.pixel_conversions) for d in days],
        "UTM violations %": [_pct(d.utm_violations, d.tiktok_sessions) for d in days],
    }
    return figure(
        [{"type": "scatter", "mode": "lines", "name": k, "x": x, "y": v} for k, v in series.items()],
        title="Tracking health per day",
    )


def three_way_bars(data):
    return to_div(three_way_spec(data))


def diagnostics_rates(summary):
    return to_div(diagnostics_rates_spec(summary))


def diagnostics_daily(days):
    return to_div(diagnostics_daily_spec(days))
