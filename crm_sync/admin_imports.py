"""Admin for deal imports: upload → preview with the mapping applied → confirm; progress, row errors,
the report download; saved column mappings; webhook secrets (shown once)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from attribution.admin.base import WorkspaceScopedAdmin, member_workspace_ids
from attribution.crypto import hash_secret, new_secret
from attribution.models import Role
from crm_sync.importing.preview import deal_import_preview
from crm_sync.importing.selectors import deal_import_progress
from crm_sync.importing.services import OPTION_KEYS, deal_import_queue
from crm_sync.models import ColumnMapping, CrmWebhookSecret, DealImport, ImportPreset, ImportStatus


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


@admin.register(ColumnMapping)
class ColumnMappingAdmin(WorkspaceScopedAdmin):
    list_display = ["name", "workspace", "day_first", "decimal_comma", "default_currency", "updated_at"]
    list_filter = ["workspace"]
    search_fields = ["name"]


class DealImportUploadForm(forms.ModelForm):
    day_first = forms.BooleanField(required=False, help_text="Dates are written 31/12/2026.")
    decimal_comma = forms.BooleanField(required=False, help_text="Amounts are written 1.234,56.")
    default_currency = forms.RegexField(r"^[A-Za-z]{3}$", required=False,
                                        help_text="For rows without a currency; blank: the workspace's.")
    phone_region = forms.RegexField(r"^[A-Za-z]{2}$", required=False,
                                    help_text="Country (e.g. DE) for phone numbers without +.")
    encoding = forms.CharField(required=False, help_text="Blank: UTF-8. E.g. cp1252 for old Excel.")
    extra_stages = forms.CharField(required=False, help_text="Comma-separated stages of custom pipelines.")

    class Meta:
        model = DealImport
        fields = ["workspace", "file", "preset", "mapping"]

    def clean(self):
        data = super().clean()
        mapping, workspace = data.get("mapping"), data.get("workspace")
        if data.get("preset") == ImportPreset.GENERIC and not mapping:
            self.add_error("mapping", "A generic import needs a saved column mapping.")
        if mapping and workspace and mapping.workspace_id != workspace.pk:
            self.add_error("mapping", "This mapping belongs to another workspace.")
        return data

    def options(self) -> dict:
        data = self.cleaned_data
        options = {k: data[k] for k in ("day_first", "decimal_comma", "default_currency", "phone_region",
                                        "encoding") if data.get(k)}
        stages = [s.strip() for s in (data.get("extra_stages") or "").split(",") if s.strip()]
        return options | ({"extra_stages": stages} if stages else {})


@admin.register(DealImport)
class DealImportAdmin(WorkspaceScopedAdmin):
    list_display = ["__str__", "workspace", "preset", "status", "progress", "rows_created",
                    "rows_updated", "rows_unchanged", "rows_failed", "created_at"]
    list_filter = ["workspace", "status", "preset"]
    readonly_fields = ["workspace", "original_name", "preset", "mapping", "upload_options", "status",
                       "progress", "next_step", "preview", "counts", "error", "row_errors", "report_link",
                       "created_by", "created_at", "started_at", "finished_at"]
    fieldsets = [
        (None, {"fields": ["workspace", "original_name", "preset", "mapping", "upload_options", "status",
                           "progress", "next_step"]}),
        ("Preview (first rows, mapping applied)", {"fields": ["preview"]}),
        ("Result", {"fields": ["counts", "error", "row_errors", "report_link"]}),
        ("History", {"fields": ["created_by", "created_at", "started_at", "finished_at"],
                     "classes": ["collapse"]}),
    ]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = DealImportUploadForm
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["workspace", "file", "preset", "mapping"]}),
                    ("Options", {"fields": ["day_first", "decimal_comma", "default_currency",
                                            "phone_region", "encoding", "extra_stages"]})]
        if obj.status != ImportStatus.UPLOADED:
            return [fs for fs in self.fieldsets if fs[0] != "Preview (first rows, mapping applied)"]
        return self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        obj.created_by = request.user
        obj.original_name = getattr(form.cleaned_data["file"], "name", "")[:255]
        obj.options = form.options()
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(request, "Uploaded. Check the preview, then confirm the import.")
        return HttpResponseRedirect(reverse("admin:crm_sync_dealimport_change", args=[obj.pk]))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("<int:pk>/confirm/", view(self.confirm_view), name="crm_sync_dealimport_confirm"),
                path("<int:pk>/report/", view(self.report_view), name="crm_sync_dealimport_report"),
                *super().get_urls()]

    def _import_for(self, request, pk, *, role=Role.VIEWER) -> DealImport:
        deal_import = get_object_or_404(self.get_queryset(request), pk=pk)
        if not request.user.is_superuser and deal_import.workspace_id not in member_workspace_ids(
                request.user, min_role=role):
            raise PermissionDenied
        return deal_import

    def confirm_view(self, request, pk: int):
        deal_import = self._import_for(request, pk, role=Role.ANALYST)
        change_url = reverse("admin:crm_sync_dealimport_change", args=[pk])
        if request.method == "POST":
            if deal_import.status == ImportStatus.UPLOADED:
                deal_import_queue(deal_import=deal_import)
                self.message_user(request, "Import queued; this page shows its progress.")
            else:
                self.message_user(request, f"This import is already {deal_import.status}.", messages.WARNING)
            return HttpResponseRedirect(change_url)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "deal_import": deal_import, "change_url": change_url, "title": "Confirm the import"}
        return TemplateResponse(request, "admin/crm_sync/dealimport/confirm.html", context)

    def report_view(self, request, pk: int):
        deal_import = self._import_for(request, pk)
        if not deal_import.report:
            raise Http404("This import has no row errors.")
        return FileResponse(deal_import.report.open("rb"), as_attachment=True,
                            filename=f"deal-import-{pk}-errors.csv", content_type="text/csv")

    @admin.display(description="Options")
    def upload_options(self, obj):
        """The upload's options in words: what the form asked, not the stored JSON."""
        shown, options = [], obj.options or {}
        for key in (k for k in OPTION_KEYS if k in options):  # the form's order (jsonb sorts keys)
            value, label = options[key], key.replace("_", " ")
            if value is True:
                shown.append(label)
            elif isinstance(value, list):
                shown.append(f"{label}: {', '.join(map(str, value))}")
            elif value not in (None, "", False):
                shown.append(f"{label}: {value}")
        return "; ".join(shown) or "none (the workspace's defaults)"

    @admin.display(description="Progress")
    def progress(self, obj):
        live = deal_import_progress(deal_import=obj)
        return f"{live['percent']:.0f}% ({live['rows']:,} rows read)"

    @admin.display(description="Next step")
    def next_step(self, obj):
        if obj.status == ImportStatus.UPLOADED:
            url = reverse("admin:crm_sync_dealimport_confirm", args=[obj.pk])
            return format_html('<a class="button" href="{}">Confirm and import</a>', url)
        if obj.status in (ImportStatus.QUEUED, ImportStatus.RUNNING):
            return "Importing — reload this page to follow the progress."
        return "Done."

    @admin.display(description="Preview")
    def preview(self, obj):
        if obj.status != ImportStatus.UPLOADED:
            return "—"
        shown = deal_import_preview(deal_import=obj)
        if shown.error:
            return format_html('<strong style="color:#ba2121">{}</strong>', shown.error)
        head = format_html_join("", "<th>{}<br><small>{}</small></th>",
                                ((c, shown.headers[c]) for c in shown.columns))
        body = format_html_join("", "<tr><td>{}</td>{}<td>{}</td></tr>", (
            (row["row"], format_html_join("", "<td>{}</td>",
                                          ((row["values"].get(c, ""),) for c in shown.columns)),
             "; ".join(f"{e['field']}: {e['message']}" for e in row["errors"]) or "ok")
            for row in shown.rows))
        return format_html("<table><thead><tr><th>row</th>{}<th>check</th></tr></thead><tbody>{}</tbody>"
                           "</table>", head, body)

    @admin.display(description="Counts")
    def counts(self, obj):
        return (f"{_count(obj.rows_total, 'row')}: {obj.rows_created:,} created, {obj.rows_updated:,} "
                f"updated, {obj.rows_unchanged:,} unchanged, {obj.rows_failed:,} bad; "
                f"{_count(obj.stage_changes, 'stage change')}, "
                f"{_count(obj.conversions_created, 'conversion')}")

    @admin.display(description="Row errors (first 100)")
    def row_errors(self, obj):
        if not obj.error_sample:
            return "—"
        rows = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", (
            (e["row"], e["crm_id"], e["field"], e["message"]) for e in obj.error_sample))
        return format_html("<table><tr><th>row</th><th>deal id</th><th>field</th><th>problem</th></tr>"
                           "{}</table>", rows)

    @admin.display(description="Report")
    def report_link(self, obj):
        if not obj.report:
            return "—"
        url = reverse("admin:crm_sync_dealimport_report", args=[obj.pk])
        return format_html('<a href="{}">Download all row errors (CSV)</a>', url)


@admin.register(CrmWebhookSecret)
class CrmWebhookSecretAdmin(WorkspaceScopedAdmin):
    edit_role = Role.ADMIN
    list_display = ["prefix", "label", "workspace", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["workspace"]
    fields = ["workspace", "label", "revoked_at"]

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the row stays as a record of the secret

    def save_model(self, request, obj, form, change):
        if not change:
            plaintext = new_secret("whk")
            obj.prefix, obj.secret_hash = plaintext[:10], hash_secret(plaintext)
        super().save_model(request, obj, form, change)
        if not change:
            url = request.build_absolute_uri(f"/api/v1/crm/webhook/{obj.workspace.slug}/deals/")
            self.message_user(request, f"Webhook secret: {plaintext} — copy it now, it is never shown "
                                       f"again. POST deals to {url} with header X-Clickledger-Secret.",
                              messages.WARNING)
