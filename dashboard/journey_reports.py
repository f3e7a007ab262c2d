"""Page builders of the journey reports (Paths) and the journey finder, registered in ``pages.PAGES``.

Same contract as ``dashboard.pages``: ``build_<page>(*, filters, params, figures)``; the CSV export
calls them with figures=False.
"""

from django.core.cache import cache
from django.utils.html import format_html

from attribution.engine.paths import HORIZON_DAYS
from attribution.runs.path_selectors import current_run_ids

from .figures import journeys as journeys_fig
from .figures import paths as paths_fig
from .selectors import finder, paths
from .selectors.filters import DashboardFilters
from .selectors.journeys import Journey, contact_journey, visitor_journey
from .tables import Table, pct

CACHE_SECONDS = 24 * 3600  # the key names the published runs: a new run is a new key


def _choice(params, name: str, allowed, default: str) -> str:
    value = params.get(name)
    return value if value in allowed else default


def _hidden(**values) -> list[str]:
    """Inputs that keep a page's own switches when the selector bar is applied."""
    return [format_html('<input type="hidden" name="{}" value="{}">', k, v) for k, v in values.items() if v]


def build_paths(*, filters: DashboardFilters, params, figures: bool = True):
    """The Paths page, kept in the cache until a run is published: its sums change only then,
    and at a million conversions ranking the period's long tail of paths takes a few seconds."""
    level = _choice(params, "level", paths.LEVELS, "channel")
    repeats = _choice(params, "repeats", ("keep", "collapse"), "keep")
    runs = ",".join(str(i) for i in current_run_ids(workspace=filters.workspace))
    key = (f"clickledger:paths:v1:{filters.workspace.pk}:{runs}:{filters.start}:{filters.end}:"
           f"{level}:{repeats}:{int(figures)}")
    page = cache.get(key)
    if page is None:
        page = _build_paths(filters, level, repeats, figures)
        cache.set(key, page, CACHE_SECONDS)
    return page


def _build_paths(filters: DashboardFilters, level: str, repeats: str, figures: bool):
    from .pages import PageData
    top = paths.top_paths(filters=filters, level=level, collapsed=repeats == "collapse")
    assists = paths.assists(filters=filters, level=level)
    labels = paths.step_labels([s for p in top for s in p.steps] + [a.step for a in assists])
    top = paths.labelled(top, labels)
    lag, length = paths.distributions(filters=filters)
    value = paths.customer_value(filters=filters)
    currency = filters.workspace.currency
    step = "TikTok campaign or channel" if level == "campaign" else "Channel"
    page = PageData(tables={
        "paths": Table(
            "Top conversion paths",
            ["Path", "Conversions", "Share", f"Revenue ({currency})", "Median days from first touch"],
            [[p.path, p.conversions, pct(p.share), p.revenue, p.median_days] for p in top],
            note="Each conversion's eligible touches in time order (the touches every model splits it "
                 "over). " + ("Consecutive repeats of a step are shown once." if repeats == "collapse"
                              else "Consecutive repeats are kept."),
        ),
        "assists": Table(
            "Assisted vs last-touch conversions",
            [step, "Last-touch conversions", "Assisted conversions", "Assist ratio",
             "First-touch conversions", "Opens journeys (first-touch share)",
             "Closes journeys (last-touch share)"],
            [[labels.get(a.step, a.step), a.last_touch, a.assisted, a.assist_ratio, a.first_touch,
              pct(a.first_share), pct(a.last_share)] for a in assists],
            note="Assisted: on the path, but not as its last touch. Assist ratio: assisted ÷ last-touch; "
                 "above 1, the step does more opening and nurturing than closing.",
        ),
        "lag": _distribution_table("Days from first touch to conversion", lag),
        "length": _distribution_table("Touches per conversion", length),
        "value": Table(
            "Customer value by first-touch channel",
            ["First-touch channel", "Customers",
             *[f"Revenue by day {h} ({currency})" for h in HORIZON_DAYS],
             *[f"Per customer by day {h}" for h in HORIZON_DAYS]],
            [[paths.channel_label(v.channel), v.customers, *v.revenue,
              *[v.per_customer(i) for i in range(len(HORIZON_DAYS))]] for v in value],
            note="Customers whose first touch fell in the period, with all the revenue they brought "
                 "(repeat purchases and CRM deals included) up to 7, 30 and 90 days after it. "
                 "Recent cohorts are still growing.",
        ),
    })
    page.context.update(level=None, path_level=level, repeats=repeats,
                        extra_hidden=_hidden(level=level if level != "channel" else "",
                                             repeats=repeats if repeats != "keep" else ""))
    if figures:
        page.figures = [
            paths_fig.path_sankey(top, labels),
            paths_fig.assists_chart(assists, labels),
            paths_fig.distribution_chart(lag, title="Time lag by first-touch channel"),
            paths_fig.distribution_chart(length, title="Path length by first-touch channel"),
            paths_fig.customer_value_chart(value, currency),
        ]
    return page


