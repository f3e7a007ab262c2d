"""The copy-paste tracker snippet for a site, as shown in admin."""

from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from attribution.models import Site


def tracker_snippet(*, site: Site, origin: str = "", track_forms: str = "SubmitForm") -> str:
    """HTML of the script tag with the site's public key (escaped); ``origin`` is Clickledger's."""
    # A constant attribute, so mark_safe is sound; everything that varies goes through format_html.
    consent = mark_safe(' data-requires-consent="true"') if site.requires_consent else ""
    return format_html(
        '<script async src="{}{}" data-key="{}" data-track-forms="{}"{}></script>',
        origin.rstrip("/"), static("clickledger/tracker.js"), site.public_key, track_forms,
        consent)
