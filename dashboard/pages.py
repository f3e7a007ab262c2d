"""Page builders: selectors → tables (shown and exported as CSV) and figures (shown only).

Every page is one function ``build_<page>(*, filters, params, figures)``; the CSV export calls the same
function with figures=False, so a table on screen and its export cannot disagree.
"""

from dataclasses import dataclass, field

from django.urls import reverse

from attribution.channels import Platform
from attribution.models import AdCampaign, AdGroup, MetricLevel

from .figures import comparison as comparison_fig
from .figures import journeys as journeys_fig
from .figures import model_matrix as model_matrix_fig
from .figures import overview as overview_fig
from .figures import tiktok as tiktok_fig
from .formatting import Credited, Money
from .gaps import explain_gaps, gap_inputs
from .page_parts import cash, change_cell, currency_notice, kpi, matrix_tables, merge_currency_lines
from .selectors import audits, comparison, diagnostics, journeys, model_matrix, overview, tiktok
from .selectors.common import ZERO, ratio
from .selectors.filters import DashboardFilters
from .selectors.platforms import platform_choices, platform_of
from .tables import Table, pct


@dataclass
class PageData:
    tables: dict[str, Table] = field(default_factory=dict)
    figures: list[str] = field(default_factory=list)
    context: dict = field(default_factory=dict)


def build_overview(*, filters: DashboardFilters, params, figures: bool = True) -> PageData:
    channels = overview.channel_performance(filters=filters)
    before = overview.channel_performance(filters=filters.previous()) if filters.compare else []
    prev = {r.channel: r for r in before}
    matrix = model_matrix.model_matrix(filters=filters)
    trend = overview.daily_trend(filters=filters)
    columns = ["Channel", "Spend", "Conversions", "Revenue", "ROAS", "CPA"]
    rows = []
    for r in channels:
        row = [r.label, cash(filters, r.spend), Credited(r.conversions), cash(filters, r.revenue), r.roas,
               cash(filters, r.cpa)]
        if filters.compare:
            p = prev.get(r.channel)
            row += [change_cell(r.conversions, p.conversions if p else 0),
                    change_cell(r.revenue, p.revenue if p else 0)]
        rows.append(row)
    if filters.compare:
        columns += ["Conversions vs previous", "Revenue vs previous"]
    page = PageData(
        tables={
            "channels": Table(
                "Performance by channel",
                columns,
                rows,
                note="Spend is what each ad platform reports; organic, email and direct have none (no ROAS)."
                + (f" Changes are against {_period_label(filters.previous())}." if filters.compare else ""),
            ),
            **matrix_tables(matrix, filters),
            "trend": Table(
                "Trend",
                ["Day", "Ad spend", "Conversions", "Revenue", "ROAS"],
                [[r.day, cash(filters, r.spend), Credited(r.conversions), cash(filters, r.revenue), r.roas]
                 for r in trend],
            ),
        }
    )
    page.context["kpis"] = _overview_kpis(channels, before, filters)
    page.context["previous_period"] = _period_label(filters.previous()) if filters.compare else ""
    currency_notice(page.context, filters, overview.other_currencies(filters=filters))
    if figures:
        page.figures = [
            overview_fig.channel_revenue(channels),
            model_matrix_fig.credit_shift(matrix),
            overview_fig.trend(trend),
        ]
    return page


def _period_label(filters: DashboardFilters) -> str:
    start, end = filters.start, filters.end
    return f"{start:%b} {start.day} – {end:%b} {end.day}, {end.year}"


def _overview_kpis(channels, before, filters: DashboardFilters) -> list:
    def totals(rows):
        paid = [r for r in rows if r.spend is not None]  # every channel an ad platform reports
        spend = sum((r.spend for r in paid), start=ZERO) if paid else None
        return {
            "revenue": sum((r.revenue for r in rows), start=ZERO),
            "conversions": sum((r.conversions for r in rows), start=0.0),
            "spend": spend,
            "roas": ratio(sum((r.revenue for r in paid), start=ZERO), spend) if paid else None,
        }

    now, then = totals(channels), totals(before)
    cards = [("Attributed revenue", "revenue", "money"), ("Conversions", "conversions", "credited"),
             ("Paid spend", "spend", "money"), ("Paid ROAS", "roas", "ratio")]
    return [kpi(label, now[key], then[key], kind, filters=filters, compared=filters.compare)
            for label, key, kind in cards]