def _distribution_table(title: str, dist: paths.Distribution) -> Table:
    return Table(
        title,
        ["First-touch channel", *dist.buckets, "Conversions"],
        [[paths.channel_label(channel), *counts, sum(counts)] for channel, counts in dist.rows.items()],
    )


def build_finder(*, filters: DashboardFilters, params, figures: bool = True):
    """One person's journey. The lookup is posted (an email or phone never goes into a URL, where
    access logs would keep it); links and exports then name the person found by id."""
    from .pages import PageData

    by = _choice(params, "by", finder.FIND_BY, "email")
    typed = str(params.get("q", "")).strip()
    page = PageData()
    page.context.update(find_by=finder.FIND_BY, by=by, by_label=finder.FIND_BY[by], typed=typed)
    try:
        if typed:
            person = finder.find_person(workspace=filters.workspace, by=by, value=typed)
        else:
            linked = finder.Person.parse(str(params.get("person", "")))
            person = linked or finder.example_person(filters=filters)
    except finder.FinderError as exc:
        page.context.update(finder_error=str(exc), status=400)
        person = None
    if person is None:
        page.context["not_found"] = bool(typed) and "finder_error" not in page.context
        page.tables["journey"] = _journey_table(None)
        return page
    journey = (contact_journey(workspace=filters.workspace, contact_id=person.contact_id) if person.contact_id
               else visitor_journey(workspace=filters.workspace, visitor_id=person.visitor_id))
    page.tables["journey"] = _journey_table(journey, person.label)
    page.context.update(person=person, journey=journey, example="person" not in params and not typed,
                        export_query=f"person={person.key}", extra_hidden=_hidden(person=person.key))
    if figures:
        page.figures = [journeys_fig.credit_per_touch(c, journey.models) for c in journey.conversions]
    return page


def _journey_table(journey: Journey | None, label: str = "") -> Table:
    """Every touch before each conversion with each model's share and revenue; a conversion no
    touch earned credit for shows as one "(unattributed)" row."""
    models = journey.models if journey else []
    columns = ["Conversion", "Touch #", "When", "Channel", "Kind", "utm_campaign"]
    columns += [c for m in models for c in (f"{m} share", f"{m} revenue")]
    rows = []
    for conv in journey.conversions if journey else []:
        name = f"{conv.event_name} #{conv.conversion_id} ({conv.value} {conv.currency})"
        for i, t in enumerate(conv.touches, start=1):
            credit = [t.credit.get(m.pk, (0.0, None)) for m in models]
            rows.append([name, i, t.occurred_at, t.channel, t.kind, t.utm_campaign,
                         *[x for weight, revenue in credit for x in (pct(weight), revenue)]])
        if conv.unattributed:
            rows.append([name, None, conv.occurred_at, "(unattributed)", "", "",
                         *[x for m in models for x in (pct(conv.unattributed.get(m.pk)), None)]])
    return Table(f"Journey of {label}" if label else "Journey", columns, rows)


JOURNEY_PAGES = {"paths": build_paths, "finder": build_finder}
TITLES = {"paths": "Conversion paths", "finder": "Journey finder"}
