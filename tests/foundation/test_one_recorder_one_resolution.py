"""One conversion recorder and one contact resolution serve single and bulk callers alike: a list
gives what its items would give one by one, in order."""

from datetime import UTC, datetime
from decimal import Decimal

from attribution.models import Contact, ConversionEvent, OutboxEntry
from attribution.services.conversions import conversion_record, conversion_record_many
from attribution.services.identity import contact_resolve, contacts_resolve, visitor_identify
from tests.factories import ContactFactory, ConversionEventFactory, TikTokIntegrationFactory, VisitorFactory

AT = datetime(2026, 11, 20, 10, tzinfo=UTC)

KEY_SETS = [
    {"email_hash": "a"}, {"phone_hash": "1"}, {"email_hash": "a", "phone_hash": "2"},
    {"email_hash": "b", "phone_hash": "1"}, {}, {"crm_contact_id": "c-9", "email_hash": "b"},
    {"email_hash": "a", "phone_hash": "1"}, {"external_id_hash": "x"}, {"email_hash": "b"},
]


def _people(workspace, ids) -> list[tuple]:
    """Each key set's contact as its keys, so two workspaces' results compare."""
    contacts = {c.pk: (c.email_hash, c.phone_hash, c.external_id_hash, c.crm_contact_id)
                for c in Contact.objects.filter(workspace=workspace)}
    return [contacts.get(cid) for cid in ids]


def test_resolving_a_list_of_key_sets_ends_as_resolving_them_one_by_one(workspace, other_workspace):
    one_by_one = [contact_resolve(workspace=workspace, **keys) for keys in KEY_SETS]
    in_bulk = contacts_resolve(workspace=other_workspace, key_sets=KEY_SETS)

    assert in_bulk.merged  # {"email_hash": "a", "phone_hash": "1"} names two contacts
    survivors = sorted(_people(workspace, [c.pk for c in Contact.objects.filter(workspace=workspace)]))
    assert survivors == sorted(_people(other_workspace, [c.pk for c in
                                                         Contact.objects.filter(workspace=other_workspace)]))
    assert _people(workspace, [one_by_one[-1].pk]) == _people(other_workspace, in_bulk.ids[-1:])
    assert in_bulk.ids[4] is None and one_by_one[4] is None


def test_a_key_carried_by_two_stored_contacts_merges_them_in_a_list_too(workspace):
    older = ContactFactory(workspace=workspace, email_hash="a")
    ContactFactory(workspace=workspace, email_hash="a", phone_hash="1")

    resolved = contacts_resolve(workspace=workspace, key_sets=[{"email_hash": "a"}])

    assert resolved.ids == [older.pk] and resolved.merged
    older.refresh_from_db()
    assert (Contact.objects.filter(workspace=workspace).count(), older.phone_hash) == (1, "1")


def test_a_visitor_identified_gives_its_conversions_without_a_contact_that_contact(workspace):
    visitor = VisitorFactory(workspace=workspace)
    anonymous = ConversionEventFactory(workspace=workspace, visitor=visitor, contact=None)

    contact = visitor_identify(visitor=visitor, email_hash="e" * 64)

    anonymous.refresh_from_db()
    visitor.refresh_from_db()
    assert visitor.contact_id == anonymous.contact_id == contact.pk


def test_a_list_of_conversions_is_recorded_as_one_by_one(workspace, other_workspace):
    TikTokIntegrationFactory(workspace=workspace)
    TikTokIntegrationFactory(workspace=other_workspace)
    events = [("ClosedWon", "d-1", "crm"), ("Lead", "d-1", "crm"), ("ClosedWon", "d-1", "server"),
              ("ClosedWon", "d-2", "crm"), ("ClosedWon", "d-1", "crm")]

    single = [conversion_record(workspace=workspace, event_name=name, event_id=eid, occurred_at=AT,
                                source=source, value=Decimal(3), currency="eur").created
              for name, eid, source in events]
    many = conversion_record_many(workspace=other_workspace, events=[
        {"event_name": name, "event_id": eid, "occurred_at": AT, "source": source,
         "value": Decimal(3), "currency": "eur"} for name, eid, source in events])

    assert [o.created for o in many] == single == [True, True, False, True, False]

    def stored(ws):
        return sorted(ConversionEvent.objects.filter(workspace=ws).values_list(
            "event_name", "event_id", "duplicates_seen", "sources_seen", "currency"))
    assert stored(workspace) == stored(other_workspace)
    assert OutboxEntry.objects.filter(workspace=workspace).count() == \
        OutboxEntry.objects.filter(workspace=other_workspace).count() == 2  # ClosedWon d-1, d-2
