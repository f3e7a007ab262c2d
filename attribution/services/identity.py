"""Identity stitching: one contact per person, found by any of its hashed keys.

A contact's journey is the union of its visitors' touchpoints, so linking a visitor (a device) to a
contact brings that device's earlier touches into the journey too.
"""

import logging
from collections.abc import Callable, Collection
from typing import TypeVar

from django.db import connection, transaction
from django.db.models import Q

from attribution.models import Contact, ConversionEvent, Visitor, Workspace
from attribution.services.consent import opt_out_follows

_KEYS = ("email_hash", "phone_hash", "external_id_hash", "crm_contact_id")
CONTACTS_CHANGED_ATTEMPTS = 3  # tries of a write whose contacts were merged away meanwhile

logger = logging.getLogger(__name__)
T = TypeVar("T")


@transaction.atomic
def contact_resolve(*, workspace: Workspace, email_hash: str = "", phone_hash: str = "",
                    external_id_hash: str = "", crm_contact_id: str = "") -> Contact | None:
    """Find the contact matching any given key, create it when none does, merge when several do.

    Returns None when no key is given. Keys already on a contact are never overwritten by others.
    """
    given = {k: v for k, v in zip(_KEYS, (email_hash, phone_hash, external_id_hash, crm_contact_id),
                                  strict=True) if v}
    if not given:
        return None
    match = Q()
    for key, value in given.items():
        match |= Q(**{key: value})
    found = list(Contact.objects.select_for_update().filter(workspace=workspace).filter(match)
                 .order_by("id"))
    if not found:
        return Contact.objects.create(workspace=workspace, **given)
    keeper, others = found[0], found[1:]
    if others:
        _merge_into(keeper, others)
    changed = [k for k, v in given.items() if not getattr(keeper, k)]
    for key in changed:
        setattr(keeper, key, given[key])
    if changed:
        keeper.save(update_fields=changed)
    return keeper


def _merge_into(keeper: Contact, others: list[Contact]) -> None:
    """Fold duplicate contacts into the oldest: every row that points at one of them moves over.

    That is visitors and conversions here, and whatever higher layers link to contacts (CRM
    deals): found through the model's reverse relations, so this layer names none of them.
    """
    ids = [c.pk for c in others]
    for relation in Contact._meta.related_objects:
        if relation.one_to_many:  # a foreign key to Contact on the other model
            name = relation.field.name
            relation.related_model._base_manager.filter(**{f"{name}__in": ids}).update(**{name: keeper})
    for other in others:
        for key in _KEYS:
            if not getattr(keeper, key) and getattr(other, key):
                setattr(keeper, key, getattr(other, key))
        keeper.opted_out = keeper.opted_out or other.opted_out
    keeper.save()
    Contact.objects.filter(pk__in=ids).delete()


class ContactsChanged(Exception):
    """Contacts a writer was about to link to were merged away or deleted meanwhile. Its
    transaction must not commit; run it again (it then reads the contacts as they are now)."""


def retried_while_contacts_change(write: Callable[[], T]) -> T:
    """Run ``write`` (a whole transaction, or a savepoint) again while it raises
    ``ContactsChanged`` (it was rolled back), up to ``CONTACTS_CHANGED_ATTEMPTS`` times in all."""
    for _ in range(CONTACTS_CHANGED_ATTEMPTS - 1):
        try:
            return write()
        except ContactsChanged as exc:
            logger.info("%s; writing again", exc)
    return write()


def contacts_hold(ids: Collection[int]) -> None:
    """Keep the contacts ``ids`` from being merged away or deleted until this transaction ends,
    and make sure they still exist; raise ``ContactsChanged`` when one does not.

    For links to contacts that have no database constraint (a deal's): the check a foreign key
    would make, once per batch instead of once per row. Contacts created in this transaction need
    no holding (no one else sees them). On SQLite, where one writer at a time holds the whole
    database, it only checks.
    """
    if not ids:
        return
    wanted = set(ids)
    table = Contact._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT id FROM {table} WHERE id = ANY(%s) FOR KEY SHARE",  # noqa: S608
                           [sorted(wanted)])
            found = {contact_id for (contact_id,) in cursor.fetchall()}
        else:
            found = set(Contact.objects.filter(pk__anyof=wanted).values_list("id", flat=True))
    if gone := wanted - found:
        raise ContactsChanged(f"{len(gone)} contact(s) this write links to were merged or deleted "
                              f"meanwhile (ids {sorted(gone)[:5]})")


def visitor_identify(*, visitor: Visitor, **keys: str) -> Contact | None:
    """Link a visitor (one device) to the contact its hashed keys resolve to."""
    contact = contact_resolve(workspace=visitor.workspace, **keys)
    if contact and visitor.contact_id != contact.pk:
        opt_out_follows(from_contact_id=visitor.contact_id, to_contact_id=contact.pk)
        visitor.contact = contact
        visitor.save(update_fields=["contact"])
        ConversionEvent.objects.filter(visitor=visitor, contact__isnull=True).update(contact=contact)
    return contact
