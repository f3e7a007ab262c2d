"""Operator actions on the TikTok sync: resend rows, send a test event, test the token."""

import time
import uuid
from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from attribution.models import OutboxEntry, OutboxStatus, TikTokEventSource, TikTokIntegration
from crm_sync.tiktok import payload
from crm_sync.tiktok.replies import Outcome, Reply

from .tiktok_delivery import (
    event_source_id,
    rate_limit_key,
    tiktok_client,
    tiktok_rate_limiter,
)


def outbox_resend(*, entry_ids: Iterable[int], now: datetime | None = None) -> int:
    """Queue rows again (same event_id: TikTok keeps the first copy); rows being sent are left alone.

    Returns how many rows were queued. Skipped rows are re-checked when they are sent.
    """
    now = now or timezone.now()
    return (OutboxEntry.objects.filter(id__in=list(entry_ids))
            .exclude(status=OutboxStatus.SENDING, locked_until__gt=now)
            .update(status=OutboxStatus.QUEUED, attempts=0, next_attempt_at=now, last_error="",
                    locked_until=None))


def integration_send_test_event(*, integration: TikTokIntegration,
                                now: datetime | None = None) -> Reply:
    """Send one synthetic event with the test event code, so it shows in TikTok's Test Events tab."""
    if not integration.test_event_code:
        return Reply(Outcome.PERMANENT, "set a test event code first (TikTok Events Manager → "
                                        "Test Events) so the test does not count as a conversion")
    now = now or timezone.now()
    source = TikTokEventSource.WEB if integration.pixel_code else integration.crm_event_source
    event = payload.build_event(payload.EventInput(
        event=next(iter((integration.event_mapping or {}).values()), "SubmitForm"),
        event_id=f"clickledger-test-{uuid.uuid4().hex}", occurred_at=now,
        limited_data_use=integration.limited_data_use))
    body = payload.build_body(event_source=source,
                              event_source_id=event_source_id(integration=integration,
                                                              event_source=source),
                              events=[event], test_event_code=integration.test_event_code)
    # An operator's click waits its turn like any batch (bounded: the admin request must return).
    time.sleep(min(5.0, tiktok_rate_limiter().reserve(rate_limit_key(integration=integration))))
    with tiktok_client(integration=integration) as client:
        reply = client.track(body)
    if reply.outcome is Outcome.SUCCESS:  # the workspace's setup checklist shows it
        TikTokIntegration.objects.filter(pk=integration.pk).update(test_event_accepted_at=now)
    return reply


def integration_test_connection(*, integration: TikTokIntegration) -> Reply:
    """Check the access token with a read-only call; the reply's message says what is wrong."""
    if not integration.access_token:
        return Reply(Outcome.PERMANENT, "no access token saved")
    with tiktok_client(integration=integration) as client:
        return client.check_token(advertiser_id=integration.advertiser_id,
                                  pixel_code=integration.pixel_code)
