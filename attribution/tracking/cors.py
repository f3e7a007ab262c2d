"""Per-site CORS for the collector, through django-cors-headers' ``check_request_enabled`` hook.

With the site key in the URL (``?k=``, what the tracker sends) only that site's allowed origins
pass. A preflight carries no body, so without ``?k=`` any active site's origin passes the
preflight; the request itself is then checked against its own site (``site_for_collector``).
"""

import time

from corsheaders.signals import check_request_enabled
from django.dispatch import receiver

from attribution.models import Site

from .http import allowed_origins, query_key
from .rules import CACHE_SECONDS, site_by_public_key

_all_origins: tuple[float, frozenset[str]] = (0.0, frozenset())


@receiver(check_request_enabled)
def collector_cors_allowed(sender, request, **kwargs) -> bool:
    if not request.path.startswith("/api/v1/collect/"):
        return False
    origin = request.META.get("HTTP_ORIGIN", "").rstrip("/")
    key = query_key(request) or request.META.get("HTTP_X_CLICKLEDGER_KEY")
    if key:
        site = site_by_public_key(key)
        return bool(site) and origin in allowed_origins(site)
    return origin in _any_site_origins()


def _any_site_origins() -> frozenset[str]:
    global _all_origins
    if _all_origins[0] < time.monotonic():
        origins = set()
        for site in Site.objects.filter(is_active=True).only("allowed_origins", "domains"):
            origins |= allowed_origins(site)
        _all_origins = (time.monotonic() + CACHE_SECONDS, frozenset(origins))
    return _all_origins[1]