NEXT_LEVEL = {MetricLevel.CAMPAIGN: MetricLevel.ADGROUP, MetricLevel.ADGROUP: MetricLevel.AD}
PARENT_MODEL = {MetricLevel.ADGROUP: AdCampaign, MetricLevel.AD: AdGroup}


def _tiktok_parent(filters: DashboardFilters, level: str, params):
    """The campaign (for ad groups) or ad group (for ads) being drilled into, if it is the workspace's."""
    parent_id = str(params.get("parent", ""))
    if level == MetricLevel.CAMPAIGN or not parent_id.isdigit():
        return None
    parents = PARENT_MODEL[level].objects.filter(workspace=filters.workspace, pk=int(parent_id))
    if level == MetricLevel.AD:
        parents = parents.select_related("campaign")  # the breadcrumb names it
    return parents.first()


def _entity_tables(table, level: str, model, filters: DashboardFilters, platform=Platform.TIKTOK,
                   before=None) -> dict[str, Table]:
    """The entities with the platform's numbers and every model's credit; with ``before`` (the
    same entities over the previous period) the change of spend and of the selected model's
    conversions and revenue."""
    label = Platform(platform).label
    columns = ["Name", "External id", "Spend", "Impressions", "Clicks", f"{label} conv.", f"{label} value"]
    if before is not None:  # beside the platform's numbers, where they are read without scrolling
        columns += ["Spend vs previous", f"{model or 'Model'} conv. vs previous",
                    f"{model or 'Model'} revenue vs previous"]
        earlier = {r.entity_id: r for r in before.rows}
    columns += [f"{m} ROAS" for m in table.models] + [f"{m} conv." for m in table.models]
    columns += [f"{m} revenue" for m in table.models] + ["Recommendation"]
    rows, links, advice = [], [], []
    nxt = NEXT_LEVEL.get(level)
    for r in table.rows:
        credits = [r.credit(m.pk) for m in table.models]
        rec = r.recommendation
        rows.append([
            r.name, r.external_id, cash(filters, r.spend), r.impressions, r.clicks,
            Credited(float(r.reported_conversions)), cash(filters, r.reported_value),
            *(_entity_changes(r, earlier.get(r.entity_id), model) if before is not None else []),
            *[c.roas for c in credits], *[Credited(c.conversions) for c in credits],
            *[cash(filters, c.revenue) for c in credits], rec.action if rec else None,
        ])
        links.append(f"level={nxt}&parent={r.entity_id}&platform={platform}" if nxt else None)
        if rec:
            advice.append([r.name, rec.action, rec.reason, rec.evidence, rec.confidence])
    note = f"Changes are against {_period_label(filters.previous())}." if before is not None else ""
    return {
        "entities": Table(f"{label} {MetricLevel(level).label.lower()}s", columns, rows, links, note=note),
        "recommendations": Table(
            f"Recommendations under {model or 'no model'}",
            ["Name", "Action", "Why", "Data behind it", "How sure"],
            advice,
        ),
    }


def _entity_changes(now, then, model) -> list:
    """Spend and the selected model's conversions and revenue against the previous period (an
    entity without a row then had none)."""
    model_id = model.pk if model else None
    credit, earlier = now.credit(model_id), then.credit(model_id) if then else None
    return [change_cell(now.spend, then.spend if then else 0),
            change_cell(credit.conversions, earlier.conversions if earlier else 0),
            change_cell(credit.revenue, earlier.revenue if earlier else 0)]


