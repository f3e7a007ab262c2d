"""The beacon fast path: touches and pixel events accepted without DRF's view machinery.

A beacon that is plainly valid (right content type and size, a JSON object, a known site called
from one of its origins, fields that pass ``beacon_checks``, consent when required) is buffered
with one Redis round trip and answered 202 here. Anything else, and every method but POST, goes to
the DRF view the endpoint is documented by, which answers exactly as it always has: the fast path
counts nothing and stores nothing before handing over, so a refused beacon costs what it did.

Only with the Redis buffer: without it a beacon is stored on the request, which costs far more
than the view machinery saved here.
"""

import json
import time

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import Throttled

from ..beacon_checks import NotForTheFastPath, beacon_validated
from ..buffer import buffer_enabled
from ..http import CollectorThrottle, allowed_origins, max_body_bytes, query_key
from ..rules import site_by_public_key

_JSON_TYPES = ("text/plain", "application/json")
_ACCEPTED = b'{"accepted":true}'


def beacon_endpoint(drf_view_class):
    """A view for ``drf_view_class``'s URL that answers plainly valid beacons itself.

    The returned function carries the DRF view's ``cls``/``initkwargs``, so drf-spectacular
    documents the endpoint from the DRF view and its serializers.
    """
    drf_view = drf_view_class.as_view()
    allow = ", ".join(drf_view_class().allowed_methods)

    @csrf_exempt
    def view(request, *args, **kwargs):
        if request.method != "POST" or not buffer_enabled():
            return drf_view(request, *args, **kwargs)
        try:
            site, data, window = _plainly_valid(request, drf_view_class.input_serializer)
        except NotForTheFastPath:
            return drf_view(request, *args, **kwargs)
        if drf_view_class.accept_beacon(site=site, data=data, request=request,
                                        throttle=window) is False:
            return _throttled(window.ends_at - time.time())
        response = HttpResponse(_ACCEPTED, status=202, content_type="application/json")
        response["Allow"] = allow
        return response

    view.cls, view.initkwargs = drf_view.cls, drf_view.initkwargs
    return view


def _plainly_valid(request, serializer_class):
    """(site, validated data, throttle window) of a beacon the fast path may accept."""
    content_type = request.META.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
    limit = max_body_bytes()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise NotForTheFastPath from None
    if content_type not in _JSON_TYPES or not 0 < declared <= limit:
        raise NotForTheFastPath
    body = request.body  # kept by Django: the DRF view can still parse it after a hand-over
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise NotForTheFastPath from None
    if not isinstance(data, dict):
        raise NotForTheFastPath
    site = _site(request, data)
    validated = beacon_validated(serializer_class, data, workspace=site.workspace)
    if site.requires_consent and not validated["consent"]:
        raise NotForTheFastPath
    return site, validated, CollectorThrottle().window(request)


def _site(request, data: dict):
    """The site of ``public_key_of`` and ``site_for_collector``, when they would accept it."""
    key = request.META.get("HTTP_X_CLICKLEDGER_KEY") or query_key(request) or data.get("key")
    if not key or not isinstance(key, str):
        raise NotForTheFastPath
    site = site_by_public_key(key)
    if site is None:
        raise NotForTheFastPath
    origin = request.META.get("HTTP_ORIGIN")
    if origin and origin not in allowed_origins(site):
        raise NotForTheFastPath
    return site


def _throttled(wait: float) -> HttpResponse:
    """The 429 DRF's exception handler renders for ``Throttled(wait)``."""
    exc = Throttled(wait=max(0.0, wait))
    response = HttpResponse(json.dumps({"detail": exc.detail}, separators=(",", ":")),
                            status=429, content_type="application/json")
    if exc.wait:
        response["Retry-After"] = f"{int(exc.wait)}"
    return response
