"""The gunicorn worker class: gthread's keep-alive event loop, serving requests on its own thread.

gunicorn's gthread worker hands every request from its event loop to a pool thread and the result
back (a queue, a future, a wake-up pipe, two interpreter-lock handoffs). With one thread per
process — our default, see config/gunicorn.py — the pool adds no concurrency, only that cost.
This worker keeps gthread's event loop (keep-alive, pending and idle-connection timeouts, graceful
shutdown) and calls the request handler directly on the loop's thread.

What a single thread per process means is unchanged: one request at a time, a client that sends
its request slowly holds the process while it does (put a buffering proxy in front, as for any
gunicorn deployment). A new connection is served only once its first bytes have arrived, so an
idle connection never holds the loop; a busy process does not poll, so it accepts no connection
it could not start on, and idle processes take them instead.
"""

import selectors
import time
from concurrent.futures import Future
from functools import partial

from gunicorn.workers.gthread import ThreadWorker


class InlineWorker(ThreadWorker):
    """gthread with requests served on the event loop's thread (``threads`` must be 1)."""

    def enqueue_req(self, conn):
        if not conn.initialized and not conn.data_ready:
            self._wait_for_first_bytes(conn)
            return
        outcome = Future()
        try:
            outcome.set_result(self.handle(conn))
        except BaseException as error:  # noqa: BLE001 - finish_request closes the connection
            outcome.set_exception(error)
        self.finish_request(conn, outcome)

    def _wait_for_first_bytes(self, conn):
        """Park a just-accepted connection on the poller until it is readable (gthread's _DEFER)."""
        conn.sock.setblocking(False)
        conn.timeout = time.monotonic() + self.cfg.keepalive
        self.pending_conns.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ,
                             partial(self.on_pending_socket_readable, conn))
