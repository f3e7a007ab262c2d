"""The TikTok event mapping as rows a non-developer fills in: our event or CRM stage → a TikTok
standard event from a list. The JSON the integration stores stays visible underneath.

Posts without the rows (API clients, older forms) may still send the JSON text itself.
"""

import json

from django import forms

from attribution.tracking.event_names import CRM_STAGE_EVENTS, TIKTOK_STANDARD_EVENTS

TARGETS = sorted(TIKTOK_STANDARD_EVENTS | {"QualifyLead"})
SOURCE_HINTS = sorted((TIKTOK_STANDARD_EVENTS | CRM_STAGE_EVENTS) - {"QualifyLead"})
EXTRA_ROWS = 3
MAX_ROWS = 50


class EventMappingWidget(forms.Widget):
    template_name = "admin/attribution/event_mapping_widget.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        mapping = _as_mapping(value)
        rows = list(mapping.items()) + [("", "")] * EXTRA_ROWS
        targets = TARGETS + sorted({t for t in mapping.values() if t and t not in TARGETS})
        context["widget"].update(
            rows=rows, targets=targets, source_hints=SOURCE_HINTS, row_count=len(rows),
            stored_json=json.dumps(mapping, indent=2, sort_keys=True),
        )
        return context

    def value_from_datadict(self, data, files, name):
        if f"{name}-rows" not in data:
            return data.get(name)  # the JSON text itself
        try:
            count = min(int(data.get(f"{name}-rows") or 0), MAX_ROWS)
        except ValueError:
            count = 0
        return [
            ((data.get(f"{name}-source-{i}") or "").strip(), (data.get(f"{name}-target-{i}") or "").strip())
            for i in range(count)
        ]

    def value_omitted_from_data(self, data, files, name):
        return f"{name}-rows" not in data and name not in data


def _as_mapping(value) -> dict:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.strip():
        try:
            loaded = json.loads(value)
        except ValueError:
            return {}
        return loaded if isinstance(loaded, dict) else {}
    if isinstance(value, list):
        return {s: t for s, t in value if s and t}
    return {}


class EventMappingField(forms.Field):
    widget = EventMappingWidget
    default_error_messages = {
        "json": "Enter the mapping as a JSON object, e.g. {\"ClosedWon\": \"CompletePayment\"}.",
    }

    def to_python(self, value):
        if value in (None, ""):
            return {}
        if isinstance(value, str):
            try:
                loaded = json.loads(value)
            except ValueError as exc:
                raise forms.ValidationError(self.error_messages["json"], code="json") from exc
            if not isinstance(loaded, dict):
                raise forms.ValidationError(self.error_messages["json"], code="json")
            value = list(loaded.items())
        mapping, errors = {}, []
        for source, target in value:
            if not source and not target:
                continue
            if not source or not target:
                errors.append(f"Row “{source or target}”: choose both our event and a TikTok event.")
            elif source in mapping:
                errors.append(f"“{source}” is mapped twice; keep one row for it.")
            else:
                mapping[str(source)] = str(target)
        if errors:
            raise forms.ValidationError(errors)
        return mapping

    def prepare_value(self, value):
        return value
