"""Importing a whole file (and webhook payloads): create, preview, queue, run.

A file imports inside one transaction: a file refused half-way (bad encoding at row 800,000, a
database error) leaves nothing behind. Good rows import while bad rows go to a row-by-row report.
Progress is published through the cache, since the running transaction hides the row's counters.
"""

import csv
import logging
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.db import OperationalError, connection, reset_queries, transaction
from django.utils import timezone

from attribution.bulk import constraints_checked_per_statement
from attribution.models import Workspace
from attribution.services.identity import (
    CONTACTS_CHANGED_ATTEMPTS,
    ContactsChanged,
    retried_while_contacts_change,
)
from crm_sync.models import ColumnMapping, Deal, DealImport, DealStageRule, ImportPreset, ImportStatus

from .batch import BatchCounts, ImportContext
from .gc_pacing import collecting_rarely
from .parse_ahead import ParseTally, parsed_batches
from .parse_process import parsed_batches_in_process
from .parsing import stage_key
from .pipeline import deals_apply_one_by_one, deals_apply_pipelined
from .presets import PRESETS, Preset, preset_from_mapping
from .reader import CsvRecords, FileRefused
from .rows import RowError, RowSpec

logger = logging.getLogger(__name__)

BATCH_ROWS = 5000
OPTION_KEYS = ("day_first", "decimal_comma", "default_currency", "phone_region", "encoding",
               "extra_stages")


def import_preset(*, preset: str, mapping: ColumnMapping | None) -> Preset:
    if preset == ImportPreset.GENERIC:
        if mapping is None:
            raise FileRefused("a generic import needs a saved column mapping")
        try:
            return preset_from_mapping(columns=mapping.columns, stages=mapping.stages)
        except ValueError as exc:
            raise FileRefused(f"column mapping {mapping.name!r}: {exc}") from exc
    return PRESETS[preset]


def import_options(*, mapping: ColumnMapping | None, options: dict) -> dict:
    """The saved mapping's settings, overridden by this import's options."""
    merged = {"day_first": False, "decimal_comma": False, "default_currency": "", "phone_region": "",
              "encoding": "utf-8-sig", "extra_stages": []}
    if mapping:
        merged.update(day_first=mapping.day_first, decimal_comma=mapping.decimal_comma,
                      default_currency=mapping.default_currency, phone_region=mapping.phone_region)
    merged.update({k: v for k, v in (options or {}).items() if k in OPTION_KEYS and v not in (None, "")})
    return merged


def row_spec(*, workspace: Workspace, preset: Preset, options: dict) -> RowSpec:
    """How rows of this import are read; the known stages include the workspace's own."""
    known = None
    if preset.stages:
        known = dict(preset.stages)
        extra = [r.crm_stage for r in DealStageRule.objects.filter(workspace=workspace)]
        extra += stored_stages(workspace_id=workspace.pk)
        extra += list(options.get("extra_stages") or [])
        for stage in extra:
            known.setdefault(stage_key(stage), stage.strip())
    return RowSpec(preset=preset, tz=workspace.tzinfo, day_first=bool(options["day_first"]),
                   decimal_comma=bool(options["decimal_comma"]),
                   default_currency=(options["default_currency"] or workspace.currency).upper(),
                   phone_region=(options["phone_region"] or settings.CLICKLEDGER.get(
                       "CRM_DEFAULT_PHONE_REGION") or None),
                   known_stages=known)


def stored_stages(*, workspace_id: int) -> list[str]:
    """The workspace's distinct deal stages, in order: one probe of deal_ws_stage per stage.

    A plain ``SELECT DISTINCT`` reads every deal of the workspace (130 ms at 300k deals here), and the
    webhook asks on every request. This skips from each stage to the next one in the index.
    """
    table, quote = Deal._meta.db_table, connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE stages(stage) AS ("
            f" SELECT (SELECT stage FROM {quote(table)} WHERE workspace_id = %s ORDER BY stage LIMIT 1)"
            f" UNION ALL"
            f" SELECT (SELECT d.stage FROM {quote(table)} d WHERE d.workspace_id = %s"
            f" AND d.stage > stages.stage ORDER BY d.stage LIMIT 1)"
            f" FROM stages WHERE stages.stage IS NOT NULL"
            f") SELECT stage FROM stages WHERE stage IS NOT NULL", [workspace_id, workspace_id])
        return [stage for (stage,) in cursor.fetchall()]


