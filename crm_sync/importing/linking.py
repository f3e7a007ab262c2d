"""Linking a batch of deal rows to contacts, visitors and clicks, in a fixed number of queries.

Semantics are those of ``attribution.services.identity``: a contact is found by any hashed key,
created when none matches, keys are added but never overwritten; rows whose keys point at several
contacts go through ``contact_resolve`` itself (it merges them). A visitor that shares a deal with a
contact becomes that contact's device (``visitor_identify``), which is what carries cross-device
touches into the contact's journey.
"""

import itertools
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery

from attribution import lookups  # noqa: F401  (registers __anyof)
from attribution.bulk import models_insert, rows_update
from attribution.key_probes import in_workspace, index_probes
from attribution.models import Contact, ConversionEvent, Touchpoint, Visitor, Workspace
from attribution.services.identity import contact_resolve

from .rows import DealRow
from .steps import STEP_ROWS, steps_run

CONTACT_KEYS = ("email_hash", "phone_hash", "crm_contact_id")


@dataclass(slots=True)
class RowLinks:
    contact_id: int | None = None
    visitor_id: int | None = None
    touchpoint_id: int | None = None


@dataclass
class ContactIndex:
    """The stored contacts matching a batch's keys: key → value → contact id, and id → keys."""

    by_key: dict[str, dict[str, int]]
    contacts: dict[int, dict]

    def overlay(self, contacts: dict[int, dict]) -> None:
        """Apply contacts written after this index was read (new ones under temporary ids)."""
        for cid, contact in contacts.items():
            contact = self.contacts[cid] = dict(contact)  # matching adds keys to its own copy
            for key in CONTACT_KEYS:
                if contact[key]:
                    self.by_key[key].setdefault(contact[key], cid)


@dataclass
class ContactMatch:
    """Each key set's contact id (None: no key, or keys naming several contacts: ``conflicts``),
    with the contacts to create (under temporary negative ids) and those that gain keys."""

    ids: list[int | None]
    pending: dict[int, dict]
    dirty: dict[int, dict]
    conflicts: list[int]


def links_read(*, workspace: Workspace, rows: Sequence[DealRow], keys: Sequence[dict[str, str]],
               ) -> tuple[ContactIndex, list[RowLinks]]:
    """The database half of linking: stored contacts for the rows' ``keys`` (``contact_keys`` of
    each), and each row's visitor and click (its ``contact_id`` is left for ``contacts_match`` or
    ``contacts_link``)."""
    index = contacts_index(workspace, keys)
    with index_probes():
        visitors = _visitors_by_uid(workspace, rows)
        clicks = _clicks_by_ttclid(workspace, rows)
        links = _links(rows, visitors, clicks)
        _clicks_by_utm(rows, links)
    return index, links


def _links(rows, visitors: dict, clicks: dict) -> list[RowLinks]:
    links = []
    for row in rows:
        link = RowLinks()
        visitor = visitors.get(row.visitor_uid) if row.visitor_uid else None
        click = clicks.get(row.ttclid) if row.ttclid else None
        if visitor:
            link.visitor_id = visitor
        if click:
            link.touchpoint_id, click_visitor = click
            link.visitor_id = link.visitor_id or click_visitor
        links.append(link)
    return links


def contact_keys(row: DealRow) -> dict[str, str]:
    return {k: v for k in CONTACT_KEYS if (v := getattr(row, k))}


def contacts_link(*, workspace: Workspace, keys: Sequence[dict[str, str]],
                  index: ContactIndex) -> tuple[list[int | None], bool]:
    """The contact id for each key set (``index``: what ``contacts_index`` read for them): found,
    created in bulk, or resolved by merging; and whether contacts were merged (which moves what
    pointed at the merged ones)."""
    match = contacts_match(index, keys, temp_ids=itertools.count(-1, -1))
    real_ids = contacts_write(workspace, match.pending, match.dirty)
    results = [real_ids.get(cid, cid) if cid is not None else None for cid in match.ids]
    return _conflicts_resolve(workspace, keys, results, match.conflicts), bool(match.conflicts)


def contacts_match(index: ContactIndex, keys: Sequence[dict[str, str]], *,
                   temp_ids: Iterator[int]) -> ContactMatch:
    """Match key sets to contacts in memory, as ``contact_resolve`` would one by one: a contact is
    found by any key, created when none matches (its id drawn from ``temp_ids``, negative), and
    gains the keys it lacks, never losing one. Updates ``index`` as it goes."""
    return steps_run(contacts_match_steps(index, keys, temp_ids=temp_ids))


def contacts_match_steps(index: ContactIndex, keys: Sequence[dict[str, str]], *,
                         temp_ids: Iterator[int]) -> Generator[None, None, ContactMatch]:
    """``contacts_match``, pausing every ``STEP_ROWS`` key sets (``crm_sync.importing.steps``)."""
    by_key, contacts = index.by_key, index.contacts
    match = ContactMatch([], {}, {}, [])
    pending, dirty, results = match.pending, match.dirty, match.ids
    for position, given in enumerate(keys):
        if position % STEP_ROWS == 0:
            yield
        if not given:
            results.append(None)
            continue
        matched = {by_key[k][v] for k, v in given.items() if v in by_key[k]}
        if len(matched) > 1:
            results.append(None)
            match.conflicts.append(position)
            continue
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
            pending[cid] = {k: given.get(k, "") for k in CONTACT_KEYS}
            for key, value in given.items():
                by_key[key][value] = cid
        results.append(cid)
    return match


def contacts_index(workspace, keys: Sequence[dict[str, str]]) -> ContactIndex:
    index = ContactIndex({k: {} for k in CONTACT_KEYS}, {})
    with index_probes():
        for row in contacts_by_key(workspace.pk, keys):
            index.contacts[row["id"]] = row
            for key in CONTACT_KEYS:
                if row[key]:
                    index.by_key[key].setdefault(row[key], row["id"])
    return index


