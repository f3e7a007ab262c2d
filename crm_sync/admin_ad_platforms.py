"""Django admin for ad platform spend: Meta and Google Ads accounts (test connection, import now),
saved CSV layouts, the import history and a CSV upload.

Registered from crm_sync because the actions call the platform clients; scoping comes from
attribution's admin base: users see and act on their own workspaces only.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import Truncator

from attribution.admin.ad_accounts import GoogleAdsAccountForm, MetaAdAccountForm
from attribution.admin.base import ReadOnlyScopedAdmin, WorkspaceScopedAdmin
from attribution.models import (
    AdCsvMapping,
    GoogleAdsAccount,
    MetaAdAccount,
    PlatformImport,
    Role,
    Workspace,
)
from crm_sync.ad_platforms.csv_import import platform_csv_import
from crm_sync.ad_platforms.csv_layouts import PRESETS
from crm_sync.ad_platforms.errors import PlatformRetryableError
from crm_sync.ad_platforms.tasks import import_google_account, import_meta_account
from crm_sync.google_ads.services import google_connection_test
from crm_sync.meta_ads.services import meta_connection_test


class _AdAccountAdmin(WorkspaceScopedAdmin):
    edit_role = Role.ADMIN
    list_filter = ["workspace", "enabled"]
    list_select_related = ["workspace"]
    readonly_fields = ["currency", "last_import_at", "last_error"]
    actions = ["test_connection", "import_now"]
    connection_test = None
    import_task = None

    @admin.display(boolean=True, description="Credentials set")
    def credentials_set(self, obj):
        return obj.has_credentials

    @admin.display(description="Window")
    def window(self, obj):
        return f"{obj.click_window_days}-day click / {obj.view_window_days}-day view"

    @admin.display(description="Last error")
    def error(self, obj):
        return Truncator(obj.last_error).chars(100) or "–"

    def _editable(self, request, queryset):
        if not request.user.is_superuser:
            queryset = queryset.filter(workspace__in=self._ids(request, self.edit_role))
        return queryset.select_related("workspace")

    @admin.action(description="Test connection", permissions=["change"])
    def test_connection(self, request, queryset):
        for account in self._editable(request, queryset):
            message = type(self).connection_test(account=account)
            account.refresh_from_db(fields=["last_error"])
            self.message_user(request, message, messages.ERROR if account.last_error else messages.SUCCESS)

    @admin.action(description="Import now (the last days, as the daily import does)", permissions=["change"])
    def import_now(self, request, queryset):
        for account in self._editable(request, queryset):
            try:
                type(self).import_task.delay(account.pk)
            except PlatformRetryableError as exc:  # only when tasks run in-process
                self.message_user(request, f"{account.name}: {exc}; the daily import tries again.",
                                  messages.WARNING)
                continue
            latest = PlatformImport.objects.filter(
                workspace=account.workspace, platform=account.platform).order_by("-started_at", "-id").first()
            if latest is None or latest.status == "running":
                self.message_user(request, f"{account.name}: import queued.", messages.INFO)
            elif latest.status == "succeeded":
                self.message_user(request, f"{account.name}: {latest.rows_written} day row(s) imported "
                                           f"({latest.first_day} – {latest.last_day}).", messages.SUCCESS)
            else:
                self.message_user(request, f"{account.name}: {latest.error}", messages.ERROR)


@admin.register(MetaAdAccount)
class MetaAdAccountAdmin(_AdAccountAdmin):
    form = MetaAdAccountForm
    list_display = ["name", "workspace", "ad_account_id", "enabled", "credentials_set", "window",
                    "currency", "last_import_at", "error"]
    connection_test = staticmethod(meta_connection_test)
    import_task = import_meta_account


@admin.register(GoogleAdsAccount)
class GoogleAdsAccountAdmin(_AdAccountAdmin):
    form = GoogleAdsAccountForm
    list_display = ["name", "workspace", "customer_id", "enabled", "credentials_set", "window",
                    "currency", "last_import_at", "error"]
    connection_test = staticmethod(google_connection_test)
    import_task = import_google_account


@admin.register(AdCsvMapping)
class AdCsvMappingAdmin(WorkspaceScopedAdmin):
    list_display = ["name", "workspace", "platform", "decimal_comma", "click_window_days", "view_window_days"]
    list_filter = ["workspace", "platform"]


class PlatformCsvForm(forms.Form):
    workspace = forms.ModelChoiceField(queryset=Workspace.objects.none())
    file = forms.FileField()
    layout = forms.ChoiceField(choices=[])
    click_window_days = forms.IntegerField(
        required=False, min_value=0, help_text="The click window the numbers were reported under "
                                               "(not needed when the file says, as Meta's does).")
    view_window_days = forms.IntegerField(required=False, min_value=0)

    def __init__(self, *args, workspaces, mappings, **kwargs):
        super().__init__(*args, **kwargs)
        self.mappings = mappings
        self.fields["workspace"].queryset = workspaces
        self.fields["layout"].choices = (
            [("meta", "Meta Ads Manager export"), ("google", "Google Ads report"),
             ("tiktok", "TikTok Ads Manager export")]
            + [(f"mapping:{m.pk}", f"Saved mapping: {m}") for m in mappings])

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("click_window_days") is None) != (cleaned.get("view_window_days") is None):
            raise forms.ValidationError("Give both windows, or neither.")
        layout, cleaned["mapping"] = cleaned.get("layout", ""), None
        if layout.startswith("mapping:"):
            cleaned["mapping"] = self.mappings.filter(
                pk=int(layout.split(":", 1)[1]), workspace=cleaned.get("workspace")).first()
            if cleaned["mapping"] is None:
                raise forms.ValidationError("That saved mapping belongs to another workspace.")
        return cleaned


@admin.register(PlatformImport)
class PlatformImportAdmin(ReadOnlyScopedAdmin):
    list_display = ["started_at", "workspace", "platform", "source", "what", "status", "rows_written",
                    "rows_failed", "short_error"]
    list_filter = ["workspace", "platform", "source", "status"]
    readonly_fields = ["error_lines"]
    change_list_template = "admin/attribution/platformimport/change_list.html"

    @admin.display(description="Account / file")
    def what(self, obj):
        return obj.account or obj.file_name or "–"

    @admin.display(description="Error")
    def short_error(self, obj):
        return Truncator(obj.error).chars(100) or "–"

    @admin.display(description="Bad lines")
    def error_lines(self, obj):
        return "\n".join(f"line {line}: {message}" for line, message in obj.error_sample) or "–"

    def get_urls(self):
        upload = path("upload/", self.admin_site.admin_view(self.upload_view),
                      name="attribution_platformimport_upload")
        return [upload, *super().get_urls()]

    def upload_view(self, request):
        ids = Workspace.objects.all() if request.user.is_superuser else Workspace.objects.filter(
            pk__in=self._ids(request, Role.ANALYST))
        if not ids.exists():
            raise PermissionDenied("No workspace where you may import.")
        mappings = AdCsvMapping.objects.filter(workspace__in=ids).select_related("workspace")
        form = PlatformCsvForm(request.POST or None, request.FILES or None, workspaces=ids, mappings=mappings)
        if request.method == "POST" and form.is_valid():
            record = self._import(form.cleaned_data)
            level = messages.SUCCESS if record.status == "succeeded" else messages.ERROR
            text = (f"{record.rows_written} day row(s) imported." if record.status == "succeeded"
                    else record.error)
            self.message_user(request, f"{record.file_name}: {text}", level)
            return redirect(reverse("admin:attribution_platformimport_change", args=[record.pk]))
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "title": "Import a platform CSV"}
        return TemplateResponse(request, "admin/attribution/platformimport/upload.html", context)

    @staticmethod
    def _import(data) -> PlatformImport:
        upload = data["file"]
        return platform_csv_import(
            workspace=data["workspace"], file=upload.read(),
            preset=data["layout"] if data["layout"] in PRESETS else "", mapping=data["mapping"],
            file_name=upload.name, click_window_days=data["click_window_days"],
            view_window_days=data["view_window_days"])
