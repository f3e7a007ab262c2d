from django.urls import path

from attribution.api import views

app_name = "attribution"

urlpatterns = [
    path("workspaces/", views.WorkspaceList.as_view(), name="workspace-list"),
    path("conversions/", views.ConversionList.as_view(), name="conversion-list"),
]
