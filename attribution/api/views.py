"""Read API over workspaces and conversions, scoped to the caller's memberships."""

from rest_framework import generics, serializers

from attribution.models import ConversionEvent, Workspace

from .scoping import WorkspaceScopedMixin, workspaces_for


class WorkspaceOut(serializers.ModelSerializer):
    class Meta:
        model = Workspace
        fields = ["id", "name", "slug", "timezone", "currency"]


class ConversionOut(serializers.ModelSerializer):
    workspace = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = ConversionEvent
        fields = ["id", "workspace", "event_name", "event_id", "occurred_at", "value", "currency",
                  "source", "duplicates_seen"]


class WorkspaceList(generics.ListAPIView):
    serializer_class = WorkspaceOut

    def get_queryset(self):
        return workspaces_for(self.request.user).order_by("name")


class ConversionList(WorkspaceScopedMixin, generics.ListAPIView):
    serializer_class = ConversionOut

    def get_queryset(self):
        return (ConversionEvent.objects.filter(workspace__in=self.scoped_workspaces())
                .select_related("workspace").order_by("-occurred_at", "-id"))
