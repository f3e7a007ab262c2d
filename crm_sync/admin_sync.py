"""Django admin for the TikTok sync: integrations (secret-safe token, test connection, test event)
and the outbox (state per integration, resend).

Registered from crm_sync because the actions call the TikTok client; scoping comes from
attribution's admin base: users see and act on their own workspaces only.
"""

from django.contrib import admin, messages
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.text import Truncator

from attribution.admin.base import ReadOnlyScopedAdmin, WorkspaceScopedAdmin
from attribution.admin.sync import TikTokIntegrationForm
from attribution.models import OutboxEntry, Role, TikTokIntegration
from crm_sync.selectors.outbox import OUTBOX_STATE_COLUMNS, integrations_with_outbox_state
from crm_sync.services.outbox_admin import (
    integration_send_test_event,
    integration_test_connection,
    outbox_resend,
)
from crm_sync.tiktok.replies import Outcome


@admin.register(TikTokIntegration)
class TikTokIntegrationAdmin(WorkspaceScopedAdmin):
    form = TikTokIntegrationForm
    edit_role = Role.ADMIN
    list_display = ["name", "workspace", "enabled", "token_set", "pixel_code", "event_set_id",
                    "test_event_code", "outbox_state"]
    list_filter = ["workspace", "enabled"]
    list_select_related = ["workspace"]
    readonly_fields = ["outbox_state"]
    actions = ["test_connection", "send_test_event"]

    def get_queryset(self, request):
        return integrations_with_outbox_state(super().get_queryset(request))

    @admin.display(boolean=True, description="Token set")
    def token_set(self, obj):
        return obj.has_token

    @admin.display(description="Outbox (queued / retrying / sent / dead / skipped)")
    def outbox_state(self, obj):
        if obj.pk is None:
            return "–"
        url = reverse("admin:attribution_outboxentry_changelist")
        parts = [format_html('<a href="{}?{}">{}</a>', url,
                             urlencode({"integration__id__exact": obj.pk,
                                        "status__in": ",".join(statuses)}),
                             getattr(obj, name, 0))
                 for name, statuses in OUTBOX_STATE_COLUMNS.items()]
        return format_html(" / ".join(["{}"] * len(parts)), *parts)

    @admin.action(description="Test connection (check the access token)",
                  permissions=["change"])
    def test_connection(self, request, queryset):
        for integration in self._editable(request, queryset):
            reply = integration_test_connection(integration=integration)
            self._report(request, integration, reply, ok="the access token works")

    @admin.action(description="Send a test event (uses the test event code)",
                  permissions=["change"])
    def send_test_event(self, request, queryset):
        for integration in self._editable(request, queryset):
            reply = integration_send_test_event(integration=integration)
            self._report(request, integration, reply,
                         ok="test event accepted; see TikTok Events Manager → Test Events")

    def _editable(self, request, queryset):
        if not request.user.is_superuser:
            queryset = queryset.filter(workspace__in=self._ids(request, self.edit_role))
        return queryset

    def _report(self, request, integration, reply, *, ok: str) -> None:
        suffix = f" (request id {reply.request_id})" if reply.request_id else ""
        if reply.outcome is Outcome.SUCCESS:
            self.message_user(request, f"{integration}: {ok}{suffix}", messages.SUCCESS)
        else:
            self.message_user(request, f"{integration}: {reply.message}{suffix}", messages.ERROR)


@admin.register(OutboxEntry)
class OutboxEntryAdmin(ReadOnlyScopedAdmin):
    list_display = ["id", "workspace", "integration", "event_id", "platform_event", "event_source",
                    "status", "attempts", "next_attempt_at", "error", "request_id", "sent_at"]
    list_filter = [("status", admin.ChoicesFieldListFilter), "event_source", "integration",
                   "workspace", "platform_event"]
    search_fields = ["=conversion__event_id", "=request_id"]
    raw_id_fields = ["conversion"]
    show_full_result_count = False
    actions = ["resend"]
    edit_role = Role.ANALYST

    def get_queryset(self, request):
        # The list shows the integration's name; its token stays encrypted and unread.
        return (super().get_queryset(request).select_related("workspace", "conversion", "integration")
                .defer("integration__access_token"))

    def lookup_allowed(self, lookup, value, request=None):
        return lookup == "status__in" or super().lookup_allowed(lookup, value, request)

    @admin.display(description="Event id", ordering="conversion__event_id")
    def event_id(self, obj):
        return obj.conversion.event_id

    @admin.display(description="Last error / why skipped")
    def error(self, obj):
        return Truncator(obj.last_error).chars(80)

    def has_resend_permission(self, request):
        return self._can_edit(request)

    @admin.action(description="Resend selected (same event_id; TikTok keeps one copy)",
                  permissions=["resend"])
    def resend(self, request, queryset):
        if not request.user.is_superuser:
            queryset = queryset.filter(workspace__in=self._ids(request, self.edit_role))
        queued = outbox_resend(entry_ids=queryset.values_list("id", flat=True))
        from crm_sync.tasks import outbox_drain_due  # tasks import services; keep admin light

        transaction.on_commit(outbox_drain_due.delay)
        self.message_user(request, f"{queued} row(s) queued again; the drain sends them now.",
                          messages.SUCCESS)
