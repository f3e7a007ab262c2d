"""On PostgreSQL a file imports set-based (crm_sync/importing/staged.py) exactly as the same
batches planned row by row in Python (crm_sync/importing/batch.py, SQLite's path).

Random files over small pools of deal ids, emails, phones, contact ids, clicks and visitors make
every case likely: a deal or a contact written by the batch before, a contact gaining a key the
batch before gave it, a stage change that makes a later row stale, keys naming two stored
contacts (a merge).
"""

import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attribution.identity.normalize import hash_email, hash_phone
from attribution.models import Contact, ConversionEvent, OutboxEntry, Visitor
from crm_sync.importing import services
from crm_sync.importing.batch import deals_apply_batch
from crm_sync.models import Deal, DealStageChange, DealStageRule
from tests.crm.conftest import run_import
from tests.factories import (
    ContactFactory,
    TikTokIntegrationFactory,
    TouchpointFactory,
    VisitorFactory,
    WorkspaceFactory,
)

HEADER = ("Record ID,Deal Stage,Amount,Email,Phone Number,Associated Contact IDs,ttclid,cl_visitor_id,"
          "Last Stage Change Date\n")
CRM_IDS = [str(n) for n in range(1, 9)]
EMAILS = [f"person{n}@example.com" for n in range(6)]
PHONES = [f"+1415555010{n}" for n in range(5)]
CONTACT_IDS = ["C1", "C2", "C3"]
STAGES = ["appointmentscheduled", "Qualified To Buy", "closedwon", "closedlost"]
CLICKS = ["E.C.P.click0", "E.C.P.click1", "E.C.P.unknown"]
VISITORS = [uuid.UUID(int=n + 1) for n in range(3)] + [uuid.UUID(int=99)]  # the last one is unknown
DATES = ["2020-11-03 10:00", "2020-11-05 10:00", "2020-11-09 10:00"]
IMPORT_TIME = datetime(2021, 1, 1, tzinfo=UTC)  # later: a time the import took as "now"


def _maybe(values):
    return st.one_of(st.just(""), st.sampled_from(values))


row = st.tuples(st.sampled_from(CRM_IDS), st.sampled_from(STAGES), st.integers(0, 3).map(lambda n: f"{n}00"),
                _maybe(EMAILS), _maybe(PHONES), _maybe(CONTACT_IDS), _maybe(CLICKS),
                _maybe([str(v) for v in VISITORS]), _maybe(DATES))
files = st.lists(st.lists(row, min_size=1, max_size=14), min_size=1, max_size=2)


def _workspace():
    """A workspace with stored contacts (one per key kind: a row carrying two of them merges),
    visitors, clicks, stage rules and a TikTok integration."""
    workspace = WorkspaceFactory()
    ContactFactory(workspace=workspace, email_hash=hash_email(EMAILS[0]))
    ContactFactory(workspace=workspace, phone_hash=hash_phone(PHONES[0]))
    ContactFactory(workspace=workspace, crm_contact_id=CONTACT_IDS[0])
    for n, uid in enumerate(VISITORS[:3]):
        visitor = VisitorFactory(workspace=workspace, uid=uid)
        if n < 2:
            TouchpointFactory(workspace=workspace, visitor=visitor, ttclid=CLICKS[n])
    DealStageRule.objects.create(workspace=workspace, crm_stage="Qualified To Buy",
                                 event_name="QualifiedLead")
    DealStageRule.objects.create(workspace=workspace, crm_stage="closedwon", event_name="ClosedWon",
                                 uses_amount=True)
    TikTokIntegrationFactory(workspace=workspace, event_mapping={"ClosedWon": "CompletePayment"})
    return workspace


def _contact_keys(contact_id):
    if contact_id is None:
        return None
    contact = Contact.objects.filter(pk=contact_id).first()
    return contact and (contact.email_hash, contact.phone_hash, contact.crm_contact_id)


def _when(moment):
    return moment if moment < IMPORT_TIME else "at import"


