from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.page, {"name": "overview"}, name="home"),
    path("overview/", views.page, {"name": "overview"}, name="overview"),
    path("tiktok/", views.page, {"name": "tiktok"}, name="tiktok"),
    path("compare/", views.page, {"name": "compare"}, name="compare"),
    path("diagnostics/", views.page, {"name": "diagnostics"}, name="diagnostics"),
    path("journeys/", views.page, {"name": "journeys"}, name="journeys"),
    path("paths/", views.page, {"name": "paths"}, name="paths"),
    path("finder/", views.page, {"name": "finder"}, name="finder"),
    path("audits/", views.page, {"name": "audits"}, name="audits"),
    path("audits/<int:pk>/", views.audit_detail, name="audit_detail"),
    path("export/<slug:name>/<slug:table>.csv", views.export_csv, name="export"),
]
