"""Journey finder: one person of the workspace, looked up by what a marketer has at hand.

Email and phone are normalized and hashed here, on the way in, and only the hash is compared
(``attribution.identity.normalize``); the raw text is never stored or logged. Every lookup is
filtered by the workspace, so another workspace's people are never found.
"""

import uuid
from dataclasses import dataclass

from attribution.identity.normalize import IdentityError, hash_email, hash_phone
from attribution.models import Contact, ConversionEvent, Visitor, Workspace
from attribution.runs.path_selectors import current_paths
from crm_sync.models import Deal

from .filters import DashboardFilters

FIND_BY = {
    "email": "Email",
    "phone": "Phone (with country code)",
    "deal": "CRM deal id",
    "event": "Order / event id",
    "visitor": "Visitor id",
}


class FinderError(ValueError):
    """The lookup cannot be made as typed; the message says what to fix."""


@dataclass(frozen=True)
class Person:
    """The engine's person: a contact (all their devices), or a visitor no contact claims."""

    contact_id: int | None = None
    visitor_id: int | None = None

    @property
    def label(self) -> str:
        return f"Contact {self.contact_id}" if self.contact_id else f"Visitor {self.visitor_id}"

    @property
    def key(self) -> str:
        """For links: ``contact:12`` or ``visitor:34`` (ids, never what was typed)."""
        return f"contact:{self.contact_id}" if self.contact_id else f"visitor:{self.visitor_id}"

    @classmethod
    def parse(cls, key: str) -> "Person | None":
        """The person a link names; None for anything else. Journeys are read within the
        workspace, so another workspace's id shows nothing."""
        kind, _, number = key.partition(":")
        if not number.isdigit() or kind not in ("contact", "visitor"):
            return None
        return cls(contact_id=int(number)) if kind == "contact" else cls(visitor_id=int(number))

    @classmethod
    def of(cls, contact_id: int | None, visitor_id: int | None) -> "Person | None":
        if contact_id:
            return cls(contact_id=contact_id)
        return cls(visitor_id=visitor_id) if visitor_id else None


def find_person(*, workspace: Workspace, by: str, value: str) -> Person | None:
    """The person ``value`` identifies in ``workspace`` (at most 2 queries), or None."""
    value = (value or "").strip()
    if by not in FIND_BY:
        raise FinderError(f"Choose what to look up by: {', '.join(FIND_BY)}.")
    if not value:
        raise FinderError(f"Type the {FIND_BY[by].lower()} to look up.")
    try:
        if by in ("email", "phone"):
            return _by_hash(workspace, by, hash_email(value) if by == "email" else hash_phone(value))
    except IdentityError as exc:
        raise FinderError(f"{str(exc)[:1].upper()}{str(exc)[1:]}.") from None
    if by == "deal":
        deal = (Deal.objects.filter(workspace=workspace, crm_id=value)
                .values("contact_id", "visitor_id").first())
        return _person_of_visitor(workspace, deal) if deal else None
    if by == "event":
        conversion = (ConversionEvent.objects.filter(workspace=workspace, event_id=value)
                      .values("contact_id", "visitor_id").first())
        return _person_of_visitor(workspace, conversion) if conversion else None
    visitor = Visitor.objects.filter(workspace=workspace, uid=_uuid(value)).values("contact_id", "id").first()
    return Person.of(visitor["contact_id"], visitor["id"]) if visitor else None


def _uuid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise FinderError("A visitor id looks like 8f14e45f-ceea-467f-a0e6-1234567890ab "
                          "(the cl_visitor_id cookie).") from None


def _by_hash(workspace: Workspace, by: str, digest: str) -> Person | None:
    """A contact with that hash, else the person of a conversion that carried it."""
    field = f"{by}_hash"
    contact_id = (Contact.objects.filter(workspace=workspace, **{field: digest})
                  .values_list("id", flat=True).first())
    if contact_id:
        return Person(contact_id=contact_id)
    conversion = (ConversionEvent.objects.filter(workspace=workspace, **{field: digest})
                  .values("contact_id", "visitor_id").first())
    return _person_of_visitor(workspace, conversion) if conversion else None


def _person_of_visitor(workspace: Workspace, row: dict) -> Person | None:
    """A row's contact, else its visitor's contact, else the lone visitor."""
    if row["contact_id"] or not row["visitor_id"]:
        return Person.of(row["contact_id"], None)
    contact_id = Visitor.objects.filter(workspace=workspace, pk=row["visitor_id"]).values_list(
        "contact_id", flat=True).first()
    return Person.of(contact_id, row["visitor_id"])


def example_person(*, filters: DashboardFilters) -> Person | None:
    """The person of the period's latest conversion with a multi-touch path (1 query)."""
    start, end = filters.start, filters.end
    path = (current_paths(workspace=filters.workspace)
            .filter(day__gte=start, day__lte=end, touches__gte=2).exclude(person=0)
            .order_by("-day", "-touches", "-conversion_id").values_list("person", flat=True).first())
    if path is None:
        return None
    return Person(contact_id=path) if path > 0 else Person(visitor_id=-path)
