"""Attribution runs: create, plan into chunks, attribute each chunk, then publish in one flip.

Visibility: a run's credits and rollups carry its id and stay invisible until ``run_finalize``
marks the run SUCCEEDED (and the runs it replaces SUPERSEDED) in one short transaction. Readers
go through ``selectors.current_rollups``. A chunk writes its output and counts itself done in one
transaction, so a worker killed mid-chunk leaves nothing behind and the redelivered task redoes it.
(A run in one process, ``run_execute``, writes the journey reports in a thread of its own and
publishes only once they are written.)
"""

import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Max, Sum
from django.utils import timezone

from attribution.engine.arrays import Conversions, Touches
from attribution.engine.journeys import Journeys
from attribution.engine.pipeline import ModelSpec, attribute
from attribution.engine.windows import LookbackWindows
from attribution.models import (
    AttributionCredit,
    AttributionModelConfig,
    AttributionRollup,
    AttributionRun,
    AttributionRunChunk,
    ChunkStatus,
    ConversionEvent,
    ModelKind,
    RunStatus,
    Workspace,
)

from . import fitting, path_writers, readers, writers
from .config import CHANNELS, DIRECT_CHANNEL, fingerprint, model_specs, window_overrides
from .selectors import current_full_run

logger = logging.getLogger(__name__)


class RunError(Exception):
    """A run cannot start as asked; the message says what to fix."""


def _setting(name: str, default):
    return settings.CLICKLEDGER.get(name, default)


def run_create(*, workspace: Workspace, incremental: bool = False, period_start: datetime | None = None,
               period_end: datetime | None = None) -> AttributionRun:
    """Queue a run. An incremental request becomes a full run when there is no current full run
    or the model configuration changed since it (its fingerprint differs)."""
    models = [spec.key for spec in model_specs(workspace=workspace)]
    if not models:
        raise RunError(f"Workspace {workspace.slug!r} has no active attribution model; add one.")
    now = timezone.now()
    print_ = fingerprint(workspace=workspace)
    base = current_full_run(workspace=workspace) if incremental else None
    upto = ConversionEvent.objects.filter(workspace=workspace).aggregate(m=Max("id"))["m"] or 0
    if base is not None and base.config_fingerprint == print_:
        after = (AttributionRun.objects.filter(id=base.id) | base.increments.filter(
            status=RunStatus.SUCCEEDED)).aggregate(m=Max("conversion_id_upto"))["m"]
        return AttributionRun.objects.create(
            workspace=workspace, incremental=True, base_run=base, period_start=base.period_start,
            period_end=max(period_end or now, base.period_end), config_fingerprint=print_,
            conversion_id_after=after, conversion_id_upto=upto, model_config_ids=models)
    default_days = _setting("ATTRIBUTION_DEFAULT_PERIOD_DAYS", 365)
    return AttributionRun.objects.create(
        workspace=workspace, incremental=False, config_fingerprint=print_,
        period_start=period_start or now - timedelta(days=default_days),
        period_end=period_end or now + timedelta(seconds=1), conversion_id_upto=upto,
        model_config_ids=models)


def run_request(*, workspace: Workspace, incremental: bool = False) -> AttributionRun:
    """Create a run and hand it to the workers once this transaction commits."""
    from .tasks import attribution_run_start  # tasks import services: import at call time

    run = run_create(workspace=workspace, incremental=incremental)
    transaction.on_commit(lambda: attribution_run_start.delay(run.id))
    return run


def run_chunks_pending(*, run: AttributionRun) -> list[AttributionRunChunk]:
    """Plan a queued run; for a run already planned (a redelivered start), its unfinished chunks."""
    if run.status == RunStatus.QUEUED:
        return run_plan(run=run)
    if run.status == RunStatus.RUNNING:
        return list(run.chunks.filter(status=ChunkStatus.PENDING))
    return []


