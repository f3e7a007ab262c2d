"""HTTP plumbing shared by the collector and the events API: parsing, limits, throttles, keys."""

import json
import re
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework import exceptions, status
from rest_framework.parsers import BaseParser
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from attribution.models import Site

from .buffer import ThrottleWindow, buffer_enabled, redis_client
from .rules import site_by_public_key


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body too large."
    default_code = "payload_too_large"


class MissingSiteKey(exceptions.APIException):
    # Not NotAuthenticated: DRF turns that into a 403 for views without authenticators.
    status_code = status.HTTP_401_UNAUTHORIZED
    default_code = "missing_site_key"


def max_body_bytes() -> int:
    return settings.CLICKLEDGER["COLLECTOR_MAX_BODY_BYTES"]


def check_body_size(request, *, limit: int) -> None:
    """Refuse a declared oversized body before reading it (the parser re-checks what it reads)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise PayloadTooLarge(f"Request body is {declared} bytes; the limit is {limit}.")


class JSONObjectParser(BaseParser):
    """JSON whose top level is an object, under a size limit; also sent as text/plain (sendBeacon).

    ``sendBeacon`` and ``fetch(keepalive)`` use text/plain so that browsers send them without a
    CORS preflight; the body is JSON all the same.
    """

    media_type = "application/json"
    limit_setting = "COLLECTOR_MAX_BODY_BYTES"

    def parse(self, stream, media_type=None, parser_context=None):
        limit = self.limit(parser_context)
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge(f"Request body exceeds the limit of {limit} bytes.")
        try:
            data = json.loads(raw or b"null")
        except (ValueError, UnicodeDecodeError) as exc:
            raise exceptions.ParseError(f"Malformed JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise exceptions.ParseError("The body must be a JSON object.")
        return data

    def limit(self, parser_context) -> int:
        view = (parser_context or {}).get("view")
        return getattr(view, "max_body_bytes", None) or max_body_bytes()


class PlainTextJSONParser(JSONObjectParser):
    media_type = "text/plain"


class FixedWindowRateThrottle(BaseThrottle):
    """Counts requests per (scope, client) in fixed windows with one atomic cache increment.

    DRF's SimpleRateThrottle keeps a list of timestamps per client and rewrites it on every
    request; at collector rates that list is the cost. Rates come from
    ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope]``, e.g. "600/min".
    """

    scope = ""

    def allow_request(self, request, view) -> bool:
        window = self.window(request)
        return window is None or self._hits(window) <= window.limit

    def window(self, request) -> "ThrottleWindow | None":
        """This request's counter key, limit and window length; None when the scope is unlimited."""
        rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].get(self.scope)
        if not rate:
            return None
        limit, self.period = self.parse_rate(rate)
        number = int(time.time() // self.period)
        self.window_end = (number + 1) * self.period
        return ThrottleWindow(f"thr:{self.scope}:{self.ident_for(request)}:{number}", limit,
                              self.period, self.window_end)

    @staticmethod
    def _hits(window: ThrottleWindow) -> int:
        """This window's count including this request: one round trip to Redis when there is one."""
        if buffer_enabled() or settings.REDIS_URL:
            # The buffer's Redis (where buffer_admit counts too). Django's cache would build a
            # Redis client per call and need two calls for add+incr.
            pipe = redis_client().pipeline(transaction=False)
            pipe.incr(window.key)
            pipe.expire(window.key, window.seconds + 1, nx=True)
            return pipe.execute()[0]
        if cache.add(window.key, 1, timeout=window.seconds + 1):
            return 1
        try:
            return cache.incr(window.key)
        except ValueError:  # expired between add and incr
            cache.add(window.key, 1, timeout=window.seconds + 1)
            return 1

    def ident_for(self, request) -> str:
        return self.get_ident(request)

    def get_ident(self, request) -> str:
        """DRF's ``BaseThrottle.get_ident``, reading X-Forwarded-For from ``META``.

        DRF reads it through ``request.headers``, which builds a dict of every header on first
        use (~5 µs); a beacon needs no other header from it.
        """
        xff = request.META.get("HTTP_X_FORWARDED_FOR")
        remote_addr = request.META.get("REMOTE_ADDR")
        num_proxies = api_settings.NUM_PROXIES
        if num_proxies is not None:
            if num_proxies == 0 or xff is None:
                return remote_addr
            addrs = xff.split(",")
            return addrs[-min(num_proxies, len(addrs))].strip()
        return "".join(xff.split()) if xff else remote_addr

    def wait(self) -> float:
        return max(0.0, self.window_end - time.time())

    @staticmethod
    def parse_rate(rate: str) -> tuple[int, int]:
        count, period = rate.split("/")
        return int(count), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


class CollectorThrottle(FixedWindowRateThrottle):
    """With the Redis buffer, a view that sets ``counts_throttle_on_push`` has its beacons counted
    in the same round trip as the push (``buffer_admit``); it must count refused requests itself
    (``count_refused``). Without the buffer this is a plain fixed-window throttle.
    """

    scope = "collector"

    def allow_request(self, request, view) -> bool:
        if getattr(view, "counts_throttle_on_push", False) and buffer_enabled():
            request.collector_throttle = self.window(request)
            return True
        return super().allow_request(request, view)

    def count_refused(self, request) -> None:
        """Count a request refused before its push; raise Throttled when it is over the limit."""
        window = getattr(request, "collector_throttle", None)
        if window and self._hits(window) > window.limit:
            raise exceptions.Throttled(wait=max(0.0, window.ends_at - time.time()))


class EventsApiThrottle(FixedWindowRateThrottle):
    """Per key, not per address: one customer backend may sit behind many addresses."""

    scope = "events_api"

    def ident_for(self, request) -> str:
        return request.META.get("HTTP_AUTHORIZATION", "")[-16:] or self.get_ident(request)


def public_key_of(request) -> str:
    """The site key from the header, the query string (lets CORS decide per site) or the body."""
    key = request.META.get("HTTP_X_CLICKLEDGER_KEY") or query_key(request)
    if key:
        return key
    body_key = request.data.get("key")
    return body_key if isinstance(body_key, str) else ""


_PLAIN_KEY_QUERY = re.compile(r"k=([A-Za-z0-9_.~-]+)")


def query_key(request) -> str | None:
    """``request.GET.get("k")``, without building ``request.GET`` for a query string that is just
    ``k=<plain key>`` (what the tracker sends): nothing in it to decode, one value, one field."""
    if "GET" not in request.__dict__:  # WSGIRequest.GET is parsed on first use, then kept
        plain = _PLAIN_KEY_QUERY.fullmatch(request.META.get("QUERY_STRING", ""))
        if plain:
            return plain.group(1)
    return request.GET.get("k")


def site_for_collector(request) -> Site:
    """The active site behind the request's public key, called from one of its allowed origins."""
    key = public_key_of(request)
    if not key:
        raise MissingSiteKey(
            "Send the site's public key as 'key' in the body, ?k= or the X-Clickledger-Key header.")
    site = site_by_public_key(key)
    if site is None:
        raise exceptions.PermissionDenied("Unknown or inactive site key.")
    origin = request.META.get("HTTP_ORIGIN")
    if origin and origin not in allowed_origins(site):
        # CORS alone would only hide the reply: a text/plain beacon is never preflighted.
        raise exceptions.PermissionDenied(
            f"Origin {origin} is not among this site's allowed origins.")
    return site


def allowed_origins(site: Site) -> set[str]:
    """The site's allowed origins; with none listed, https:// on each of its domains."""
    origins = site.allowed_origins or [f"https://{domain}" for domain in site.domains or []]
    return {o.rstrip("/") for o in origins}


def client_ip(request) -> str:
    """The caller's address: REMOTE_ADDR, or X-Forwarded-For when NUM_PROXIES says to trust it."""
    if api_settings.NUM_PROXIES:
        return FixedWindowRateThrottle().get_ident(request)
    return request.META.get("REMOTE_ADDR", "")
