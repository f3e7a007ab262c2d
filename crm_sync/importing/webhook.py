"""Deal updates a CRM posts to us: the import's semantics, one payload at a time."""

from django.db import transaction
from django.utils import timezone

from attribution.crypto import hash_secret
from attribution.models import Workspace
from crm_sync.models import CrmSource, CrmWebhookSecret

from .batch import ImportContext
from .parsing import header_key
from .presets import FIELDS, PRESETS, Preset
from .services import IngestResult, deals_ingest, import_options, row_spec

# Payloads in our own field names: any stage is accepted (the CRM's pipeline is its own business).
CANONICAL = Preset(key="api", crm=CrmSource.API, aliases={name: (name,) for name in FIELDS},
                   closed_stages=frozenset({"closedwon", "closedlost"}))


def webhook_workspace(*, workspace_slug: str, secret: str) -> Workspace | None:
    """The workspace whose active secret this is, or None; marks the secret used."""
    if not secret:
        return None
    row = (CrmWebhookSecret.objects.select_related("workspace")
           .filter(secret_hash=hash_secret(secret), revoked_at__isnull=True,
                   workspace__slug=workspace_slug).first())
    if row is None:
        return None
    CrmWebhookSecret.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row.workspace


def _records(deals: list[dict], preset: Preset):
    """Map each object's keys (our names, or the preset's column names) onto our fields."""
    lookup = {header_key(name): name for name in FIELDS} | preset.header_lookup()
    for number, deal in enumerate(deals, start=1):
        fields = {}
        for key, value in deal.items():
            name = lookup.get(header_key(str(key)))
            if name and name not in fields:
                fields[name] = "" if value is None else str(value)
        yield number, fields


@transaction.atomic
def deals_receive(*, workspace: Workspace, deals: list[dict], preset: str = "",
                  options: dict | None = None) -> IngestResult:
    """Upsert the posted deals as an import would: stage history, links, conversions, row errors."""
    chosen = PRESETS[preset] if preset else CANONICAL
    spec = row_spec(workspace=workspace, preset=chosen, options=import_options(mapping=None,
                                                                                options=options or {}))
    ctx = ImportContext.build(workspace=workspace, crm=chosen.crm, source="webhook", now=timezone.now(),
                              closed_stage_keys=chosen.closed_stages)
    return deals_ingest(ctx=ctx, spec=spec, records=_records(deals, chosen))
