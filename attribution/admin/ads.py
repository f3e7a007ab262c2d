from django.contrib import admin

from attribution.models import Ad, AdCampaign, AdGroup, PlatformDailyMetric

from .base import WorkspaceScopedAdmin


@admin.register(AdCampaign)
class AdCampaignAdmin(WorkspaceScopedAdmin):
    list_display = ["name", "workspace", "platform", "external_id", "status"]
    list_filter = ["workspace", "platform", "status"]
    search_fields = ["name", "=external_id"]


@admin.register(AdGroup)
class AdGroupAdmin(WorkspaceScopedAdmin):
    list_display = ["name", "campaign", "workspace", "platform", "external_id", "status"]
    list_filter = ["workspace", "platform"]
    search_fields = ["name", "=external_id", "campaign__name"]
    list_select_related = ["campaign", "workspace"]


@admin.register(Ad)
class AdAdmin(WorkspaceScopedAdmin):
    list_display = ["name", "adgroup", "campaign", "workspace", "platform", "external_id"]
    list_filter = ["workspace", "platform"]
    search_fields = ["name", "=external_id", "adgroup__name"]
    list_select_related = ["adgroup", "campaign", "workspace"]


@admin.register(PlatformDailyMetric)
class PlatformDailyMetricAdmin(WorkspaceScopedAdmin):
    list_display = ["date", "workspace", "platform", "level", "entity_external_id", "spend",
                    "clicks", "conversions", "conversion_value", "window", "source"]
    list_filter = ["workspace", "platform", "level", "source", "click_window_days",
                   "view_window_days"]
    search_fields = ["=entity_external_id"]
    date_hierarchy = "date"
    raw_id_fields = ["campaign", "adgroup", "ad"]
    show_full_result_count = False

    @admin.display(description="Window")
    def window(self, obj):
        return f"{obj.click_window_days}d click / {obj.view_window_days}d view"
