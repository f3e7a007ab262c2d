"""Parsing a file in a separate process: the same batches as in a thread, and safe failures.

The rest of the import suite runs both ways (the ``parse_in`` fixture); these tests compare the
two directly and make the child process fail for real.
"""

import io
import logging
import pickle
import re
import signal
import subprocess
import sys
import threading
import time
import zoneinfo

import pytest

from crm_sync.importing import parse_process
from crm_sync.importing.parse_ahead import ParseTally, parsed_batches
from crm_sync.importing.parse_process import parsed_batches_in_process
from crm_sync.importing.presets import PRESETS
from crm_sync.importing.reader import CsvRecords, FileRefused
from crm_sync.importing.rows import DealRow, RowSpec
from crm_sync.models import Deal, ImportStatus
from tests.crm.conftest import run_import

HEADER = "\ufeffRecord ID,Deal Name,Deal Stage,Amount,Create Date,Email,Phone Number,cl_visitor_id\n"


def _export(rows: int, *, repeats: bool = True) -> bytes:
    """Good rows with awkward values, bad rows of several kinds, and (unless not ``repeats``)
    repeated deal ids."""
    lines = [HEADER]
    for n in range(rows):
        crm_id = str(1000 + n - (repeats and n % 40 == 39))  # every 40th row moves the deal of the row before
        if n % 97 == 5:
            lines.append(f"{crm_id},Deal {n},closedwon,not money,2026-01-02,p{n}@example.com,,\n")
        elif n % 89 == 3:
            lines.append(f",Nameless {n},closedwon,10,2026-01-02,,,\n")
        elif n % 83 == 1:
            lines.append(f"{crm_id},Short row\n")
        else:
            lines.append(f'{crm_id},"Deal, ""{n}""\nsecond line",appointmentscheduled,"1,2{n % 10}0.50",'
                         f"11/{1 + n % 28}/2026 2:{n % 60:02d} PM,P{n % 50}@Example.com ,"
                         f"+1 415 555 {n % 10000:04d},00000000-0000-0000-0000-{n:012d}\n")
    return "".join(lines).encode()


def _spec() -> RowSpec:
    preset = PRESETS["hubspot"]
    return RowSpec(preset=preset, tz=zoneinfo.ZoneInfo("Europe/Berlin"), default_currency="EUR",
                   known_stages=dict(preset.stages))


def _parse_all(parse, content: bytes, *, batch_rows: int = 50):
    errors = []
    tally = ParseTally()
    records = CsvRecords(io.BytesIO(content), preset=PRESETS["hubspot"])
    batches = list(parse(records, spec=_spec(), tally=tally, batch_rows=batch_rows, on_error=errors.append))
    return batches, errors, tally


def test_the_process_yields_the_same_batches_rows_and_errors_as_the_thread():
    content = _export(2000)

    in_thread = _parse_all(parsed_batches, content)
    in_process = _parse_all(parsed_batches_in_process, content)

    batches, errors, tally = in_process
    assert batches == in_thread[0]
    assert errors == in_thread[1]
    assert (tally.rows_total, tally.rows_failed, tally.errors) == (
        in_thread[2].rows_total, in_thread[2].rows_failed, in_thread[2].errors)
    # The file really exercised what it claims: repeats closing batches early, bad rows, quoting.
    assert tally.rows_total == 2000 and len(batches) > 40
    assert batches[1][0][0].crm_id == batches[0][0][-1].crm_id == "1038"
    assert {e.field for e in errors} == {"amount", "crm_id", "row"}
    assert batches[0][0][1].name == 'Deal, "2"\nsecond line'


def test_a_bad_byte_late_in_the_file_is_refused_with_the_threads_message():
    content = _export(500) + "9999,Caf\xe9,closedwon,1,,,,\n".encode("cp1252")

    with pytest.raises(FileRefused) as in_thread:
        _parse_all(parsed_batches, content)
    with pytest.raises(FileRefused) as in_process:
        _parse_all(parsed_batches_in_process, content)

    # "Near": text is decoded a chunk ahead of the CSV reader, and the two read in different chunks.
    pattern = r"^the file is not valid UTF-8 \(first bad byte near row (\d+)\): export it again as UTF-8"
    for refused in (in_thread, in_process):
        assert 420 < int(re.match(pattern, str(refused.value)).group(1)) <= 502


