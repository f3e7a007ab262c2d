"""A fake TikTok Events API: a real HTTP server on loopback that checks requests like the real one.

It validates what TikTok validates (the ``Access-Token`` header, required fields, SHA-256 hash
format, ``event_time`` in seconds, batch size and body size), answers in TikTok's envelope
(``{"code", "message", "request_id", "data"}``), records every accepted event, and can be told to
misbehave: scripted replies for the next requests, random faults at a given rate, latency, and
dropped connections (before or after it accepted the events).

    with FakeTikTok(token="t") as fake:
        fake.script(Fault.http(500), Fault.api_error(40100))
        ... point TIKTOK_API_BASE at fake.base_url ...
"""

import contextlib
import json
import random
import re
import socket
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TRACK_PATH = "/open_api/v1.3/event/track/"
TOKEN_CHECK_PATH = "/open_api/v1.3/pixel/list/"
EVENT_SOURCES = {"web", "app", "offline", "crm"}
HASHED_USER_FIELDS = ("email", "phone", "external_id")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class Fault:
    """One way to answer a request instead of (or before) accepting it."""

    kind: str  # "http", "code", "slow", "drop", "drop_after_accept"
    status: int = 200
    code: int = 0
    message: str = ""
    seconds: float = 0.0

    @classmethod
    def http(cls, status: int, message: str = "server error") -> "Fault":
        return cls("http", status=status, message=message)

    @classmethod
    def api_error(cls, code: int, message: str = "error") -> "Fault":
        return cls("code", code=code, message=message)

    @classmethod
    def slow(cls, seconds: float) -> "Fault":
        return cls("slow", seconds=seconds)

    @classmethod
    def drop(cls, *, after_accept: bool = False) -> "Fault":
        return cls("drop_after_accept" if after_accept else "drop")


RANDOM_RETRYABLE_FAULTS = (
    Fault.http(500), Fault.http(503), Fault.http(429, "too many requests"),
    Fault.api_error(40100, "Too many requests"), Fault.api_error(50000, "System error"),
    Fault.drop(), Fault.drop(after_accept=True),
)


class ValidationError(Exception):
    pass