@dataclass
class IngestResult:
    counts: BatchCounts = field(default_factory=BatchCounts)
    rows_total: int = 0
    rows_failed: int = 0
    errors: list[RowError] = field(default_factory=list)  # the first ERROR_SAMPLE
    rows_done: int = 0  # rows read up to the last batch applied (progress)


def deals_ingest(*, ctx: ImportContext, spec: RowSpec, records: Iterable[tuple[int, dict | str]],
                 on_error: Callable[[RowError], None] | None = None,
                 on_batch: Callable[[IngestResult], None] | None = None,
                 parse=parsed_batches, pipelined: bool = False) -> IngestResult:
    """Parse (ahead, in a thread, or with ``parse=parsed_batches_in_process`` in a child process)
    and apply ``(row_number, fields-or-message)`` records in bounded batches; bad rows go to
    ``on_error`` and the result's sample. ``pipelined``: plan each batch while the database
    writes the one before (``pipeline.py``)."""
    result, tally = IngestResult(), ParseTally()
    batches = parse(records, spec=spec, tally=tally, batch_rows=BATCH_ROWS, on_error=on_error)
    apply = deals_apply_pipelined if pipelined else deals_apply_one_by_one
    for counts, rows_read in apply(ctx=ctx, batches=batches):
        result.counts.add(counts)
        result.rows_done = rows_read
        if on_batch:
            on_batch(result)
    result.rows_total, result.rows_failed, result.errors = tally.rows_total, tally.rows_failed, tally.errors
    result.rows_done = result.rows_total
    return result


def deal_import_create(*, workspace: Workspace, file, preset: str, mapping: ColumnMapping | None = None,
                       options: dict | None = None, created_by=None) -> DealImport:
    """Store an uploaded file as an import awaiting confirmation."""
    if mapping is not None and mapping.workspace_id != workspace.pk:
        raise ValueError("the column mapping belongs to another workspace")
    return DealImport.objects.create(
        workspace=workspace, file=file, original_name=getattr(file, "name", "")[:255], preset=preset,
        mapping=mapping, options={k: v for k, v in (options or {}).items() if k in OPTION_KEYS},
        created_by=created_by)


def deal_import_queue(*, deal_import: DealImport) -> None:
    """Confirm an import: run it in a Celery task once this transaction commits."""
    from .tasks import deal_import_task

    DealImport.objects.filter(pk=deal_import.pk).update(status=ImportStatus.QUEUED)
    deal_import.status = ImportStatus.QUEUED
    transaction.on_commit(lambda: deal_import_task.delay(deal_import.pk))


def progress_key(import_id: int) -> str:
    return f"crm:deal-import:{import_id}:progress"


