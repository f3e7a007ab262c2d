"""Channel classification of a touch: a pure function over the touch's fields and a rule list.

A workspace's own rules (edited in the admin as ``ChannelRule`` rows) are tried first, in priority
order; the defaults below follow. The first rule that matches decides the channel and the touch kind.
Nothing here reads the database; ``attribution.tracking.rules`` loads a workspace's rules.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from attribution.channels import Channel, TouchKind

CLICK_ID_PARAMS = ("ttclid", "fbclid", "gclid")


@dataclass(frozen=True)
class TouchSignals:
    """What a landing tells us about where the visitor came from."""

    utm_source: str = ""
    utm_medium: str = ""
    ttclid: str = ""
    fbclid: str = ""
    gclid: str = ""
    referrer: str = ""

    def click_ids(self) -> list[str]:
        """Names of the click-id parameters present, e.g. ``["ttclid"]``."""
        return [name for name in CLICK_ID_PARAMS if getattr(self, name)]


@dataclass(frozen=True)
class Rule:
    """``pattern`` (a case-insensitive regex) searched in ``field``: one of ``RuleField``'s values."""

    field: str
    pattern: re.Pattern
    channel: str
    kind: str

    @classmethod
    def of(cls, field: str, pattern: str, channel: str, kind: str = TouchKind.CLICK) -> "Rule":
        return cls(field, re.compile(pattern, re.IGNORECASE), str(channel), str(kind))


_SEARCH_HOSTS = r"(^|\.)(google|bing|duckduckgo|yahoo|yandex|baidu|ecosia|qwant|naver|search\.brave)\."
_SOCIAL_HOSTS = (r"(^|\.)(facebook|instagram|tiktok|twitter|linkedin|reddit|youtube|pinterest|"
                 r"snapchat|threads)\.|^(t\.co|x\.com|lnkd\.in|m\.facebook\.com)$")

DEFAULT_RULES: tuple[Rule, ...] = (
    Rule.of("click_id", r"^ttclid$", Channel.TIKTOK),
    Rule.of("utm_source", r"^(tiktok|tt|tiktok_ads)$", Channel.TIKTOK),
    Rule.of("click_id", r"^fbclid$", Channel.META),
    Rule.of("utm_source", r"^(facebook|fb|instagram|ig|meta)$", Channel.META),
    Rule.of("click_id", r"^gclid$", Channel.GOOGLE),
    Rule.of("utm_source", r"^(google|adwords|google_ads)$", Channel.GOOGLE),
    # The other ad platforms (spend imported from their CSV exports): by utm_source, paid media only.
    Rule.of("utm_source", r"^(linkedin|linkedin_ads|li)$", Channel.LINKEDIN),
    Rule.of("utm_source", r"^(snapchat|snap|snapchat_ads)$", Channel.SNAPCHAT),
    Rule.of("utm_source", r"^(pinterest|pinterest_ads)$", Channel.PINTEREST),
    Rule.of("utm_source", r"^(bing|microsoft|microsoft_ads|bing_ads)$", Channel.MICROSOFT),
    Rule.of("utm_medium", r"^(e-?mail|newsletter)$", Channel.EMAIL),
    Rule.of("utm_source", r"^(newsletter|e-?mail|mailchimp|klaviyo)$", Channel.EMAIL),
    Rule.of("utm_medium", r"^(organic_?social|social)$", Channel.ORGANIC_SOCIAL, TouchKind.ORGANIC),
    Rule.of("utm_source", r".", Channel.OTHER),
    Rule.of("referrer_host", _SEARCH_HOSTS, Channel.ORGANIC_SEARCH, TouchKind.ORGANIC),
    Rule.of("referrer_host", _SOCIAL_HOSTS, Channel.ORGANIC_SOCIAL, TouchKind.ORGANIC),
    Rule.of("referrer_host", r".", Channel.REFERRAL, TouchKind.ORGANIC),
)


def utm_source_pattern(channel: str) -> str | None:
    """The default rules' utm_source regex for a channel (e.g. for CRM deals, which keep utm_source
    but not every click id), or None when no default rule names the channel by utm_source."""
    patterns = [r.pattern.pattern for r in DEFAULT_RULES if r.field == "utm_source" and r.channel == channel]
    return "|".join(f"(?:{p})" for p in patterns) or None


def referrer_host(referrer: str, *, own_domains: tuple[str, ...] = ()) -> str:
    """The referrer's host, or "" when there is none or it is one of the site's own hosts."""
    if not referrer:
        return ""
    try:
        host = (urlsplit(referrer).hostname or "").lower()
    except ValueError:
        return ""
    if host.startswith("www."):
        host = host[4:]
    own = {d.lower().removeprefix("www.") for d in own_domains}
    return "" if host in own else host


def classify(signals: TouchSignals, *, rules: tuple[Rule, ...] = (),
             own_domains: tuple[str, ...] = ()) -> tuple[str, str]:
    """Return ``(channel, kind)`` for a touch: the workspace's ``rules`` first, then the defaults.

    A touch with no campaign parameters and no outside referrer is ``(direct, direct)``.
    """
    values = {
        "utm_source": signals.utm_source.strip(),
        "utm_medium": signals.utm_medium.strip(),
        "referrer_host": referrer_host(signals.referrer, own_domains=own_domains),
    }
    click_ids = signals.click_ids()
    for rule in (*rules, *DEFAULT_RULES):
        if rule.field == "click_id":
            if any(rule.pattern.search(name) for name in click_ids):
                return rule.channel, rule.kind
        elif values.get(rule.field) and rule.pattern.search(values[rule.field]):
            return rule.channel, rule.kind
    return str(Channel.DIRECT), str(TouchKind.DIRECT)
