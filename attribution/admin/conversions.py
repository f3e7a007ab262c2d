from django.contrib import admin

from attribution.models import ConversionEvent

from .base import ReadOnlyScopedAdmin


@admin.register(ConversionEvent)
class ConversionEventAdmin(ReadOnlyScopedAdmin):
    list_display = ["occurred_at", "workspace", "event_name", "value", "currency", "source",
                    "duplicates_seen", "has_ttclid"]
    list_filter = ["workspace", "event_name", "source"]
    search_fields = ["=event_id", "=external_ref", "=ttclid"]
    list_select_related = ["workspace"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False

    @admin.display(boolean=True, description="ttclid")
    def has_ttclid(self, obj):
        return bool(obj.ttclid)
