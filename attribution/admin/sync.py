"""The secret-safe TikTok integration form.

The admin screens for TikTokIntegration and OutboxEntry live in ``crm_sync/admin_sync.py``: their
actions (test connection, send a test event, resend) call the TikTok client in crm_sync, and
attribution must not import crm_sync (floors). The form stays here, beside the model it protects.
"""

from django import forms

from attribution.models import TikTokEventSource, TikTokIntegration

from .event_mapping import EventMappingField


class TikTokIntegrationForm(forms.ModelForm):
    """The token is write-only: never rendered back; leaving it blank keeps the stored one."""

    event_mapping = EventMappingField(
        required=False, label="Event mapping",
        help_text="Save to add more rows. TikTok events come from its standard list.")
    access_token = forms.CharField(
        required=False, strip=True, widget=forms.PasswordInput(render_value=False),
        help_text="Paste a new token to replace the stored one; leave blank to keep it.")

    class Meta:
        model = TikTokIntegration
        fields = ["workspace", "name", "enabled", "advertiser_id", "pixel_code", "event_set_id",
                  "crm_event_source", "access_token", "test_event_code", "event_mapping",
                  "limited_data_use"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["access_token"] = ""
        # Forms (and API clients) written before the field existed keep working: blank keeps it.
        self.fields["crm_event_source"].required = False

    def clean_crm_event_source(self):
        return (self.cleaned_data.get("crm_event_source") or self.instance.crm_event_source
                or TikTokEventSource.CRM)

    def clean_access_token(self):
        token = self.cleaned_data.get("access_token")
        if not token and self.instance.pk:
            return TikTokIntegration.objects.get(pk=self.instance.pk).access_token
        return token
