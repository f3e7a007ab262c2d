"""A person's data as JSON: every stored column of every row the finder returns.

The format is documented in docs/developers/person-export.md; ``FORMAT`` names its version.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from attribution.models import (
    AttributionCredit,
    Contact,
    ConversionEvent,
    OutboxEntry,
    Touchpoint,
    Visitor,
    Workspace,
)
from crm_sync.models import Deal, DealStageChange

from .finder import PersonRows, person_find
from .keys import PersonKeys

FORMAT = "clickledger.person-export.v1"
TABLES = {  # export section → model; the order readers meet them in
    "contacts": Contact, "visitors": Visitor, "touchpoints": Touchpoint,
    "conversions": ConversionEvent, "deals": Deal, "stage_changes": DealStageChange,
    "outbox": OutboxEntry, "credits": AttributionCredit,
}
NOT_EXPORTED = {"workspace"}  # every row is the request's workspace: said once at the top


def person_export(*, workspace: Workspace, keys: PersonKeys,
                  rows: PersonRows | None = None) -> dict:
    """A JSON-ready dict of everything stored about the person ``keys`` name in ``workspace``."""
    rows = rows if rows is not None else person_find(workspace=workspace, keys=keys)
    export = {
        "format": FORMAT,
        "workspace": workspace.slug,
        "exported_at": timezone.now(),
        "request": {name: value for name, value in vars(keys).items() if value},
        "counts": rows.counts(),
    }
    for section, model in TABLES.items():
        columns = [f.attname for f in model._meta.concrete_fields if f.name not in NOT_EXPORTED]
        ids = getattr(rows, section)
        export[section] = list(model._base_manager.filter(pk__in=ids).order_by("pk")
                               .values(*columns)) if ids else []
    # One round trip through the encoder: dates, decimals and UUIDs become strings once, here.
    return json.loads(json.dumps(export, cls=DjangoJSONEncoder))