def build_tiktok(*, filters: DashboardFilters, params, figures: bool = True) -> PageData:
    level = params.get("level") if params.get("level") in MetricLevel.values else MetricLevel.CAMPAIGN
    parent = _tiktok_parent(filters, level, params)
    platform = platform_of(params)
    selection = {"platform": platform, "level": level, "parent_id": parent.pk if parent else None}
    table = tiktok.platform_entities(filters=filters, **selection)
    before = tiktok.platform_entities(filters=filters.previous(), **selection) if filters.compare else None
    page = PageData(tables=_entity_tables(table, level, filters.model, filters, platform, before))
    page.context.update(level=level, parent=parent, breadcrumb=_breadcrumb(parent, platform))
    _platform_context(page, filters, platform, title=f"{platform.label} drill-down")
    currency_notice(page.context, filters, overview.other_currencies(filters=filters, channel=platform))
    if figures:
        model_id = filters.model.pk if filters.model else None
        page.figures = [
            tiktok_fig.spend_vs_revenue(table, model_id=model_id, platform=platform.label),
            tiktok_fig.roas_by_model(table),
        ]
    return page


def _breadcrumb(parent, platform=Platform.TIKTOK) -> list[tuple[str, str]]:
    """[(label, query)] from the campaign list down to the current parent."""
    crumbs = [("All campaigns", "level=campaign")]
    if isinstance(parent, AdGroup):
        crumbs.append((parent.campaign.name, f"level=adgroup&parent={parent.campaign_id}"))
        crumbs.append((parent.name, f"level=ad&parent={parent.pk}"))
    elif isinstance(parent, AdCampaign):
        crumbs.append((parent.name, f"level=adgroup&parent={parent.pk}"))
    return [(label, f"{query}&platform={platform}") for label, query in crumbs]


def _platform_context(page: PageData, filters: DashboardFilters, platform, *, title: str) -> None:
    """The platform switch of the drill-down and three-way pages (1 query)."""
    page.context.update(platform=platform.value, platform_label=platform.label, title=title,
                        platforms=platform_choices(workspace=filters.workspace))


def build_compare(*, filters: DashboardFilters, params, figures: bool = True) -> PageData:
    platform = platform_of(params)
    data = comparison.three_way(filters=filters, platform=platform)
    diag = diagnostics.diagnostics_summary(filters=filters)
    gaps = data.gaps()
    sources = [data.reported, data.attributed, data.crm, data.crm_all_channels]
    columns, rows = ["Source", "Conversions", "Revenue"], [
        [s.source, Credited(float(s.conversions)), cash(filters, s.revenue)] for s in sources
    ]
    if filters.compare:
        then = comparison.three_way(filters=filters.previous(), platform=platform)
        earlier = [then.reported, then.attributed, then.crm, then.crm_all_channels]
        columns += ["Conversions vs previous", "Revenue vs previous"]
        for row, s, p in zip(rows, sources, earlier, strict=True):
            row += [change_cell(s.conversions, p.conversions), change_cell(s.revenue, p.revenue)]
    view_days = data.reported_window[1] if data.reported_window else filters.view_window_days
    causes = explain_gaps(gap_inputs(comparison=data, diag=diag, view_window_days=view_days))
    page = PageData(
        tables={
            "sources": Table(
                "Three ways",
                columns,
                rows,
                note=f"Changes are against {_period_label(filters.previous())}." if filters.compare else "",
            ),
            "gaps": Table(
                "Gaps", ["Comparison", "Gap"], [[k.replace("_", " "), pct(v)] for k, v in gaps.items()]
            ),
        }
    )
    page.context.update(
        causes=causes, attribution_window=data.attribution_window, window_mismatch=data.window_mismatch,
        reported_window=data.reported_window,
    )
    _platform_context(page, filters, platform, title=f"{platform.label} vs attribution vs CRM")
    currency_notice(page.context, filters, merge_currency_lines(
        overview.other_currencies(filters=filters, channel=platform),
        comparison.crm_closed_other_currencies(filters=filters),
    ))
    if figures:
        page.figures = [comparison_fig.three_way_bars(data)]
    return page


