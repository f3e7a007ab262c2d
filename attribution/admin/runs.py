from django.contrib import admin

from attribution.models import (
    AttributionCredit,
    AttributionModelConfig,
    AttributionRollup,
    AttributionRun,
    LookbackWindow,
)

from .base import ReadOnlyScopedAdmin, WorkspaceScopedAdmin


@admin.register(AttributionModelConfig)
class AttributionModelConfigAdmin(WorkspaceScopedAdmin):
    list_display = ["__str__", "workspace", "kind", "params", "is_active", "updated_at"]
    list_filter = ["workspace", "kind", "is_active"]


@admin.register(LookbackWindow)
class LookbackWindowAdmin(WorkspaceScopedAdmin):
    list_display = ["workspace", "channel", "click_days", "view_days", "updated_at"]
    list_filter = ["workspace", "channel"]


@admin.register(AttributionRun)
class AttributionRunAdmin(ReadOnlyScopedAdmin):
    list_display = ["id", "workspace", "status", "progress_pct", "incremental", "total",
                    "created_at", "finished_at"]
    list_filter = ["workspace", "status", "incremental"]
    readonly_fields = ["progress_pct"]

    @admin.display(description="Progress")
    def progress_pct(self, obj):
        return f"{obj.progress:.0%}"


@admin.register(AttributionCredit)
class AttributionCreditAdmin(ReadOnlyScopedAdmin):
    list_display = ["conversion_id", "model_config", "channel", "weight", "revenue", "currency"]
    list_filter = ["workspace", "model_config", "channel"]
    raw_id_fields = ["conversion", "touchpoint", "run", "campaign", "adgroup", "ad"]
    show_full_result_count = False


@admin.register(AttributionRollup)
class AttributionRollupAdmin(ReadOnlyScopedAdmin):
    list_display = ["day", "workspace", "model_config", "channel", "campaign", "conversions",
                    "revenue", "currency"]
    list_filter = ["workspace", "model_config", "channel"]
    date_hierarchy = "day"
    raw_id_fields = ["run", "campaign", "adgroup", "ad"]
    show_full_result_count = False
