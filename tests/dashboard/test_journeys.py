from datetime import UTC, datetime
from decimal import Decimal

from dashboard.selectors.journeys import contact_journey
from tests.factories import ContactFactory, ConversionEventFactory, TouchpointFactory, VisitorFactory

from .factories import CreditFactory, RunFactory


def test_journey_joins_devices_and_shows_each_models_credit_per_touch(
    workspace, world, django_assert_num_queries
):
    contact = ContactFactory(workspace=workspace)
    phone, laptop = (
        VisitorFactory(workspace=workspace, contact=contact),
        VisitorFactory(workspace=workspace, contact=contact),
    )
    tiktok = TouchpointFactory(
        visitor=phone, occurred_at=datetime(2026, 11, 1, 9, tzinfo=UTC), ttclid="E.C.P.x"
    )
    email = TouchpointFactory(
        visitor=laptop,
        occurred_at=datetime(2026, 11, 2, 9, tzinfo=UTC),
        channel="email",
        utm_source="newsletter",
        utm_medium="email",
    )
    TouchpointFactory(
        visitor=laptop, occurred_at=datetime(2026, 11, 9, tzinfo=UTC), channel="direct"
    )  # after
    purchase = ConversionEventFactory(
        workspace=workspace,
        contact=contact,
        visitor=laptop,
        occurred_at=datetime(2026, 11, 2, 10, tzinfo=UTC),
    )
    run = world.current_run
    run.model_config_ids = [world.last_click.pk, world.linear.pk]
    run.save()
    CreditFactory(run=run, conversion=purchase, touchpoint=email, weights=[1.0, 0.5],
                  revenues=[100_000_000, 50_000_000])
    CreditFactory(run=run, conversion=purchase, touchpoint=tiktok, weights=[0.0, 0.5],
                  revenues=[0, 50_000_000])
    stale = RunFactory(
        workspace=workspace, status="superseded", finished_at=datetime(2026, 11, 1, tzinfo=UTC),
        model_config_ids=[world.last_click.pk],
    )
    CreditFactory(run=stale, conversion=purchase, touchpoint=tiktok, weights=[1.0])

    with django_assert_num_queries(4):
        journey = contact_journey(workspace=workspace, contact_id=contact.pk)
    [conversion] = journey.conversions
    assert [t.channel for t in conversion.touches] == ["tiktok", "email"]
    first, last = conversion.touches
    assert first.has_ttclid and first.credit == {world.linear.pk: (0.5, Decimal("50"))}
    assert last.credit[world.last_click.pk][0] == 1.0 and last.credit[world.linear.pk][0] == 0.5


def test_a_contact_without_conversions_has_an_empty_journey(workspace, world):
    contact = ContactFactory(workspace=workspace)
    assert contact_journey(workspace=workspace, contact_id=contact.pk).conversions == []
