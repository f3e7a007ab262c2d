"""A run fits its data-driven models once over converting and non-converting journeys, stores the
fit, credits from it, refuses to credit on too little data, and lets incremental runs reuse it."""

from datetime import timedelta

import pytest
from django.db.models import Sum

from attribution.models import (
    AttributionModelFit,
    AttributionRollup,
    ConversionEvent,
    FitStatus,
    RunStatus,
)
from attribution.runs import readers, services
from attribution.runs.selectors import conversion_credits
from tests.factories import ContactFactory, TouchpointFactory, VisitorFactory
from tests.runs.journeys import T0, journey, models_of

pytestmark = pytest.mark.django_db


def visit(workspace, *, touches, when=T0):
    """A person who never converts: touches (days_before, channel)."""
    visitor = VisitorFactory(workspace=workspace, contact=ContactFactory(workspace=workspace))
    for days_before, channel in touches:
        TouchpointFactory(visitor=visitor, occurred_at=when - timedelta(days=days_before), channel=channel,
                          kind="click")


def three_channel_paths(workspace):
    """The hand-worked path set of tests/engine/test_markov_model.py, ×2: effects a ⅜, b ¾, c ½."""
    conversions = []
    for _ in range(2):
        conversions.append(journey(workspace, touches=[(3, "meta", "click"), (2, "google", "click")]))
        visit(workspace, touches=[(4, "meta")])
        conversions.append(journey(workspace, touches=[(3, "google", "click"), (2, "email", "click")]))
        visit(workspace, touches=[(5, "email")])
    return conversions


def configure(workspace, **params):
    models = models_of(workspace)
    for kind in ("markov", "shapley"):
        models[kind].params = {"min_conversions": 4, **params.get(kind, {})}
        models[kind].save()
    return models


def full_run(workspace):
    run = services.run_create(workspace=workspace, period_start=T0 - timedelta(days=60),
                              period_end=T0 + timedelta(days=1))
    return services.run_execute(run=run)


def channels(fit):
    return {row["channel"]: row["effect"] for row in fit.channels}


def test_the_markov_fit_counts_non_converting_journeys_and_is_stored_with_the_run(workspace):
    models = configure(workspace)
    three_channel_paths(workspace)
    run = full_run(workspace)
    fit = AttributionModelFit.objects.get(run=run, model_config=models["markov"])
    assert fit.status == FitStatus.FITTED and (fit.journeys, fit.converting) == (8, 4)
    assert fit.conversion_probability == pytest.approx(0.5)
    assert channels(fit) == pytest.approx({"meta": 3 / 8, "google": 3 / 4, "email": 1 / 2})
    assert {"from": "(start)", "to": "meta", "count": 4, "probability": 0.5} in fit.detail


def test_markov_credits_split_each_conversion_by_its_channels_removal_effects(workspace):
    models = configure(workspace)
    conversion = three_channel_paths(workspace)[0]  # meta then google: ⅜ : ¾ → ⅓ : ⅔
    full_run(workspace)
    markov = models["markov"].id
    shares = [s for s in conversion_credits(conversion=conversion) if s.model_config_id == markov]
    assert [round(s.weight, 9) for s in shares] == [round(1 / 3, 9), round(2 / 3, 9)]
    assert sum(s.revenue for s in shares) == conversion.value


def test_the_shapley_fit_stores_its_coalition_table(workspace):
    models = configure(workspace)
    three_channel_paths(workspace)
    run = full_run(workspace)
    fit = AttributionModelFit.objects.get(run=run, model_config=models["shapley"])
    # Worth: {meta, google} 1, {google, email} 1, {meta} 0, {email} 0 → meta ½, google 1, email ½.
    assert channels(fit) == pytest.approx({"meta": 0.5, "google": 1.0, "email": 0.5})
    assert {"channels": "meta + google", "journeys": 2, "conversions": 2, "revenue": 200.0,
            "worth": 1.0} in fit.detail


def test_too_few_converting_journeys_are_reported_and_credit_nothing(workspace):
    models = configure(workspace, markov={"min_conversions": 5})
    three_channel_paths(workspace)
    run = full_run(workspace)
    fit = AttributionModelFit.objects.get(run=run, model_config=models["markov"])
    assert fit.status == FitStatus.NOT_FITTED
    assert "Only 4 converting journeys (at least 5 needed)" in fit.message
    assert not AttributionRollup.objects.filter(run=run, model_config=models["markov"]).exists()
    assert AttributionRollup.objects.filter(run=run, model_config=models["shapley"]).aggregate(
        s=Sum("conversions"))["s"] == pytest.approx(4)