def build_diagnostics(*, filters: DashboardFilters, params, figures: bool = True) -> PageData:
    days = diagnostics.diagnostics_days(filters=filters)
    summary = diagnostics.summarize(days)
    violations = diagnostics.utm_violations(filters=filters)
    page = PageData(
        tables={
            "health": Table(
                "Tracking health",
                ["Check", "Count", "Out of", "Rate"],
                [
                    [
                        "ttclid kept on TikTok sessions",
                        summary.tiktok_sessions_with_ttclid,
                        summary.tiktok_sessions,
                        pct(summary.ttclid_capture_rate),
                    ],
                    [
                        "Pixel+server duplicates not deduplicated",
                        summary.undeduplicated_duplicates,
                        summary.pixel_conversions,
                        pct(summary.duplicate_rate),
                    ],
                    [
                        "Conversions firing on page load",
                        summary.page_load_conversions,
                        summary.pixel_conversions,
                        pct(summary.page_load_rate),
                    ],
                    [
                        "Conversions received after the window",
                        summary.delayed_conversions,
                        summary.conversions,
                        pct(summary.delayed_rate),
                    ],
                    [
                        "TikTok sessions breaking the UTM convention",
                        summary.utm_violations,
                        summary.tiktok_sessions,
                        pct(summary.utm_violation_rate),
                    ],
                ],
            ),
            "utm": Table(
                "UTM naming violations",
                ["utm_source", "utm_medium", "utm_campaign", "Problems", "Sessions"],
                [[v.utm_source, v.utm_medium, v.utm_campaign, v.problems, v.sessions] for v in violations],
            ),
        }
    )
    page.context.update(summary=summary)
    if figures:
        page.figures = [comparison_fig.diagnostics_rates(summary), comparison_fig.diagnostics_daily(days)]
    return page


def build_journeys(*, filters: DashboardFilters, params, figures: bool = True) -> PageData:
    recent = journeys.converting_contacts(filters=filters)
    contact_id = (
        int(params["contact"])
        if str(params.get("contact", "")).isdigit()
        else (recent[0].contact_id if recent else None)
    )
    page = PageData(
        tables={
            "recent": Table(
                "Recent conversions by known contacts",
                ["Contact", "Event", "When", "Value"],
                [
                    [f"Contact {c.contact_id}", c.event_name, c.occurred_at, Money(c.value, c.currency)]
                    for c in recent
                ],
                [f"contact={c.contact_id}" for c in recent],
            )
        }
    )
    if contact_id is None:
        return page
    journey = journeys.contact_journey(workspace=filters.workspace, contact_id=contact_id)
    columns = ["Conversion", "Touch #", "When", "Channel", "Kind", "utm_campaign", "ttclid"]
    columns += [f"{m} credit" for m in journey.models]
    rows = []
    for conv in journey.conversions:
        for i, t in enumerate(conv.touches, start=1):
            rows.append(
                [
                    f"{conv.event_name} #{conv.conversion_id}",
                    i,
                    t.occurred_at,
                    t.channel,
                    t.kind,
                    t.utm_campaign,
                    "yes" if t.has_ttclid else "no",
                    *[t.credit.get(m.pk, (0.0, 0))[0] for m in journey.models],
                ]
            )
    page.tables["journey"] = Table(f"Journey of contact {contact_id}", columns, rows)
    page.context.update(journey=journey, contact_id=contact_id)
    if figures:
        page.figures = [journeys_fig.credit_per_touch(c, journey.models) for c in journey.conversions]
    return page


def build_audits(*, filters: DashboardFilters, params, figures: bool = True) -> PageData:
    """The workspace's audit reports (all periods: the selector's dates do not filter them)."""
    reports = audits.workspace_audits(workspace=filters.workspace)
    rows = [
        [
            f"{r.period_start} – {r.period_end}",
            r.get_worst_severity_display(),
            len(r.findings),
            "; ".join(f"[{f['severity']}] {f['title']}" for f in r.findings_at_least("warning")) or "–",
            r.emailed_at.strftime("%Y-%m-%d %H:%M") if r.emailed_at else "no",
        ]
        for r in reports
    ]
    table = Table(
        "Weekly audits",
        ["Period", "Worst", "Findings", "Warnings and worse", "Admins emailed"],
        rows,
        [reverse("dashboard:audit_detail", args=[r.pk]) for r in reports],
    )
    page = PageData(tables={"reports": table})
    page.context["reports"] = reports
    return page


PAGES = {
    "overview": build_overview,
    "tiktok": build_tiktok,
    "compare": build_compare,
    "diagnostics": build_diagnostics,
    "journeys": build_journeys,
    "audits": build_audits,
}

from .journey_reports import JOURNEY_PAGES  # noqa: E402 (they build PageData, defined above)

PAGES.update(JOURNEY_PAGES)
__all__ = ["PAGES", "PageData"]
