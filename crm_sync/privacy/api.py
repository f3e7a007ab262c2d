"""Privacy API (workspace admins): export everything about a person, or erase them."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from attribution.api.scoping import user_has_role, workspaces_for
from attribution.models import Role

from .erasure import person_erase
from .export import person_export
from .keys import KEY_FIELDS, PersonKeyError, person_keys


class PersonIn(serializers.Serializer):
    workspace = serializers.SlugField()
    email = serializers.CharField(required=False, allow_blank=True, max_length=320)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=64)
    external_id = serializers.CharField(required=False, allow_blank=True, max_length=255)
    visitor_id = serializers.CharField(required=False, allow_blank=True, max_length=64,
                                       help_text="The tracker's cl_visitor_id (a UUID).")
    ttclid = serializers.CharField(required=False, allow_blank=True, max_length=255)
    deal_id = serializers.CharField(required=False, allow_blank=True, max_length=64,
                                    help_text="The deal's id in the CRM.")
    phone_region = serializers.RegexField(r"^[A-Za-z]{2}$", required=False,
                                          help_text="ISO country for a phone number without +.")

    def validate(self, data):
        try:
            data["keys"] = person_keys(**{k: data.get(k, "") for k in KEY_FIELDS},
                                       phone_region=(data.get("phone_region") or "").upper() or None)
        except PersonKeyError as exc:
            raise serializers.ValidationError(str(exc)) from exc
        return data


class ErasureOut(serializers.Serializer):
    erasure_id = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField())
    outbox_cancelled = serializers.IntegerField()


def _admin_workspace(request, slug: str):
    workspace = get_object_or_404(workspaces_for(request.user), slug=slug)
    if not user_has_role(request.user, workspace, Role.ADMIN):
        raise PermissionDenied("Privacy requests need the admin role in the workspace.")
    return workspace


class PersonExport(APIView):
    @extend_schema(request=PersonIn, responses={200: OpenApiTypes.OBJECT})
    def post(self, request):
        data = PersonIn(data=request.data)
        data.is_valid(raise_exception=True)
        workspace = _admin_workspace(request, data.validated_data["workspace"])
        return Response(person_export(workspace=workspace, keys=data.validated_data["keys"]))


class PersonErase(APIView):
    @extend_schema(request=PersonIn, responses={200: ErasureOut})
    def post(self, request):
        data = PersonIn(data=request.data)
        data.is_valid(raise_exception=True)
        workspace = _admin_workspace(request, data.validated_data["workspace"])
        log = person_erase(workspace=workspace, keys=data.validated_data["keys"], source="api",
                           requested_by=request.user)
        return Response(ErasureOut({"erasure_id": log.pk, "counts": log.counts,
                                    "outbox_cancelled": log.outbox_cancelled}).data)
