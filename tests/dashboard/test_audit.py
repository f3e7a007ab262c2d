from datetime import date
from decimal import Decimal

import pytest
from django.core import mail

from config.celery import app as celery_app
from dashboard.models import AuditReport
from dashboard.services.audit import audit_run
from dashboard.tasks import run_weekly_audits
from tests.factories import MembershipFactory, UserFactory

from .diag_world import build_diagnostics_day


def test_audit_stores_findings_worst_first_and_emails_the_admins_once(workspace, world, member):
    build_diagnostics_day(workspace)
    viewer = UserFactory(email="viewer@example.com")
    MembershipFactory(user=viewer, workspace=workspace, role="viewer")
    report = audit_run(workspace=workspace, period_end=date(2026, 11, 7))
    codes = {f["code"]: f["severity"] for f in report.findings}
    assert codes["duplicates"] == "critical"  # 1 of 3 pixel conversions, threshold 5%
    assert codes["ttclid_capture"] == "warning"  # 75% kept, threshold 80%
    assert report.worst_severity == "critical"
    stakes = [Decimal(f["at_stake"]) for f in report.findings]
    assert stakes == sorted(stakes, reverse=True)  # the most money at stake first
    assert Decimal(report.summary["three_way"]["TikTok reported"]["conversions"]) == 7
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [member.email]
    assert "Pixel and server events not deduplicated" in mail.outbox[0].body

    again = audit_run(workspace=workspace, period_end=date(2026, 11, 7))
    assert again.pk == report.pk and len(mail.outbox) == 1
    assert AuditReport.objects.filter(workspace=workspace).count() == 1


def test_a_clean_week_is_recorded_without_email(workspace, member):
    report = audit_run(workspace=workspace, period_end=date(2026, 11, 7))
    assert [f["code"] for f in report.findings] == ["all_clear"]
    assert mail.outbox == [] and report.emailed_at is None


@pytest.fixture
def eager_celery():
    """Run fanned-out tasks in-process even when REDIS_URL points at a real broker (no worker here)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def test_the_weekly_task_audits_every_workspace(workspace, other_workspace, eager_celery):
    assert run_weekly_audits.delay().get() == 2
    assert AuditReport.objects.count() == 2


def test_the_schedule_exists_and_is_editable_in_admin(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="Weekly attribution audit")
    assert task.task == "dashboard.tasks.run_weekly_audits"
    assert (task.crontab.day_of_week, task.crontab.hour) == ("1", "6")


def test_each_finding_has_its_own_causes_and_a_link_to_its_evidence(workspace, world, member):
    build_diagnostics_day(workspace)
    report = audit_run(workspace=workspace, period_end=date(2026, 11, 7))
    by_code = {f["code"]: f for f in report.findings}
    duplicates, capture = by_code["duplicates"], by_code["ttclid_capture"]
    assert duplicates["causes"] != capture["causes"]
    assert any("event_id" in c for c in duplicates["causes"])
    assert duplicates["link"].startswith("/diagnostics/?")
    assert "start=2026-11-01&end=2026-11-07" in duplicates["link"]
    gaps = [f for f in report.findings if f["code"].startswith("gap_")]
    assert gaps and all(f["link"].startswith("/compare/?") for f in gaps)
    assert len({tuple(f["causes"]) for f in gaps}) == len(gaps)  # no shared paragraph
    # money at stake: 1 of 3 pixel conversions doubled, of TikTok's reported value 580
    assert duplicates["at_stake"] == "193.33" and duplicates["currency"] == "USD"
