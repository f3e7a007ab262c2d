"""Erasing a person: every personal column of their rows anonymized, in one transaction.

Rows are anonymized, not deleted, so that what was counted stays counted: conversions keep their
value, time and links, touches their channel, campaign and time, credits and rollups are not
touched — attribution totals, and a rerun's, are unchanged. What could find the person again is
gone: hashes, visitor ids, click ids, event and deal ids, URLs, IPs, user agents, CRM fields.
Queued or retrying outbox rows are cancelled, and the contact is opted out, so nothing about the
person is sent after the erasure.
"""

import uuid

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from attribution.models import (
    Contact,
    ConversionEvent,
    OutboxEntry,
    OutboxStatus,
    Touchpoint,
    Visitor,
    Workspace,
)
from crm_sync.models import Deal, DealImport

from .finder import PersonRows, person_find
from .keys import PersonKeys
from .models import PersonErasure

CANCELLED = "cancelled: the person was erased (privacy request)"
TOUCH_PERSONAL = {"ttclid": "", "fbclid": "", "gclid": "", "landing_url": "", "referrer": "",
                  "ip_truncated": "", "user_agent": "", "touch_key": ""}
CONVERSION_PERSONAL = {"ttclid": "", "ttp": "", "email_hash": "", "phone_hash": "",
                       "external_id_hash": "", "page_url": "", "referrer": "", "ip_truncated": "",
                       "user_agent": "", "properties": {}, "external_ref": ""}


def erased_id() -> str:
    return f"erased-{uuid.uuid4().hex}"


@transaction.atomic
def person_erase(*, workspace: Workspace, keys: PersonKeys, source: str, requested_by=None,
                 rows: PersonRows | None = None) -> PersonErasure:
    """Anonymize everything ``person_find`` returns for ``keys`` and log it. Idempotent: erasing
    again finds nothing (the keys are gone) and logs zero rows."""
    rows = rows if rows is not None else person_find(workspace=workspace, keys=keys)
    Contact.objects.filter(pk__in=rows.contacts).lock()  # as a merge or delete would
    counts = rows.counts()
    crm_ids = set(Deal.objects.filter(pk__in=rows.deals).values_list("crm_id", flat=True))
    Contact.objects.filter(pk__in=rows.contacts).update(
        email_hash="", phone_hash="", external_id_hash="", crm_contact_id="", opted_out=True)
    _new_values(Visitor, rows.visitors, uid=uuid.uuid4)
    Touchpoint.objects.filter(pk__in=rows.touchpoints).update(**TOUCH_PERSONAL)
    ConversionEvent.objects.filter(pk__in=rows.conversions).update(**CONVERSION_PERSONAL)
    _new_values(ConversionEvent, rows.conversions, event_id=erased_id)
    Deal.objects.filter(pk__in=rows.deals).update(name="", ttclid="", cl_visitor_id="")
    _new_values(Deal, rows.deals, crm_id=erased_id)
    cancelled = OutboxEntry.objects.filter(
        pk__in=rows.outbox, status__in=[OutboxStatus.QUEUED, OutboxStatus.RETRYING]
    ).update(status=OutboxStatus.SKIPPED, last_error=CANCELLED, locked_until=None)
    _scrub_import_samples(workspace, crm_ids)
    _scrub_admin_log(Deal, rows.deals)
    _scrub_admin_log(Contact, rows.contacts)
    return PersonErasure.objects.create(
        workspace=workspace, requested_by=requested_by, source=source,
        key_hashes=keys.hashed_for_log(), counts=counts, outbox_cancelled=cancelled)


def _new_values(model, ids: set[int], **makers) -> None:
    """Give each row a fresh value per column (unique columns cannot all take one value)."""
    if not ids:
        return
    objs = [model(pk=pk, **{column: make() for column, make in makers.items()}) for pk in ids]
    model._base_manager.bulk_update(objs, list(makers), batch_size=500)


def _scrub_import_samples(workspace: Workspace, crm_ids: set[str]) -> None:
    """Row errors kept on an import name the deal's CRM id; drop the person's."""
    if not crm_ids:
        return
    for deal_import in DealImport.objects.filter(workspace=workspace).exclude(error_sample=[]):
        kept = [e for e in deal_import.error_sample if str(e.get("crm_id", "")) not in crm_ids]
        if len(kept) != len(deal_import.error_sample):
            DealImport.objects.filter(pk=deal_import.pk).update(error_sample=kept)


def _scrub_admin_log(model, ids: set[int]) -> None:
    """The admin's history names a changed row by its text (a deal's name or CRM id)."""
    if ids:
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model),
                                object_id__in=[str(pk) for pk in ids]).update(
            object_repr="(erased)", change_message="")
