"""Which conversion event names the collector and the events API accept for a workspace."""

from attribution.models import Workspace

# TikTok's standard web events (Events API 1.3 / pixel), so pixel and server copies share names.
TIKTOK_STANDARD_EVENTS = frozenset({
    "AddPaymentInfo", "AddToCart", "AddToWishlist", "ApplicationApproval", "ClickButton",
    "CompletePayment", "CompleteRegistration", "Contact", "CustomizeProduct", "Download",
    "FindLocation", "InitiateCheckout", "Lead", "PlaceAnOrder", "Purchase", "Schedule", "Search",
    "StartTrial", "SubmitApplication", "SubmitForm", "Subscribe", "ViewContent",
})

# Pipeline stages a CRM reports as conversions (crm_sync's stage rules map onto these names).
CRM_STAGE_EVENTS = frozenset({
    "Lead", "QualifiedLead", "QualifyLead", "Opportunity", "Appointment", "ClosedWon", "ClosedLost",
})


STANDARD_EVENT_NAMES = TIKTOK_STANDARD_EVENTS | CRM_STAGE_EVENTS


def accepted_event_names(workspace: Workspace) -> frozenset[str]:
    """TikTok's standard names, CRM stage names and whatever the workspace attributes."""
    own = workspace.attributed_event_names or []
    return STANDARD_EVENT_NAMES | frozenset(n for n in own if isinstance(n, str))


def is_accepted_event_name(value: str, workspace: Workspace) -> bool:
    """``value in accepted_event_names(workspace)``, without building that set per beacon."""
    own = workspace.attributed_event_names or ()
    return value in STANDARD_EVENT_NAMES or any(n == value for n in own if isinstance(n, str))
