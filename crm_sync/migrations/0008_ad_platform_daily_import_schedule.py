"""The daily Meta and Google Ads import (04:30 UTC), created once and then editable in admin.

get_or_create by name: re-running never duplicates, and an admin's edits are kept.
"""

from django.db import migrations

NAME = "Daily Meta and Google Ads import"
TASK = "crm_sync.ad_platforms.tasks.import_all_ad_accounts"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="4", day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC")
    PeriodicTask.objects.get_or_create(name=NAME, defaults={"task": TASK, "crontab": crontab})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("crm_sync", "0007_privacy_erasure_log_and_retention"),
        ("attribution", "0014_ad_platform_accounts"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
