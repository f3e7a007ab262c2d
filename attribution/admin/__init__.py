"""Django admin for tracking and attribution, every screen scoped to the user's workspaces."""

from django.contrib import admin

from . import ads, conversions, runs, sync, tracking, workspace  # noqa: F401  (registers)

admin.site.site_header = "Clickledger administration"
admin.site.site_title = "Clickledger"
admin.site.index_title = "Workspaces, tracking, attribution and integrations"