class _FailingRead(io.BytesIO):
    """A stored upload whose storage fails once the file is read past ``limit`` bytes."""

    def __init__(self, content: bytes, limit: int):
        super().__init__(content)
        self.limit = limit

    def read(self, size=-1):
        if self.tell() >= self.limit:
            raise OSError("storage connection reset")
        return super().read(size)


def test_a_storage_error_while_feeding_the_process_fails_instead_of_importing_a_short_file():
    content = _export(6000)
    records = CsvRecords(_FailingRead(content, limit=300_000), preset=PRESETS["hubspot"])

    with pytest.raises(RuntimeError, match="reading the uploaded file failed: storage connection reset"):
        list(parsed_batches_in_process(records, spec=_spec(), tally=ParseTally(), batch_rows=5000))


@pytest.mark.django_db
def test_a_parsing_process_that_dies_fails_the_import_and_leaves_nothing(workspace, settings, monkeypatch,
                                                                         caplog):
    settings.CLICKLEDGER = {**settings.CLICKLEDGER, "DEAL_IMPORT_PARSE_PROCESS_MIN_BYTES": 0}
    monkeypatch.setattr(sys, "executable", "/bin/false")  # starts, reads nothing, exits with 1

    with caplog.at_level(logging.ERROR):
        result = run_import(workspace, _export(300))

    assert result.status == ImportStatus.FAILED
    assert "nothing was imported" in result.error
    assert "stopped without finishing (exit code 1)" in caplog.text
    assert not Deal.objects.filter(workspace=workspace).exists()


@pytest.mark.django_db
def test_when_no_process_can_start_the_file_is_parsed_in_a_thread(workspace, settings, monkeypatch, caplog):
    settings.CLICKLEDGER = {**settings.CLICKLEDGER, "DEAL_IMPORT_PARSE_PROCESS_MIN_BYTES": 0}
    monkeypatch.setattr(sys, "executable", "/nonexistent/python3")

    with caplog.at_level(logging.WARNING):
        result = run_import(workspace, _export(300))

    assert result.status == ImportStatus.SUCCEEDED
    assert "parsing in a thread instead" in caplog.text
    assert Deal.objects.filter(workspace=workspace).count() == result.rows_created > 250



_CHILD_WITH_A_HANDLER = """
import signal, sys
signal.signal(signal.SIGUSR1, lambda *_: None)  # a handled signal interrupts system calls
from crm_sync.importing.parse_process import child_main
print("ready", file=sys.stderr, flush=True)
child_main(sys.stdin.buffer, sys.stdout.buffer)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})  # exiting resets the handler
"""


def test_signals_interrupting_the_childs_writes_lose_no_batch_bytes():
    # A blocking pipe write that a signal interrupts returns short; CPython 3.11's BufferedWriter
    # then dropped the rest of the batch, and the parent failed on a cut pickle. Here the real
    # child code runs in a real process, with a handler for SIGUSR1, signalled all along.
    content = _export(20000, repeats=False)  # batches of 5,000 rows, far more than a pipe holds
    expected, _, _ = _parse_all(parsed_batches, content, batch_rows=5000)
    job = pickle.dumps({"spec": _spec(), "batch_rows": 5000,
                        "layout": CsvRecords(io.BytesIO(content), preset=PRESETS["hubspot"]).layout})
    child = subprocess.Popen([sys.executable, "-c", _CHILD_WITH_A_HANDLER], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=parse_process._child_environment())
    assert child.stderr.readline() == b"ready\n"
    feeder = threading.Thread(target=_feed,
                              args=(child.stdin, parse_process._LENGTH.pack(len(job)) + job + content))
    feeder.start()
    received = io.BytesIO()
    signals = 0
    while chunk := child.stdout.read1(16 * 1024):  # slowly: the child's writes block on a full pipe
        received.write(chunk)
        if child.poll() is None:
            child.send_signal(signal.SIGUSR1)
            signals += 1
        time.sleep(0.0005)
    feeder.join()
    child.stderr.close()
    assert child.wait() == 0

    received.seek(0)
    batches = []
    while (message := parse_process._receive(received))[0] == "batch":
        values, rows_read, _ = message[1]
        batches.append(([DealRow(*row) for row in values], rows_read))
    assert message[0] == "done"
    assert len(batches) == 4
    assert batches == expected
    assert signals > 100  # megabytes through a pipe of 64 kB, read 16 kB at a time


def _feed(sink, data: bytes) -> None:
    with sink:
        sink.write(data)
