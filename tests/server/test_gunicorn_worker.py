"""config/gunicorn.py's worker (config/gunicorn_worker.py) under a real gunicorn on loopback.

One worker process with its single thread, as deployed: what a client sees on keep-alive,
pipelined and slow connections, when the application fails, and on a graceful stop.
"""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config import gunicorn as production

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
KEEPALIVE = 30  # seconds: far longer than any wait below, so a held loop would show


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(tmp_path, *options: str):
    """gunicorn with config/gunicorn.py, one worker, serving the probe app; (port, pid, process, log)."""
    port = free_port()
    env = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1",
           "GUNICORN_KEEPALIVE": str(KEEPALIVE)}
    env.pop("GUNICORN_THREADS", None)
    log = (tmp_path / "gunicorn.log").open("w+")
    process = subprocess.Popen([str(GUNICORN), "-c", "config/gunicorn.py", "--graceful-timeout", "10",
                                *options, "tests.server.wsgi_probe:app"],
                               cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while True:
        try:
            answer = request(port, "/ready")
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                output = log.read()
                stop(process, log)
                pytest.fail(f"gunicorn did not start:\n{output}")
            time.sleep(0.1)
            continue
        return port, int(answer.split()[0]), process, log


@pytest.fixture
def server(tmp_path):
    port, pid, process, log = started = start(tmp_path)
    yield started
    stop(process, log)


def stop(process, log) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()
    log.close()


def request(port: int, path: str, timeout: float = 10) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.read().decode()
    finally:
        connection.close()


def read_responses(sock: socket.socket, count: int) -> list[bytes]:
    """Read ``count`` HTTP responses with Content-Length bodies off a raw socket."""
    buffered, responses = b"", []
    while len(responses) < count:
        while b"\r\n\r\n" not in buffered:
            chunk = sock.recv(65536)
            assert chunk, f"connection closed after {len(responses)} responses"
            buffered += chunk
        head, buffered = buffered.split(b"\r\n\r\n", 1)
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        while len(buffered) < length:
            buffered += sock.recv(65536)
        responses.append(head.split(b"\r\n", 1)[0] + b" " + buffered[:length])
        buffered = buffered[length:]
    return responses


def test_the_production_config_uses_the_inline_worker_with_one_thread():
    assert production.worker_class == "config.gunicorn_worker.InlineWorker"
    assert production.threads == 1


def test_a_kept_alive_connection_serves_request_after_request(server):
    port, pid, _, _ = server
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    answers = []
    for path in ("/one", "/two", "/three"):
        connection.request("POST", path, body=b"x" * 1000)
        response = connection.getresponse()
        assert response.status == 200
        assert response.getheader("Connection", "").lower() != "close"
        answers.append(response.read().decode())
        if path == "/one":
            first_socket = connection.sock
    assert connection.sock is first_socket  # the same TCP connection all along
    assert answers == [f"{pid} /one 1000", f"{pid} /two 1000", f"{pid} /three 1000"]
    connection.close()


def test_an_idle_connection_does_not_hold_the_only_process(server):
    port, pid, _, _ = server
    with socket.create_connection(("127.0.0.1", port)) as idle:  # connects, never sends a byte
        time.sleep(0.3)  # accepted by now: the worker's loop polls it
        # answered at once: a loop waiting on the idle connection's first bytes would hold this
        # request for gthread's 5 s data timeout, or for the 30 s keep-alive
        assert request(port, "/while-another-waits", timeout=2.5) == f"{pid} /while-another-waits 0"
        kept = socket.create_connection(("127.0.0.1", port))
        kept.sendall(b"GET /kept HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_responses(kept, 1)[0].endswith(f"{pid} /kept 0".encode())
        # the first, still idle connection is served once it speaks
        idle.sendall(b"GET /late HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_responses(idle, 1)[0].endswith(f"{pid} /late 0".encode())
        kept.close()


def test_pipelined_requests_are_all_answered_in_order(server):
    port, pid, _, _ = server
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"".join(f"GET /p{i} HTTP/1.1\r\nHost: x\r\n\r\n".encode() for i in range(5)))
        responses = read_responses(sock, 5)
    assert [r.split(b" ", 3)[-1] for r in responses] == [f"{pid} /p{i} 0".encode() for i in range(5)]
    assert all(r.startswith(b"HTTP/1.1 200") for r in responses)


def test_a_request_sent_in_pieces_is_answered(server):
    port, pid, _, _ = server
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"POST /slow HTTP/1.1\r\nHost: x\r\nContent-Len")
        time.sleep(0.2)
        sock.sendall(b"gth: 5\r\n\r\nab")
        time.sleep(0.2)
        sock.sendall(b"cde")
        assert read_responses(sock, 1)[0].endswith(f"{pid} /slow 5".encode())


def test_an_application_error_is_a_500_and_the_process_keeps_serving(server):
    port, pid, process, _ = server
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/boom")
    assert connection.getresponse().status == 500
    connection.close()
    assert request(port, "/after") == f"{pid} /after 0"
    assert process.poll() is None


def test_a_graceful_stop_closes_idle_connections_and_exits_cleanly(server):
    port, pid, process, log = server
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(b"GET /before-stop HTTP/1.1\r\nHost: x\r\n\r\n")
    assert read_responses(sock, 1)[0].endswith(f"{pid} /before-stop 0".encode())
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
    assert sock.recv(1) == b""  # the kept-alive connection was closed, not left hanging
    sock.close()
    log.seek(0)
    assert "Traceback" not in log.read()


def test_a_request_longer_than_the_worker_timeout_is_not_killed(tmp_path):
    """As with gthread, whose loop kept telling the arbiter it was alive while a thread worked: a
    slow page or upload is not cut off at gunicorn's ``timeout`` (2 s here)."""
    port, pid, process, log = start(tmp_path, "--timeout", "2")
    try:
        assert request(port, "/sleep?4.5", timeout=20) == f"{pid} /sleep 0"
        assert request(port, "/after") == f"{pid} /after 0"  # the same process, not a replacement
        log.seek(0)
        assert "WORKER TIMEOUT" not in log.read()
    finally:
        stop(process, log)
