"""The scheduled retention purge (Celery beat; the schedule is editable in admin)."""

import logging

from celery import shared_task

from .models import RetentionPolicy
from .retention import retention_purge

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def retention_purge_all() -> dict[str, dict[str, int]]:
    """Purge every workspace that has a retention policy. Idempotent: a rerun finds nothing new."""
    done = {}
    for policy in RetentionPolicy.objects.select_related("workspace").order_by("pk"):
        stats = retention_purge(policy=policy)
        logger.info("retention purge of %s: %s in %d batches (longest %.3f s)",
                    policy.workspace.slug, stats.rows, stats.batches, stats.longest_batch_seconds)
        done[policy.workspace.slug] = stats.rows
    return done
