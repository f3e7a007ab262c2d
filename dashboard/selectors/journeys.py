"""Journeys: a contact's touches before each conversion, and the credit every model gave each touch."""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from attribution.models import ConversionEvent, Touchpoint, Workspace

from ._current import current_credits
from .common import active_models
from .filters import DashboardFilters

MAX_CONVERSIONS = 10
MAX_TOUCHES = 200


@dataclass(frozen=True)
class ConvertingContact:
    contact_id: int
    event_name: str
    occurred_at: datetime
    value: Decimal
    currency: str


@dataclass
class JourneyTouch:
    touchpoint_id: int
    occurred_at: datetime
    channel: str
    kind: str
    utm_campaign: str
    has_ttclid: bool
    credit: dict[int, tuple[float, Decimal]] = field(default_factory=dict)  # model id → (weight, revenue)


@dataclass
class JourneyConversion:
    conversion_id: int
    event_name: str
    occurred_at: datetime
    value: Decimal
    currency: str
    touches: list[JourneyTouch]
    unattributed: dict[int, float] = field(default_factory=dict)  # model id → weight with no touch


@dataclass(frozen=True)
class Journey:
    contact_id: int | None
    models: list
    conversions: list[JourneyConversion]
    visitor_id: int | None = None  # a lone visitor's journey (contact_id None)


def converting_contacts(*, filters: DashboardFilters, limit: int = 25) -> list[ConvertingContact]:
    """The latest conversions by identified contacts in the period, to pick a journey from (1 query)."""
    start, end = filters.bounds
    rows = (
        ConversionEvent.objects.filter(
            workspace=filters.workspace, contact__isnull=False, occurred_at__gte=start, occurred_at__lt=end
        )
        .order_by("-occurred_at")
        .values("contact_id", "event_name", "occurred_at", "value", "currency")[:limit]
    )
    return [ConvertingContact(**r) for r in rows]


def _credits_of(workspace: Workspace, conversion_ids: list[int]) -> tuple[dict, dict]:
    """{(conversion, touch): {model: (weight, revenue)}} and {conversion: {model: unattributed weight}}.

    A credit row holds every model of its run side by side (weights[i], revenues[i] in micro-units
    belong to run.model_config_ids[i]); a model that gave the touch nothing is left out.
    """
    credits, unattributed = defaultdict(dict), defaultdict(dict)
    rows = (
        current_credits(workspace=workspace)
        .filter(conversion_id__in=conversion_ids)
        .values_list("conversion_id", "touchpoint_id", "run__model_config_ids", "weights", "revenues")
    )
    for conversion_id, touch_id, model_ids, weights, revenues in rows:
        for model_id, weight, micros in zip(model_ids, weights, revenues, strict=True):
            if weight <= 0:
                continue
            if touch_id is None:
                unattributed[conversion_id][model_id] = weight
            else:
                credits[(conversion_id, touch_id)][model_id] = (weight, Decimal(int(micros)).scaleb(-6))
    return credits, unattributed


def contact_journey(*, workspace: Workspace, contact_id: int) -> Journey:
    """The contact's last conversions, each with the touches before it and their credits (4 queries).

    Touches are those of every visitor (device) linked to the contact; a touch belongs to a
    conversion's path when it happened before it.
    """
    return _journey(
        workspace,
        ConversionEvent.objects.filter(workspace=workspace, contact_id=contact_id),
        Touchpoint.objects.filter(workspace=workspace, visitor__contact_id=contact_id),
        contact_id=contact_id,
    )


def visitor_journey(*, workspace: Workspace, visitor_id: int) -> Journey:
    """As ``contact_journey``, for a visitor no contact claims (the engine's lone-visitor person)."""
    return _journey(
        workspace,
        ConversionEvent.objects.filter(workspace=workspace, visitor_id=visitor_id, contact__isnull=True),
        Touchpoint.objects.filter(workspace=workspace, visitor_id=visitor_id),
        contact_id=None,
        visitor_id=visitor_id,
    )


def _journey(workspace: Workspace, conversions, touches, *, contact_id: int | None,
             visitor_id: int | None = None) -> Journey:
    models = active_models(workspace=workspace)
    conversions = list(
        conversions.only("id", "event_name", "occurred_at", "value", "currency").order_by("-occurred_at")[
            :MAX_CONVERSIONS
        ]
    )[::-1]
    if not conversions:
        return Journey(contact_id=contact_id, models=models, conversions=[], visitor_id=visitor_id)
    touches = [
        JourneyTouch(
            touchpoint_id=t["id"],
            occurred_at=t["occurred_at"],
            channel=t["channel"],
            kind=t["kind"],
            utm_campaign=t["utm_campaign"],
            has_ttclid=bool(t["ttclid"]),
        )
        for t in touches.filter(occurred_at__lte=conversions[-1].occurred_at)
        .order_by("-occurred_at")
        .values("id", "occurred_at", "channel", "kind", "utm_campaign", "ttclid")[:MAX_TOUCHES]
    ][::-1]
    credits, unattributed = _credits_of(workspace, [c.pk for c in conversions])
    journey = [
        JourneyConversion(
            conversion_id=conv.pk,
            event_name=conv.event_name,
            occurred_at=conv.occurred_at,
            value=conv.value,
            currency=conv.currency,
            unattributed=unattributed.get(conv.pk, {}),
            touches=[
                replace(t, credit=credits.get((conv.pk, t.touchpoint_id), {}))
                for t in touches
                if t.occurred_at <= conv.occurred_at
            ],
        )
        for conv in conversions
    ]
    return Journey(contact_id=contact_id, models=models, conversions=journey, visitor_id=visitor_id)
