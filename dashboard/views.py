"""Dashboard views: thin. Resolve the user's filters, call a page builder, render or export."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from attribution.models import Workspace

from .forms import filters_from_request
from .journey_reports import TITLES as JOURNEY_TITLES
from .models import AuditReport
from .pages import PAGES
from .selectors import setup
from .selectors.audits import latest_audit
from .selectors.common import active_models

TITLES = {
    "overview": "Overview",
    "tiktok": "TikTok drill-down",
    "compare": "TikTok vs attribution vs CRM",
    "diagnostics": "Diagnostics",
    "journeys": "Journeys",
    "audits": "Audits",
    **JOURNEY_TITLES,
}


def _user_workspaces(user) -> list[Workspace]:
    return list(Workspace.objects.for_user(user).order_by("name"))


def _no_workspace(request):
    return render(request, "dashboard/no_workspace.html", status=200)


@login_required
def page(request, name: str = "overview"):
    if name not in PAGES:
        raise Http404("No such page.")
    workspaces = _user_workspaces(request.user)
    if not workspaces:
        return _no_workspace(request)
    form, filters = filters_from_request(
        request.GET, workspaces=workspaces, models_for=lambda ws: active_models(workspace=ws)
    )
    with timezone.override(filters.workspace.tzinfo):  # times on screen are the workspace's
        if name != "audits" and not setup.has_attribution_output(workspace=filters.workspace):
            context = _first_run_context(name, form, filters, request)
            return render(request, "dashboard/first_run.html", context)
        context = _page_context(name, form, filters, request)
        return render(request, f"dashboard/{name}.html", context, status=context.get("status", 200))


def _first_run_context(name, form, filters, request) -> dict:
    """A workspace without attribution output yet: what to do next, instead of empty charts."""
    return {
        "page": name,
        "title": TITLES[name],
        "form": form,
        "filters": filters,
        "filter_query": _filter_query(filters),
        "steps": setup.setup_checklist(workspace=filters.workspace),
        "can_admin": request.user.is_staff,
    }


def _page_context(name, form, filters, request) -> dict:
    params = request.GET.copy()
    params.update(request.POST)  # a form posted for what must stay out of URLs (the finder's email)
    data = PAGES[name](filters=filters, params=params, figures=True)
    context = {
        "page": name,
        "title": TITLES[name],
        "form": form,
        "filters": filters,
        "tables": data.tables,
        "figures": data.figures,
        "query": request.GET.urlencode(),
        "filter_query": _filter_query(filters),
        **data.context,
    }
    if "export_query" in data.context:  # a page's exports carry its own state (e.g. the person found)
        context["query"] = f"{context['filter_query']}&{data.context['export_query']}"
    if name == "overview":
        context["audit"] = latest_audit(workspace=filters.workspace)
    return context


def _filter_query(filters) -> str:
    """The selector bar's state as a query string, carried by drill-down links."""
    return (
        f"ws={filters.workspace.pk}&period={filters.period}&start={filters.start}&end={filters.end}"
        f"&compare={'previous' if filters.compare else 'none'}"
        f"&model={filters.model.pk if filters.model else ''}"
        f"&window={filters.click_window_days}-{filters.view_window_days}"
    )


@login_required
def export_csv(request, name: str, table: str):
    """Any table of any page, as CSV, for the same selection as on screen."""
    if name not in PAGES:
        raise Http404("No such page.")
    workspaces = _user_workspaces(request.user)
    if not workspaces:
        raise Http404("No workspace.")
    _, filters = filters_from_request(
        request.GET, workspaces=workspaces, models_for=lambda ws: active_models(workspace=ws)
    )
    data = PAGES[name](filters=filters, params=request.GET, figures=False)
    if table not in data.tables:
        raise Http404("No such table on this page.")
    response = HttpResponse(data.tables[table].to_csv(), content_type="text/csv; charset=utf-8")
    filename = f"clickledger-{filters.workspace.slug}-{name}-{table}-{filters.start}-{filters.end}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def audit_detail(request, pk: int):
    report = get_object_or_404(
        AuditReport.objects.select_related("workspace", "model_config"),
        pk=pk,
        workspace__in=Workspace.objects.for_user(request.user),
    )
    return render(
        request,
        "dashboard/audit_detail.html",
        {"page": "audits", "title": f"Audit {report.period_start} – {report.period_end}", "report": report},
    )
