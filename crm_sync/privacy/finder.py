"""Everything stored about one person in a workspace: one service that export and erasure share.

A person is found by any key; from there the search follows the links the product itself follows
(a contact's visitors are its devices, a visitor identified as a contact brings in the contact's
other devices, a deal links to its contact, visitor and click), so the result is the whole person,
not only the rows that carry the key.
"""

from collections.abc import Collection
from dataclasses import dataclass, field

from django.db.models import Q

from attribution.models import (
    AttributionCredit,
    Contact,
    ConversionEvent,
    OutboxEntry,
    Touchpoint,
    Visitor,
    Workspace,
)
from crm_sync.models import Deal, DealStageChange

from .keys import PersonKeys


@dataclass
class PersonRows:
    """The ids of a person's rows, per table."""

    contacts: set[int] = field(default_factory=set)
    visitors: set[int] = field(default_factory=set)
    touchpoints: set[int] = field(default_factory=set)
    conversions: set[int] = field(default_factory=set)
    deals: set[int] = field(default_factory=set)
    stage_changes: set[int] = field(default_factory=set)
    outbox: set[int] = field(default_factory=set)
    credits: set[int] = field(default_factory=set)

    def counts(self) -> dict[str, int]:
        return {name: len(ids) for name, ids in vars(self).items()}

    def __bool__(self) -> bool:
        return any(vars(self).values())


def person_find(*, workspace: Workspace, keys: PersonKeys,
                contact_ids: Collection[int] = ()) -> PersonRows:
    """The rows of ``workspace`` that belong to the person ``keys`` name, or to the contacts
    ``contact_ids`` (a fixed number of queries: a person has few rows, so sets of ids are
    passed around)."""
    ws = workspace.pk
    found = PersonRows()
    if contact_ids:
        found.contacts |= _ids(Contact.objects.filter(workspace_id=ws, pk__in=contact_ids))
    hashes = Q()
    for column in ("email_hash", "phone_hash", "external_id_hash"):
        if value := getattr(keys, column):
            hashes |= Q(**{column: value})
    if hashes:
        found.contacts |= _ids(Contact.objects.filter(hashes, workspace_id=ws))
    if keys.visitor_id:
        found.visitors |= _ids(Visitor.objects.filter(workspace_id=ws, uid=keys.visitor_id))
    if keys.ttclid:
        touches = Touchpoint.objects.filter(workspace_id=ws, ttclid=keys.ttclid)
        found.touchpoints |= _ids(touches)
        found.visitors |= set(touches.values_list("visitor_id", flat=True))
    direct = Q(pk__in=[])
    if hashes:
        direct |= hashes
    if keys.ttclid:
        direct |= Q(ttclid=keys.ttclid)
    if hashes or keys.ttclid:
        for pk, contact, visitor in ConversionEvent.objects.filter(direct, workspace_id=ws) \
                .values_list("pk", "contact_id", "visitor_id"):
            found.conversions.add(pk)
            found.contacts |= {contact} - {None}
            found.visitors |= {visitor} - {None}
    deal_match = Q(pk__in=[])
    if keys.deal_id:
        deal_match |= Q(crm_id=keys.deal_id)
    if keys.ttclid:
        deal_match |= Q(ttclid=keys.ttclid)
    if keys.deal_id or keys.ttclid:
        for pk, contact, visitor in Deal.objects.filter(deal_match, workspace_id=ws) \
                .values_list("pk", "contact_id", "visitor_id"):
            found.deals.add(pk)
            found.contacts |= {contact} - {None}
            found.visitors |= {visitor} - {None}
    _expand(found, ws)
    return found


def _expand(found: PersonRows, ws: int) -> None:
    # Contacts and visitors form stars (a visitor has at most one contact): two steps close them.
    found.contacts |= set(Visitor.objects.filter(pk__in=found.visitors, contact__isnull=False)
                          .values_list("contact_id", flat=True))
    found.visitors |= _ids(Visitor.objects.filter(workspace_id=ws, contact_id__in=found.contacts))
    found.touchpoints |= _ids(Touchpoint.objects.filter(workspace_id=ws,
                                                        visitor_id__in=found.visitors))
    found.conversions |= _ids(ConversionEvent.objects.filter(
        Q(contact_id__in=found.contacts) | Q(visitor_id__in=found.visitors), workspace_id=ws))
    found.deals |= _ids(Deal.objects.filter(
        Q(contact_id__in=found.contacts) | Q(visitor_id__in=found.visitors)
        | Q(touchpoint_id__in=found.touchpoints), workspace_id=ws))
    found.stage_changes = _ids(DealStageChange.objects.filter(deal_id__in=found.deals))
    found.outbox = _ids(OutboxEntry.objects.filter(conversion_id__in=found.conversions))
    found.credits = _ids(AttributionCredit.objects.filter(
        Q(conversion_id__in=found.conversions) | Q(touchpoint_id__in=found.touchpoints),
        workspace_id=ws))


def _ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))
