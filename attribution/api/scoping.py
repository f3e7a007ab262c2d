"""Workspace scoping for API views: every query is limited to the caller's workspaces."""

from rest_framework.exceptions import NotFound

from attribution.models import Membership, Workspace


def workspaces_for(user):
    return Workspace.objects.for_user(user)


def user_has_role(user, workspace: Workspace, role: str) -> bool:
    """Whether ``user`` may act as ``role`` (or above) in ``workspace``; superusers always may."""
    if user.is_superuser:
        return True
    membership = Membership.objects.filter(user=user, workspace=workspace).first()
    return bool(membership and membership.has_role(role))


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
