"""The selector bar: workspace, period (a preset or custom dates, compared with the one before),
model and the attribution window of platform numbers."""

from django import forms
from django.utils import timezone

from attribution.channels import Channel
from attribution.models import AttributionModelConfig, LookbackWindow, Workspace
from attribution.models.runs import CLICK_WINDOW_CHOICES, DEFAULT_WINDOWS, VIEW_WINDOW_CHOICES

from . import periods
from .selectors.filters import DashboardFilters

MAX_DAYS = 366
WINDOW_CHOICES = [
    (f"{c}-{v}", f"{cl} / {vl}") for c, cl in CLICK_WINDOW_CHOICES for v, vl in VIEW_WINDOW_CHOICES
]
COMPARE_CHOICES = [("previous", "Previous period"), ("none", "Nothing")]


class FilterForm(forms.Form):
    ws = forms.TypedChoiceField(coerce=int, label="Workspace")
    period = forms.ChoiceField(choices=periods.PRESETS, label="Period")
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="From")
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="To")
    compare = forms.ChoiceField(choices=COMPARE_CHOICES, label="Compare with")
    model = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Model")
    window = forms.ChoiceField(choices=WINDOW_CHOICES, label="TikTok window")

    def __init__(self, data, *, workspaces: list[Workspace], models: list[AttributionModelConfig],
                 today=None):
        super().__init__(data)
        # Plain choices from rows already loaded: validating and rendering cost no query.
        self.fields["ws"].choices = [(w.pk, w.name) for w in workspaces]
        self.fields["model"].choices = [(m.pk, str(m)) for m in models] or [("", "no model yet")]
        self.models = {m.pk: m for m in models}
        self.today = today

    def clean(self):
        data = super().clean()
        preset = data.get("period")
        if preset and preset != periods.CUSTOM and self.today:
            data["start"], data["end"] = periods.preset_range(preset, today=self.today)
            self.data = {**self.data, "start": data["start"].isoformat(), "end": data["end"].isoformat()}
        if data.get("start") and data.get("end"):
            if data["start"] > data["end"]:
                raise forms.ValidationError("The start date must be on or before the end date.")
            if (data["end"] - data["start"]).days >= MAX_DAYS:
                raise forms.ValidationError(f"Choose at most {MAX_DAYS} days.")
        return data


def workspace_tiktok_window(workspace: Workspace) -> str:
    """The workspace's own TikTok lookback window as a selector value, e.g. "7-1" (1 query)."""
    window = (
        LookbackWindow.objects.filter(workspace=workspace, channel=Channel.TIKTOK)
        .values_list("click_days", "view_days")
        .first()
    ) or DEFAULT_WINDOWS[Channel.TIKTOK]
    return f"{window[0]}-{window[1]}"


def filters_from_request(
    params, *, workspaces: list[Workspace], models_for
) -> tuple[FilterForm, DashboardFilters]:
    """Validated filters from GET parameters, falling back to defaults for anything invalid or missing.

    Defaults: the last 30 days against the 30 before, the first active model, the workspace's own
    TikTok window. Dates without a period (older links) are a custom period.
    ``models_for(workspace)`` returns the workspace's active models (one query).
    """
    by_id = {str(w.pk): w for w in workspaces}
    workspace = by_id.get(params.get("ws", "")) or workspaces[0]
    models = models_for(workspace)
    today = timezone.now().astimezone(workspace.tzinfo).date()
    start, end = periods.preset_range(periods.DEFAULT_PERIOD, today=today)
    defaults = {
        "ws": str(workspace.pk),
        "period": periods.DEFAULT_PERIOD,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "compare": "previous",
        "model": str(models[0].pk) if models else "",
        "window": workspace_tiktok_window(workspace),
    }
    data = {key: params.get(key) or default for key, default in defaults.items()}
    data["ws"] = str(workspace.pk)
    if not params.get("period") and (params.get("start") or params.get("end")):
        data["period"] = periods.CUSTOM
    form = FilterForm(data, workspaces=workspaces, models=models, today=today)
    if form.is_valid():
        valid = form
    else:  # an invalid request keeps its form (to show the errors) but uses the defaults
        valid = FilterForm(defaults, workspaces=workspaces, models=models, today=today)
    valid.is_valid()  # an invalid request keeps its form (to show the errors) but uses the defaults
    clean = valid.cleaned_data
    click, view = (int(x) for x in clean["window"].split("-"))
    model = valid.models.get(clean.get("model"))
    return form, DashboardFilters(
        workspace=workspace,
        start=clean["start"],
        end=clean["end"],
        model=model,
        click_window_days=click,
        view_window_days=view,
        period=clean["period"],
        compare=clean["compare"] == "previous",
    )
