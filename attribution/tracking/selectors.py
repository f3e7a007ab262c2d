"""Reading tracked journeys."""

from django.db.models import QuerySet

from attribution.models import Contact, Touchpoint


def contact_journey(*, contact: Contact) -> QuerySet[Touchpoint]:
    """Every touchpoint of every visitor (device) linked to the contact, oldest first.

    Includes touches from before a device identified: they hang off the visitor, not the contact.
    """
    return (Touchpoint.objects.filter(workspace_id=contact.workspace_id, visitor__contact=contact)
            .order_by("occurred_at", "id"))
