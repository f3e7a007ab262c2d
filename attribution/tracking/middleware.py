"""Beacons skip the middleware that keeps per-user state: sessions, CSRF, auth and messages.

The collector's touch and event endpoints are public, stateless and CSRF-exempt: they never read a
cookie, a session or a user, so loading those per beacon is waste. Everything else still applies:
this middleware sits right after CORS (per-site origins) in ``MIDDLEWARE``, and runs the beacon
view inside the same ``CommonMiddleware`` (allowed hosts, user agents, Content-Length) and
``XFrameOptionsMiddleware`` the full chain has. Other paths go down the full chain unchanged.
"""

from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.urls import NoReverseMatch, get_script_prefix, resolve, reverse

BEACON_URL_NAMES = ("collect-touch", "collect-event")


class BeaconMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.beacon_chain = CommonMiddleware(XFrameOptionsMiddleware(self._beacon_view))
        self._views = None

    def __call__(self, request):
        if request.method == "POST" and request.path_info in self.views():
            return self.beacon_chain(request)
        return self.get_response(request)

    def views(self) -> dict:
        """Beacon path_info -> view, looked up once (after the handler set the script prefix)."""
        if self._views is None:
            prefix = get_script_prefix()
            try:
                paths = ["/" + reverse(name)[len(prefix):] for name in BEACON_URL_NAMES]
            except NoReverseMatch:  # a URLconf without the collector: nothing to shortcut
                paths = []
            self._views = {path: resolve(path).func for path in paths}
        return self._views

    def _beacon_view(self, request):
        response = self.views()[request.path_info](request)
        if callable(getattr(response, "render", None)):
            response = response.render()  # a DRF Response, as Django's handler would render it
        return response
