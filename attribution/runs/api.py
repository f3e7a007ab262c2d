"""Runs API: list and follow runs (status, progress), and start one (analysts and admins)."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from attribution.api.scoping import WorkspaceScopedMixin, user_has_role, workspaces_for
from attribution.models import AttributionRun, Role

from . import services
from .selectors import runs_for


class RunOut(serializers.ModelSerializer):
    workspace = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    progress = serializers.FloatField(read_only=True)

    class Meta:
        model = AttributionRun
        fields = ["id", "workspace", "status", "incremental", "base_run", "period_start", "period_end",
                  "total", "processed", "progress", "chunks_total", "chunks_done", "error",
                  "created_at", "started_at", "finished_at"]


class RunIn(serializers.Serializer):
    workspace = serializers.SlugField()
    incremental = serializers.BooleanField(default=False)


class RunListCreate(WorkspaceScopedMixin, generics.ListAPIView):
    """GET: the caller's runs, newest first (``?workspace=<slug>`` narrows). POST: queue a run."""

    serializer_class = RunOut

    def get_queryset(self):
        return runs_for(workspaces=self.scoped_workspaces()).order_by("-created_at", "-id")

    # The request is RunIn, not the list's RunOut, whose read-only fields no request can satisfy.
    @extend_schema(request=RunIn, responses={202: RunOut})
    def post(self, request):
        data = RunIn(data=request.data)
        data.is_valid(raise_exception=True)
        workspace = workspaces_for(request.user).filter(slug=data.validated_data["workspace"]).first()
        if workspace is None:
            raise NotFound("No such workspace among yours.")
        if not user_has_role(request.user, workspace, Role.ANALYST):
            raise PermissionDenied("Starting a run needs the analyst or admin role.")
        try:
            with transaction.atomic():
                run = services.run_request(workspace=workspace,
                                           incremental=data.validated_data["incremental"])
        except services.RunError as exc:
            raise ValidationError({"workspace": [str(exc)]}) from exc
        return Response(RunOut(run).data, status=status.HTTP_202_ACCEPTED)


class RunDetail(generics.RetrieveAPIView):
    serializer_class = RunOut

    def get_queryset(self):
        return runs_for(workspaces=workspaces_for(self.request.user))
