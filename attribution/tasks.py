"""Celery autodiscovers ``<app>.tasks``: register the attribution area's tasks."""

from attribution.runs.tasks import (  # noqa: F401
    attribution_chunk,
    attribution_cleanup,
    attribution_finalize,
    attribution_run_start,
)
