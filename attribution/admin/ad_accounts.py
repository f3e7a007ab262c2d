"""Secret-safe forms for the Meta and Google Ads accounts (admin screens: crm_sync/admin_ad_platforms.py).

Credentials are write-only: never rendered back; leaving a field blank keeps the stored value.
"""

from django import forms

from attribution.models import GoogleAdsAccount, MetaAdAccount


class _SecretsForm(forms.ModelForm):
    secret_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.secret_fields:
            self.fields[name] = forms.CharField(
                required=False, strip=True, widget=forms.PasswordInput(render_value=False),
                label=self._meta.model._meta.get_field(name).verbose_name.capitalize(),
                help_text="Paste a new value to replace the stored one; leave blank to keep it.")
            self.initial[name] = ""

    def clean(self):
        cleaned = super().clean()
        stored = type(self.instance).objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        for name in self.secret_fields:
            if not cleaned.get(name) and stored is not None:
                cleaned[name] = getattr(stored, name)
        return cleaned


class MetaAdAccountForm(_SecretsForm):
    secret_fields = MetaAdAccount.secret_fields

    class Meta:
        model = MetaAdAccount
        fields = ["workspace", "name", "enabled", "ad_account_id", "access_token", "conversion_actions",
                  "click_window_days", "view_window_days"]

    def clean_ad_account_id(self):
        value = self.cleaned_data["ad_account_id"].strip().removeprefix("act_")
        if not value.isdigit():
            raise forms.ValidationError("The ad account id is digits only (Ads Manager shows it as act_…).")
        return value


class GoogleAdsAccountForm(_SecretsForm):
    secret_fields = GoogleAdsAccount.secret_fields

    class Meta:
        model = GoogleAdsAccount
        fields = ["workspace", "name", "enabled", "customer_id", "login_customer_id", "client_id",
                  "client_secret", "refresh_token", "developer_token", "click_window_days",
                  "view_window_days"]

    def clean_customer_id(self):
        value = self.cleaned_data["customer_id"].replace("-", "").strip()
        if not (value.isdigit() and len(value) == 10):
            raise forms.ValidationError("A customer id has 10 digits, e.g. 123-456-7890.")
        return value
