"""A demo landing site for the tracker (and the browser test): three pages, a form and a backend.

Off unless ``CLICKLEDGER["TRACKER_DEMO_PAGES"]`` (default: DEBUG). The pages play the customer's
site: a ``ttq`` stub stands in for the TikTok pixel, and the form's "backend" sends the server copy
of the conversion with the event_id the tracker put in the form, as a real backend would.
"""

import uuid

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt

from attribution.models import Site

from .serializers import ServerEventIn
from .services import server_events_record

PAGES = {"landing": "Spring sale", "pricing": "Pricing", "contact": "Talk to us"}
HIDDEN_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "ttclid",
                 "fbclid", "gclid", "cl_visitor_id", "cl_event_id")


def _site(public_key: str) -> Site:
    if not settings.CLICKLEDGER["TRACKER_DEMO_PAGES"]:
        raise Http404("Demo pages are off (TRACKER_DEMO_PAGES).")
    return get_object_or_404(Site, public_key=public_key, is_active=True)


def demo_page(request, public_key: str, page: str = "landing"):
    if page not in PAGES:
        raise Http404("No such demo page.")
    site = _site(public_key)
    return render(request, "tracking/demo/page.html",
                  {"site": site, "page": page, "title": PAGES[page], "pages": PAGES})


@csrf_exempt  # the demo plays a third-party site; it sets no cookies of its own
def demo_form_backend(request, public_key: str):
    """Receive the lead form and send the server copy of the conversion (same event_id)."""
    site = _site(public_key)
    if request.method != "POST":
        raise Http404("Post the form.")
    received = {name: request.POST.get(name, "") for name in HIDDEN_FIELDS}
    server_copy = None
    if received["cl_event_id"]:
        serializer = ServerEventIn(
            data={"event": "SubmitForm", "event_id": received["cl_event_id"],
                  "visitor_id": received["cl_visitor_id"] or str(uuid.uuid4()),
                  "user": {"email": request.POST.get("email", "")}},
            context={"workspace": site.workspace})
        if serializer.is_valid():
            server_copy = server_events_record(site=site, events=[serializer.validated_data])[0]
    return render(request, "tracking/demo/thanks.html",
                  {"site": site, "received": received, "server_copy": server_copy})


@csrf_exempt
def demo_ping(request):
    """The cheapest Django view, through the same middleware: the collector benchmark's ceiling."""
    if not settings.CLICKLEDGER["TRACKER_DEMO_PAGES"]:
        raise Http404("Demo pages are off (TRACKER_DEMO_PAGES).")
    return HttpResponse(f"{len(request.body)}", status=202, content_type="text/plain")
