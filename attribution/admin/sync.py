from django import forms
from django.contrib import admin

from attribution.models import OutboxEntry, Role, TikTokIntegration

from .base import ReadOnlyScopedAdmin, WorkspaceScopedAdmin


class TikTokIntegrationForm(forms.ModelForm):
    """The token is write-only: never rendered back; leaving it blank keeps the stored one."""

    access_token = forms.CharField(
        required=False, strip=True, widget=forms.PasswordInput(render_value=False),
        help_text="Paste a new token to replace the stored one; leave blank to keep it.")

    class Meta:
        model = TikTokIntegration
        fields = ["workspace", "name", "enabled", "advertiser_id", "pixel_code", "event_set_id",
                  "access_token", "test_event_code", "event_mapping", "limited_data_use"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["access_token"] = ""

    def clean_access_token(self):
        token = self.cleaned_data.get("access_token")
        if not token and self.instance.pk:
            return TikTokIntegration.objects.get(pk=self.instance.pk).access_token
        return token


@admin.register(TikTokIntegration)
class TikTokIntegrationAdmin(WorkspaceScopedAdmin):
    form = TikTokIntegrationForm
    edit_role = Role.ADMIN
    list_display = ["name", "workspace", "enabled", "advertiser_id", "pixel_code", "token_set",
                    "test_event_code"]
    list_filter = ["workspace", "enabled"]

    @admin.display(boolean=True, description="Token set")
    def token_set(self, obj):
        return obj.has_token


@admin.register(OutboxEntry)
class OutboxEntryAdmin(ReadOnlyScopedAdmin):
    list_display = ["id", "workspace", "integration", "platform_event", "status", "attempts",
                    "next_attempt_at", "sent_at", "request_id"]
    list_filter = ["workspace", "integration", "status", "platform_event"]
    search_fields = ["=conversion__event_id", "=request_id"]
    raw_id_fields = ["conversion"]
    show_full_result_count = False
