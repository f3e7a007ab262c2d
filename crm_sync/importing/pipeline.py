"""Applying a file's batches with PostgreSQL writing one batch while Python plans the next.

One batch at a time, the importing thread waits while PostgreSQL writes the batch (COPY, index
inserts, foreign-key checks), and PostgreSQL waits while Python plans the next: a 100k-row import
spent about half its time in each. Here, on the file's one connection, in its one transaction:

    read batch k        (sees every write up to batch k-2)
    write batch k-1     and, in the same thread, while PostgreSQL works on its statements, plan
                        batch k step by step (steps.py) as if batch k-1 were written: its deals,
                        stage changes and contacts are laid over what the read found
    yield batch k-1's counts

Contacts a batch creates get temporary (negative) ids when planned and real ones when written;
a plan that names its predecessor's temporary ids is translated before anything reads it. A batch
whose rows name several contacts (a merge) is applied the one-by-one way, after its predecessor is
written. Memory holds two batches' plans, whatever the file's size.
"""

import itertools
from collections.abc import Iterable, Iterator

from django.db import connection

from .batch import (
    BatchCounts,
    BatchPlan,
    ImportContext,
    batch_plan_steps,
    batch_read,
    batch_write,
    deals_apply_batch,
)
from .rows import DealRow
from .steps import Background, working_while_waiting


def deals_apply_pipelined(*, ctx: ImportContext, batches: Iterable[tuple[list[DealRow], int]],
                          ) -> Iterator[tuple[BatchCounts, int]]:
    """Apply ``(rows, rows read)`` batches in order; yield ``(counts, rows read)`` as each is
    written. Same result as ``deals_apply_batch`` on each batch in turn."""
    temp_ids = itertools.count(-1, -1)
    batches = iter(batches)
    planned: tuple[BatchPlan, int] | None = None  # planned, not yet written
    upcoming = next(batches, None)
    while upcoming is not None:
        rows, rows_read = upcoming
        reads = batch_read(ctx, rows)
        planning = Background(_plan_and_receive(ctx, rows, reads, planned[0] if planned else None,
                                                temp_ids, batches))
        real_ids: dict[int, int] = {}
        if planned:
            with working_while_waiting(connection, planning):
                counts, real_ids = batch_write(ctx, planned[0])
            yield counts, planned[1]
        plan, upcoming = planning.result()
        if plan is None:  # some rows' keys name several contacts: merge them one by one
            planned = None
            yield deals_apply_batch(ctx=ctx, rows=rows), rows_read
            continue
        plan.translate(real_ids)
        planned = (plan, rows_read)
    if planned:
        counts, _ = batch_write(ctx, planned[0])
        yield counts, planned[1]


def deals_apply_one_by_one(*, ctx: ImportContext, batches: Iterable[tuple[list[DealRow], int]],
                           ) -> Iterator[tuple[BatchCounts, int]]:
    """``deals_apply_pipelined`` without the overlap: each batch read, planned and written in turn."""
    return ((deals_apply_batch(ctx=ctx, rows=rows), rows_read) for rows, rows_read in batches)


def _plan_and_receive(ctx, rows, reads, after, temp_ids, batches):
    """Plan this batch, then take the next one from the parser (unpickling it is work too)."""
    plan = yield from batch_plan_steps(ctx, rows, reads, after=after, temp_ids=temp_ids)
    yield
    return plan, next(batches, None)
