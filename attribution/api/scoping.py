"""Workspace scoping for API views: every query is limited to the caller's workspaces."""

from rest_framework.exceptions import NotFound

from attribution.models import Workspace


def workspaces_for(user):
    return Workspace.objects.for_user(user)


class WorkspaceScopedMixin:
    """For list views of workspace-owned rows: ``?workspace=<slug>`` narrows, never widens."""

    def scoped_workspaces(self):
        qs = workspaces_for(self.request.user)
        slug = self.request.query_params.get("workspace")
        if slug:
            qs = qs.filter(slug=slug)
            if not qs.exists():
                raise NotFound(f"No workspace {slug!r} among yours.")
        return qs
