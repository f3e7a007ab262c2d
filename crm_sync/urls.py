from django.urls import path

from crm_sync.importing import views
from crm_sync.privacy import api as privacy_api

app_name = "crm_sync"

urlpatterns: list = [
    path("deal-imports/", views.DealImportCreate.as_view(), name="deal-import-list"),
    path("deal-imports/<int:pk>/", views.DealImportDetail.as_view(), name="deal-import-detail"),
    path("deal-imports/<int:pk>/preview/", views.DealImportPreview.as_view(), name="deal-import-preview"),
    path("deal-imports/<int:pk>/confirm/", views.DealImportConfirm.as_view(), name="deal-import-confirm"),
    path("deal-imports/<int:pk>/report/", views.DealImportReport.as_view(), name="deal-import-report"),
    path("privacy/export/", privacy_api.PersonExport.as_view(), name="privacy-export"),
    path("privacy/erase/", privacy_api.PersonErase.as_view(), name="privacy-erase"),
    path("crm/webhook/<slug:workspace_slug>/deals/", views.DealWebhook.as_view(), name="deal-webhook"),
]
