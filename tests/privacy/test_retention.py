"""Retention: what a workspace's policy says is too old is anonymized in batches by a scheduled
task, and attribution output does not move."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from attribution.models import Contact, ConversionEvent, Touchpoint
from attribution.runs.selectors import current_rollups
from attribution.runs.services import run_create, run_execute
from config.celery import app
from crm_sync.models import Deal, RetentionPolicy
from crm_sync.privacy.retention import retention_purge
from crm_sync.privacy.tasks import retention_purge_all
from tests.factories import DealFactory, TouchpointFactory, VisitorFactory

pytestmark = pytest.mark.django_db


def totals(workspace):
    return current_rollups(workspace=workspace).aggregate(n=Sum("conversions"), revenue=Sum("revenue"))


def credits(workspace):
    run = run_execute(run=run_create(workspace=workspace))
    return sorted((c.conversion_id, c.touchpoint_id, tuple(c.weights))
                  for c in run.credits.all())


def test_old_touches_and_event_details_lose_personal_data_and_attribution_does_not_move(
        workspace, people):
    erased, kept = people
    before, credits_before = totals(workspace), credits(workspace)
    policy = RetentionPolicy.objects.create(workspace=workspace, touch_days=4, event_detail_days=1)

    stats = retention_purge(policy=policy)

    assert stats.rows == {"touchpoints": 2, "conversions": 4}  # the 6-day-old touch of each
    old = Touchpoint.objects.filter(occurred_at__lt=timezone.now() - timedelta(days=4))
    assert set(old.values_list("ttclid", "landing_url", "ip_truncated", "user_agent")) == \
        {("", "", "", "")}
    recent = Touchpoint.objects.exclude(pk__in=old)
    assert all(t.ttclid and t.user_agent for t in recent)
    assert not ConversionEvent.objects.exclude(email_hash="").exists()
    assert totals(workspace) == before
    assert credits(workspace) == credits_before


def test_a_purge_works_in_batches_and_records_itself_on_the_policy(workspace):
    visitor = VisitorFactory(workspace=workspace)
    long_ago = timezone.now() - timedelta(days=400)
    for i in range(7):
        TouchpointFactory(visitor=visitor, occurred_at=long_ago + timedelta(minutes=i),
                          ttclid=f"old-{i}", user_agent="UA")
    policy = RetentionPolicy.objects.create(workspace=workspace, touch_days=30)

    stats = retention_purge(policy=policy, batch_size=3)

    assert stats.rows["touchpoints"] == 7 and stats.batches == 3
    policy.refresh_from_db()
    assert policy.last_purge_at and policy.last_purge_counts == {"touchpoints": 7}
    assert retention_purge(policy=policy).rows["touchpoints"] == 0  # nothing left to do


def test_a_touch_stored_late_is_still_purged_by_the_next_run(workspace):
    policy = RetentionPolicy.objects.create(workspace=workspace, touch_days=30)
    retention_purge(policy=policy)
    late = TouchpointFactory(visitor=VisitorFactory(workspace=workspace), ttclid="late",
                             occurred_at=timezone.now() - timedelta(days=40))
    retention_purge(policy=RetentionPolicy.objects.get(pk=policy.pk))
    late.refresh_from_db()
    assert late.ttclid == ""


def test_lost_deals_lose_their_crm_fields_after_their_days_won_deals_keep_them(workspace):
    closed = timezone.now() - timedelta(days=200)
    lost = DealFactory(workspace=workspace, stage="closedlost", closed_at=closed, name="Jane Doe",
                       ttclid="t1")
    salesforce_lost = DealFactory(workspace=workspace, stage="Closed Lost", closed_at=closed,
                                  name="John Roe")
    won = DealFactory(workspace=workspace, stage="closedwon", closed_at=closed, name="Ann Poe")
    recent = DealFactory(workspace=workspace, stage="closedlost", name="Kim Lee",
                         closed_at=timezone.now() - timedelta(days=3))
    policy = RetentionPolicy.objects.create(workspace=workspace, lost_deal_days=90)

    assert retention_purge(policy=policy).rows == {"lost_deals": 2}

    names = dict(Deal.objects.values_list("pk", "name"))
    assert names[lost.pk] == names[salesforce_lost.pk] == ""
    assert names[won.pk] == "Ann Poe" and names[recent.pk] == "Kim Lee"


def test_opt_outs_are_kept_by_retention(workspace, people):
    Contact.objects.update(opted_out=True)
    policy = RetentionPolicy.objects.create(workspace=workspace, touch_days=0, event_detail_days=0,
                                            lost_deal_days=0)
    retention_purge(policy=policy)
    assert not Contact.objects.filter(opted_out=False).exists()


def test_the_purge_is_scheduled_and_runs_every_policy(workspace, other_workspace):
    entry = settings.CELERY_BEAT_SCHEDULE["retention-purge"]
    assert entry["task"] == "crm_sync.privacy.tasks.retention_purge_all"
    assert entry["task"] in app.tasks
    TouchpointFactory(visitor=VisitorFactory(workspace=workspace), ttclid="x",
                      occurred_at=timezone.now() - timedelta(days=10))
    RetentionPolicy.objects.create(workspace=workspace, touch_days=5)
    RetentionPolicy.objects.create(workspace=other_workspace, touch_days=5)

    done = retention_purge_all.delay().get()

    assert done == {workspace.slug: {"touchpoints": 1}, other_workspace.slug: {"touchpoints": 0}}


def test_the_admin_shows_the_policy_and_its_last_purge(client, member, workspace):
    policy = RetentionPolicy.objects.create(workspace=workspace, touch_days=30)
    retention_purge(policy=policy)
    client.force_login(member)
    page = client.get("/admin/crm_sync/retentionpolicy/").content.decode()
    assert "0 touchpoints" in page and str(timezone.now().year) in page
