"""Admin: find a person, download their data, erase them (workspace admins); the erasure log;
retention policies with their last purge."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from attribution.admin.base import ReadOnlyScopedAdmin, WorkspaceScopedAdmin, member_workspace_ids
from attribution.models import Contact, Role, Workspace

from .erasure import person_erase
from .export import person_export
from .finder import person_find
from .keys import KEY_FIELDS, PersonKeyError, PersonKeys, person_keys
from .models import PersonErasure, RetentionPolicy


class PersonForm(forms.Form):
    workspace = forms.ModelChoiceField(queryset=Workspace.objects.none())
    email = forms.CharField(required=False)
    phone = forms.CharField(required=False, help_text="With +country code, e.g. +4915112345678.")
    external_id = forms.CharField(required=False)
    visitor_id = forms.CharField(required=False, label="Visitor id",
                                 help_text="The tracker's cl_visitor_id.")
    ttclid = forms.CharField(required=False)
    deal_id = forms.CharField(required=False, label="CRM deal id")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        workspaces = Workspace.objects.all()
        if not user.is_superuser:
            workspaces = workspaces.filter(pk__in=member_workspace_ids(user, min_role=Role.ADMIN))
        self.fields["workspace"].queryset = workspaces

    def clean(self):
        data = super().clean()
        try:
            data["keys"] = person_keys(**{k: data.get(k) or "" for k in KEY_FIELDS})
        except PersonKeyError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data


@admin.register(PersonErasure)
class PersonErasureAdmin(ReadOnlyScopedAdmin):
    list_display = ["erased_at", "workspace", "requested_by", "source", "rows_total",
                    "outbox_cancelled"]
    list_filter = ["workspace", "source"]
    readonly_fields = ["workspace", "requested_by", "source", "erased_at", "counts",
                       "outbox_cancelled", "key_hashes"]
    change_list_template = "admin/crm_sync/personerasure/change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("person/", view(self.person_view), name="crm_sync_personerasure_person"),
                *super().get_urls()]

    def person_view(self, request):
        """Find a person by any key; then download their data as JSON, or erase them."""
        if not (request.user.is_superuser or member_workspace_ids(request.user, min_role=Role.ADMIN)):
            raise PermissionDenied("Privacy requests need the admin role in a workspace.")
        form = PersonForm(request.POST or None, user=request.user)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "title": "Find, export or erase a person"}
        if request.method == "POST" and form.is_valid():
            workspace, keys = form.cleaned_data["workspace"], form.cleaned_data["keys"]
            rows = person_find(workspace=workspace, keys=keys)
            action = request.POST.get("do")
            if action == "export":
                export = person_export(workspace=workspace, keys=keys, rows=rows)
                response = HttpResponse(json.dumps(export, indent=2, cls=DjangoJSONEncoder),
                                        content_type="application/json")
                response["Content-Disposition"] = (
                    f'attachment; filename="clickledger-person-{workspace.slug}.json"')
                return response
            if action == "erase" and rows:
                log = person_erase(workspace=workspace, keys=keys, source="admin",
                                   requested_by=request.user, rows=rows)
                self.message_user(request, f"Erased {log.rows_total} rows; "
                                           f"{log.outbox_cancelled} outbox rows cancelled.",
                                  messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:crm_sync_personerasure_change", args=[log.pk]))
            context.update(found=rows.counts(), anything=bool(rows))
        return TemplateResponse(request, "admin/crm_sync/personerasure/person.html", context)


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(WorkspaceScopedAdmin):
    edit_role = Role.ADMIN
    list_display = ["workspace", "touch_days", "event_detail_days", "lost_deal_days",
                    "last_purge_at", "last_purge_summary"]
    list_filter = ["workspace"]
    readonly_fields = ["last_purge_at", "last_purge_summary"]
    fields = ["workspace", "touch_days", "event_detail_days", "lost_deal_days", "last_purge_at",
              "last_purge_summary"]

    @admin.display(description="Last purge: rows anonymized")
    def last_purge_summary(self, obj):
        counts = obj.last_purge_counts or {}
        return ", ".join(f"{n:,} {table}" for table, n in counts.items()) or "–"


@admin.action(description="Erase these people (privacy request; cannot be undone)",
              permissions=["change"])
def erase_people(modeladmin, request, queryset):
    """From the contact list: erase each selected contact's person (admins of its workspace)."""
    allowed = None if request.user.is_superuser else member_workspace_ids(request.user,
                                                                           min_role=Role.ADMIN)
    erased = rows = 0
    for contact in queryset.select_related("workspace"):
        if allowed is not None and contact.workspace_id not in allowed:
            modeladmin.message_user(request, f"{contact}: erasing needs the admin role in "
                                             f"{contact.workspace}.", messages.ERROR)
            continue
        keys = PersonKeys(email_hash=contact.email_hash, phone_hash=contact.phone_hash,
                          external_id_hash=contact.external_id_hash)
        found = person_find(workspace=contact.workspace, keys=keys, contact_ids=[contact.pk])
        log = person_erase(workspace=contact.workspace, keys=keys, source="admin",
                           requested_by=request.user, rows=found)
        erased, rows = erased + 1, rows + log.rows_total
    if erased:
        modeladmin.message_user(request, f"Erased {erased} people ({rows} rows); see Person "
                                         "erasures.", messages.SUCCESS)


# The contact list is attribution's; the action that erases across both floors is added here.
_contact_admin = admin.site._registry[Contact]
_contact_admin.actions = [*(_contact_admin.actions or []), erase_people]
