"""Admin screens for setting a workspace up: its setup checklist, and the exchange rates the
dashboard converts other currencies with (table editable by hand, ECB file upload)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from attribution.admin.workspace import WorkspaceAdmin
from attribution.models import Workspace

from .models import ExchangeRate
from .selectors.setup import setup_checklist
from .services.fx_import import exchange_rates_import

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # eurofxref-hist.csv is ~1.5 MB


class WorkspaceSetupAdmin(WorkspaceAdmin):
    """The workspace page with its setup checklist on top (each step links to where it is done)."""

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["setup_checklist"] if obj else fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        rest = [(name, {**opts, "fields": [f for f in opts["fields"] if f != "setup_checklist"]})
                for name, opts in fieldsets]
        return [("Setup checklist", {"fields": ["setup_checklist"]}), *rest]

    @admin.display(description="Steps")
    def setup_checklist(self, obj):
        steps = setup_checklist(workspace=obj)
        items = format_html_join(
            "", '<li class="setup-{}"><strong>{} {}</strong> — {} <a href="{}">{}</a></li>',
            (("done" if s.done else "todo", "✔ Done:" if s.done else "○ To do:", s.title,
              "" if s.done else s.how, s.link, s.link_text) for s in steps),
        )
        done = sum(s.done for s in steps)
        return format_html("<p>{} of {} steps done.</p><ol class=\"setup-checklist\">{}</ol>",
                           done, len(steps), items)


admin.site.unregister(Workspace)
admin.site.register(Workspace, WorkspaceSetupAdmin)


class RatesUploadForm(forms.Form):
    file = forms.FileField(
        label="ECB reference-rates file",
        help_text="eurofxref-hist.csv (all days) or eurofxref.csv (today), from the ECB's euro foreign "
                  "exchange reference rates page. Rates of the same days are replaced.")


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    """Rates are public facts shared by all workspaces: only superusers edit them; staff read them."""

    list_display = ["day", "currency", "rate", "source", "updated_at"]
    list_filter = ["currency", "source"]
    date_hierarchy = "day"
    search_fields = ["=currency"]
    ordering = ["-day", "currency"]
    change_list_template = "admin/dashboard/exchangerate/change_list.html"

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_urls(self):
        view = self.admin_site.admin_view(self.upload_view)
        return [path("upload/", view, name="dashboard_exchangerate_upload"), *super().get_urls()]

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = RatesUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_UPLOAD_BYTES:
                form.add_error("file", "The file is larger than 20 MB: is it the ECB's CSV file?")
            else:
                try:
                    text = upload.read().decode("utf-8-sig")
                except UnicodeDecodeError:
                    form.add_error("file", "The file is not UTF-8 text: upload the CSV, not the ZIP.")
                else:
                    report = exchange_rates_import(text=text)
                    level = messages.SUCCESS if report.stored and not report.errors else messages.WARNING
                    if not report.stored:
                        form.add_error("file", "Nothing imported. " + "; ".join(report.errors[:5]))
                    else:
                        self.message_user(request, report.summary(), level)
                        return redirect(reverse("admin:dashboard_exchangerate_changelist"))
        context = {**self.admin_site.each_context(request), "form": form, "opts": self.model._meta,
                   "title": "Import ECB reference rates"}
        return TemplateResponse(request, "admin/dashboard/exchangerate/upload.html", context)
