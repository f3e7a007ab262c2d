"""A deal's link to its contact has no database constraint: the import holds the stored contacts a
batch newly links to (``contacts_hold``, one statement) and a contact is locked before anything
unlinks or deletes it. No deal is left pointing at a contact that is gone, whichever goes first.

The races run on PostgreSQL with two real connections, one of them made to wait on the other's lock.
"""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from attribution.identity.normalize import hash_email, hash_phone
from attribution.models import Contact
from attribution.services.identity import ContactsChanged, contact_resolve, contacts_hold, contacts_resolve
from crm_sync.importing.batch import ImportContext, batch_plan, batch_read, batch_write
from crm_sync.importing.rows import DealRow
from crm_sync.importing.webhook import deals_receive
from crm_sync.models import Deal
from tests.crm.conftest import run_import
from tests.factories import ContactFactory, WorkspaceFactory

EMAIL, PHONE = "ana@example.com", "+14155550100"
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between two sessions")


def _row(crm_id="D1", **keys):
    return DealRow(row_number=2, crm_id=crm_id, stage="appointmentscheduled",
                   present=frozenset({"crm_id", "stage", "email", "phone"}), **keys)


def _context(workspace):
    from django.utils import timezone

    return ImportContext.build(workspace=workspace, crm="hubspot", source="import", now=timezone.now(),
                               closed_stage_keys=frozenset())


def _planned(workspace, rows):
    ctx = _context(workspace)
    reads = batch_read(ctx, rows)
    resolved = contacts_resolve(workspace=workspace, key_sets=reads.keys, hold=False, index=reads.contacts)
    for link, contact_id in zip(reads.links, resolved.ids, strict=True):
        link.contact_id = contact_id
    return ctx, batch_plan(ctx, rows, reads.links, reads.stored, reads.latest, reads.contacts)


def test_a_plan_holds_the_stored_contacts_it_newly_links_and_not_the_ones_it_creates(db):
    workspace = WorkspaceFactory()
    stored = ContactFactory(workspace=workspace, email_hash=hash_email(EMAIL))
    ctx, plan = _planned(workspace, [_row("D1", email_hash=hash_email(EMAIL)),
                                     _row("D2", email_hash=hash_email("new@example.com"))])
    assert plan.linked == {stored.pk}

    batch_write(ctx, plan)
    deals = dict(Deal.objects.values_list("crm_id", "contact_id"))
    assert deals["D1"] == stored.pk and deals["D2"] not in (None, stored.pk)

    # Imported again, the deals keep their contacts: nothing new to hold.
    assert _planned(workspace, [_row("D1", email_hash=hash_email(EMAIL))])[1].linked == set()


def test_a_batch_whose_contact_was_deleted_after_planning_writes_nothing(db):
    workspace = WorkspaceFactory()
    doomed = ContactFactory(workspace=workspace, email_hash=hash_email(EMAIL))
    ctx, plan = _planned(workspace, [_row("D1", email_hash=hash_email(EMAIL))])
    Contact.objects.filter(pk=doomed.pk).delete()

    with pytest.raises(ContactsChanged, match="merged or deleted"):
        batch_write(ctx, plan)
    assert not Deal.objects.exists()


def test_holding_checks_every_id(db):
    workspace = WorkspaceFactory()
    kept = ContactFactory(workspace=workspace)
    contacts_hold([kept.pk])
    with pytest.raises(ContactsChanged):
        contacts_hold([kept.pk, kept.pk + 1000])


class _Session(threading.Thread):
    """``work`` in a thread of its own, on its own database connection; what it returns or
    raises is kept."""

    def __init__(self, work):
        super().__init__(daemon=True)
        self.work, self.result, self.error = work, None, None

    def run(self):
        try:
            self.result = self.work()
        except BaseException as exc:  # noqa: BLE001  (re-raised by the test)
            self.error = exc
        finally:
            connections.close_all()

    def outcome(self):
        self.join(30)
        assert not self.is_alive(), "the session never finished"
        if self.error:
            raise self.error
        return self.result


