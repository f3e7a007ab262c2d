"""Admin: a run's progress and chunks are visible, and an analyst can queue a run from the list."""

import pytest

from attribution.models import AttributionRun, Role, RunStatus
from tests.factories import MembershipFactory, UserFactory
from tests.runs.journeys import journey, models_of

pytestmark = pytest.mark.django_db


def test_an_analyst_runs_attribution_now_from_the_model_list(client, workspace,
                                                              django_capture_on_commit_callbacks):
    analyst = UserFactory()
    MembershipFactory(user=analyst, workspace=workspace, role=Role.ANALYST)
    config = models_of(workspace)["linear"]
    journey(workspace, touches=[(1, "tiktok", "click")])
    client.force_login(analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/attribution/attributionmodelconfig/",
                               {"action": "run_full_now", "_selected_action": [config.pk]}, follow=True)
    assert "full run" in response.content.decode()
    run = AttributionRun.objects.get(workspace=workspace)
    assert run.status == RunStatus.SUCCEEDED  # eager in tests: the queued run ran at commit
    page = client.get("/admin/attribution/attributionrun/").content.decode()
    assert "100% (1 of 1)" in page and "1 / 1" in page


def test_a_viewer_cannot_queue_a_run(client, workspace):
    viewer = UserFactory()
    MembershipFactory(user=viewer, workspace=workspace, role=Role.VIEWER)
    config = models_of(workspace)["linear"]
    client.force_login(viewer)
    client.post("/admin/attribution/attributionmodelconfig/",
                {"action": "run_full_now", "_selected_action": [config.pk]}, follow=True)
    assert not AttributionRun.objects.exists()
