"""The server-side events API: conversions from the customer's backend, one or a batch.

``Authorization: Bearer sk_...`` (a site secret key). A batch is all-or-nothing: any invalid event
rejects the request with its errors by index, so a fixed batch can simply be resent; resending is
idempotent (event_id).
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from attribution.models import SiteSecretKey

from .. import serializers as s
from ..http import EventsApiThrottle, JSONObjectParser, check_body_size
from ..services import server_events_record


class SiteSecretKeyAuthentication(BaseAuthentication):
    """``Authorization: Bearer sk_...``; ``request.auth`` becomes the SiteSecretKey row."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.startswith("Bearer "):
            return None
        key = (SiteSecretKey.objects.matching(header.removeprefix("Bearer ").strip())
               .select_related("site__workspace").first())
        if key is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked secret key.")
        if key.last_used_at is None or key.last_used_at < timezone.now() - timedelta(minutes=1):
            SiteSecretKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
        return None, key

    def authenticate_header(self, request):
        return 'Bearer realm="clickledger events"'


class SecretKeyScheme(OpenApiAuthenticationExtension):
    target_class = SiteSecretKeyAuthentication
    name = "siteSecretKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A site secret key, sk_..."}


class HasSiteSecretKey(BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, SiteSecretKey)


class EventsParser(JSONObjectParser):
    def limit(self, parser_context) -> int:
        return settings.CLICKLEDGER["EVENTS_API_MAX_BODY_BYTES"]


class ServerEventsView(APIView):
    authentication_classes = (SiteSecretKeyAuthentication,)
    permission_classes = (HasSiteSecretKey,)
    parser_classes = (EventsParser,)
    throttle_classes = (EventsApiThrottle,)

    def initial(self, request, *args, **kwargs):
        check_body_size(request, limit=settings.CLICKLEDGER["EVENTS_API_MAX_BODY_BYTES"])
        super().initial(request, *args, **kwargs)

    @extend_schema(
        request=PolymorphicProxySerializer("ServerEventOrBatch", [s.ServerEventIn, s.ServerBatchIn],
                                           resource_type_field_name=None),
        responses={200: s.ServerBatchOut, 201: s.ServerEventResultOut},
        summary="Record conversions from your server (single or {'data': [...]})",
        tags=["events"])
    def post(self, request):
        site = request.auth.site
        is_batch = "data" in request.data
        items = self._items(request.data) if is_batch else [request.data]
        events = self._validated(items, workspace=site.workspace, is_batch=is_batch)
        outcomes = server_events_record(site=site, events=events)
        results = [{"event_id": o.event_id, "event": o.event_name,
                    "status": "created" if o.created else "duplicate"} for o in outcomes]
        if not is_batch:
            code = status.HTTP_201_CREATED if outcomes[0].created else status.HTTP_200_OK
            return Response(results[0], status=code)
        created = sum(o.created for o in outcomes)
        return Response({"received": len(outcomes), "created": created,
                         "duplicates": len(outcomes) - created, "results": results})

    @staticmethod
    def _items(body: dict) -> list:
        batch = s.ServerBatchIn(data=body)
        batch.is_valid(raise_exception=True)
        items = batch.validated_data["data"]
        limit = settings.CLICKLEDGER["EVENTS_API_MAX_BATCH"]
        if len(items) > limit:
            raise exceptions.ValidationError({"data": [f"At most {limit} events per request."]})
        return items

    @staticmethod
    def _validated(items: list, *, workspace, is_batch: bool) -> list[dict]:
        events, errors = [], {}
        for index, item in enumerate(items):
            serializer = s.ServerEventIn(data=item, context={"workspace": workspace})
            if serializer.is_valid():
                events.append(serializer.validated_data)
            else:
                errors[str(index)] = serializer.errors
        if errors:
            raise exceptions.ValidationError({"data": errors} if is_batch else errors["0"])
        return events
