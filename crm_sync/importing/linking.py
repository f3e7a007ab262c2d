"""Linking a batch of deal rows to visitors and clicks, in a fixed number of queries.

Contacts are resolved by ``attribution.services.identity`` (``contacts_resolve`` and its phases),
visitors linked to them by its ``visitors_identify``: the import has no rules of its own for either.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from attribution import lookups  # noqa: F401  (registers __anyof)
from attribution.key_probes import in_workspace, index_probes
from attribution.models import Touchpoint, Visitor, Workspace

from .rows import DealRow

CONTACT_KEYS = ("email_hash", "phone_hash", "crm_contact_id")


@dataclass(slots=True)
class RowLinks:
    contact_id: int | None = None
    visitor_id: int | None = None
    touchpoint_id: int | None = None


def links_read(*, workspace: Workspace, rows: Sequence[DealRow]) -> list[RowLinks]:
    """Each row's visitor and click, read by index probes (its ``contact_id`` is left for the
    contact resolution)."""
    with index_probes():
        visitors = _visitors_by_uid(workspace, rows)
        clicks = _clicks_by_ttclid(workspace, rows)
        links = _links(rows, visitors, clicks)
        _clicks_by_utm(rows, links)
    return links


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
