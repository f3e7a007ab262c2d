from django.contrib import admin

from attribution.admin.base import ReadOnlyScopedAdmin, ScopedInlineMixin, WorkspaceScopedAdmin
from crm_sync.models import Deal, DealStageChange, DealStageRule


class DealStageChangeInline(ScopedInlineMixin, admin.TabularInline):
    model = DealStageChange
    extra = 0
    can_delete = False
    fields = ["from_stage", "to_stage", "changed_at", "source", "recorded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Deal)
class DealAdmin(WorkspaceScopedAdmin):
    list_display = ["crm_id", "name", "workspace", "stage", "amount", "currency", "owner",
                    "closed_at", "linked_contact", "has_ttclid"]
    list_filter = ["workspace", "crm", "stage"]
    search_fields = ["=crm_id", "name", "owner", "=ttclid"]
    list_select_related = ["workspace"]
    raw_id_fields = ["contact", "visitor", "touchpoint"]
    inlines = [DealStageChangeInline]
    date_hierarchy = "closed_at"
    show_full_result_count = False

    @admin.display(boolean=True, description="Contact")
    def linked_contact(self, obj):
        return obj.contact_id is not None

    @admin.display(boolean=True, description="ttclid")
    def has_ttclid(self, obj):
        return bool(obj.ttclid)


@admin.register(DealStageChange)
class DealStageChangeAdmin(ReadOnlyScopedAdmin):
    list_display = ["deal", "from_stage", "to_stage", "changed_at", "source"]
    list_filter = ["workspace", "to_stage", "source"]
    raw_id_fields = ["deal"]


@admin.register(DealStageRule)
class DealStageRuleAdmin(WorkspaceScopedAdmin):
    list_display = ["workspace", "crm_stage", "event_name", "uses_amount"]
    list_filter = ["workspace", "event_name"]

# Registered by import: deal import, mappings and webhook secrets; TikTok integration and outbox;
# ad platform accounts, CSV layouts and import history; privacy.
from crm_sync import admin_ad_platforms, admin_imports, admin_sync  # noqa: E402, F401
from crm_sync.privacy import admin as privacy_admin  # noqa: E402, F401