def run_plan(*, run: AttributionRun, persons: np.ndarray | None = None) -> list[AttributionRunChunk]:
    """Split the run's conversions into person-key ranges of about ATTRIBUTION_CHUNK_CONVERSIONS.

    ``persons``: the person keys of the run's conversions when the caller has read them already.
    """
    persons = np.sort(readers.conversion_persons(run) if persons is None else persons)
    size = max(1, _setting("ATTRIBUTION_CHUNK_CONVERSIONS", 500_000))
    if len(persons):
        count = -(-len(persons) // size)
        cuts = np.unique(persons[np.arange(count) * len(persons) // count])  # equal-sized chunks
        bounds = [*cuts.tolist(), int(persons[-1]) + 1]
    else:
        bounds = [0, 1]
    with transaction.atomic():
        AttributionRunChunk.objects.filter(run=run).delete()
        chunks = AttributionRunChunk.objects.bulk_create(
            AttributionRunChunk(run=run, index=i, person_lo=lo, person_hi=hi)
            for i, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)))
        AttributionRun.objects.filter(id=run.id).update(
            status=RunStatus.RUNNING, started_at=timezone.now(), total=len(persons), processed=0,
            chunks_total=len(chunks), chunks_done=0, error="")
    run.refresh_from_db()
    return chunks


@dataclass(frozen=True)
class ChunkInputs:
    """What a chunk attributes: its conversions, their people's touches, the models and windows."""

    conversions: Conversions
    touches: Touches
    specs: list[ModelSpec]
    windows: LookbackWindows


def chunk_inputs(*, run: AttributionRun, chunk: AttributionRunChunk,
                 conversions: Conversions | None = None, touches: Touches | None = None) -> ChunkInputs:
    """Read a chunk's inputs. ``conversions``: the run's conversions read already (any superset of
    the chunk's); the chunk keeps those of its person range, as its own read would return.
    ``touches``: read already over a range and period holding the chunk's (the fit pass's read,
    which holds everyone of the range): the chunk keeps those of its people with a conversion.

    A chunk that fits the run's data-driven models (``fitting.fitted_in_chunk``) reads the touches
    the fit needs: everyone's over the whole period. Extra touches pair with no conversion, so
    the credits and reports are the same."""
    specs = model_specs(workspace=run.workspace, ids=run.model_config_ids)
    windows = LookbackWindows.build(CHANNELS, window_overrides(workspace=run.workspace))
    span = (chunk.person_lo, chunk.person_hi)
    if conversions is None:
        conversions = readers.read_conversions(run, span)
    else:
        conversions = conversions.take((conversions.person >= span[0]) & (conversions.person < span[1]))
    if touches is None:
        times = (int(conversions.time.min()), int(conversions.time.max())) if len(conversions) else None
        if fitting.fitted_in_chunk(run=run):
            span, times = fitting.EVERYONE, fitting.touch_span(run, conversions)
        touches = readers.read_touches(run, np.unique(conversions.person), span, windows.longest,
                                       span_us=times)
    else:
        touches = touches.take(np.isin(touches.person, conversions.person))
    return ChunkInputs(conversions, touches, specs, windows)


ReportWriter = Callable[[AttributionRun, Journeys, Conversions, Touches], None]


def chunk_process(*, chunk_id: int, inputs: ChunkInputs | None = None,
                  reports: ReportWriter | None = None) -> bool:
    """Attribute one chunk with every model; returns True when it was the run's last chunk.

    ``inputs`` may have been read ahead (``run_execute`` reads the next chunk while this one is
    written); they are the same rows the chunk would read itself. ``reports``: who writes the
    chunk's journey reports (``run_execute``'s writer thread); by default this transaction.
    """
    started = time.perf_counter()
    with transaction.atomic():
        chunk = AttributionRunChunk.objects.select_for_update().select_related(
            "run__workspace").get(id=chunk_id)
        run = chunk.run
        if run.status != RunStatus.RUNNING:
            return False  # failed or already published: nothing to add
        if chunk.status == ChunkStatus.DONE:  # a redelivered message: the work is committed
            return run.chunks_done >= run.chunks_total  # (finalize may not have been sent yet)
        inputs = inputs or chunk_inputs(run=run, chunk=chunk)
        conversions, touches = inputs.conversions, inputs.touches
        if fitting.fitted_in_chunk(run=run):
            fitting.chunk_fit(run=run, conversions=conversions, touches=touches, windows=inputs.windows)
        specs = fitting.credit_specs(run=run, specs=inputs.specs)
        batch = attribute(conversions, touches, inputs.windows, specs, direct_channel=DIRECT_CHANNEL)
        (reports or path_writers.write_paths)(run, batch.journeys, conversions, touches)
        table = batch.credit_table()
        writers.write_rollups(run, batch.models)
        del batch  # every model's credits are in the table now: their memory is free for the COPY
        rows = writers.write_credits(run, table, conversions, touches)
        chunk.status, chunk.conversions, chunk.credits = ChunkStatus.DONE, len(conversions), rows
        chunk.seconds = time.perf_counter() - started
        chunk.save(update_fields=["status", "conversions", "credits", "seconds"])
        AttributionRun.objects.filter(id=run.id).update(
            processed=F("processed") + len(conversions), chunks_done=F("chunks_done") + 1)
        done, total = AttributionRun.objects.values_list("chunks_done", "chunks_total").get(id=run.id)
    return done >= total


def run_finalize(*, run_id: int) -> AttributionRun:
    """Merge chunk rollups and publish the run: the one moment its output becomes visible."""
    with transaction.atomic():
        run = AttributionRun.objects.select_for_update().get(id=run_id)
        if run.status != RunStatus.RUNNING:
            return run
        if run.chunks_total > 1:
            _merge_rollups(run)
        published = list(AttributionRun.objects.select_for_update().filter(
            workspace_id=run.workspace_id, status=RunStatus.SUCCEEDED).exclude(id=run.id))
        if run.incremental:
            stale = run.base_run_id not in {r.id for r in published}
        else:
            stale = any(not r.incremental and r.id > run.id for r in published)
            if not stale:
                AttributionRun.objects.filter(id__in=[r.id for r in published]).update(
                    status=RunStatus.SUPERSEDED)
        run.status = RunStatus.SUPERSEDED if stale else RunStatus.SUCCEEDED
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])
    return run


