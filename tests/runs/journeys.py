"""Database journeys for run tests, built with the project's factories."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from attribution.models import EventSource
from attribution.runs.services import default_models_ensure
from tests.factories import (
    AdFactory,
    ContactFactory,
    ConversionEventFactory,
    TouchpointFactory,
    VisitorFactory,
)

T0 = datetime(2026, 11, 20, 12, tzinfo=UTC)


def journey(workspace, *, touches, value="100.00", currency="USD", event_name="CompletePayment",
            when=T0, devices=1, source=EventSource.SERVER):
    """A contact with ``devices`` visitors; touches (days_before, channel, kind) round-robin over them.

    Returns the conversion; its touches are created oldest first.
    """
    contact = ContactFactory(workspace=workspace)
    visitors = [VisitorFactory(workspace=workspace, contact=contact) for _ in range(devices)]
    for i, (days_before, channel, kind) in enumerate(touches):
        ad = AdFactory(workspace=workspace) if channel == "tiktok" else None
        TouchpointFactory(visitor=visitors[i % devices], occurred_at=when - timedelta(days=days_before),
                          channel=channel, kind=kind, ad=ad,
                          campaign=ad.campaign if ad else None, adgroup=ad.adgroup if ad else None)
    return ConversionEventFactory(workspace=workspace, contact=contact, visitor=visitors[0],
                                  occurred_at=when, value=Decimal(value), currency=currency,
                                  event_name=event_name, source=source)


def models_of(workspace):
    return {c.kind: c for c in default_models_ensure(workspace=workspace)}
