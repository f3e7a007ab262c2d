"""The admin index in the order a new advertiser is set up, not alphabetically by app.

Sections group models across apps: workspace and members, sites and snippet, integrations, stage
rules, windows and models, results; then schedules and the technical tables (everything else,
so a model registered later is never hidden). A single app's page keeps Django's own listing.
"""

from django.contrib import admin

# (section title, model labels "app_label.modelname" in the order they are used)
SECTIONS = [
    ("1. Workspace and members", ["attribution.workspace", "auth.user", "auth.group"]),
    ("2. Sites and snippet", ["attribution.site", "attribution.channelrule"]),
    ("3. Integrations", [
        "attribution.tiktokintegration", "attribution.metaadaccount", "attribution.googleadsaccount",
        "attribution.adcsvmapping", "crm_sync.dealimport", "crm_sync.columnmapping",
        "crm_sync.crmwebhooksecret",
    ]),
    ("4. CRM stage rules", ["crm_sync.dealstagerule"]),
    ("5. Attribution windows and models", [
        "attribution.lookbackwindow", "attribution.attributionmodelconfig", "dashboard.dashboardsettings",
        "dashboard.exchangerate",
    ]),
    ("6. Runs, imports and audits", [
        "attribution.attributionrun", "attribution.platformimport", "dashboard.auditreport",
    ]),
    ("7. Privacy", ["crm_sync.retentionpolicy", "crm_sync.personerasure"]),
]
SCHEDULES_APP = "django_celery_beat"
TECHNICAL = "Technical tables"


class ClickledgerAdminSite(admin.AdminSite):
    def get_app_list(self, request, app_label=None):
        if app_label:
            return super().get_app_list(request, app_label)
        apps = super().get_app_list(request)
        by_label = {f"{app['app_label']}.{m['object_name'].lower()}": (app, m)
                    for app in apps for m in app["models"]}
        sections = []
        for number, (title, labels) in enumerate(SECTIONS, start=1):
            found = [by_label.pop(label) for label in labels if label in by_label]
            if found:
                sections.append(_section(f"setup{number}", title, found))
        schedules = [(a, m) for key, (a, m) in list(by_label.items()) if key.startswith(SCHEDULES_APP + ".")]
        for key in [k for k in by_label if k.startswith(SCHEDULES_APP + ".")]:
            by_label.pop(key)
        if schedules:
            sections.append(_section("schedules", "Schedules (periodic tasks)", schedules))
        if by_label:
            sections.append(_section("technical", TECHNICAL, list(by_label.values())))
        return sections


def _section(key: str, title: str, found: list) -> dict:
    first_app = found[0][0]
    return {
        "name": title,
        "app_label": key,
        "app_url": first_app["app_url"],
        "has_module_perms": True,
        "models": [m for _, m in found],
    }