_ROLLUP_KEYS = ["workspace_id", "run_id", "model_config_id", "day", "channel", "campaign_id",
                "adgroup_id", "ad_id", "currency"]


def _merge_rollups(run: AttributionRun) -> None:
    """One row per key instead of one per chunk and key."""
    if connection.vendor == "postgresql":
        keys, table = ", ".join(_ROLLUP_KEYS), AttributionRollup._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH parts AS (DELETE FROM {table} WHERE run_id = %s RETURNING *)"
                f" INSERT INTO {table} ({keys}, conversions, revenue)"
                f" SELECT {keys}, SUM(conversions), SUM(revenue) FROM parts GROUP BY {keys}", [run.id])
        return
    keys = [k for k in _ROLLUP_KEYS if k not in ("workspace_id", "run_id")]
    merged = list(AttributionRollup.objects.filter(run=run).values(*keys).annotate(
        total_conversions=Sum("conversions"), total_revenue=Sum("revenue")).order_by())
    AttributionRollup.objects.filter(run=run).delete()
    AttributionRollup.objects.bulk_create(
        (AttributionRollup(workspace_id=run.workspace_id, run=run, conversions=row.pop("total_conversions"),
                           revenue=row.pop("total_revenue"), **row) for row in merged),
        batch_size=writers.BATCH)


def run_fail(*, run_id: int, error: str) -> None:
    AttributionRun.objects.filter(id=run_id).exclude(status=RunStatus.SUCCEEDED).update(
        status=RunStatus.FAILED, error=error[:2000], finished_at=timezone.now())


