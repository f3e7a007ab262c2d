"""The runs API starts runs for members with the analyst role and shows status and progress."""

import pytest
from rest_framework.test import APIClient

from attribution.models import AttributionRun, Role, RunStatus
from tests.factories import MembershipFactory, UserFactory
from tests.runs.journeys import journey, models_of

pytestmark = pytest.mark.django_db


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_an_analyst_starts_a_run_and_follows_it_to_success(workspace, member,
                                                             django_capture_on_commit_callbacks):
    models_of(workspace)
    journey(workspace, touches=[(1, "tiktok", "click")])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(member).post("/api/v1/runs/", {"workspace": workspace.slug},
                                           format="json")
    assert response.status_code == 202
    detail = client_for(member).get(f"/api/v1/runs/{response.json()['id']}/").json()
    assert detail["status"] == RunStatus.SUCCEEDED
    assert (detail["total"], detail["processed"], detail["progress"]) == (1, 1, 1.0)


def test_a_viewer_cannot_start_a_run(workspace):
    viewer = UserFactory()
    MembershipFactory(user=viewer, workspace=workspace, role=Role.VIEWER)
    models_of(workspace)
    response = client_for(viewer).post("/api/v1/runs/", {"workspace": workspace.slug}, format="json")
    assert response.status_code == 403
    assert not AttributionRun.objects.exists()


def test_runs_of_other_workspaces_are_invisible(workspace, other_workspace, member):
    models_of(other_workspace)
    foreign = AttributionRun.objects.create(workspace=other_workspace, period_start="2026-01-01T00:00Z",
                                            period_end="2026-02-01T00:00Z")
    assert client_for(member).get(f"/api/v1/runs/{foreign.id}/").status_code == 404
    assert client_for(member).get("/api/v1/runs/").json()["results"] == []
    response = client_for(member).post("/api/v1/runs/", {"workspace": other_workspace.slug},
                                       format="json")
    assert response.status_code == 404


def test_a_workspace_without_models_is_told_what_to_fix(workspace, member):
    response = client_for(member).post("/api/v1/runs/", {"workspace": workspace.slug}, format="json")
    assert response.status_code == 400
    assert "no active attribution model" in response.json()["workspace"][0]
