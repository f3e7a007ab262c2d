"""Workspace scoping for Django admin.

Superusers see everything. Every other staff user sees only rows of workspaces they are a member of,
may edit only with a sufficient role, and cannot point a row at a workspace that is not theirs.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied

from attribution.models import Membership, Role, Workspace
from attribution.models.workspace import ROLE_RANK


def member_workspace_ids(user, *, min_role: str = Role.VIEWER) -> set[int]:
    """Ids of the workspaces where ``user`` holds at least ``min_role`` (cached per request user)."""
    cache = user.__dict__.setdefault("_clickledger_roles", None)
    if cache is None:
        cache = dict(Membership.objects.filter(user=user).values_list("workspace_id", "role"))
        user.__dict__["_clickledger_roles"] = cache
    floor = ROLE_RANK[Role(min_role)]
    return {ws for ws, role in cache.items() if ROLE_RANK[Role(role)] >= floor}


class WorkspaceScopedAdmin(admin.ModelAdmin):
    """Base for every admin of workspace-owned rows.

    ``workspace_path`` is the ORM path from the model to its Workspace; ``edit_role`` the least role
    that may add, change or delete.
    """

    workspace_path = "workspace"
    edit_role = Role.ANALYST
    list_per_page = 50

    def _ids(self, request, role=Role.VIEWER):
        return member_workspace_ids(request.user, min_role=role)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.workspace_path}__in": self._ids(request)})

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and (
            request.user.is_superuser or bool(self._ids(request)))

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) and (
            obj is None or request.user.is_superuser or self._owner_id(obj) in self._ids(request))

    def _can_edit(self, request, obj=None):
        if request.user.is_superuser:
            return True
        ids = self._ids(request, self.edit_role)
        return bool(ids) and (obj is None or self._owner_id(obj) in ids)

    def has_add_permission(self, request):
        return self._can_edit(request)

    def has_change_permission(self, request, obj=None):
        return self._can_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._can_edit(request, obj)

    def _owner_id(self, obj) -> int | None:
        target = obj
        for part in self.workspace_path.split("__"):
            target = getattr(target, part, None)
            if target is None:
                return None
        return target.pk if isinstance(target, Workspace) else target

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if request.user.is_superuser or field is None:
            return field
        related = db_field.related_model
        ids = self._ids(request, self.edit_role)
        if related is Workspace:
            field.queryset = field.queryset.filter(pk__in=ids)
        elif any(f.name == "workspace" for f in related._meta.get_fields()):
            field.queryset = field.queryset.filter(workspace__in=ids)
        return field

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser and self._owner_id(obj) not in self._ids(
                request, self.edit_role):
            raise PermissionDenied("You can only save rows of workspaces where you are an "
                                   f"{self.edit_role} or above.")
        super().save_model(request, obj, form, change)


class ReadOnlyScopedAdmin(WorkspaceScopedAdmin):
    """For rows that only the system writes (touchpoints, credits, rollups): look, never touch."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser



class ScopedInlineMixin:
    """Inlines follow their parent's scope: the parent admin already checked the row's workspace."""

    def _parent_admin(self):
        return self.admin_site._registry[self.parent_model]

    def has_view_permission(self, request, obj=None):
        return self._parent_admin().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._parent_admin().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._parent_admin().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._parent_admin().has_change_permission(request, obj)