def contacts_by_key(workspace_id: int, keys: Sequence[dict[str, str]]):
    """The stored contacts matching any of the key sets, oldest first: a UNION of one lookup per key
    kind, each probing that key's index (which leads with the key) once per value.

    Run it inside ``index_probes()`` on PostgreSQL. As one ``OR`` of the kinds, with the workspace
    as an index condition, PostgreSQL read the whole workspace when it took it for small (never
    analyzed), filtering the keys: 74 ms per 5,000 rows among 500,000 contacts.
    """
    probes = []
    for key in CONTACT_KEYS:
        values = {g[key] for g in keys if g.get(key)}
        if values:
            probes.append(in_workspace(Contact.objects.exclude(**{key: ""}), workspace_id)  # partial index
                          .filter(**{f"{key}__anyof": values}).values("id", *CONTACT_KEYS))
    if not probes:
        return []
    first, *others = probes
    return (first.union(*others) if others else first).order_by("id")


def contacts_write(workspace, pending: dict[int, dict], dirty: dict[int, dict]) -> dict[int, int]:
    """Insert ``pending`` (temporary id → keys) and add keys to ``dirty`` (id → keys); returns
    temporary id → new contact id."""
    temp_ids = list(pending)
    # RETURNING comes back in insert order (Django's bulk_create relies on the same).
    created = models_insert(Contact, [{"workspace_id": workspace.pk, **pending[cid]} for cid in temp_ids],
                            returning=("id",))
    rows_update(Contact, ["id", *CONTACT_KEYS],
                [(cid, *(c[k] for k in CONTACT_KEYS)) for cid, c in dirty.items()])
    return {cid: contact_id for cid, (contact_id,) in zip(temp_ids, created, strict=True)}


def _conflicts_resolve(workspace, keys, results, conflicts) -> list[int | None]:
    """Rows whose keys name several contacts: merge them the one way attribution does."""
    replaced: dict[int, int] = {}
    for position in conflicts:
        keeper = contact_resolve(workspace=workspace, **keys[position])
        results[position] = keeper.pk
        linked = {cid for cid in results if cid}
        gone = linked - set(Contact.objects.filter(pk__in=linked).values_list("id", flat=True))
        for cid in gone:
            replaced[cid] = keeper.pk
    if not replaced:
        return results
    return [replaced.get(cid, cid) if cid else cid for cid in results]


def _visitors_by_uid(workspace, rows) -> dict[str, int]:
    """uid (canonical text, as rows carry it) → visitor id: one probe of visitor_unique_uid (led by
    the uid) per uid, inside ``index_probes()``."""
    uids = {r.visitor_uid for r in rows if r.visitor_uid}
    if not uids:
        return {}
    return {str(uid): visitor_id for uid, visitor_id in
            in_workspace(Visitor.objects.filter(uid__anyof=uids), workspace.pk).values_list("uid", "id")}


def _clicks_by_ttclid(workspace, rows) -> dict[str, tuple[int, int]]:
    """ttclid → (touchpoint id, visitor id) of its latest touchpoint."""
    ttclids = {r.ttclid for r in rows if r.ttclid}
    if not ttclids:
        return {}
    # One probe of touch_ttclid (led by the ttclid; partial, hence the exclude) per ttclid.
    touches = (in_workspace(Touchpoint.objects.filter(ttclid__anyof=ttclids), workspace.pk).exclude(ttclid="")
               .order_by("occurred_at", "id").values_list("ttclid", "id", "visitor_id"))
    return {ttclid: (tp_id, visitor_id) for ttclid, tp_id, visitor_id in touches}


def _clicks_by_utm(rows: Sequence[DealRow], links: list[RowLinks]) -> None:
    """Without a ttclid, the visitor's latest touch carrying the deal's utm_source + utm_campaign."""
    wanted = {(link.visitor_id, r.utm_source, r.utm_campaign)
              for r, link in zip(rows, links, strict=True)
              if not link.touchpoint_id and link.visitor_id and r.utm_source and r.utm_campaign}
    if not wanted:
        return
    found = {}
    for visitor_id, source, campaign, tp_id in (
            Touchpoint.objects.filter(visitor_id__in={w[0] for w in wanted},
                                      utm_campaign__in={w[2] for w in wanted})
            .order_by("occurred_at", "id")
            .values_list("visitor_id", "utm_source", "utm_campaign", "id")):
        found[(visitor_id, source, campaign)] = tp_id
    for r, link in zip(rows, links, strict=True):
        if not link.touchpoint_id and link.visitor_id:
            link.touchpoint_id = found.get((link.visitor_id, r.utm_source, r.utm_campaign))


def visitors_identify(*, pairs: dict[int, int]) -> int:
    """Link each visitor (device) to its deal's contact, as ``visitor_identify`` does one by one.

    ``pairs`` is visitor id → contact id. Returns how many visitors changed contact.
    """
    if not pairs:
        return 0
    with index_probes():
        return _visitors_identify(pairs)


def _visitors_identify(pairs: dict[int, int]) -> int:
    current = dict(Visitor.objects.filter(pk__anyof=pairs).values_list("id", "contact_id"))
    moved = [(vid, cid) for vid, cid in pairs.items() if vid in current and current[vid] != cid]
    if not moved:
        return 0
    rows_update(Visitor, ["id", "contact_id"], moved)
    ConversionEvent.objects.filter(visitor_id__in=[vid for vid, _ in moved], contact__isnull=True).update(
        contact_id=Subquery(Visitor.objects.filter(pk=OuterRef("visitor_id")).values("contact_id")[:1]))
    return len(moved)
