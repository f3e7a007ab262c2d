"""The collector: public endpoints the tracker calls from the browser (touch, event, identify).

Authenticated by the site's public key and its allowed origins; throttled per address; bodies are
JSON (also as text/plain, which is what sendBeacon sends). Replies 202 once the data is accepted.
"""

import time

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.negotiation import BaseContentNegotiation, DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from attribution.models import Site

from .. import serializers as s
from ..buffer import ThrottleWindow
from ..fields import truncate_ip
from ..http import (
    CollectorThrottle,
    JSONObjectParser,
    PlainTextJSONParser,
    check_body_size,
    client_ip,
    max_body_bytes,
    site_for_collector,
)
from ..services import (
    collector_event_accept,
    collector_identify,
    collector_opt_out,
    collector_touch_accept,
)

KEY_PARAMETERS = [
    OpenApiParameter("k", str, OpenApiParameter.QUERY, required=False,
                     description="The site's public key (or send 'key' in the body)."),
    OpenApiParameter("X-Clickledger-Key", str, OpenApiParameter.HEADER, required=False),
]


class JSONOnlyNegotiation(BaseContentNegotiation):
    """Beacons ignore the reply; skip negotiating among renderers on every one."""

    def select_parser(self, request, parsers):
        return DefaultContentNegotiation().select_parser(request, parsers)

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class _CollectorView(APIView):
    authentication_classes = ()
    permission_classes = ()
    renderer_classes = (JSONRenderer,)
    content_negotiation_class = JSONOnlyNegotiation
    parser_classes = (JSONObjectParser, PlainTextJSONParser)
    throttle_classes = (CollectorThrottle,)
    input_serializer: type[s.CollectorIn] = s.CollectorIn

    def initial(self, request, *args, **kwargs):
        check_body_size(request, limit=max_body_bytes())
        super().initial(request, *args, **kwargs)

    def post(self, request):
        try:
            site, data = self.validated(request)
        except exceptions.APIException:
            CollectorThrottle().count_refused(request)  # refused beacons count against the limit
            raise
        if self.accept(site=site, data=data, request=request) is False:
            raise exceptions.Throttled(wait=request.collector_throttle.ends_at - time.time())
        return Response({"accepted": True}, status=status.HTTP_202_ACCEPTED)

    def validated(self, request) -> tuple[Site, dict]:
        site = site_for_collector(request)
        serializer = self.input_serializer(data=request.data, context={"workspace": site.workspace})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if site.requires_consent and not data["consent"]:
            raise exceptions.PermissionDenied(
                "This site requires consent: the tracker sends nothing until consent is given.")
        return site, data

    def accept(self, *, site: Site, data: dict, request) -> bool | None:
        """Hand the beacon on; False means the buffer's throttle refused it."""
        raise NotImplementedError

    @staticmethod
    def context_of(request, throttle: ThrottleWindow | None = None) -> dict:
        return {"ip": truncate_ip(client_ip(request)),
                "user_agent": request.META.get("HTTP_USER_AGENT", ""),
                "throttle": throttle or getattr(request, "collector_throttle", None)}


class _BeaconView(_CollectorView):
    """Touches and pixel events: buffered, counted against the throttle in the same round trip.

    Their URLs serve ``fast_path.beacon_endpoint(view)``, which answers plainly valid beacons
    through ``accept_beacon`` and hands everything else to this view.
    """

    counts_throttle_on_push = True
    accept_service = None  # staticmethod: collector_touch_accept or collector_event_accept

    def accept(self, *, site, data, request):
        return self.accept_beacon(site=site, data=data, request=request)

    @classmethod
    def accept_beacon(cls, *, site: Site, data: dict, request,
                      throttle: ThrottleWindow | None = None) -> bool:
        return cls.accept_service(site=site, data=data, **cls.context_of(request, throttle))


@extend_schema(request=s.TouchIn, responses={202: s.AcceptedOut}, parameters=KEY_PARAMETERS,
               summary="Record a landing (touch)", tags=["collector"], auth=[])
class TouchView(_BeaconView):
    input_serializer = s.TouchIn
    accept_service = staticmethod(collector_touch_accept)


@extend_schema(request=s.EventIn, responses={202: s.AcceptedOut}, parameters=KEY_PARAMETERS,
               summary="Record a conversion from the browser", tags=["collector"], auth=[])
class EventView(_BeaconView):
    input_serializer = s.EventIn
    accept_service = staticmethod(collector_event_accept)


@extend_schema(request=s.IdentifyIn, responses={202: s.AcceptedOut}, parameters=KEY_PARAMETERS,
               summary="Link the visitor to a contact (hashed on arrival)", tags=["collector"],
               auth=[])
class IdentifyView(_CollectorView):
    input_serializer = s.IdentifyIn

    def accept(self, *, site, data, request):
        collector_identify(site=site, visitor_id=data["visitor_id"], email_hash=data["email"],
                           phone_hash=data["phone"], external_id_hash=data["external_id"])


@extend_schema(request=s.ConsentIn, responses={202: s.AcceptedOut}, parameters=KEY_PARAMETERS,
               summary="The visitor withdrew consent (the tracker's consent(false))",
               tags=["collector"], auth=[])
class ConsentView(_CollectorView):
    """Always accepted, on sites that require consent too: withdrawing it needs none."""

    input_serializer = s.ConsentIn

    def validated(self, request):
        site = site_for_collector(request)
        serializer = self.input_serializer(data=request.data, context={"workspace": site.workspace})
        serializer.is_valid(raise_exception=True)
        return site, serializer.validated_data

    def accept(self, *, site, data, request):
        if data["opt_out"]:
            collector_opt_out(site=site, visitor_id=data["visitor_id"])
