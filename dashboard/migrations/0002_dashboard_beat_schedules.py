"""Beat schedules the dashboard relies on, created once and then editable in admin.

- the weekly audit (Mondays 06:00 UTC);
- the daily TikTok reporting import (04:00 UTC; the task lives in crm_sync.tiktok_reporting).
get_or_create by name: re-running never duplicates, and an admin's edits are kept.
"""

from django.db import migrations

SCHEDULES = [
    ("Weekly attribution audit", "dashboard.tasks.run_weekly_audits",
     {"minute": "0", "hour": "6", "day_of_week": "1"}),
    ("Daily TikTok reporting import", "crm_sync.tiktok_reporting.tasks.import_all_tiktok_reports",
     {"minute": "0", "hour": "4", "day_of_week": "*"}),
]


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, cron in SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            day_of_month="*", month_of_year="*", timezone="UTC", **cron)
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab})


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, _, _ in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0001_dashboard_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
