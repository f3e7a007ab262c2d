"""What an import would do with the first rows of its file, before anyone confirms it."""

from dataclasses import dataclass, field
from datetime import datetime

from crm_sync.models import DealImport

from .reader import CsvRecords, FileRefused
from .rows import DealRow, RowError, row_parse
from .services import import_options, import_preset, row_spec

_SHOWN = ("crm_id", "name", "stage", "pipeline", "amount", "currency", "owner", "created_at",
          "closed_at", "stage_changed_at", "email", "phone", "utm_source", "utm_medium",
          "utm_campaign", "utm_content", "utm_term", "ttclid", "cl_visitor_id")


@dataclass
class Preview:
    columns: list[str] = field(default_factory=list)  # our fields found in the file, in file order
    headers: dict[str, str] = field(default_factory=dict)  # our field → the file's header
    rows: list[dict] = field(default_factory=list)  # {"row", "values", "errors"}
    error: str = ""  # the whole file is refused


def deal_import_preview(*, deal_import: DealImport, limit: int = 10) -> Preview:
    """Read the first ``limit`` records with the import's preset/mapping and options applied.

    Emails and phones are shown as "hashed" only: raw identities never leave the parser.
    """
    preview = Preview()
    try:
        preset = import_preset(preset=deal_import.preset, mapping=deal_import.mapping)
        options = import_options(mapping=deal_import.mapping, options=deal_import.options)
        spec = row_spec(workspace=deal_import.workspace, preset=preset, options=options)
        with deal_import.file.open("rb") as raw:
            records = CsvRecords(raw, preset=preset, encoding=options["encoding"])
            preview.columns = [name for name, _ in records.columns]
            preview.headers = {name: records.header[index] for name, index in records.columns}
            for row_number, fields in records:
                preview.rows.append(_shown(row_number, fields, spec, deal_import.workspace.tzinfo))
                if len(preview.rows) >= limit:
                    break
    except FileRefused as exc:
        preview.error = str(exc)
    return preview


def _shown(row_number: int, fields, spec, tz) -> dict:
    if not isinstance(fields, dict):
        return {"row": row_number, "values": {}, "errors": [{"field": "row", "message": fields}]}
    parsed = row_parse(fields, row_number=row_number, spec=spec)
    if isinstance(parsed, list):
        return {"row": row_number, "values": {k: v for k, v in fields.items() if k not in ("email", "phone")},
                "errors": [_error(e) for e in parsed]}
    return {"row": row_number, "values": _values(parsed, tz), "errors": []}


def _values(row: DealRow, tz) -> dict:
    """Parsed values as text; times in the workspace's zone, as the person uploading thinks of them."""
    values = {}
    for name in _SHOWN:
        if name not in row.present and name not in ("currency",):
            continue
        if name == "email":
            values[name] = f"hashed {row.email_hash[:8]}…" if row.email_hash else ""
        elif name == "phone":
            values[name] = f"hashed {row.phone_hash[:8]}…" if row.phone_hash else ""
        else:
            value = getattr(row, name)
            if isinstance(value, datetime):
                value = value.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")
            values[name] = "" if value is None else str(value)
    return values


def _error(error: RowError) -> dict:
    return {"field": error.field, "message": error.message}
