from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from attribution.models import Workspace


@login_required
def home(request):
    workspaces = Workspace.objects.for_user(request.user)
    return render(request, "dashboard/home.html", {"workspaces": workspaces})