def runs_cleanup(*, workspace: Workspace) -> int:
    """Delete the output of superseded and failed runs (their run rows stay as history)."""
    old = AttributionRun.objects.filter(
        workspace=workspace, status__in=[RunStatus.SUPERSEDED, RunStatus.FAILED]).values_list("id", flat=True)
    deleted = 0
    for run_id in list(old):
        deleted += AttributionCredit.objects.filter(run_id=run_id)._raw_delete(AttributionCredit.objects.db)
        AttributionRollup.objects.filter(run_id=run_id).delete()
        path_writers.paths_cleanup(run_id=run_id)
    return deleted


def run_execute(*, run: AttributionRun, progress: Callable[[int, int], None] | None = None
               ) -> AttributionRun:
    """Plan, attribute every chunk and publish, all in this process (command, tests, eager mode).

    An incremental run's few conversions are read once, for planning and for its chunks (a full
    run plans from the person keys alone: all its conversions at once would cost memory). When
    a fit pass reads the chunks' ranges, each chunk keeps its inputs from that read. Otherwise
    each next chunk is read while the one before is attributed and written (``readers.read_ahead``)."""
    try:
        conversions = readers.read_conversions(run, None) if run.incremental else None
        chunks = run_plan(run=run, persons=None if conversions is None else conversions.person)
        _fits, kept = fitting.fit_pass(run=run, keep=lambda i, read: chunk_inputs(
            run=run, chunk=chunks[i], conversions=read.conversions, touches=read.touches))
        kept = {chunks[i].id: inputs for i, inputs in enumerate(kept)}

        def read(chunk: AttributionRunChunk) -> ChunkInputs:
            return kept.pop(chunk.id, None) or chunk_inputs(run=run, chunk=chunk, conversions=conversions)

        with _report_writer() as reports:
            for done, (chunk, inputs) in enumerate(readers.read_ahead(read, chunks), start=1):
                if reports:
                    reports.wait()  # the previous chunk's rows leave memory before this one's are attributed
                chunk_process(chunk_id=chunk.id, inputs=inputs, reports=reports)
                del inputs
                if progress:
                    progress(done, len(chunks))
        return run_finalize(run_id=run.id)
    except Exception as exc:
        run_fail(run_id=run.id, error=repr(exc))
        raise


class _ThreadedReports:
    """Writes a chunk's journey reports in a thread of its own (its own connection and
    transaction) while the chunk's credits are copied: most of their time is PostgreSQL's.
    ``wait()`` before the next chunk is attributed: one chunk's rows in memory at a time, and a
    failed write fails the run at the next chunk or at the end. The run is published only after
    the last write committed; a chunk's credits and its reports commit separately, so a run that
    fails between them is never published, and its output is removed with it."""

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self._pool, self._pending = pool, None

    def __call__(self, run: AttributionRun, journeys: Journeys, conversions: Conversions,
                 touches: Touches) -> None:
        self.wait()
        self._pending = self._pool.submit(_reports_in_thread, run, journeys, conversions, touches)

    def wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()  # its error, if any, fails the run


@contextmanager
def _report_writer() -> Iterator[_ThreadedReports | None]:
    """``run_execute``'s report writer on PostgreSQL; inside a transaction (tests) or on SQLite:
    None, each chunk writes its reports in its own transaction."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield None
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-writer") as pool:
        reports = _ThreadedReports(pool)
        yield reports
        reports.wait()


def _reports_in_thread(run: AttributionRun, journeys: Journeys, conversions: Conversions,
                       touches: Touches) -> None:
    try:
        with transaction.atomic():
            path_writers.write_paths(run, journeys, conversions, touches)
    finally:
        connection.close()  # this thread's own connection


def default_models_ensure(*, workspace: Workspace) -> list[AttributionModelConfig]:
    """Give a workspace without any model config every model kind with default parameters."""
    if AttributionModelConfig.objects.filter(workspace=workspace).exists():
        return list(AttributionModelConfig.objects.filter(workspace=workspace))
    return AttributionModelConfig.objects.bulk_create(
        AttributionModelConfig(workspace=workspace, kind=kind) for kind in ModelKind.values)
