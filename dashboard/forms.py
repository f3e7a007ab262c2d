"""The selector bar: workspace, date range, model and the attribution window of platform numbers."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from attribution.models import AttributionModelConfig, Workspace
from attribution.models.runs import CLICK_WINDOW_CHOICES, VIEW_WINDOW_CHOICES

from .selectors.filters import DashboardFilters

DEFAULT_DAYS = 30
MAX_DAYS = 366
WINDOW_CHOICES = [
    (f"{c}-{v}", f"{cl} / {vl}") for c, cl in CLICK_WINDOW_CHOICES for v, vl in VIEW_WINDOW_CHOICES
]


class FilterForm(forms.Form):
    ws = forms.TypedChoiceField(coerce=int, label="Workspace")
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    model = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    window = forms.ChoiceField(choices=WINDOW_CHOICES, initial="7-1", label="TikTok window")

    def __init__(self, data, *, workspaces: list[Workspace], models: list[AttributionModelConfig]):
        super().__init__(data)
        # Plain choices from rows already loaded: validating and rendering cost no query.
        self.fields["ws"].choices = [(w.pk, w.name) for w in workspaces]
        self.fields["model"].choices = [(m.pk, str(m)) for m in models] or [("", "no model yet")]
        self.models = {m.pk: m for m in models}

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end"):
            if data["start"] > data["end"]:
                raise forms.ValidationError("The start date must be on or before the end date.")
            if (data["end"] - data["start"]).days >= MAX_DAYS:
                raise forms.ValidationError(f"Choose at most {MAX_DAYS} days.")
        return data


def filters_from_request(
    params, *, workspaces: list[Workspace], models_for
) -> tuple[FilterForm, DashboardFilters]:
    """Validated filters from GET parameters, falling back to defaults for anything invalid or missing.

    ``models_for(workspace)`` returns the workspace's active models (one query).
    """
    by_id = {str(w.pk): w for w in workspaces}
    workspace = by_id.get(params.get("ws", "")) or workspaces[0]
    models = models_for(workspace)
    today = timezone.now().astimezone(workspace.tzinfo).date()
    defaults = {
        "ws": str(workspace.pk),
        "start": (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat(),
        "end": today.isoformat(),
        "model": str(models[0].pk) if models else "",
        "window": "7-1",
    }
    data = {key: params.get(key) or default for key, default in defaults.items()}
    data["ws"] = str(workspace.pk)
    form = FilterForm(data, workspaces=workspaces, models=models)
    valid = form if form.is_valid() else FilterForm(defaults, workspaces=workspaces, models=models)
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
    )
