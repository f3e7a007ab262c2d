"""Collector (browser) and server-side events API, under /api/v1/."""

from django.urls import path

from .views.collector import EventView, IdentifyView, TouchView
from .views.events_api import ServerEventsView

urlpatterns = [
    path("collect/touch", TouchView.as_view(), name="collect-touch"),
    path("collect/event", EventView.as_view(), name="collect-event"),
    path("collect/identify", IdentifyView.as_view(), name="collect-identify"),
    path("events", ServerEventsView.as_view(), name="events-api"),
]
