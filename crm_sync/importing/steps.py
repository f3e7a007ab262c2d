"""Python work done in small steps while PostgreSQL works on a statement, in the same thread.

An import's thread spends half its time waiting for PostgreSQL (COPY, index inserts, foreign-key
checks) and PostgreSQL half its time waiting for the thread. Work that does not need the database
(planning the next batch) can fill those waits. A second thread cannot: every time a database
call returns, the writing thread waits for the interpreter lock the planning one holds, and a
batch makes dozens of round trips (measured: no faster, and more CPU; benchmarks/README.md).

So the work is a generator that yields every ``STEP_ROWS`` rows, and while a statement runs,
``working_while_waiting`` has psycopg's wait loop run a step whenever the socket has nothing to
say, instead of sleeping in ``poll``. What is left when the statements are done runs then.
"""

import select
from collections.abc import Generator
from contextlib import contextmanager, suppress

import psycopg
from psycopg import waiting

from attribution.services.identity import run_to_end as steps_run  # noqa: F401  (a stepped generator to its end)

STEP_ROWS = 256  # about a millisecond of planning

_EVENTS = {waiting.Wait.R: select.POLLIN, waiting.Wait.W: select.POLLOUT,
           waiting.Wait.RW: select.POLLIN | select.POLLOUT}
_BAD = select.POLLERR | select.POLLHUP | select.POLLNVAL


class Background:
    """A stepped generator run a step at a time. A failure is kept and raised by ``result()``:
    raised inside a database wait, it would leave the connection mid-statement."""

    def __init__(self, steps: Generator):
        self._steps = steps
        self.done = False
        self._value = None
        self._failure: BaseException | None = None

    def step(self) -> None:
        try:
            next(self._steps)
        except StopIteration as finished:
            self.done, self._value = True, finished.value
        except Exception as exc:  # noqa: BLE001  (raised again by result())
            self.done, self._failure = True, exc

    def result(self):
        while not self.done:
            self.step()
        if self._failure is not None:
            raise self._failure
        return self._value


@contextmanager
def working_while_waiting(connection, work: Background):
    """Inside the block, while a statement on ``connection`` (Django's, on PostgreSQL) keeps the
    server busy, run steps of ``work``. Elsewhere a no-op: the work runs after, via ``result()``."""
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection  # psycopg's Connection: its cursors and COPY all wait through .wait
    psycopg_wait = raw.wait

    def wait(gen, interval: float = 0.1, timeout: float | None = None):
        if timeout is not None or work.done:
            return psycopg_wait(gen, interval=interval, timeout=timeout)
        try:
            return _wait_working(gen, raw.pgconn.socket, work, int(interval * 1000))
        except KeyboardInterrupt:
            # As psycopg does: cancel the statement, let the server finish it, then stop.
            with suppress(Exception):
                raw.cancel_safe(timeout=5.0)
                waiting.wait(gen, raw.pgconn.socket, interval=interval, timeout=5.0)
            raise

    raw.wait = wait
    try:
        yield
    finally:
        del raw.wait


def _wait_working(gen, fileno: int, work: Background, interval_ms: int):
    """psycopg's ``waiting.wait_poll`` (the same generator protocol), running a step of ``work``
    each time the socket is not ready."""
    try:
        state = next(gen)
        poll = select.poll()
        poll.register(fileno, _EVENTS[state])
        while True:
            events = poll.poll(0 if not work.done else interval_ms)
            if not events:
                if work.done:
                    gen.send(waiting.Ready.NONE)
                else:
                    work.step()
                continue
            event = events[0][1]
            ready = waiting.Ready.NONE
            if event & select.POLLIN:
                ready |= waiting.Ready.R
            if event & select.POLLOUT:
                ready |= waiting.Ready.W
            if not ready and event & _BAD:
                raise psycopg.OperationalError("connection socket closed")
            state = gen.send(ready)
            poll.modify(fileno, _EVENTS[state])
    except StopIteration as finished:
        return finished.value
