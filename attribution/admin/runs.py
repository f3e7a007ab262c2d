from django.contrib import admin, messages

from attribution.models import (
    AttributionCredit,
    AttributionModelConfig,
    AttributionRollup,
    AttributionRun,
    AttributionRunChunk,
    LookbackWindow,
    Role,
)
from attribution.runs.services import RunError, run_request

from .base import ReadOnlyScopedAdmin, WorkspaceScopedAdmin
from .fits import AttributionModelFitInline


@admin.register(AttributionModelConfig)
class AttributionModelConfigAdmin(WorkspaceScopedAdmin):
    list_display = ["__str__", "workspace", "kind", "params", "is_active", "updated_at"]
    list_filter = ["workspace", "kind", "is_active"]
    actions = ["run_full_now"]

    @admin.action(description="Run attribution now (full rerun) for these workspaces")
    def run_full_now(self, request, queryset):
        _request_runs(self, request, queryset, incremental=False)


@admin.register(LookbackWindow)
class LookbackWindowAdmin(WorkspaceScopedAdmin):
    list_display = ["workspace", "channel", "click_days", "view_days", "updated_at"]
    list_filter = ["workspace", "channel"]


def _request_runs(modeladmin, request, queryset, *, incremental: bool) -> None:
    allowed = None if request.user.is_superuser else modeladmin._ids(request, Role.ANALYST)
    for workspace in {obj.workspace for obj in queryset.select_related("workspace")}:
        if allowed is not None and workspace.pk not in allowed:
            modeladmin.message_user(request, f"{workspace}: analysts and admins only.", messages.ERROR)
            continue
        try:
            run = run_request(workspace=workspace, incremental=incremental)
        except RunError as exc:
            modeladmin.message_user(request, str(exc), messages.ERROR)
        else:
            kind = "incremental" if run.incremental else "full"
            modeladmin.message_user(request, f"{workspace}: {kind} run {run.pk} queued.")


@admin.action(description="Run attribution now (full rerun) for these workspaces")
def run_full_now(modeladmin, request, queryset):
    _request_runs(modeladmin, request, queryset, incremental=False)


@admin.action(description="Run attribution now (new conversions only) for these workspaces")
def run_incremental_now(modeladmin, request, queryset):
    _request_runs(modeladmin, request, queryset, incremental=True)


class AttributionRunChunkInline(admin.TabularInline):
    model = AttributionRunChunk
    fields = ["index", "person_lo", "person_hi", "status", "conversions", "credits", "seconds"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AttributionRun)
class AttributionRunAdmin(ReadOnlyScopedAdmin):
    list_display = ["id", "workspace", "status", "progress_pct", "chunks", "incremental", "total",
                    "created_at", "finished_at"]
    list_filter = ["workspace", "status", "incremental"]
    readonly_fields = ["progress_pct"]
    actions = [run_full_now, run_incremental_now]
    inlines = [AttributionModelFitInline, AttributionRunChunkInline]

    @admin.display(description="Progress")
    def progress_pct(self, obj):
        return f"{obj.progress:.0%} ({obj.processed:,} of {obj.total:,})"

    @admin.display(description="Chunks")
    def chunks(self, obj):
        return f"{obj.chunks_done} / {obj.chunks_total}"


@admin.register(AttributionCredit)
class AttributionCreditAdmin(ReadOnlyScopedAdmin):
    list_display = ["conversion_id", "run_id", "touchpoint_id", "weights", "revenues"]
    list_filter = ["workspace"]
    raw_id_fields = ["conversion", "touchpoint", "run"]
    show_full_result_count = False


@admin.register(AttributionRollup)
class AttributionRollupAdmin(ReadOnlyScopedAdmin):
    list_display = ["day", "workspace", "model_config", "channel", "campaign", "conversions",
                    "revenue", "currency"]
    list_filter = ["workspace", "model_config", "channel"]
    date_hierarchy = "day"
    raw_id_fields = ["run", "campaign", "adgroup", "ad"]
    show_full_result_count = False