def test_a_fit_over_several_chunks_equals_the_fit_over_one(workspace, settings):
    models = configure(workspace)
    three_channel_paths(workspace)
    visit(workspace, touches=[(2, "tiktok"), (1, "meta")])
    one = full_run(workspace)
    settings.CLICKLEDGER = {**settings.CLICKLEDGER, "ATTRIBUTION_CHUNK_CONVERSIONS": 1}
    many = full_run(workspace)
    assert many.chunks_total == 4
    for kind in ("markov", "shapley"):
        a, b = (AttributionModelFit.objects.get(run=r, model_config=models[kind]) for r in (one, many))
        assert (a.journeys, a.converting, a.channels, a.detail) == (b.journeys, b.converting, b.channels,
                                                                    b.detail)


def test_an_incremental_run_reuses_the_fit_of_its_full_run(workspace):
    models = configure(workspace)
    three_channel_paths(workspace)
    base = full_run(workspace)
    late = journey(workspace, touches=[(1, "meta", "click"), (0.5, "email", "click")],
                   when=T0 + timedelta(hours=1))
    increment = services.run_execute(run=services.run_create(workspace=workspace, incremental=True))
    assert increment.incremental and increment.status == RunStatus.SUCCEEDED
    fit = AttributionModelFit.objects.get(run=increment, model_config=models["markov"])
    assert fit.channels == AttributionModelFit.objects.get(run=base, model_config=models["markov"]).channels
    assert fit.message.startswith(f"Reused from full run {base.id}")
    markov = models["markov"].id
    shares = [s.weight for s in conversion_credits(conversion=late) if s.model_config_id == markov]
    assert shares == pytest.approx([3 / 7, 4 / 7])  # meta ⅜ : email ½ (fitted without this journey)


def test_an_invalid_parameter_fails_the_run_with_what_to_fix(workspace):
    configure(workspace, markov={"order": 9})
    three_channel_paths(workspace)
    run = services.run_create(workspace=workspace, period_start=T0 - timedelta(days=60),
                              period_end=T0 + timedelta(days=1))
    with pytest.raises(ValueError):
        services.run_execute(run=run)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "Markov order must be a whole number from 1 to 4" in run.error


def test_the_run_admin_page_shows_the_fit_as_tables(admin_client, workspace):
    configure(workspace)
    three_channel_paths(workspace)
    run = full_run(workspace)
    page = admin_client.get(f"/admin/attribution/attributionrun/{run.id}/change/").content.decode()
    assert "<th>Removal effect / Shapley value</th>" in page
    assert "<td>google</td><td>0.7500</td><td>46.2%</td>" in page  # ¾ / (⅜ + ¾ + ½)
    assert "<td>meta + google</td><td>2</td><td>2</td>" in page


def credit_rows(workspace):
    """Every conversion's current credits: (conversion, touch, model, weight)."""
    return sorted((conversion.id, c.touchpoint_id, c.model_config_id, round(c.weight, 9))
                  for conversion in ConversionEvent.objects.filter(workspace=workspace)
                  for c in conversion_credits(conversion=conversion))


def test_a_run_of_one_chunk_reads_touches_once_and_fits_like_the_fit_pass(workspace, settings, monkeypatch):
    models = configure(workspace)
    three_channel_paths(workspace)
    reads = []
    real = readers.read_touches
    monkeypatch.setattr(readers, "read_touches", lambda *a, **kw: reads.append(a[2]) or real(*a, **kw))
    one = full_run(workspace)
    assert (one.chunks_total, len(reads)) == (1, 1)  # the chunk's read serves the fit too
    credits_one = credit_rows(workspace)
    reads.clear()
    settings.CLICKLEDGER = {**settings.CLICKLEDGER, "ATTRIBUTION_CHUNK_CONVERSIONS": 1}
    many = full_run(workspace)
    # A fit pass over 4 ranges and no read of the chunks': each chunk is credited from the
    # fit's read of its range, touches of other people and days included.
    assert (many.chunks_total, len(reads)) == (4, 4)
    assert credit_rows(workspace) == credits_one and credits_one
    for kind in ("markov", "shapley"):
        a, b = (AttributionModelFit.objects.get(run=r, model_config=models[kind]) for r in (one, many))
        assert (a.status, a.journeys, a.converting, a.channels) == (FitStatus.FITTED, b.journeys,
                                                                    b.converting, b.channels)
