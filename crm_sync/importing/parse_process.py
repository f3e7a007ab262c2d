"""Parsing a large file's rows in a second process, so that parsing and applying use both cores.

Threads share one interpreter lock: with parsing in a thread (``parse_ahead``), the applying thread
waits for the lock after each database round trip, and a 100k-row import spends about a third of
its time so. Here a child Python process (``python -m crm_sync.importing.parse_process``, no
Django) reads the file, parses its rows and sends them back in batches, while this process
applies the previous batch. The child gets the file's bytes through its stdin from a thread of
ours (any storage backend works) and answers on its stdout with length-prefixed pickles.

Everything the thread version does holds: same batches, same row errors in file order, the same
refusal (bad encoding at row 800,000) as a ``FileRefused``, memory bounded by the pipes and one
batch on each side. Should the child fail to start, parsing falls back to the thread.

Both pipes are written with ``os.write`` until every byte is out (``_write_all``), not through a
buffered file: a blocking pipe write that a signal interrupts returns short, and CPython 3.11's
``BufferedWriter.write`` then returns a short count too, the rest dropped (seen here: a batch
stream cut mid-pickle when the child was signalled, or sampled by a profiler such as py-spy).
"""

import logging
import os
import pickle
import struct
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import fields
from operator import attrgetter
from pathlib import Path
from typing import BinaryIO

from .gc_pacing import collecting_rarely
from .parse_ahead import ParseTally, parsed_batches, row_batches, tally_errors
from .reader import CsvRecords, FileRefused
from .rows import DealRow, RowError, RowSpec

logger = logging.getLogger(__name__)

_PROJECT_ROOT = Path(__file__).resolve().parents[2]
_ROW_FIELDS = tuple(f.name for f in fields(DealRow))
_row_values = attrgetter(*_ROW_FIELDS)
_LENGTH = struct.Struct("!Q")
_FEED_CHUNK = 256 * 1024


def parsed_batches_in_process(records: CsvRecords, *, spec: RowSpec, tally: ParseTally, batch_rows: int,
                              on_error: Callable[[RowError], None] | None = None,
                              ) -> Iterator[tuple[list[DealRow], int]]:
    """``parse_ahead.parsed_batches`` for a checked CSV file, with the parsing in a child process."""
    try:
        child = subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, env=_child_environment())
    except OSError as exc:
        logger.warning("could not start a parsing process (%s); parsing in a thread instead", exc)
        yield from parsed_batches(records, spec=spec, tally=tally, batch_rows=batch_rows, on_error=on_error)
        return
    job = {"spec": spec, "layout": records.layout, "batch_rows": batch_rows}
    feeder = _Feeder(child.stdin, job, records.rewound())
    feeder.start()
    try:
        while True:
            kind, payload = _received(child)
            if kind == "batch":
                values, rows_read, bad = payload
                for errors in bad:
                    tally_errors(tally, errors, on_error)
                yield [DealRow(*row) for row in values], rows_read
            elif kind == "done":
                tally.rows_total, bad = payload
                for errors in bad:
                    tally_errors(tally, errors, on_error)
                feeder.join()
                feeder.raise_failure()
                return
            elif kind == "refused":
                raise FileRefused(payload)
            else:
                raise RuntimeError(f"the parsing process failed:\n{payload}")
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        feeder.join()
        child.stdout.close()


class _Feeder(threading.Thread):
    """Sends the job, then the file's bytes, to the child's stdin (I/O: it hardly holds the GIL)."""

    def __init__(self, sink: BinaryIO, job: dict, raw: BinaryIO):
        super().__init__(name="deal-import-feed", daemon=True)
        self._sink, self._job, self._raw = sink, job, raw
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            with self._sink:
                _send(self._sink, self._job)
                fd = self._sink.fileno()
                while chunk := self._raw.read(_FEED_CHUNK):
                    _write_all(fd, chunk)
        except BrokenPipeError:
            pass  # the child stopped early; what it answered (or did not) says why
        except BaseException as exc:  # a storage read error: the child would see a short file
            self.failure = exc

    def raise_failure(self) -> None:
        if self.failure is not None:
            raise RuntimeError(f"reading the uploaded file failed: {self.failure}") from self.failure


def _received(child: subprocess.Popen) -> tuple[str, object]:
    try:
        return _receive(child.stdout)
    except EOFError:
        code = child.wait()
        raise RuntimeError(f"the parsing process stopped without finishing (exit code {code})") from None


def _send(sink: BinaryIO, message: object) -> None:
    """One length-prefixed pickle, written straight to ``sink``'s file descriptor."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    sink.flush()  # nothing of ours is buffered there; a caller's earlier writes go first
    fd = sink.fileno()
    _write_all(fd, _LENGTH.pack(len(data)))
    _write_all(fd, data)


def _write_all(fd: int, data: bytes) -> None:
    """Write all of ``data``: ``os.write`` writes less when a signal interrupts it; go on."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _receive(source: BinaryIO) -> object:
    head = source.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        raise EOFError
    size = _LENGTH.unpack(head)[0]
    data = source.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)  # noqa: S301  (our own child's answer, over a pipe we opened)


def _child_environment() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(_PROJECT_ROOT), path]))}


def child_main(source: BinaryIO, sink: BinaryIO) -> None:
    """The child: read the job and the file from ``source``, answer batches on ``sink``."""
    job = _receive(source)
    tally, bad = ParseTally(), []
    presents: dict[frozenset, frozenset] = {}  # one object per column set: pickled once per batch
    try:
        records = CsvRecords.following(source, job["layout"])
        for rows, rows_read in row_batches(records, spec=job["spec"], tally=tally,
                                           batch_rows=job["batch_rows"], on_bad=bad.append):
            values = []
            for row in rows:
                row.present = presents.setdefault(row.present, row.present)
                values.append(_row_values(row))
            _send(sink, ("batch", (values, rows_read, bad[:])))
            bad.clear()
        _send(sink, ("done", (tally.rows_total, bad)))
    except FileRefused as exc:
        _send(sink, ("refused", str(exc)))
    except Exception:  # noqa: BLE001  (reported to the parent, which fails the import with it)
        _send(sink, ("failed", traceback.format_exc()))


if __name__ == "__main__":
    try:
        with collecting_rarely():
            child_main(sys.stdin.buffer, sys.stdout.buffer)
    except BrokenPipeError:
        sys.exit(1)  # the parent stopped reading (its import failed): nothing to say
