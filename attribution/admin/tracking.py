import re

from django import forms
from django.contrib import admin

from attribution.models import ChannelRule, Contact, Touchpoint, Visitor

from .base import ReadOnlyScopedAdmin, WorkspaceScopedAdmin


class ChannelRuleForm(forms.ModelForm):
    class Meta:
        model = ChannelRule
        fields = ["workspace", "priority", "field", "pattern", "channel", "kind", "is_active"]

    def clean_pattern(self):
        pattern = self.cleaned_data["pattern"]
        try:
            re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            raise forms.ValidationError(f"Not a valid regular expression: {exc}.") from exc
        return pattern


@admin.register(ChannelRule)
class ChannelRuleAdmin(WorkspaceScopedAdmin):
    form = ChannelRuleForm
    list_display = ["workspace", "priority", "field", "pattern", "channel", "kind", "is_active"]
    list_editable = ["priority", "is_active"]
    list_filter = ["workspace", "channel", "field", "is_active"]
    search_fields = ["pattern"]


@admin.register(Contact)
class ContactAdmin(ReadOnlyScopedAdmin):
    list_display = ["id", "workspace", "short_email_hash", "has_phone", "crm_contact_id",
                    "opted_out", "created_at"]
    list_filter = ["workspace", "opted_out"]
    search_fields = ["=email_hash", "=phone_hash", "=crm_contact_id"]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        # Opt-out is the one thing a person may change here.
        return WorkspaceScopedAdmin.has_change_permission(self, request, obj)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Contact._meta.fields if f.name != "opted_out"]

    @admin.display(description="Email hash")
    def short_email_hash(self, obj):
        return (obj.email_hash[:12] + "…") if obj.email_hash else "—"

    @admin.display(boolean=True, description="Phone")
    def has_phone(self, obj):
        return bool(obj.phone_hash)


@admin.register(Visitor)
class VisitorAdmin(ReadOnlyScopedAdmin):
    list_display = ["uid", "workspace", "contact", "first_seen_at", "last_seen_at"]
    list_filter = ["workspace"]
    search_fields = ["=uid"]
    list_select_related = ["workspace", "contact"]
    show_full_result_count = False


@admin.register(Touchpoint)
class TouchpointAdmin(ReadOnlyScopedAdmin):
    list_display = ["occurred_at", "workspace", "channel", "kind", "utm_source", "utm_campaign",
                    "has_ttclid", "ad"]
    list_filter = ["workspace", "channel", "kind"]
    search_fields = ["=ttclid", "utm_campaign", "=visitor__uid"]
    list_select_related = ["workspace", "ad"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False

    @admin.display(boolean=True, description="ttclid")
    def has_ttclid(self, obj):
        return bool(obj.ttclid)
