"""A chunk is all or nothing, and a redelivered chunk is not counted twice."""

from datetime import timedelta

import pytest

from attribution.models import AttributionCredit, AttributionRollup, AttributionRun, RunStatus
from attribution.runs import services, writers
from attribution.runs.selectors import current_rollups
from tests.runs.journeys import T0, journey, models_of

pytestmark = pytest.mark.django_db


def planned_run(workspace):
    run = services.run_create(workspace=workspace, period_start=T0 - timedelta(days=30),
                              period_end=T0 + timedelta(days=1))
    return run, services.run_plan(run=run)


def test_a_chunk_that_dies_after_writing_credits_leaves_no_rows(workspace, monkeypatch):
    models_of(workspace)
    journey(workspace, touches=[(2, "meta", "click"), (1, "tiktok", "click")])
    run, [chunk] = planned_run(workspace)

    def crash(*args, **kwargs):  # the worker dies between the credit COPY and the rollups
        raise SystemExit("worker killed")

    monkeypatch.setattr(writers, "write_rollups", crash)
    with pytest.raises(SystemExit):
        services.chunk_process(chunk_id=chunk.id)
    assert not AttributionCredit.objects.filter(run=run).exists()
    run.refresh_from_db()
    assert (run.status, run.chunks_done, run.processed) == (RunStatus.RUNNING, 0, 0)

    monkeypatch.undo()  # the broker redelivers the message to a healthy worker
    assert services.chunk_process(chunk_id=chunk.id) is True
    assert AttributionCredit.objects.filter(run=run).count() == 2  # one row per (conversion, touch)


def test_a_chunk_delivered_twice_is_done_once(workspace):
    models_of(workspace)
    journey(workspace, touches=[(1, "tiktok", "click")])
    run, [chunk] = planned_run(workspace)
    assert services.chunk_process(chunk_id=chunk.id) is True
    # Redelivered: nothing is redone, but it still says "all done" in case finalize was never sent.
    assert services.chunk_process(chunk_id=chunk.id) is True
    run.refresh_from_db()
    assert (run.chunks_done, run.processed) == (1, 1)
    assert AttributionCredit.objects.filter(run=run).count() == 1


def test_a_redelivered_start_message_resends_only_unfinished_chunks(workspace, settings):
    settings.CLICKLEDGER = {**settings.CLICKLEDGER, "ATTRIBUTION_CHUNK_CONVERSIONS": 1}
    models_of(workspace)
    journey(workspace, touches=[(1, "tiktok", "click")])
    journey(workspace, touches=[(2, "meta", "click")])
    run = services.run_create(workspace=workspace, period_start=T0 - timedelta(days=30),
                              period_end=T0 + timedelta(days=1))
    first, second = services.run_chunks_pending(run=run)
    services.chunk_process(chunk_id=first.id)
    run.refresh_from_db()
    assert services.run_chunks_pending(run=run) == [second]


def test_output_stays_invisible_until_the_run_is_published(workspace):
    models_of(workspace)
    journey(workspace, touches=[(1, "tiktok", "click")])
    run, [chunk] = planned_run(workspace)
    services.chunk_process(chunk_id=chunk.id)
    assert AttributionRollup.objects.filter(run=run).exists()
    assert not current_rollups(workspace=workspace).exists()
    services.run_finalize(run_id=run.id)
    assert set(current_rollups(workspace=workspace).values_list("run", flat=True)) == {run.id}


def test_an_older_full_run_finishing_late_does_not_replace_a_newer_one(workspace):
    models_of(workspace)
    journey(workspace, touches=[(1, "tiktok", "click")])
    older, [older_chunk] = planned_run(workspace)
    newer, [newer_chunk] = planned_run(workspace)
    services.chunk_process(chunk_id=newer_chunk.id)
    services.run_finalize(run_id=newer.id)
    services.chunk_process(chunk_id=older_chunk.id)
    services.run_finalize(run_id=older.id)
    statuses = dict(AttributionRun.objects.values_list("id", "status"))
    assert statuses == {older.id: RunStatus.SUPERSEDED, newer.id: RunStatus.SUCCEEDED}