def deal_import_run(*, deal_import: DealImport,
                    on_progress: Callable[[int, int, int], None] | None = None) -> DealImport:
    """Import the file; on a refused file record why and leave nothing imported.

    ``on_progress(rows, bytes_read, bytes_total)`` is called after each batch (the command's
    progress bar); the same figures go to the cache for the admin and the API.
    """
    DealImport.objects.filter(pk=deal_import.pk).update(status=ImportStatus.RUNNING,
                                                        started_at=timezone.now(), error="")
    with tempfile.TemporaryFile("w+", newline="", encoding="utf-8") as report:
        writer = csv.writer(report)

        def attempt() -> IngestResult:
            """The whole file in one transaction, with a fresh report. Should a contact it links
            to be merged away meanwhile (contacts_hold), it is rolled back and run again."""
            report.seek(0)
            report.truncate()
            writer.writerow(["row", "crm_id", "field", "message"])
            with collecting_rarely(), transaction.atomic():
                return _import_file(deal_import, writer.writerow, on_progress)

        try:
            result = retried_while_contacts_change(attempt)
        except FileRefused as exc:
            return _finish(deal_import, status=ImportStatus.FAILED, error=str(exc))
        except OperationalError:
            raise  # the database went away: the task retries the whole (rolled back) file
        except ContactsChanged:
            return _finish(deal_import, status=ImportStatus.FAILED,
                           error=f"contacts this file links to were merged by other writers while it "
                                 f"imported, {CONTACTS_CHANGED_ATTEMPTS} times over; nothing was imported. "
                                 f"Upload it again.")
        except Exception as exc:
            logger.exception("deal import %s failed", deal_import.pk)
            return _finish(deal_import, status=ImportStatus.FAILED,
                           error=f"the import failed on our side ({type(exc).__name__}); nothing "
                                 f"was imported. Tell your administrator; the log has details.")
        if result.rows_failed:
            report.seek(0)
            deal_import.report.save(f"deal-import-{deal_import.pk}-errors.csv", File(report), save=False)
    return _finish(deal_import, status=ImportStatus.SUCCEEDED, result=result)


def _import_file(deal_import: DealImport, write_error, on_progress) -> IngestResult:
    constraints_checked_per_statement()
    workspace = deal_import.workspace
    preset = import_preset(preset=deal_import.preset, mapping=deal_import.mapping)
    options = import_options(mapping=deal_import.mapping, options=deal_import.options)
    spec = row_spec(workspace=workspace, preset=preset, options=options)
    ctx = ImportContext.build(workspace=workspace, crm=preset.crm, source="import", now=timezone.now(),
                              closed_stage_keys=preset.closed_stages)
    with deal_import.file.open("rb") as raw:
        total = deal_import.file.size
        records = CsvRecords(raw, preset=preset, encoding=options["encoding"])

        def published(result: IngestResult) -> None:
            reset_queries()  # with DEBUG on, the query log would otherwise grow with the file
            done = records.bytes_read()
            cache.set(progress_key(deal_import.pk),
                      {"rows": result.rows_done, "bytes": done, "total_bytes": total}, 24 * 3600)
            if on_progress:
                on_progress(result.rows_done, done, total)

        # A small file is parsed in a thread: starting a process would cost more than it saves.
        in_process = total >= settings.CLICKLEDGER["DEAL_IMPORT_PARSE_PROCESS_MIN_BYTES"]
        result = deals_ingest(ctx=ctx, spec=spec, records=records, on_batch=published,
                              on_error=lambda e: write_error([e.row_number, e.crm_id, e.field, e.message]),
                              parse=parsed_batches_in_process if in_process else parsed_batches,
                              pipelined=True)
        published(result)
    if result.rows_total == 0:
        raise FileRefused("the file has a header but no deals")
    return result


def _finish(deal_import: DealImport, *, status: str, error: str = "",
            result: IngestResult | None = None) -> DealImport:
    result = result or IngestResult()
    counts = result.counts
    deal_import.status = status
    deal_import.error = error
    deal_import.finished_at = timezone.now()
    deal_import.rows_total = result.rows_total
    deal_import.rows_failed = result.rows_failed
    deal_import.rows_created, deal_import.rows_updated = counts.created, counts.updated
    deal_import.rows_unchanged = counts.unchanged
    deal_import.stage_changes, deal_import.conversions_created = counts.stage_changes, counts.conversions
    deal_import.error_sample = [{"row": e.row_number, "crm_id": e.crm_id, "field": e.field,
                                 "message": e.message} for e in result.errors]
    if deal_import.file:
        # Its deals are stored now (or it was refused and gets fixed and uploaded again): the
        # uploaded file, with the raw emails and phones it holds, is not kept.
        deal_import.file.delete(save=False)
    deal_import.save()
    return deal_import
