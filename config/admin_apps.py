from django.contrib.admin.apps import AdminConfig


class ClickledgerAdminConfig(AdminConfig):
    """Django's admin on ``config.admin_site.ClickledgerAdminSite`` (sections in setup order)."""

    default_site = "config.admin_site.ClickledgerAdminSite"
