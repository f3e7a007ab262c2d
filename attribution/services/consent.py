"""Opt-outs: a person who opts out is never sent to an ad platform again.

The rule itself lives in one place, ``outbox.sync_skip_reason`` (an opted-out contact's
conversions get ``skipped`` outbox rows when recorded, and a queued row is skipped when the drain
reaches it); every way in — the tracker's ``consent(false)``, the events API's ``opt_out``, a deal
import's opt-out column — only marks the contact here. Retention never clears the mark.
"""

from collections.abc import Collection

from attribution.models import Contact, Visitor


def contacts_opt_out(*, ids: Collection[int]) -> int:
    """Mark these contacts opted out; returns how many were not already."""
    ids = [pk for pk in ids if pk]
    if not ids:
        return 0
    return Contact.objects.filter(pk__in=ids, opted_out=False).update(opted_out=True)


def visitor_opt_out(*, visitor: Visitor) -> Contact:
    """Opt out the person behind ``visitor``: its contact, or, for an anonymous visitor, a contact
    without keys made to hold the opt-out (identifying later merges into it, keeping it)."""
    if visitor.contact_id:
        contacts_opt_out(ids=[visitor.contact_id])
        return Contact.objects.get(pk=visitor.contact_id)
    contact = Contact.objects.create(workspace_id=visitor.workspace_id, opted_out=True)
    Visitor.objects.filter(pk=visitor.pk).update(contact=contact)
    visitor.contact = contact
    return contact
