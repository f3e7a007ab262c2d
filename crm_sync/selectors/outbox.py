"""Reading the conversion outbox: state per integration, for the admin and dashboards."""

from django.db.models import Count, Q, QuerySet

from attribution.models import OutboxStatus, TikTokIntegration

# What the admin shows per integration; "sending" rows count as queued (they are in flight).
OUTBOX_STATE_COLUMNS = {
    "outbox_queued": [OutboxStatus.QUEUED, OutboxStatus.SENDING],
    "outbox_retrying": [OutboxStatus.RETRYING],
    "outbox_sent": [OutboxStatus.SENT],
    "outbox_dead": [OutboxStatus.DEAD],
    "outbox_skipped": [OutboxStatus.SKIPPED],
}


def integrations_with_outbox_state(queryset: QuerySet[TikTokIntegration] | None = None
                                   ) -> QuerySet[TikTokIntegration]:
    """Integrations annotated with their outbox row counts per state, in the same single query."""
    queryset = TikTokIntegration.objects.all() if queryset is None else queryset
    return queryset.annotate(**{
        name: Count("outbox", filter=Q(outbox__status__in=statuses))
        for name, statuses in OUTBOX_STATE_COLUMNS.items()})
