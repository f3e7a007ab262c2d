"""A run stores every conversion's path, their sums and customer value by first touch; published
with the run, replaced by a rerun, and kept in step by incremental runs."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum

from attribution.engine.paths import FORMS, signature_keys
from attribution.models import (
    AttributionRun,
    CustomerValueRollup,
    PathLagRollup,
    PathRollup,
    PathSignature,
    PathStepRollup,
)
from attribution.runs import path_writers, services
from attribution.runs.path_selectors import current_paths
from attribution.runs.path_writers import PathKeyCollision
from attribution.runs.selectors import current_full_run
from tests.factories import ConversionEventFactory
from tests.runs.journeys import T0, journey, models_of

pytestmark = pytest.mark.django_db


def full_run(workspace):
    run = services.run_create(workspace=workspace, period_start=T0 - timedelta(days=60),
                              period_end=T0 + timedelta(days=40))
    return services.run_execute(run=run)


def incremental_run(workspace):
    run = services.run_create(workspace=workspace, incremental=True)
    return services.run_execute(run=run)


def again(conversion, *, days, value):
    """The same person buys again ``days`` after ``conversion``, with no new touch."""
    return ConversionEventFactory(workspace=conversion.workspace, contact=conversion.contact,
                                  visitor=conversion.visitor, value=Decimal(value),
                                  occurred_at=conversion.occurred_at + timedelta(days=days))


def cohorts(workspace):
    """Current customer value per (cohort day, channel): customers and revenue at 7/30/90 days."""
    rows = (CustomerValueRollup.objects.filter(workspace=workspace, run__status="succeeded")
            .values_list("day", "channel")
            .annotate(c=Sum("customers"), r7=Sum("revenue_7d"), r30=Sum("revenue_30d"),
                      r90=Sum("revenue_90d")).order_by())
    return {(day, channel): (c, r7, r30, r90) for day, channel, c, r7, r30, r90 in rows if c or r90}


def test_a_multi_touch_journey_is_stored_with_its_path_lag_and_first_and_last_touch(workspace):
    models_of(workspace)
    conversion = journey(workspace, touches=[(3.5, "meta", "click"), (2, "tiktok", "click"),
                                             (1, "tiktok", "click"), (0.5, "direct", "direct")])
    full_run(workspace)
    path = current_paths(workspace=workspace).get(conversion=conversion)
    campaigns = [t.campaign_id for t in conversion.contact.visitors.get().touchpoints.order_by("occurred_at")
                 if t.campaign_id]
    assert path.path.channel_path == "meta>tiktok>tiktok>direct"
    assert path.path.campaign_path == f"meta>tiktok:{campaigns[0]}>tiktok:{campaigns[1]}>direct"
    assert path.path.channel_path_collapsed == "meta>tiktok>direct"
    assert (path.touches, path.lag_days, path.first_channel, path.last_channel) == (4, 3, "meta", "direct")
    assert path.first_touch_at == T0 - timedelta(days=3.5)
    assert path.person == conversion.contact_id
    assert (path.value, path.currency, path.day) == (Decimal("100"), "USD", T0.date())


def test_an_unattributed_conversion_has_an_empty_path(workspace):
    models_of(workspace)
    conversion = journey(workspace, touches=[(40, "meta", "click")])  # outside every window
    full_run(workspace)
    path = current_paths(workspace=workspace).get(conversion=conversion)
    assert (path.path, path.touches, path.lag_days, path.first_touch_at) == (None, 0, None, None)


def test_path_sums_count_conversions_and_value_per_path(workspace):
    models_of(workspace)
    for value in ("10.00", "20.00"):
        journey(workspace, touches=[(2, "meta", "click"), (1, "tiktok", "click")], value=value)
    journey(workspace, touches=[(1, "email", "click")], value="5.00")
    full_run(workspace)
    sums = dict(PathRollup.objects.filter(workspace=workspace).values_list("path__channel_path")
                .annotate(c=Sum("conversions")).values_list("path__channel_path", "c"))
    value = PathRollup.objects.filter(workspace=workspace, path__channel_path="meta>tiktok").aggregate(
        v=Sum("value"))["v"]
    assert sums == {"meta>tiktok": 2, "email": 1}
    assert value == Decimal("30")


def test_customer_value_adds_repeat_purchases_at_7_30_and_90_days_after_the_first_touch(workspace):
    models_of(workspace)
    first = journey(workspace, touches=[(3, "meta", "click"), (1, "tiktok", "click")], value="100.00")
    again(first, days=10, value="50.00")  # day 13 after the first touch
    again(first, days=35, value="25.00")  # day 38
    journey(workspace, touches=[(1, "email", "click")], value="7.00")
    full_run(workspace)
    cohort_day = (T0 - timedelta(days=3)).date()
    assert cohorts(workspace) == {
        (cohort_day, "meta"): (1, Decimal("100"), Decimal("150"), Decimal("175")),
        ((T0 - timedelta(days=1)).date(), "email"): (1, Decimal("7"), Decimal("7"), Decimal("7")),
    }


def test_a_rerun_replaces_the_paths_instead_of_adding_to_them(workspace):
    models_of(workspace)
    journey(workspace, touches=[(2, "meta", "click")])
    full_run(workspace)
    full_run(workspace)
    assert current_paths(workspace=workspace).count() == 1
    assert PathRollup.objects.filter(workspace=workspace, run__status="succeeded").aggregate(
        c=Sum("conversions"))["c"] == 1
    assert sum(c for c, *_ in cohorts(workspace).values()) == 1


def test_an_incremental_run_keeps_paths_and_customer_value_equal_to_a_full_run(workspace):
    models_of(workspace)
    first = journey(workspace, touches=[(3, "meta", "click")], value="100.00")
    full_run(workspace)
    again(first, days=5, value="40.00")
    journey(workspace, touches=[(2, "tiktok", "click")], value="9.00", when=T0 + timedelta(days=1))
    incremental_run(workspace)
    after_increment = cohorts(workspace), sorted(current_paths(workspace=workspace).values_list(
        "conversion_id", "path__channel_path", "lag_days"))
    full_run(workspace)
    after_full = cohorts(workspace), sorted(current_paths(workspace=workspace).values_list(
        "conversion_id", "path__channel_path", "lag_days"))
    assert after_increment == after_full
    assert after_full[0][((T0 - timedelta(days=3)).date(), "meta")] == (
        1, Decimal("100"), Decimal("140"), Decimal("140"))
    assert after_full[0][((T0 - timedelta(days=1)).date(), "tiktok")] == (
        1, Decimal("9"), Decimal("9"), Decimal("9"))


def test_another_workspaces_paths_are_never_current_here(workspace, other_workspace):
    models_of(workspace)
    models_of(other_workspace)
    journey(workspace, touches=[(1, "meta", "click")])
    journey(other_workspace, touches=[(1, "tiktok", "click")])
    full_run(workspace)
    full_run(other_workspace)
    assert list(current_paths(workspace=workspace).values_list("path__channel_path", flat=True)) == ["meta"]
    assert date(2026, 11, 19) in {d for d, _ in cohorts(workspace)}
    assert {c for _, c in cohorts(workspace)} == {"meta"}


def test_a_path_is_stored_once_however_many_conversions_and_runs_take_it(workspace, other_workspace):
    models_of(workspace)
    models_of(other_workspace)
    for _ in range(3):
        journey(workspace, touches=[(2, "meta", "click"), (1, "email", "click")])
    journey(other_workspace, touches=[(2, "meta", "click"), (1, "email", "click")])
    full_run(workspace)
    full_run(workspace)
    full_run(other_workspace)
    mine = PathSignature.objects.filter(workspace=workspace)
    assert list(mine.values_list("channel_path", flat=True)) == ["meta>email"]
    assert PathSignature.objects.filter(workspace=other_workspace).get().key != mine.get().key
    assert set(current_paths(workspace=workspace).values_list("path_id", flat=True)) == {mine.get().key}


def test_a_path_key_already_naming_another_path_fails_the_run_instead_of_merging_them(workspace):
    models_of(workspace)
    journey(workspace, touches=[(1, "meta", "click")])
    key = int(signature_keys(workspace.pk, ["meta"])[0])
    PathSignature.objects.create(key=key, workspace=workspace, **dict.fromkeys(FORMS, "email"))
    with pytest.raises(PathKeyCollision):
        full_run(workspace)
    assert not current_paths(workspace=workspace).exists()


def report_tables(workspace):
    """The published journey reports, as comparable rows (ids of runs left out)."""
    return (sorted(current_paths(workspace=workspace).values_list(
                "conversion_id", "path__campaign_path", "touches", "lag_days", "first_channel",
                "last_channel", "first_touch_at", "value")),
            sorted(PathRollup.objects.filter(workspace=workspace, run__status="succeeded").values_list(
                "day", "path__campaign_path", "touches", "lag_days").annotate(
                c=Sum("conversions"), v=Sum("value")).order_by()),
            sorted(PathStepRollup.objects.filter(workspace=workspace, run__status="succeeded").values_list(
                "day", "level", "step").annotate(f=Sum("first_touch"), la=Sum("last_touch"),
                                                 a=Sum("assisted")).order_by()),
            sorted(PathLagRollup.objects.filter(workspace=workspace, run__status="succeeded").values_list(
                "day", "first_channel", "lag_days", "touches").annotate(c=Sum("conversions")).order_by()),
            sorted(cohorts(workspace).items()))


@pytest.mark.django_db(transaction=True)
def test_reports_written_in_the_runs_writer_thread_equal_those_written_by_the_chunk(workspace, settings):
    # Committed rows (transaction=True): on PostgreSQL run_execute writes each chunk's reports
    # on a connection of its own; inside a transaction the chunk writes them itself.
    models_of(workspace)
    for i in range(5):
        first = journey(workspace, touches=[(3 + i, "meta", "click"), (1, "tiktok", "click")],
                        value=f"{i + 1}0")
        again(first, days=4, value="5.00")
    journey(workspace, touches=[(2, "email", "click"), (1.5, "email", "click")], value="7.00")
    with transaction.atomic():
        full_run(workspace)
    by_chunk = report_tables(workspace)
    settings.CLICKLEDGER = {**settings.CLICKLEDGER, "ATTRIBUTION_CHUNK_CONVERSIONS": 2}
    run = full_run(workspace)
    assert run.status == "succeeded" and run.chunks_total > 2
    assert report_tables(workspace) == by_chunk
    assert len(by_chunk[0]) == 11 and all(by_chunk)


@pytest.mark.django_db(transaction=True)
def test_a_failed_report_write_fails_the_run_and_keeps_the_published_output(workspace, settings,
                                                                              monkeypatch):
    models_of(workspace)
    for i in range(3):
        journey(workspace, touches=[(2, "meta", "click")], value=f"{i + 1}0")
    published = full_run(workspace)
    before = report_tables(workspace)
    settings.CLICKLEDGER = {**settings.CLICKLEDGER, "ATTRIBUTION_CHUNK_CONVERSIONS": 1}
    written = []

    def write_paths(run, *args):  # the second chunk's reports cannot be written
        if written:
            raise OSError("disk full")
        written.append(run.id)
        return real_write(run, *args)

    real_write = path_writers.write_paths
    monkeypatch.setattr(path_writers, "write_paths", write_paths)
    with pytest.raises(OSError, match="disk full"):
        full_run(workspace)
    failed = AttributionRun.objects.exclude(id=published.id).get()
    assert failed.status == "failed" and "disk full" in failed.error
    assert current_full_run(workspace=workspace).id == published.id
    assert report_tables(workspace) == before
