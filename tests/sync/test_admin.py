"""Admin for the TikTok sync: token never shown, outbox state, resend, test event, test connection."""

import pytest

from attribution.models import OutboxEntry, OutboxStatus, Role
from config.celery import app as celery_app
from crm_sync.selectors.outbox import integrations_with_outbox_state
from tests.factories import MembershipFactory, UserFactory

from .conftest import TOKEN

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tiktok_settings")]
INTEGRATIONS = "/admin/attribution/tiktokintegration/"
OUTBOX = "/admin/attribution/outboxentry/"


@pytest.fixture
def eager_celery():
    """Run tasks in-process even when REDIS_URL points Celery at a broker with no worker."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def admin_of_workspace(client, member):
    client.force_login(member)
    return client


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _action(client, url, action, ids):
    return client.post(url, {"action": action, "_selected_action": ids}, follow=True)


def test_the_token_is_never_shown_back_and_a_new_one_replaces_it(admin_of_workspace, integration,
                                                                 workspace):
    url = f"{INTEGRATIONS}{integration.pk}/change/"
    assert TOKEN not in admin_of_workspace.get(url).content.decode()
    form = {"workspace": workspace.pk, "name": "TikTok", "enabled": "on", "advertiser_id": "1",
            "pixel_code": "CPIXEL", "event_set_id": "7", "crm_event_source": "offline",
            "access_token": "tt-new-token", "test_event_code": "",
            "event_mapping": '{"SubmitForm": "SubmitForm"}'}
    assert admin_of_workspace.post(url, form).status_code == 302
    integration.refresh_from_db()
    assert (integration.access_token, integration.crm_event_source) == ("tt-new-token", "offline")
    assert "tt-new-token" not in admin_of_workspace.get(url).content.decode()


def test_outbox_state_is_counted_per_integration_in_one_query(integration, record, django_assert_num_queries):
    for _ in range(3):
        record()
    OutboxEntry.objects.filter(pk=OutboxEntry.objects.first().pk).update(status=OutboxStatus.DEAD)
    with django_assert_num_queries(1):
        [row] = integrations_with_outbox_state()
    assert (row.outbox_queued, row.outbox_retrying, row.outbox_sent, row.outbox_dead) == (2, 0, 0, 1)


def test_the_integration_list_shows_the_outbox_state(admin_of_workspace, integration, record):
    record()
    page = admin_of_workspace.get(INTEGRATIONS).content.decode()
    assert "Outbox (queued / retrying / sent / dead / skipped)" in page
    assert f"integration__id__exact={integration.pk}&amp;status__in=queued%2Csending\">1</a>" in page


def test_test_connection_says_whether_the_token_works(admin_of_workspace, integration):
    ok = _action(admin_of_workspace, INTEGRATIONS, "test_connection", [integration.pk])
    assert any("the access token works" in m for m in _messages(ok))

    integration.access_token = "revoked"
    integration.save()
    bad = _action(admin_of_workspace, INTEGRATIONS, "test_connection", [integration.pk])
    assert any("Access token is incorrect" in m for m in _messages(bad))


def test_send_test_event_uses_the_test_event_code(admin_of_workspace, integration, fake_tiktok):
    refused = _action(admin_of_workspace, INTEGRATIONS, "send_test_event", [integration.pk])
    assert any("set a test event code first" in m for m in _messages(refused))
    assert fake_tiktok.accepted == []
    integration.refresh_from_db()
    assert integration.test_event_accepted_at is None

    integration.test_event_code = "TEST777"
    integration.save()
    sent = _action(admin_of_workspace, INTEGRATIONS, "send_test_event", [integration.pk])

    assert any("test event accepted" in m for m in _messages(sent))
    [event] = fake_tiktok.accepted
    assert event["test_event_code"] == "TEST777"
    assert event["event_id"].startswith("clickledger-test-")
    integration.refresh_from_db()
    assert integration.test_event_accepted_at is not None  # the workspace's setup checklist shows it


def test_resend_queues_dead_rows_again_and_they_go_out_with_the_same_event_id(
        admin_of_workspace, integration, record, fake_tiktok, eager_celery,
        django_capture_on_commit_callbacks):
    conversion = record()
    OutboxEntry.objects.update(status=OutboxStatus.DEAD, attempts=5, last_error="code 40002: bad")
    entry = OutboxEntry.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        reply = _action(admin_of_workspace, OUTBOX, "resend", [entry.pk])

    assert any("1 row(s) queued again" in m for m in _messages(reply))
    entry.refresh_from_db()
    assert (entry.status, entry.attempts, entry.last_error) == (OutboxStatus.SENT, 1, "")
    assert fake_tiktok.event_ids() == [conversion.event_id]


def test_a_viewer_sees_the_outbox_but_cannot_resend(client, workspace, integration, record):
    viewer = UserFactory()
    MembershipFactory(user=viewer, workspace=workspace, role=Role.VIEWER)
    client.force_login(viewer)
    record()
    OutboxEntry.objects.update(status=OutboxStatus.DEAD)

    page = client.get(OUTBOX)
    attempt = _action(client, OUTBOX, "resend", [OutboxEntry.objects.get().pk])

    assert page.status_code == 200 and page.context["action_form"] is None
    assert attempt.status_code == 200
    assert OutboxEntry.objects.get().status == OutboxStatus.DEAD
