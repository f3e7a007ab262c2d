"""Writing conversion-sync outbox rows, in the caller's transaction."""

from attribution.models import ConversionEvent, OutboxEntry, TikTokIntegration


def outbox_enqueue_conversion(*, conversion: ConversionEvent) -> list[OutboxEntry]:
    """Queue ``conversion`` for every enabled destination that maps its event name.

    Call inside the transaction that created the conversion. Idempotent: an existing
    (conversion, destination) row is left as it is.
    """
    if conversion.contact_id and conversion.contact.opted_out:
        return []
    entries = []
    integrations = TikTokIntegration.objects.filter(workspace_id=conversion.workspace_id,
                                                    enabled=True)
    for integration in integrations:
        platform_event = (integration.event_mapping or {}).get(conversion.event_name)
        if not platform_event:
            continue
        entry, _ = OutboxEntry.objects.get_or_create(
            conversion=conversion, destination="tiktok",
            defaults={"workspace_id": conversion.workspace_id, "integration": integration,
                      "platform_event": platform_event, "next_attempt_at": conversion.received_at},
        )
        entries.append(entry)
    return entries
