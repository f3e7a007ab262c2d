"""Recording conversions once, and stitching identities across devices."""

from datetime import UTC, datetime
from decimal import Decimal

from attribution.models import ConversionEvent, OutboxEntry, Visitor
from attribution.services.conversions import conversion_record
from attribution.services.identity import contact_resolve, visitor_identify
from tests.factories import ConversionEventFactory, TikTokIntegrationFactory, VisitorFactory

AT = datetime(2026, 11, 20, 10, tzinfo=UTC)


def test_duplicate_event_id_is_counted_once(workspace):
    first = conversion_record(workspace=workspace, event_name="CompletePayment", event_id="e-1",
                              occurred_at=AT, source="pixel", value=Decimal("49.90"),
                              currency="usd")
    again = conversion_record(workspace=workspace, event_name="CompletePayment", event_id="e-1",
                              occurred_at=AT, source="server", value=Decimal("49.90"),
                              currency="USD")
    assert first.created and not again.created
    row = ConversionEvent.objects.get()
    assert row.duplicates_seen == 1
    assert row.sources_seen == ["pixel", "server"]
    assert row.currency == "USD"


def test_same_event_id_under_another_event_name_is_another_conversion(workspace):
    for name in ("SubmitForm", "CompletePayment"):
        conversion_record(workspace=workspace, event_name=name, event_id="e-2", occurred_at=AT,
                          source="server")
    assert ConversionEvent.objects.count() == 2


def test_a_mapped_conversion_gets_exactly_one_outbox_row(workspace):
    TikTokIntegrationFactory(workspace=workspace)
    for _ in range(3):
        conversion_record(workspace=workspace, event_name="ClosedWon", event_id="deal:1:ClosedWon",
                          occurred_at=AT, source="crm", value=Decimal("1200"))
    entry = OutboxEntry.objects.get()
    assert entry.platform_event == "CompletePayment"
    assert entry.status == "queued"


def test_unmapped_conversions_are_not_queued(workspace):
    TikTokIntegrationFactory(workspace=workspace, event_mapping={"CompletePayment": "CompletePayment"})
    conversion_record(workspace=workspace, event_name="ViewContent", event_id="v-1",
                      occurred_at=AT, source="pixel")
    assert not OutboxEntry.objects.exists()


def test_two_devices_with_one_email_become_one_contact(workspace):
    phone, laptop = VisitorFactory(workspace=workspace), VisitorFactory(workspace=workspace)
    a = visitor_identify(visitor=phone, email_hash="e" * 64)
    b = visitor_identify(visitor=laptop, email_hash="e" * 64, phone_hash="p" * 64)
    assert a.pk == b.pk
    assert set(Visitor.objects.filter(contact=a).values_list("pk", flat=True)) == {phone.pk,
                                                                                  laptop.pk}
    a.refresh_from_db()
    assert a.phone_hash == "p" * 64


def test_a_key_shared_by_two_contacts_merges_them_and_moves_what_linked_to_either(workspace):
    by_email = contact_resolve(workspace=workspace, email_hash="e" * 64)
    by_phone = contact_resolve(workspace=workspace, phone_hash="p" * 64)
    visitor = VisitorFactory(workspace=workspace, contact=by_phone)
    conversion = ConversionEventFactory(workspace=workspace, contact=by_phone)
    merged = contact_resolve(workspace=workspace, email_hash="e" * 64, phone_hash="p" * 64)
    assert merged.pk == by_email.pk
    visitor.refresh_from_db()
    conversion.refresh_from_db()
    assert visitor.contact_id == conversion.contact_id == by_email.pk
    assert merged.phone_hash == "p" * 64


def test_identity_never_crosses_workspaces(workspace, other_workspace):
    mine = contact_resolve(workspace=workspace, email_hash="e" * 64)
    theirs = contact_resolve(workspace=other_workspace, email_hash="e" * 64)
    assert mine.pk != theirs.pk
