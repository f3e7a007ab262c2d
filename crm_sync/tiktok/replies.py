"""Classifying Events API replies into success, retryable or permanent. Pure: no I/O.

TikTok answers most errors with HTTP 200 and a non-zero ``code``: 40100 is its rate limit,
5xxxx its system errors (retry both); 40001/40002/40105/… are permission, parameter and token
errors that no retry can fix (dead-letter them with the message).
"""

import enum
import json
from collections.abc import Collection
from dataclasses import dataclass

AUTH_CODES = frozenset({40001, 40104, 40105})


class Outcome(enum.StrEnum):
    SUCCESS = "success"
    RETRYABLE = "retryable"
    PERMANENT = "permanent"


@dataclass(frozen=True)
class Reply:
    outcome: Outcome
    message: str
    request_id: str = ""
    code: int | None = None
    http_status: int | None = None

    @property
    def is_auth_error(self) -> bool:
        return self.http_status in (401, 403) or self.code in AUTH_CODES

    @property
    def is_rate_limited(self) -> bool:
        return self.http_status == 429 or self.code == 40100


def classify_http(*, status: int, body: bytes, headers: dict[str, str],
                  retryable_codes: Collection[int]) -> Reply:
    """Turn one HTTP answer into a Reply; the request id comes from the body or TikTok's log header."""
    parsed = _json_object(body)
    request_id = str(parsed.get("request_id") or headers.get("x-tt-logid") or "")
    code = parsed.get("code") if isinstance(parsed.get("code"), int) else None
    message = str(parsed.get("message") or body[:200].decode("utf-8", "replace") or f"HTTP {status}")
    kwargs = {"request_id": request_id, "code": code, "http_status": status}
    if status == 429 or status >= 500:
        return Reply(Outcome.RETRYABLE, f"HTTP {status}: {message}", **kwargs)
    if status >= 400:
        return Reply(Outcome.PERMANENT, f"HTTP {status}: {message}", **kwargs)
    if code is None:
        # A 2xx without TikTok's envelope came from something in between (proxy, captive portal).
        return Reply(Outcome.RETRYABLE, f"HTTP {status} without a TikTok reply: {message}", **kwargs)
    if code == 0:
        return Reply(Outcome.SUCCESS, message, **kwargs)
    if code in retryable_codes or code >= 50000:
        return Reply(Outcome.RETRYABLE, f"code {code}: {message}", **kwargs)
    return Reply(Outcome.PERMANENT, f"code {code}: {message}", **kwargs)


def classify_transport_error(exc: Exception) -> Reply:
    """Timeouts, refused and dropped connections: the request may or may not have arrived; retry."""
    return Reply(Outcome.RETRYABLE, f"{type(exc).__name__}: {exc}".strip().rstrip(":"))


def _json_object(body: bytes) -> dict:
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return {}
    return parsed if isinstance(parsed, dict) else {}
