"""Import an ad account's reported days and keep its history: one place for every platform's API pull.

The platform modules (``meta_ads``, ``google_ads``) say how to read rows; this module writes them
through the one upsert, records a PlatformImport row with counts and errors, and keeps the account's
``last_error`` — a clear, stored message when credentials are bad or expired.
"""

import logging
from collections.abc import Callable, Iterable
from datetime import date

from django.utils import timezone

from attribution.models import PlatformImport, PlatformImportStatus

from .errors import PlatformError, PlatformRetryableError
from .levels import with_parent_levels
from .metrics import platform_metrics_upsert
from .rows import ReportRow

log = logging.getLogger(__name__)


def ad_account_import(*, account, account_ref: str, start: date, end: date,
                      read_rows: Callable[[], Iterable[ReportRow]], roll_up: bool = False) -> PlatformImport:
    """Read [start, end] with ``read_rows`` and upsert it under the account's window and currency.

    Returns the history row. Bad credentials and refused requests end it as failed (stored on the
    account too) without raising; throttling and outages mark it "retrying" and re-raise
    ``PlatformRetryableError`` for the task to retry with backoff. Re-running is idempotent.
    """
    record = PlatformImport.objects.create(
        workspace=account.workspace, platform=account.platform, source="api", account=account_ref,
        first_day=start, last_day=end)
    try:
        rows = read_rows()
        written = platform_metrics_upsert(
            workspace=account.workspace, platform=account.platform,
            rows=with_parent_levels(rows) if roll_up else rows,
            click_window_days=account.click_window_days, view_window_days=account.view_window_days,
            source="api", currency=account.currency)
    except PlatformRetryableError as exc:
        platform_import_finish(record, PlatformImportStatus.RETRYING, error=str(exc))
        raise
    except PlatformError as exc:
        log.warning("%s import of %s failed: %s", account.platform, account_ref, exc)
        ad_account_error(account=account, message=str(exc))
        platform_import_finish(record, PlatformImportStatus.FAILED, error=str(exc))
        return record
    platform_import_finish(record, PlatformImportStatus.SUCCEEDED, rows_written=written)
    account.last_import_at, account.last_error = timezone.now(), ""
    account.save(update_fields=["last_import_at", "last_error", "updated_at"])
    return record


def ad_account_error(*, account, message: str) -> None:
    """Store why the account cannot be read, for the admin list and the next person to look."""
    account.last_error = message
    account.save(update_fields=["last_error", "updated_at"])


def ad_account_connection_test(*, account, missing: str, open_client: Callable[[], object],
                               read: Callable[[object], tuple[str, str]]) -> str:
    """Read the account once and say what an admin should read; the error is stored on failure.

    ``missing``: the message when ``account.has_credentials`` is false; ``open_client()`` gives a
    client usable as a context manager; ``read(client)`` returns the account's (name, currency).
    """
    if not account.has_credentials:
        ad_account_error(account=account, message=missing)
        return missing
    try:
        with open_client() as client:
            name, currency = read(client)
    except PlatformError as exc:
        ad_account_error(account=account, message=str(exc))
        return f"{account.name}: {exc}"
    _account_checked(account=account, currency=currency)
    return f"{account.name}: connected to {name} ({currency})."


def _account_checked(*, account, currency: str) -> None:
    """A successful connection test: clear the stored error, keep the currency the platform told."""
    account.last_error = ""
    account.currency = (currency or account.currency or "")[:3].upper()
    account.save(update_fields=["last_error", "currency", "updated_at"])


def platform_import_finish(record: PlatformImport, status: str, *, rows_written: int = 0,
                           error: str = "") -> None:
    """End an API pull's history row (every platform's, TikTok's reporting import included)."""
    record.status, record.rows_written, record.error = status, rows_written, error
    record.finished_at = timezone.now()
    record.save(update_fields=["status", "rows_written", "error", "finished_at"])

