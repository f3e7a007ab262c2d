"""A day of tracking with one of each problem the diagnostics look for (numbers derived by hand)."""

from datetime import UTC, datetime

from attribution.models import EventSource
from tests.factories import AdCampaignFactory, ConversionEventFactory, TouchpointFactory, VisitorFactory


def at(hour, minute=0, second=0, day=2):
    return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC)


def build_diagnostics_day(ws):
    """4 TikTok sessions (3 with ttclid, 2 breaking the UTM convention); 5 conversions, 3 from the pixel:
    one with an undeduplicated server twin, one fired on page load; one server event received late."""
    AdCampaignFactory(workspace=ws, name="Spring Sale")
    v1, v2, v3, v4 = (VisitorFactory(workspace=ws) for _ in range(4))
    TouchpointFactory(visitor=v1, occurred_at=at(11), ttclid="E.C.P.1", utm_campaign="Spring Sale")
    TouchpointFactory(visitor=v2, occurred_at=at(10), ttclid="E.C.P.2", utm_campaign="Spring Sale")
    TouchpointFactory(
        visitor=v3, occurred_at=at(9), ttclid="E.C.P.3", utm_medium="cpc", utm_campaign="Spring Sale"
    )
    TouchpointFactory(visitor=v4, occurred_at=at(8), utm_campaign="spring_sale_v2")
    TouchpointFactory(visitor=v4, occurred_at=at(8), channel="meta", utm_source="facebook")  # not TikTok

    def conversion(occurred_at, received_at=None, **kwargs):
        ConversionEventFactory(
            workspace=ws, occurred_at=occurred_at, received_at=received_at or occurred_at, **kwargs
        )

    conversion(at(12), visitor=v1, source=EventSource.PIXEL, event_id="p1")
    conversion(at(12, 2), visitor=v1, source=EventSource.SERVER, event_id="order-1")
    conversion(at(10, 0, 2), visitor=v2, source=EventSource.PIXEL)
    conversion(at(15), visitor=v3, source=EventSource.PIXEL)
    conversion(at(9), received_at=at(9, day=12), source=EventSource.SERVER)
    return v1