def _wait_until_blocked(sessions=1):
    """Until ``sessions`` other backends of this database wait for a lock."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # inside a transaction it is kept
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND wait_event_type = 'Lock'")
            if cursor.fetchone()[0] >= sessions:
                return
        time.sleep(0.02)
    raise AssertionError("no session ever waited for the lock")


def _two_contacts():
    workspace = WorkspaceFactory()
    keeper = ContactFactory(workspace=workspace, email_hash=hash_email(EMAIL))
    merged = ContactFactory(workspace=workspace, phone_hash=hash_phone(PHONE))
    return workspace, keeper, merged


def _holding_then_linking(workspace, contact, held):
    """An import's write: hold the contact, wait until the other session waits on us, link a
    deal to the contact, commit."""
    def work():
        with transaction.atomic():
            contacts_hold([contact.pk])
            held.set()
            _wait_until_blocked()
            return Deal.objects.create(workspace=workspace, crm_id="D1", stage="new", contact_id=contact.pk)
    return work


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_a_merge_waits_for_an_import_holding_the_contact_and_moves_its_new_deal():
    workspace, keeper, merged = _two_contacts()
    held = threading.Event()
    importing = _Session(_holding_then_linking(workspace, merged, held))
    importing.start()
    assert held.wait(20)
    merging = _Session(lambda: contact_resolve(workspace=workspace, email_hash=hash_email(EMAIL),
                                               phone_hash=hash_phone(PHONE)))
    merging.start()

    deal = importing.outcome()
    assert merging.outcome().pk == keeper.pk
    assert not Contact.objects.filter(pk=merged.pk).exists()
    assert Deal.objects.get(pk=deal.pk).contact_id == keeper.pk


@on_postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("how", ["queryset", "instance"])
def test_deleting_a_contact_waits_for_an_import_holding_it_and_unlinks_its_new_deal(how):
    workspace, _, doomed = _two_contacts()
    held = threading.Event()
    importing = _Session(_holding_then_linking(workspace, doomed, held))
    importing.start()
    assert held.wait(20)

    def delete():
        if how == "queryset":  # what the admin's bulk action and a merge do
            Contact.objects.filter(pk=doomed.pk).delete()
        else:  # the admin's delete page
            Contact.objects.get(pk=doomed.pk).delete()

    deleting = _Session(delete)
    deleting.start()

    deal = importing.outcome()
    deleting.outcome()
    assert not Contact.objects.filter(pk=doomed.pk).exists()
    assert Deal.objects.get(pk=deal.pk).contact_id is None  # unlinked, not dangling


def _file_import(workspace):
    result = run_import(workspace, f"Record ID,Deal Stage,Phone Number\nD1,appointmentscheduled,{PHONE}\n"
                        .encode())
    assert result.status == "succeeded", result.error
    return result.rows_created


def _webhook(workspace):
    return deals_receive(workspace=workspace, deals=[{"crm_id": "D1", "stage": "new", "phone": PHONE}]
                         ).counts.created


@on_postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("receive", [_file_import, _webhook], ids=["file", "webhook"])
def test_an_import_that_meets_a_merge_in_progress_runs_again_and_links_the_keeper(receive, settings,
                                                                                 tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    workspace, keeper, merged = _two_contacts()
    merging_holds, release = threading.Event(), threading.Event()

    def merge():  # a merge that holds its locks until told to commit
        with transaction.atomic():
            found = contact_resolve(workspace=workspace, email_hash=hash_email(EMAIL),
                                    phone_hash=hash_phone(PHONE))
            merging_holds.set()
            release.wait(20)
            return found

    merging = _Session(merge)
    merging.start()
    assert merging_holds.wait(20)
    # The deal links to the contact being merged away (by its phone, read before the merge
    # commits); holding that contact waits for the merge, then finds it gone: the file (or the
    # webhook's batch) is rolled back and applied again.
    importing = _Session(lambda: receive(workspace))
    importing.start()
    _wait_until_blocked()
    release.set()

    assert merging.outcome().pk == keeper.pk
    assert importing.outcome() == 1
    assert Deal.objects.get(workspace=workspace, crm_id="D1").contact_id == keeper.pk
    assert not Contact.objects.filter(pk=merged.pk).exists()
