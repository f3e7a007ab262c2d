from django.urls import path

from .api import RunDetail, RunListCreate

urlpatterns = [
    path("runs/", RunListCreate.as_view(), name="run-list"),
    path("runs/<int:pk>/", RunDetail.as_view(), name="run-detail"),
]
