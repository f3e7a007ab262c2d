"""Identity stitching: one contact per person, found by any of its hashed keys.

A contact's journey is the union of its visitors' touchpoints, so linking a visitor (a device) to a
contact brings that device's earlier touches into the journey too.

One implementation for one person and for many (the events API, a deal import's batch):
``contact_resolve`` is ``contacts_resolve`` of one key set, ``visitor_identify`` is
``visitors_identify`` of one visitor. The rules, as if the key sets were resolved one by one in
order: a contact is found by any key, created when none matches, gains the keys it lacks and never
loses one; keys naming several contacts merge them into the oldest (``_contacts_merge``).
``contacts_resolve`` runs in phases: read (``contacts_index``, which a caller that reads it with
other rows may pass in), match in memory, write, merge.
"""

import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from itertools import count
from typing import TypeVar

from django.db import connection, transaction
from django.db.models import OuterRef, Q, Subquery

from attribution import lookups  # noqa: F401  (registers __anyof)
from attribution.bulk import models_insert, rows_update
from attribution.key_probes import in_workspace, index_probes
from attribution.models import Contact, ConversionEvent, Visitor, Workspace
from attribution.services.consent import contacts_opt_out

KEYS = ("email_hash", "phone_hash", "external_id_hash", "crm_contact_id")
CONTACTS_CHANGED_ATTEMPTS = 3  # tries of a write whose contacts were merged away meanwhile

logger = logging.getLogger(__name__)
T = TypeVar("T")


def contact_resolve(*, workspace: Workspace, email_hash: str = "", phone_hash: str = "",
                    external_id_hash: str = "", crm_contact_id: str = "") -> Contact | None:
    """Find the contact matching any given key, create it when none does, merge when several do.

    Returns None when no key is given. Keys already on a contact are never overwritten by others.
    """
    given = {"email_hash": email_hash, "phone_hash": phone_hash,
             "external_id_hash": external_id_hash, "crm_contact_id": crm_contact_id}
    (contact_id,) = contacts_resolve(workspace=workspace, key_sets=[given]).ids
    return Contact.objects.get(pk=contact_id) if contact_id else None


@dataclass
class ResolvedContacts:
    ids: list[int | None]  # per key set: its contact, None for an empty one
    merged: bool  # contacts were merged: rows that pointed at them have moved


def contacts_resolve(*, workspace: Workspace, key_sets: Sequence[dict[str, str]], hold: bool = True,
                     index: "ContactIndex | None" = None) -> ResolvedContacts:
    """The contact of each key set (``KEYS`` → hash, empty values ignored), by the module's rules,
    in a fixed number of queries, plus a merge and a fresh read per key set naming several contacts.

    ``index``: what ``contacts_index`` read for these key sets, when the caller has read it.
    ``hold``: keep the stored contacts returned from being merged away until the transaction ends
    (``contacts_hold``), reading again should one have been merged meanwhile. A deal import
    passes False and holds only the contacts its deals newly link to.
    """
    key_sets = [{k: v for k, v in keys.items() if v} for keys in key_sets]

    @transaction.atomic
    def resolve() -> ResolvedContacts:
        resolved, created, start = ResolvedContacts([], merged=False), [], 0
        read = index if index is not None else contacts_index(workspace.pk, key_sets)
        while True:
            match = _contacts_match(read, key_sets[start:])
            real = _contacts_create(workspace.pk, match)
            created += real.values()
            resolved.ids += [real.get(cid, cid) if cid is not None else None for cid in match.ids]
            if not match.conflicts:
                break
            # Merged before the key sets after it are matched: they may name the merged contacts.
            keeper, gone = _contacts_merge(workspace.pk, key_sets[start + len(match.ids)])
            resolved.ids = [keeper if cid in gone else cid for cid in resolved.ids] + [keeper]
            resolved.merged, start = True, len(resolved.ids)
            read = contacts_index(workspace.pk, key_sets[start:])
        if hold:
            contacts_hold({cid for cid in resolved.ids if cid} - set(created))
        return resolved

    return retried_while_contacts_change(resolve) if hold else resolve()


@dataclass
class ContactIndex:
    """The stored contacts matching a batch's keys: key → value → contact id (the oldest), id →
    keys, and the (key, value) pairs that more than one stored contact carries."""

    by_key: dict[str, dict[str, int]]
    contacts: dict[int, dict]
    shared: set[tuple[str, str]] = field(default_factory=set)

    def add(self, cid: int, contact: dict) -> None:
        self.contacts[cid] = contact
        for key in KEYS:
            if (value := contact[key]) and self.by_key[key].setdefault(value, cid) != cid:
                self.shared.add((key, value))


@dataclass
class ContactMatch:
    """Each key set's contact id (None: no key), up to the first key set that names several
    contacts (its position in ``conflicts``: it needs a merge), with the contacts to create (under
    temporary negative ids) and those that gain keys."""

    ids: list[int | None]
    pending: dict[int, dict]
    dirty: dict[int, dict]
    conflicts: list[int]


def contacts_index(workspace_id: int, key_sets: Sequence[dict[str, str]]) -> ContactIndex:
    index = ContactIndex({k: {} for k in KEYS}, {})
    with index_probes():
        for row in contacts_by_key(workspace_id, key_sets):
            index.add(row.pop("id"), row)
    return index


