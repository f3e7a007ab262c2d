"""The gunicorn worker class: gthread's keep-alive event loop, serving requests on its own thread.

gunicorn's gthread worker hands every request from its event loop to a pool thread and the result
back (a queue, a future, a wake-up pipe, two interpreter-lock handoffs). With one thread per
process — our default, see config/gunicorn.py — the pool adds no concurrency, only that cost.
This worker keeps gthread's event loop (keep-alive, pending and idle-connection timeouts, graceful
shutdown) and calls the request handler directly on the loop's thread.

What a single thread per process means is unchanged: one request at a time (a heartbeat thread
tells the arbiter the process is alive meanwhile, as gthread's loop did), a client that sends
its request slowly holds the process while it does (put a buffering proxy in front, as for any
gunicorn deployment). A new connection is served only once its first bytes have arrived, so an
idle connection never holds the loop; a busy process does not poll, so it accepts no connection
it could not start on, and idle processes take them instead.
"""

import selectors
import socket
import threading
import time
from concurrent.futures import Future
from functools import partial

from gunicorn.workers.gthread import ThreadWorker


class InlineWorker(ThreadWorker):
    """gthread with requests served on the event loop's thread (``threads`` must be 1)."""

    def run(self):
        if self.timeout:
            threading.Thread(target=self._heartbeat, name="gunicorn-heartbeat", daemon=True).start()
        super().run()

    def _heartbeat(self):
        """Tell the arbiter this process is alive while the loop's thread serves a long request.

        gthread's loop kept doing so while a pool thread worked, so a slow page or a large upload
        was never cut off at gunicorn's ``timeout``; serving on the loop's thread must not change
        that. (A request stuck for good is not killed either — as with gthread.)
        """
        while self.alive:
            self.notify()
            time.sleep(min(self.timeout, 1.0))

    def enqueue_req(self, conn):
        if not conn.initialized and not conn.data_ready:
            if not _has_bytes_waiting(conn.sock):
                self._wait_for_first_bytes(conn)
                return
            conn.data_ready = True
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


def _has_bytes_waiting(sock) -> bool:
    """Whether a just-accepted connection's first bytes (or its close) are already here.

    One non-blocking peek: a client that connects and sends at once (a browser's beacon, a load
    test) is served straight away, while the other processes woken for the same burst of
    connections accept the rest, instead of this one parking every connection it can grab.
    """
    try:
        sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except (BlockingIOError, InterruptedError):
        return False
    except OSError:
        return True  # reset or similar: handling it closes the connection
    return True
