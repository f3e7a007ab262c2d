"""What a workspace asks the engine to compute: channel codes, windows, models, and their fingerprint."""

import hashlib
import json

from attribution.channels import Channel
from attribution.engine.pipeline import ModelSpec
from attribution.models import AttributionModelConfig, LookbackWindow, ModelKind, Workspace
from attribution.models.workspace import default_attributed_events

CHANNELS: list[str] = list(Channel.values)
DIRECT_CHANNEL = CHANNELS.index(Channel.DIRECT)
UNATTRIBUTED = "unattributed"
_PARAM_NAMES = {ModelKind.TIME_DECAY: {"half_life_days"}, ModelKind.POSITION_BASED: {"first", "last"},
                ModelKind.MARKOV: {"order", "repeats", "min_conversions"},
                ModelKind.SHAPLEY: {"value", "min_conversions"}}
_TEXT_PARAMS = {"value", "repeats"}  # kept as given; the others are numbers


def model_specs(*, workspace: Workspace, ids: list[int] | None = None) -> list[ModelSpec]:
    """Active model configs (or exactly ``ids``, in that order) as engine specs keyed by config id.

    Unknown params are ignored.
    """
    configs = AttributionModelConfig.objects.filter(workspace=workspace)
    if ids is None:
        configs = list(configs.filter(is_active=True).order_by("id"))
    else:
        by_id = configs.in_bulk(ids)
        configs = [by_id[i] for i in ids if i in by_id]
    specs = []
    for config in configs:
        allowed = _PARAM_NAMES.get(config.kind, set())
        params = {k: v if k in _TEXT_PARAMS else float(v)
                  for k, v in (config.params or {}).items() if k in allowed}
        specs.append(ModelSpec(kind=config.kind, params=params, key=config.id))
    return specs


def window_overrides(*, workspace: Workspace) -> dict[str, tuple[int, int]]:
    return {w.channel: (w.click_days, w.view_days)
            for w in LookbackWindow.objects.filter(workspace=workspace)}


def event_names(*, workspace: Workspace) -> list[str]:
    return sorted(workspace.attributed_event_names or default_attributed_events())


def fingerprint(*, workspace: Workspace) -> str:
    """Changes whenever anything that shapes past results changes: then a full rerun is due."""
    payload = {
        "models": [(s.key, s.kind, sorted(s.params.items())) for s in model_specs(workspace=workspace)],
        "windows": sorted(window_overrides(workspace=workspace).items()),
        "events": event_names(workspace=workspace),
        "timezone": workspace.timezone,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