def _state(workspace):
    """Everything an import writes, with ids replaced by what they stand for."""
    deals = {d.pk: d.crm_id for d in Deal.objects.filter(workspace=workspace)}
    return {
        "deals": sorted((d.crm_id, d.stage, d.amount, d.currency, _contact_keys(d.contact_id),
                         d.visitor and d.visitor.uid, d.touchpoint and d.touchpoint.ttclid, d.closed_at)
                        for d in Deal.objects.filter(workspace=workspace)),
        "history": [(deals[c.deal_id], c.from_stage, c.to_stage, _when(c.changed_at), c.source)
                    for c in DealStageChange.objects.filter(workspace=workspace).order_by("id")],
        "contacts": sorted(_contact_keys(pk) for pk in
                           Contact.objects.filter(workspace=workspace).values_list("pk", flat=True)),
        "devices": sorted((v.uid, _contact_keys(v.contact_id))
                          for v in Visitor.objects.filter(workspace=workspace)),
        "conversions": sorted((c.event_name, c.event_id, c.value, _when(c.occurred_at),
                               _contact_keys(c.contact_id), c.visitor and c.visitor.uid)
                              for c in ConversionEvent.objects.filter(workspace=workspace)),
        "outbox": sorted((e.conversion.event_id, e.platform_event, e.status)
                         for e in OutboxEntry.objects.filter(workspace=workspace)),
    }


def _dangling(workspace):
    """Links to contacts that do not exist (SQLite would only refuse them at COMMIT, which a test
    never reaches)."""
    contacts = Contact.objects.values("pk")
    return [(model.__name__, pk) for model in (Deal, Visitor, ConversionEvent)
            for pk in model.objects.filter(workspace=workspace, contact__isnull=False)
            .exclude(contact_id__in=contacts).values_list("pk", flat=True)]


def _counts(deal_import):
    return (deal_import.status, deal_import.rows_total, deal_import.rows_failed, deal_import.rows_created,
            deal_import.rows_updated, deal_import.rows_unchanged, deal_import.stage_changes,
            deal_import.conversions_created)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=files, batch_rows=st.integers(1, 4))
def test_set_based_import_imports_exactly_as_rows_planned_in_python(files, batch_rows, monkeypatch, settings,
                                                                   tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    monkeypatch.setattr(services, "BATCH_ROWS", batch_rows)
    set_based, planned = _workspace(), _workspace()
    for rows in files:
        content = (HEADER + "".join(",".join(r) + "\n" for r in rows)).encode()
        staged = run_import(set_based, content, phone_region="US")
        with monkeypatch.context() as patch:
            patch.setattr(services, "deals_apply_staged", deals_apply_batch)
            applied = run_import(planned, content, phone_region="US")

        assert _dangling(set_based) == _dangling(planned) == []
        assert _counts(staged) == _counts(applied)
        assert _state(set_based) == _state(planned)


def test_a_batch_links_the_contacts_its_predecessor_created(workspace, monkeypatch):
    monkeypatch.setattr(services, "BATCH_ROWS", 1)
    content = (HEADER + "1,closedwon,100,new@example.com,,,,,\n"
                        "2,closedwon,200,new@example.com,+14155550199,,,,\n"
                        "3,closedwon,300,,+14155550199,,,,\n").encode()
    DealStageRule.objects.create(workspace=workspace, crm_stage="closedwon", event_name="ClosedWon")

    result = run_import(workspace, content, phone_region="US")

    assert (result.rows_created, result.conversions_created) == (3, 3)
    contact = Contact.objects.get(workspace=workspace)
    assert (contact.email_hash, contact.phone_hash) == (hash_email("new@example.com"),
                                                        hash_phone("+14155550199"))
    assert set(Deal.objects.values_list("contact_id", flat=True)) == {contact.pk}
    assert set(ConversionEvent.objects.values_list("contact_id", flat=True)) == {contact.pk}


def test_a_deal_moved_twice_in_one_file_has_both_changes_in_order(workspace, monkeypatch):
    monkeypatch.setattr(services, "BATCH_ROWS", 2)
    content = (HEADER + "1,appointmentscheduled,,,,,,,2026-11-03 10:00\n"
                        "2,appointmentscheduled,,,,,,,\n"
                        "1,Qualified To Buy,,,,,,,2026-11-05 10:00\n"
                        "1,appointmentscheduled,,,,,,,2026-11-04 10:00\n"  # older than the move: stale
                        "1,closedwon,,,,,,,2026-11-09 10:00\n").encode()

    result = run_import(workspace, content)

    assert (result.rows_created, result.rows_updated, result.rows_unchanged) == (2, 2, 1)
    deal = Deal.objects.get(crm_id="1")
    assert deal.stage == "closedwon"
    assert [(c.to_stage, c.changed_at) for c in deal.stage_changes.order_by("id")] == [
        ("appointmentscheduled", datetime(2026, 11, 3, 10, tzinfo=UTC)),
        ("qualifiedtobuy", datetime(2026, 11, 5, 10, tzinfo=UTC)),
        ("closedwon", datetime(2026, 11, 9, 10, tzinfo=UTC))]
