"""Reading imports: their live progress while running."""

from django.core.cache import cache

from crm_sync.models import DealImport, ImportStatus

from .services import progress_key


def deal_import_progress(*, deal_import: DealImport) -> dict:
    """Rows read and percent done: live from the cache while running, final from the row after."""
    if deal_import.status == ImportStatus.RUNNING:
        live = cache.get(progress_key(deal_import.pk)) or {}
        total = live.get("total_bytes") or 0
        percent = round(100 * live.get("bytes", 0) / total, 1) if total else 0.0
        return {"rows": live.get("rows", 0), "percent": min(percent, 99.9)}
    done = deal_import.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED)
    return {"rows": deal_import.rows_total, "percent": 100.0 if done else 0.0}
