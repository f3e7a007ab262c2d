"""Deals link to their contact (hashed email/phone), visitor (cl_visitor_id) and click (ttclid/UTMs),
so closed revenue reaches the touchpoints that led to it, across devices too."""

import uuid
from datetime import UTC, datetime

from attribution.identity.normalize import hash_email, hash_phone
from attribution.models import Contact, ConversionEvent
from crm_sync.models import Deal, DealStageRule
from tests.crm.conftest import run_import
from tests.factories import ContactFactory, TouchpointFactory, VisitorFactory

HEADER = "Record ID,Deal Stage,Amount,Email,Phone Number,utm_source,utm_campaign,ttclid,cl_visitor_id\n"


def _import(workspace, *lines):
    result = run_import(workspace, (HEADER + "".join(f"{line}\n" for line in lines)).encode())
    assert result.rows_failed == 0, result.error_sample
    return result


def test_deal_links_to_the_contact_found_by_hashed_email(workspace):
    known = ContactFactory(workspace=workspace, email_hash=hash_email("jane@example.com"))

    _import(workspace, "1,closedwon,10, Jane@Example.COM ,,,,,")

    assert Deal.objects.get(crm_id="1").contact == known


def test_deal_links_to_the_contact_found_by_hashed_phone_and_adds_its_email(workspace):
    known = ContactFactory(workspace=workspace, phone_hash=hash_phone("+14155550134"))

    _import(workspace, "1,closedwon,10,jane@example.com,+1 (415) 555-0134,,,,")

    assert Deal.objects.get(crm_id="1").contact == known
    known.refresh_from_db()
    assert known.email_hash == hash_email("jane@example.com")


def test_unknown_people_become_one_contact_each_with_only_hashes_stored(workspace):
    _import(workspace, "1,closedwon,10,jane@example.com,,,,,", "2,closedlost,5,JANE@example.com,,,,,",
            "3,closedwon,7,bob@example.com,,,,,")

    assert Contact.objects.filter(workspace=workspace).count() == 2
    assert Deal.objects.get(crm_id="1").contact == Deal.objects.get(crm_id="2").contact
    assert not Contact.objects.filter(email_hash__contains="@").exists()


def test_keys_naming_two_contacts_merge_them_as_identity_stitching_does(workspace):
    by_email = ContactFactory(workspace=workspace, email_hash=hash_email("jane@example.com"))
    by_phone = ContactFactory(workspace=workspace, phone_hash=hash_phone("+14155550134"))
    old_deal = Deal.objects.create(workspace=workspace, crm_id="0", stage="closedwon", contact=by_phone)

    _import(workspace, "1,closedwon,10,jane@example.com,+14155550134,,,,")

    assert Contact.objects.filter(workspace=workspace).count() == 1
    assert Deal.objects.get(crm_id="1").contact == by_email
    old_deal.refresh_from_db()
    assert old_deal.contact == by_email  # moved to the surviving contact, revenue and all


def test_a_deal_whose_contact_was_deleted_is_relinked_by_key_on_reimport(workspace):
    _import(workspace, "1,closedwon,10,jane@example.com,,,,,")
    Contact.objects.filter(workspace=workspace).delete()  # e.g. by an admin: the deal keeps no contact

    result = _import(workspace, "1,closedwon,10,jane@example.com,,,,,")

    assert result.rows_updated == 1
    assert Deal.objects.get(crm_id="1").contact.email_hash == hash_email("jane@example.com")


def test_deal_links_to_its_visitor_by_cl_visitor_id(workspace):
    visitor = VisitorFactory(workspace=workspace)

    _import(workspace, f"1,closedwon,10,,,,,,{visitor.uid}")

    assert Deal.objects.get(crm_id="1").visitor == visitor


def test_a_visitor_id_spelled_another_way_links_to_the_same_visitor(workspace):
    visitor = VisitorFactory(workspace=workspace)

    _import(workspace, f"1,closedwon,10,,,,,,{visitor.uid.hex.upper()}",
            f"2,closedwon,10,,,,,,{{{visitor.uid}}}")

    assert Deal.objects.get(crm_id="1").visitor == visitor
    assert Deal.objects.get(crm_id="2").visitor == visitor
    assert Deal.objects.get(crm_id="1").cl_visitor_id == visitor.uid.hex.upper()  # kept as written


def test_a_visitor_id_of_another_workspace_or_garbage_links_nothing(workspace, other_workspace):
    stranger = VisitorFactory(workspace=other_workspace)

    _import(workspace, f"1,closedwon,10,,,,,,{stranger.uid}", "2,closedwon,10,,,,,,not-a-uuid")

    assert Deal.objects.get(crm_id="1").visitor is None
    assert Deal.objects.get(crm_id="2").cl_visitor_id == "not-a-uuid"


