"""REST API for deal imports (upload, preview, confirm, status, report) and the deal webhook."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from attribution.api.scoping import user_has_role, workspaces_for
from attribution.models import Role
from crm_sync.models import ColumnMapping, DealImport, ImportPreset, ImportStatus

from .presets import PRESETS
from .preview import deal_import_preview
from .selectors import deal_import_progress
from .services import OPTION_KEYS, deal_import_create, deal_import_queue
from .webhook import deals_receive, webhook_workspace

WEBHOOK_HEADER = "X-Clickledger-Secret"
MAX_WEBHOOK_DEALS = 1000


def _may_import(user, workspace) -> bool:
    return user_has_role(user, workspace, Role.ANALYST)


class ImportIn(serializers.Serializer):
    workspace = serializers.SlugField()
    file = serializers.FileField()
    preset = serializers.ChoiceField(choices=ImportPreset.choices)
    mapping = serializers.CharField(required=False, help_text="Name of a saved column mapping.")
    confirm = serializers.BooleanField(default=True, help_text="false: upload and preview only.")
    day_first = serializers.BooleanField(required=False)
    decimal_comma = serializers.BooleanField(required=False)
    default_currency = serializers.RegexField(r"^[A-Za-z]{3}$", required=False)
    phone_region = serializers.RegexField(r"^[A-Za-z]{2}$", required=False)
    encoding = serializers.CharField(required=False, max_length=32)
    extra_stages = serializers.ListField(child=serializers.CharField(max_length=100), required=False)


class ImportOut(serializers.ModelSerializer):
    workspace = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    progress = serializers.SerializerMethodField()
    report_url = serializers.SerializerMethodField()

    class Meta:
        model = DealImport
        fields = ["id", "workspace", "original_name", "preset", "options", "status", "progress",
                  "rows_total", "rows_created", "rows_updated", "rows_unchanged", "rows_failed",
                  "stage_changes", "conversions_created", "error", "error_sample", "report_url",
                  "created_at", "started_at", "finished_at"]

    def get_progress(self, obj) -> dict:
        return deal_import_progress(deal_import=obj)

    def get_report_url(self, obj) -> str | None:
        if not obj.report:
            return None
        return self.context["request"].build_absolute_uri(
            reverse("crm_sync:deal-import-report", args=[obj.pk]))


class PreviewOut(serializers.Serializer):
    columns = serializers.ListField(child=serializers.CharField())
    headers = serializers.DictField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.DictField())
    error = serializers.CharField()


class WebhookOut(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    failed = serializers.IntegerField()
    stage_changes = serializers.IntegerField()
    conversions_created = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.DictField())


def _visible_import(request, pk) -> DealImport:
    return get_object_or_404(DealImport.objects.select_related("workspace", "mapping"), pk=pk,
                             workspace__in=workspaces_for(request.user))


class DealImportCreate(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(operation_id="deal_imports_list", responses=ImportOut(many=True))
    def get(self, request):
        imports = DealImport.objects.filter(workspace__in=workspaces_for(request.user)) \
            .select_related("workspace")[:50]
        return Response(ImportOut(imports, many=True, context={"request": request}).data)

    @extend_schema(operation_id="deal_imports_create", request=ImportIn,
                   responses={202: ImportOut, 201: ImportOut})
    def post(self, request):
        data = ImportIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        workspace = get_object_or_404(workspaces_for(request.user), slug=values["workspace"])
        if not _may_import(request.user, workspace):
            raise PermissionDenied("Importing deals needs the analyst or admin role.")
        mapping = None
        if values.get("mapping"):
            mapping = get_object_or_404(ColumnMapping, workspace=workspace, name=values["mapping"])
        elif values["preset"] == ImportPreset.GENERIC:
            raise serializers.ValidationError({"mapping": "A generic import needs a saved mapping."})
        options = {k: values[k] for k in OPTION_KEYS if k in values}
        deal_import = deal_import_create(workspace=workspace, file=values["file"], preset=values["preset"],
                                         mapping=mapping, options=options, created_by=request.user)
        if values["confirm"]:
            deal_import_queue(deal_import=deal_import)
        out = ImportOut(deal_import, context={"request": request}).data
        if not values["confirm"]:
            out["preview"] = deal_import_preview(deal_import=deal_import).__dict__
        return Response(out, status=status.HTTP_202_ACCEPTED if values["confirm"] else 201)


class DealImportDetail(APIView):
    @extend_schema(operation_id="deal_imports_retrieve", responses=ImportOut)
    def get(self, request, pk: int):
        return Response(ImportOut(_visible_import(request, pk), context={"request": request}).data)


class DealImportPreview(APIView):
    @extend_schema(operation_id="deal_imports_preview", responses=PreviewOut)
    def get(self, request, pk: int):
        return Response(deal_import_preview(deal_import=_visible_import(request, pk)).__dict__)


class DealImportConfirm(APIView):
    @extend_schema(operation_id="deal_imports_confirm", request=None, responses={202: ImportOut})
    def post(self, request, pk: int):
        deal_import = _visible_import(request, pk)
        if not _may_import(request.user, deal_import.workspace):
            raise PermissionDenied("Importing deals needs the analyst or admin role.")
        if deal_import.status != ImportStatus.UPLOADED:
            return Response({"detail": f"This import is already {deal_import.status}."},
                            status=status.HTTP_409_CONFLICT)
        deal_import_queue(deal_import=deal_import)
        return Response(ImportOut(deal_import, context={"request": request}).data,
                        status=status.HTTP_202_ACCEPTED)


class DealImportReport(APIView):
    @extend_schema(operation_id="deal_imports_report", responses={(200, "text/csv"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        deal_import = _visible_import(request, pk)
        if not deal_import.report:
            raise Http404("This import has no row errors.")
        return FileResponse(deal_import.report.open("rb"), as_attachment=True,
                            filename=f"deal-import-{pk}-errors.csv", content_type="text/csv")


class WebhookIn(serializers.Serializer):
    preset = serializers.CharField(required=False, default="", allow_blank=True,
                                   help_text="hubspot or salesforce: keys are that CRM's column "
                                             "names; empty: our field names.")
    deals = serializers.ListField(child=serializers.DictField(), min_length=1,
                                  max_length=MAX_WEBHOOK_DEALS)
    day_first = serializers.BooleanField(required=False)
    decimal_comma = serializers.BooleanField(required=False)
    phone_region = serializers.RegexField(r"^[A-Za-z]{2}$", required=False)

    def validate_preset(self, value: str) -> str:
        if value and value not in PRESETS:
            raise serializers.ValidationError(f"use one of: {', '.join(PRESETS)}, or leave it empty")
        return value


class DealWebhook(APIView):
    """``POST /api/v1/crm/webhook/<workspace>/deals/`` with header ``X-Clickledger-Secret``.

    Body: ``{"deals": [{"crm_id": …, "stage": …, "amount": …, "email": …}, …]}`` (our field names)
    or ``{"preset": "hubspot", "deals": [{"Record ID": …, "Deal Stage": …}]}``; a bare list of deals
    or a single deal object is accepted too.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]

    @extend_schema(operation_id="deal_webhook", request=WebhookIn, responses=WebhookOut)
    def post(self, request, workspace_slug: str):
        workspace = webhook_workspace(workspace_slug=workspace_slug,
                                      secret=request.headers.get(WEBHOOK_HEADER, ""))
        if workspace is None:
            return Response({"detail": f"Missing or wrong {WEBHOOK_HEADER} for this workspace."},
                            status=status.HTTP_401_UNAUTHORIZED)
        body = request.data
        if isinstance(body, list):
            body = {"deals": body}
        elif isinstance(body, dict) and "deals" not in body:
            body = {"deals": [body]}
        data = WebhookIn(data=body)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        options = {k: values[k] for k in ("day_first", "decimal_comma", "phone_region") if k in values}
        result = deals_receive(workspace=workspace, deals=values["deals"], preset=values["preset"],
                               options=options)
        counts = result.counts
        return Response({
            "created": counts.created, "updated": counts.updated, "unchanged": counts.unchanged,
            "failed": result.rows_failed, "stage_changes": counts.stage_changes,
            "conversions_created": counts.conversions,
            "errors": [{"index": e.row_number - 1, "crm_id": e.crm_id, "field": e.field,
                        "message": e.message} for e in result.errors]},
            status=status.HTTP_200_OK)
