"""``manage.py run_attribution`` attributes inline with a progress bar, or incrementally."""

import pytest
from django.core.management import call_command

from attribution.models import AttributionModelConfig, AttributionRun, ModelKind, RunStatus
from tests.runs.journeys import journey

pytestmark = pytest.mark.django_db


def test_the_command_gives_a_bare_workspace_every_model_and_attributes_it(workspace, capsys):
    journey(workspace, touches=[(2, "meta", "click"), (1, "tiktok", "click")])
    call_command("run_attribution", "--workspace", workspace.slug, "--start", "2026-10-01")
    assert AttributionModelConfig.objects.filter(workspace=workspace).count() == len(ModelKind.values) == 8
    run = AttributionRun.objects.get(workspace=workspace)
    assert run.status == RunStatus.SUCCEEDED and run.processed == 1
    assert "full run" in capsys.readouterr().out
    call_command("run_attribution", "--workspace", workspace.slug, "--incremental")
    latest = AttributionRun.objects.filter(workspace=workspace).order_by("-id").first()
    assert latest.incremental and latest.total == 0 and latest.status == RunStatus.SUCCEEDED


def test_an_unknown_workspace_is_an_error(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No workspace nope"):
        call_command("run_attribution", "--workspace", "nope")


def test_the_demo_command_runs_attribution_for_the_demo_workspace(db):
    from crm_sync.demo.services import DEMO_SLUG
    from tests.factories import WorkspaceFactory

    demo = WorkspaceFactory(slug=DEMO_SLUG)
    journey(demo, touches=[(1, "tiktok", "click")])
    call_command("demo_compute")
    run = AttributionRun.objects.get(workspace=demo)
    assert run.status == RunStatus.SUCCEEDED and run.processed == 1