def test_deal_links_to_its_click_by_ttclid_and_through_it_to_the_visitor(workspace):
    click = TouchpointFactory(visitor=VisitorFactory(workspace=workspace), ttclid="E.C.P.abc")

    _import(workspace, "1,closedwon,10,,,,,E.C.P.abc,")

    deal = Deal.objects.get(crm_id="1")
    assert deal.touchpoint == click
    assert deal.visitor == click.visitor


def test_without_ttclid_the_visitors_touch_with_the_deals_utms_is_the_click(workspace):
    visitor = VisitorFactory(workspace=workspace)
    TouchpointFactory(visitor=visitor, utm_source="google", utm_campaign="brand")
    tiktok = TouchpointFactory(visitor=visitor, utm_source="tiktok", utm_campaign="bf_2026",
                               occurred_at=datetime(2026, 11, 2, tzinfo=UTC))

    _import(workspace, f"1,closedwon,10,,,tiktok,bf_2026,,{visitor.uid}")

    assert Deal.objects.get(crm_id="1").touchpoint == tiktok


def test_the_deals_contact_gains_the_visitor_so_other_devices_journeys_join(workspace):
    """Cross-device: the phone that clicked the ad and the laptop that filled the form are one person."""
    laptop = VisitorFactory(workspace=workspace)
    phone_click = TouchpointFactory(visitor=VisitorFactory(workspace=workspace), ttclid="E.C.P.phone")
    earlier = ConversionEvent.objects.create(workspace=workspace, event_name="SubmitForm", event_id="f1",
                                             occurred_at=datetime(2026, 11, 1, tzinfo=UTC),
                                             source="pixel", visitor=laptop)

    _import(workspace, f"1,closedwon,10,jane@example.com,,,,,{laptop.uid}",
            "2,closedwon,20,jane@example.com,,,,E.C.P.phone,")

    contact = Contact.objects.get(workspace=workspace, email_hash=hash_email("jane@example.com"))
    laptop.refresh_from_db()
    phone_click.visitor.refresh_from_db()
    assert laptop.contact == contact and phone_click.visitor.contact == contact
    earlier.refresh_from_db()
    assert earlier.contact == contact


def test_a_closed_won_conversion_carries_the_deals_contact_visitor_and_ttclid(workspace):
    DealStageRule.objects.create(workspace=workspace, crm_stage="closedwon", event_name="ClosedWon",
                                 uses_amount=True)
    click = TouchpointFactory(visitor=VisitorFactory(workspace=workspace), ttclid="E.C.P.abc")

    _import(workspace, "1,closedwon,\"1,500\",jane@example.com,,,,E.C.P.abc,")

    won = ConversionEvent.objects.get(workspace=workspace, event_name="ClosedWon")
    assert won.visitor == click.visitor
    assert won.contact.email_hash == hash_email("jane@example.com") == won.email_hash
    assert won.ttclid == "E.C.P.abc" and str(won.value) == "1500.0000"


def test_a_row_without_identity_keeps_the_links_the_deal_already_has(workspace):
    _import(workspace, f"1,closedwon,10,jane@example.com,,,,,{uuid.uuid4()}")
    contact = Deal.objects.get(crm_id="1").contact

    _import(workspace, "1,closedwon,10,,,,,,")

    assert Deal.objects.get(crm_id="1").contact == contact


def test_a_merge_in_a_batch_moves_the_batchs_other_deals_and_devices_to_the_surviving_contact(workspace):
    """Row 2's keys name two contacts, and the merge deletes the newer one, which row 1's stored
    deal pointed at: row 1 (no key of its own) must keep the survivor, not the deleted contact."""
    survivor = ContactFactory(workspace=workspace, phone_hash=hash_phone("+14155550134"))
    merged = ContactFactory(workspace=workspace, email_hash=hash_email("jane@example.com"))
    Deal.objects.create(workspace=workspace, crm_id="1", stage="appointmentscheduled", contact=merged)
    visitor = VisitorFactory(workspace=workspace)

    _import(workspace, f"1,closedwon,10,,,,,,{visitor.uid}",
            "2,closedwon,20,jane@example.com,+14155550134,,,,")

    assert not Contact.objects.filter(pk=merged.pk).exists()
    assert set(Deal.objects.values_list("crm_id", "contact_id")) == {("1", survivor.pk), ("2", survivor.pk)}
    visitor.refresh_from_db()
    assert visitor.contact_id == survivor.pk
