"""``/favicon.ico``: browsers ask for it on every page (the admin's and the API docs' too), whatever
the page's ``<link rel="icon">`` says; answered from the static file, cached for a day."""

from functools import cache

from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

FAVICON = "clickledger/favicon.ico"


@cache
def _favicon_bytes() -> bytes | None:
    path = finders.find(FAVICON)
    if path is None:
        return None
    with open(path, "rb") as f:
        return f.read()


@require_safe
@cache_control(public=True, max_age=86400)
def favicon(request):
    body = _favicon_bytes()
    if body is None:
        raise Http404(f"static file {FAVICON} is missing")
    return HttpResponse(body, content_type="image/x-icon")