def contacts_by_key(workspace_id: int, key_sets: Sequence[dict[str, str]]):
    """The stored contacts matching any of the key sets, oldest first: a UNION of one lookup per key
    kind, each probing that key's index (which leads with the key) once per value.

    Run it inside ``index_probes()`` on PostgreSQL. As one ``OR`` of the kinds, with the workspace
    as an index condition, PostgreSQL read the whole workspace when it took it for small (never
    analyzed), filtering the keys: 74 ms per 5,000 rows among 500,000 contacts.
    """
    probes = []
    for key in KEYS:
        values = {keys[key] for keys in key_sets if keys.get(key)}
        if values:
            probes.append(in_workspace(Contact.objects.exclude(**{key: ""}), workspace_id)  # partial index
                          .filter(**{f"{key}__anyof": values}).values("id", *KEYS))
    if not probes:
        return []
    first, *others = probes
    return (first.union(*others) if others else first).order_by("id")


def _contacts_match(index: ContactIndex, key_sets: Sequence[dict[str, str]]) -> ContactMatch:
    """Match key sets to contacts in memory, by the module's rules, up to the first that needs a
    merge. New contacts get temporary (negative) ids; updates ``index`` as it goes."""
    by_key, contacts, temp_ids = index.by_key, index.contacts, count(-1, -1)
    match = ContactMatch([], {}, {}, [])
    pending, dirty, results = match.pending, match.dirty, match.ids
    for position, given in enumerate(key_sets):
        if not given:
            results.append(None)
            continue
        matched = {by_key[k][v] for k, v in given.items() if v in by_key[k]}
        if len(matched) > 1 or any(pair in index.shared for pair in given.items()):
            match.conflicts.append(position)
            break
        if matched:
            cid = matched.pop()
            contact = pending[cid] if cid in pending else contacts[cid]
            for key, value in given.items():
                if not contact[key]:
                    contact[key] = value
                    by_key[key][value] = cid
                    if cid not in pending:
                        dirty[cid] = contact
        else:
            cid = next(temp_ids)
            pending[cid] = {k: given.get(k, "") for k in KEYS}
            for key, value in given.items():
                by_key[key][value] = cid
        results.append(cid)
    return match


def _contacts_create(workspace_id: int, match: ContactMatch) -> dict[int, int]:
    """Insert ``match``'s pending contacts and add keys to its dirty ones; returns temporary id →
    new contact id."""
    temp_ids = list(match.pending)
    # RETURNING comes back in insert order (Django's bulk_create relies on the same).
    created = models_insert(Contact, [{"workspace_id": workspace_id, **match.pending[cid]}
                                      for cid in temp_ids], returning=("id",))
    rows_update(Contact, ["id", *KEYS], [(cid, *(c[k] for k in KEYS)) for cid, c in match.dirty.items()])
    return {cid: contact_id for cid, (contact_id,) in zip(temp_ids, created, strict=True)}


def _contacts_merge(workspace_id: int, given: dict[str, str]) -> tuple[int, set[int]]:
    """The contacts ``given`` names, locked, folded into the oldest, which gains the keys it lacks.
    Returns the keeper's id and those of the contacts merged into it."""
    match = Q()
    for key, value in given.items():
        match |= Q(**{key: value})
    found = list(Contact.objects.select_for_update().filter(workspace_id=workspace_id).filter(match)
                 .order_by("id"))
    if not found:  # merged and deleted by another writer meanwhile, keys and all
        return Contact.objects.create(workspace_id=workspace_id, **given).pk, set()
    keeper, others = found[0], found[1:]
    if others:
        _merge_into(keeper, others)
    changed = [k for k, v in given.items() if not getattr(keeper, k)]
    for key in changed:
        setattr(keeper, key, given[key])
    if changed:
        keeper.save(update_fields=changed)
    return keeper.pk, {other.pk for other in others}


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
        for key in KEYS:
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
    if contact:
        visitors_identify(pairs={visitor.pk: contact.pk})
        visitor.contact = contact
    return contact


def visitors_identify(*, pairs: dict[int, int]) -> int:
    """Link each visitor (device) to a contact (``pairs``: visitor id → contact id); the visitor's
    conversions that had no contact get it too. Returns how many visitors changed contact."""
    if not pairs:
        return 0
    with transaction.atomic(savepoint=False), index_probes():
        current = dict(Visitor.objects.filter(pk__anyof=pairs).values_list("id", "contact_id"))
        moved = [(vid, cid) for vid, cid in pairs.items() if vid in current and current[vid] != cid]
        if not moved:
            return 0
        _opt_outs_follow(moved, current)
        rows_update(Visitor, ["id", "contact_id"], moved)
        ConversionEvent.objects.filter(visitor_id__in=[vid for vid, _ in moved], contact__isnull=True).update(
            contact_id=Subquery(Visitor.objects.filter(pk=OuterRef("visitor_id")).values("contact_id")[:1]))
        return len(moved)


def _opt_outs_follow(moved: list[tuple[int, int]], current: dict[int, int | None]) -> None:
    """A device that carried an opt-out (its former contact's) carries it to its new contact, so a
    withdrawn consent is not lost by identifying later (1 query, +1 when an opt-out moves)."""
    former = {current[vid] for vid, _ in moved if current[vid]}
    if not former:
        return
    opted = set(Contact.objects.filter(pk__in=former, opted_out=True).values_list("pk", flat=True))
    contacts_opt_out(ids=[cid for vid, cid in moved if current[vid] in opted])
