"""HTTP client for TikTok's Events API 1.3 (``event/track``), on a pooled httpx.Client."""

from collections.abc import Collection

import httpx

from . import payload
from .replies import Reply, classify_http, classify_transport_error

TRACK_PATH = "/open_api/v1.3/event/track/"
# A read-only call that needs a valid token: used by "test connection" in the admin.
TOKEN_CHECK_PATH = "/open_api/v1.3/pixel/list/"


class EventsClient:
    """Sends request bodies; never raises for HTTP or network trouble, it returns a classified Reply."""

    def __init__(self, *, base_url: str, access_token: str, timeout: float,
                 retryable_codes: Collection[int], http: httpx.Client | None = None):
        self._token = access_token
        self._retryable = frozenset(retryable_codes)
        self._http = http or httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout,
                                          headers={"Content-Type": "application/json"})
        self._owns_http = http is None

    def track(self, body: dict | bytes) -> Reply:
        """POST one ``event/track`` body (a dict, or its JSON bytes from ``payload.encode_body``)."""
        content = body if isinstance(body, bytes) else payload.encode(body)
        return self._send("POST", TRACK_PATH, content=content)

    def check_token(self, *, advertiser_id: str, pixel_code: str = "") -> Reply:
        params = {"advertiser_id": advertiser_id}
        if pixel_code:
            params["code"] = pixel_code
        return self._send("GET", TOKEN_CHECK_PATH, params=params)

    def _send(self, method: str, path: str, **kwargs) -> Reply:
        try:
            response = self._http.request(method, path, headers={"Access-Token": self._token},
                                          **kwargs)
        except httpx.HTTPError as exc:
            return classify_transport_error(exc)
        return classify_http(status=response.status_code, body=response.content,
                             headers={k.lower(): v for k, v in response.headers.items()},
                             retryable_codes=self._retryable)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> "EventsClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
