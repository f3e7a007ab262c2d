"""Loading a workspace's channel rules (and sites by key) with a short in-process cache.

The collector classifies thousands of touches a second; rules and sites change rarely, so each
process keeps them for ``CACHE_SECONDS``. An edit in the admin is in force within that time.
"""

import re
import time

from attribution.models import ChannelRule, Site

from .channels import Rule

CACHE_SECONDS = 30.0

_rules_cache: dict[int, tuple[float, tuple[Rule, ...]]] = {}
_site_cache: dict[str, tuple[float, Site | None]] = {}


def channel_rules_for(*, workspace_id: int) -> tuple[Rule, ...]:
    """The workspace's active rules in priority order; a rule with a broken regex is skipped."""
    hit = _rules_cache.get(workspace_id)
    if hit and hit[0] > time.monotonic():
        return hit[1]
    rules = []
    for row in ChannelRule.objects.filter(workspace_id=workspace_id, is_active=True).order_by(
            "priority", "id"):
        try:
            rules.append(Rule.of(row.field, row.pattern, row.channel, row.kind))
        except re.error:
            continue  # the admin form validates patterns; an old bad row must not stop tracking
    _rules_cache[workspace_id] = (time.monotonic() + CACHE_SECONDS, tuple(rules))
    return tuple(rules)


def site_by_public_key(public_key: str) -> Site | None:
    """The active site with this public key (with its workspace loaded), or None."""
    hit = _site_cache.get(public_key)
    if hit and hit[0] > time.monotonic():
        return hit[1]
    site = (Site.objects.select_related("workspace").filter(public_key=public_key, is_active=True)
            .first())
    if len(_site_cache) > 10_000:
        _site_cache.clear()  # keys guessed by strangers must not grow memory without bound
    _site_cache[public_key] = (time.monotonic() + CACHE_SECONDS, site)
    return site


def clear_caches() -> None:
    """Forget cached rules and sites (tests, and the admin after an edit)."""
    _rules_cache.clear()
    _site_cache.clear()
