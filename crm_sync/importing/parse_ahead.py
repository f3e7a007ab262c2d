"""Parsing a file's rows in a background thread while the database applies the previous batch.

Parsing is pure Python and the database round trips release the GIL, so the two overlap on a
second core. Batches go through a queue of one: memory stays bounded whatever the file's size.
The thread touches no database; errors it meets (a refused file) are re-raised to the caller.
"""

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from .rows import DealRow, RowError, RowSpec, row_parse

ERROR_SAMPLE = 100
_DONE = object()


@dataclass
class ParseTally:
    """Written by the parsing thread only; read by the caller once iteration has ended."""

    rows_total: int = 0
    rows_failed: int = 0
    errors: list[RowError] = field(default_factory=list)  # the first ERROR_SAMPLE


def parsed_batches(records: Iterable[tuple[int, dict | str]], *, spec: RowSpec, tally: ParseTally,
                   batch_rows: int, on_error: Callable[[RowError], None] | None = None,
                   ) -> Iterator[tuple[list[DealRow], int]]:
    """Yield ``(rows, rows read so far)`` batches with unique crm ids; bad rows go to ``on_error``.

    A crm id seen twice closes the batch first, so each occurrence is applied in file order.
    """
    handoff: queue.Queue = queue.Queue(maxsize=1)  # one batch parsed ahead, one being applied
    stop = threading.Event()

    def put(item) -> None:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def produce() -> None:
        try:
            for item in row_batches(records, spec=spec, tally=tally, batch_rows=batch_rows,
                                    on_bad=lambda errors: tally_errors(tally, errors, on_error)):
                if stop.is_set():
                    return
                put(item)
            put(_DONE)
        except BaseException as exc:  # handed to the consuming thread, raised there
            put(exc)

    worker = threading.Thread(target=produce, name="deal-import-parse", daemon=True)
    worker.start()
    try:
        while (item := handoff.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


def row_batches(records: Iterable[tuple[int, dict | str]], *, spec: RowSpec, tally: ParseTally,
                batch_rows: int, on_bad: Callable[[list[RowError]], None],
                ) -> Iterator[tuple[list[DealRow], int]]:
    """Parse records into ``(rows, rows read so far)`` batches with unique crm ids; each bad row's
    errors go to ``on_bad``. A crm id seen twice closes the batch first."""
    batch: dict[str, DealRow] = {}
    for row_number, fields in records:
        tally.rows_total += 1
        parsed = _parsed(row_number, fields, spec)
        if isinstance(parsed, list):
            on_bad(parsed)
            continue
        if parsed.crm_id in batch or len(batch) >= batch_rows:
            yield list(batch.values()), tally.rows_total
            batch = {}
        batch[parsed.crm_id] = parsed
    if batch:
        yield list(batch.values()), tally.rows_total


def _parsed(row_number: int, fields: dict | str, spec: RowSpec) -> DealRow | list[RowError]:
    if isinstance(fields, dict):
        return row_parse(fields, row_number=row_number, spec=spec)
    return [RowError(row_number, "", "row", fields)]


def tally_errors(tally: ParseTally, errors: list[RowError], on_error) -> None:
    tally.rows_failed += 1
    for error in errors:
        if len(tally.errors) < ERROR_SAMPLE:
            tally.errors.append(error)
        if on_error:
            on_error(error)
