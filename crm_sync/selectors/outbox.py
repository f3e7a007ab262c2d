"""Reading the conversion outbox: state per integration, for the admin and dashboards."""

from collections.abc import Iterable

from django.db.models import Count

from attribution.models import OutboxEntry, OutboxStatus


def outbox_status_counts(*, integration_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """{integration id: {status: count}} with every status present; one query for all integrations."""
    ids = list(integration_ids)
    counts = {i: dict.fromkeys(OutboxStatus.values, 0) for i in ids}
    rows = (OutboxEntry.objects.filter(integration_id__in=ids)
            .values("integration_id", "status").annotate(n=Count("id")).order_by())
    for row in rows:
        counts[row["integration_id"]][row["status"]] = row["n"]
    return counts
