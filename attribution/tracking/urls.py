"""Collector (browser) and server-side events API, under /api/v1/."""

from django.urls import path

from .views.collector import ConsentView, EventView, IdentifyView, TouchView
from .views.events_api import ServerEventsView
from .views.fast_path import beacon_endpoint

urlpatterns = [
    path("collect/touch", beacon_endpoint(TouchView), name="collect-touch"),
    path("collect/event", beacon_endpoint(EventView), name="collect-event"),
    path("collect/identify", IdentifyView.as_view(), name="collect-identify"),
    path("collect/consent", ConsentView.as_view(), name="collect-consent"),
    path("events", ServerEventsView.as_view(), name="events-api"),
]
