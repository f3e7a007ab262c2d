from django.conf import settings
from django.contrib import admin, messages
from django.utils.html import escape, format_html

from attribution.models import Membership, Role, Site, SiteSecretKey, Workspace
from attribution.tracking.snippet import tracker_snippet

from .base import ScopedInlineMixin, WorkspaceScopedAdmin, member_workspace_ids


class MembershipInline(ScopedInlineMixin, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Workspace)
class WorkspaceAdmin(WorkspaceScopedAdmin):
    workspace_path = "pk"
    edit_role = Role.ADMIN
    list_display = ["name", "slug", "timezone", "currency", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    def get_queryset(self, request):
        qs = super(WorkspaceScopedAdmin, self).get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(pk__in=self._ids(request))

    def _owner_id(self, obj):
        return obj.pk

    def has_add_permission(self, request):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            obj.save()


class SiteSecretKeyInline(ScopedInlineMixin, admin.TabularInline):
    model = SiteSecretKey
    extra = 0
    fields = ["prefix", "label", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    can_delete = False

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the row stays as a record of the key

    def has_add_permission(self, request, obj=None):
        return False  # keys are issued by the "Issue a secret key" action, which shows them once


@admin.register(Site)
class SiteAdmin(WorkspaceScopedAdmin):
    edit_role = Role.ADMIN
    list_display = ["name", "workspace", "public_key", "requires_consent", "is_active", "created_at"]
    list_filter = ["workspace", "is_active", "requires_consent"]
    search_fields = ["name", "public_key"]
    readonly_fields = ["public_key", "tracker_snippet", "created_at"]
    inlines = [SiteSecretKeyInline]
    actions = ["issue_secret_key"]

    @admin.display(description="Tracker snippet")
    def tracker_snippet(self, obj):
        if not obj.pk:
            return "Save the site first."
        # The snippet is HTML: escaped, so the page shows it to copy instead of running it.
        snippet = tracker_snippet(site=obj, origin=settings.CLICKLEDGER["PUBLIC_ORIGIN"])
        return format_html("<code>{}</code><p class=\"help\">Paste into the &lt;head&gt; of every "
                           "page (docs: Admins → Sites, the tracker and consent). The address comes "
                           "from PUBLIC_ORIGIN.</p>", escape(snippet))

    @admin.action(description="Issue a secret key (shown once)")
    def issue_secret_key(self, request, queryset):
        allowed = member_workspace_ids(request.user, min_role=Role.ADMIN)
        for site in queryset:
            if not request.user.is_superuser and site.workspace_id not in allowed:
                self.message_user(request, f"Not an admin of {site.workspace}.", messages.ERROR)
                continue
            row, plaintext = site.issue_secret_key(label=f"issued by {request.user}")
            self.message_user(
                request,
                f"New secret key for {site}: {plaintext} — copy it now, it is never shown again.",
                messages.WARNING)
