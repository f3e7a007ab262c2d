"""Demo landing pages for the tracker, mounted at /demo/ (404 unless TRACKER_DEMO_PAGES)."""

from django.urls import path

from .demo import demo_form_backend, demo_page, demo_ping

urlpatterns = [
    path("ping/", demo_ping, name="tracker-demo-ping"),
    path("landing/<str:public_key>/", demo_page, name="tracker-demo"),
    path("landing/<str:public_key>/thanks/", demo_form_backend, name="tracker-demo-thanks"),
    path("landing/<str:public_key>/<slug:page>/", demo_page, name="tracker-demo-page"),
]
