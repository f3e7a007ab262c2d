from django.urls import include, path

from attribution.api import views

urlpatterns = [
    path("workspaces/", views.WorkspaceList.as_view(), name="workspace-list"),
    path("conversions/", views.ConversionList.as_view(), name="conversion-list"),
    path("", include("attribution.tracking.urls")),  # collector + server-side events API
    path("", include("attribution.runs.urls")),  # attribution runs
]