class FakeTikTok:
    def __init__(self, *, token: str = "tt-access-token-for-tests", max_batch: int = 1000,
                 max_body_bytes: int = 1_000_000, max_event_age_days: float | None = None):
        self.tokens = {token}
        self.max_batch = max_batch
        self.max_body_bytes = max_body_bytes
        self.max_event_age_days = max_event_age_days
        self.accepted: list[dict] = []  # each: the event plus event_source, event_source_id, …
        self.requests: list[dict] = []  # each: time, path, events, answer
        self.latency = 0.0
        self._script: list[Fault] = []
        self._random_rate = 0.0
        self._random_faults: tuple[Fault, ...] = ()
        self._rng = random.Random(0)
        self._lock = threading.Lock()
        self.in_flight = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- control -------------------------------------------------------------------------------
    def script(self, *faults: Fault) -> None:
        """Answer the next requests with these faults, in order, then behave again."""
        with self._lock:
            self._script.extend(faults)

    def fail_randomly(self, rate: float, faults=RANDOM_RETRYABLE_FAULTS, seed: int = 0) -> None:
        with self._lock:
            self._random_rate, self._random_faults = rate, tuple(faults)
            self._rng = random.Random(seed)

    def reset(self) -> None:
        with self._lock:
            self.accepted.clear()
            self.requests.clear()
            self._script.clear()
            self._random_rate = 0.0
            self.latency = 0.0

    def event_ids(self) -> list[str]:
        with self._lock:
            return [e["event_id"] for e in self.accepted]

    # --- lifecycle -----------------------------------------------------------------------------
    def start(self) -> "FakeTikTok":
        self._server = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "FakeTikTok":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- behaviour -----------------------------------------------------------------------------
    def next_fault(self) -> Fault | None:
        with self._lock:
            if self._script:
                return self._script.pop(0)
            if self._random_rate and self._rng.random() < self._random_rate:
                return self._rng.choice(self._random_faults)
        return None

    def validate(self, token: str | None, raw: bytes) -> dict:
        if token not in self.tokens:
            raise PermissionError("Access token is incorrect or has been revoked.")
        if len(raw) > self.max_body_bytes:
            raise ValidationError(f"request body of {len(raw)} bytes exceeds {self.max_body_bytes}")
        try:
            body = json.loads(raw)
        except ValueError as exc:
            raise ValidationError("body is not JSON") from exc
        if body.get("event_source") not in EVENT_SOURCES:
            raise ValidationError(f"event_source must be one of {sorted(EVENT_SOURCES)}")
        if not isinstance(body.get("event_source_id"), str) or not body["event_source_id"]:
            raise ValidationError("event_source_id is required")
        data = body.get("data")
        if not isinstance(data, list) or not data:
            raise ValidationError("data must be a non-empty list")
        if len(data) > self.max_batch:
            raise ValidationError(f"data has {len(data)} events; at most {self.max_batch} allowed")
        for index, event in enumerate(data):
            self._validate_event(index, event)
        return body

    def _validate_event(self, index: int, event: dict) -> None:
        where = f"data[{index}]"
        for name in ("event", "event_id"):
            if not isinstance(event.get(name), str) or not event[name]:
                raise ValidationError(f"{where}.{name} is required")
        ts = event.get("event_time")
        if not isinstance(ts, int) or isinstance(ts, bool):
            raise ValidationError(f"{where}.event_time must be an integer (Unix seconds)")
        now = time.time()
        if ts > now + 86400 or ts < 1_000_000_000:
            raise ValidationError(f"{where}.event_time {ts} is not in Unix seconds")
        if self.max_event_age_days is not None and ts < now - self.max_event_age_days * 86400:
            raise ValidationError(f"{where}.event_time is older than {self.max_event_age_days} days")
        user = event.get("user", {})
        if not isinstance(user, dict):
            raise ValidationError(f"{where}.user must be an object")
        for name in HASHED_USER_FIELDS:
            values = user.get(name, [])
            for value in values if isinstance(values, list) else [values]:
                if not isinstance(value, str) or not _SHA256.match(value):
                    raise ValidationError(f"{where}.user.{name} must be SHA-256 hex (lower case)")
        props = event.get("properties", {})
        if "value" in props and (not isinstance(props["value"], int | float)
                                 or not _CURRENCY.match(str(props.get("currency", "")))):
            raise ValidationError(f"{where}.properties: value needs a number and an ISO currency")

    def accept(self, body: dict) -> None:
        envelope = {k: body.get(k, "") for k in ("event_source", "event_source_id", "test_event_code")}
        with self._lock:
            self.accepted.extend({**event, **envelope} for event in body["data"])

    def log(self, **entry) -> None:
        with self._lock:
            self.requests.append({"time": time.monotonic(), **entry})


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A client that timed out and hung up is a scenario under test, not a server bug.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_for(fake: FakeTikTok):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like the real API behind its load balancer
        disable_nagle_algorithm = True  # headers and body go out at once, no 40 ms delayed-ACK stall

        def log_message(self, *args):  # quiet test output
            pass

        def do_GET(self):
            if not self.path.startswith(TOKEN_CHECK_PATH):
                return self._json(404, {"code": 40400, "message": "not found"})
            if self.headers.get("Access-Token") not in fake.tokens:
                return self._json(200, _envelope(40105, "Access token is incorrect or has been revoked."))
            return self._json(200, _envelope(0, "OK", {"pixels": []}))

        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path != TRACK_PATH:
                return self._json(404, {"code": 40400, "message": "not found"})
            with fake._lock:
                fake.in_flight += 1
            try:
                self._track(raw)
            finally:
                with fake._lock:
                    fake.in_flight -= 1

        def _track(self, raw: bytes):
            if fake.latency:
                time.sleep(fake.latency)
            fault = fake.next_fault()
            if fault and fault.kind == "slow":
                time.sleep(fault.seconds)
                fault = None
            if fault and fault.kind == "drop":
                fake.log(path=self.path, events=0, answer="drop")
                return self._drop()
            if fault and fault.kind in ("http", "code"):
                fake.log(path=self.path, events=0, answer=f"{fault.kind} {fault.status}/{fault.code}")
                return self._json(fault.status, _envelope(fault.code or fault.status, fault.message))
            try:
                body = fake.validate(self.headers.get("Access-Token"), raw)
            except PermissionError as exc:
                fake.log(path=self.path, events=0, answer="40105")
                return self._json(200, _envelope(40105, str(exc)))
            except ValidationError as exc:
                fake.log(path=self.path, events=0, answer="40002")
                return self._json(200, _envelope(40002, str(exc)))
            fake.accept(body)
            fake.log(path=self.path, events=len(body["data"]), answer="ok")
            if fault and fault.kind == "drop_after_accept":
                return self._drop()
            return self._json(200, _envelope(0, "OK", {}))

        def _drop(self):
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

        def _json(self, status: int, payload: dict):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Tt-Logid", payload.get("request_id", ""))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _envelope(code: int, message: str, data: dict | None = None) -> dict:
    return {"code": code, "message": message, "request_id": uuid.uuid4().hex, "data": data or {}}
