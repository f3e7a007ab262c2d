"""Workspace scoping for Django admin.

Superusers see everything. Every other staff user sees only rows of workspaces they are a member of,
may edit only with a sufficient role, and cannot point a row at a workspace that is not theirs.
"""

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Q

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


def workspace_scope_q(model, ids) -> Q | None:
    """The filter that keeps rows of ``model`` to the workspaces ``ids``, or None when ``model``
    belongs to no workspace (users, for one)."""
    if model is Workspace:
        return Q(pk__in=ids)
    try:
        field = model._meta.get_field("workspace")
    except FieldDoesNotExist:
        field = None
    if field is not None and field.is_relation and field.related_model is Workspace:
        return Q(workspace__in=ids)
    path = getattr(admin.site._registry.get(model), "workspace_path", None)
    return Q(**{f"{path}__in": ids}) if path else None


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A list filter over a foreign key whose choices are the user's own: Django's lists every
    row of the related table (every workspace's name, every integration, every model config)."""

    def field_choices(self, field, request, model_admin):
        if request.user.is_superuser:
            return super().field_choices(field, request, model_admin)
        scope = workspace_scope_q(field.related_model, member_workspace_ids(request.user))
        if scope is None:  # not a workspace's rows: only those the scoped list points at
            return field.get_choices(include_blank=False, limit_choices_to=Q(
                pk__in=model_admin.get_queryset(request).values(field.name)))
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to=scope)


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

    def get_list_filter(self, request):
        """Every filter over a foreign key offers only the user's own rows as choices."""
        scoped = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str) and "__" not in entry:
                try:
                    field = self.model._meta.get_field(entry)
                except FieldDoesNotExist:
                    field = None
                if field is not None and field.is_relation and (field.many_to_one or field.one_to_one):
                    entry = (entry, ScopedRelatedFieldListFilter)
            scoped.append(entry)
        return scoped

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
        scope = workspace_scope_q(db_field.related_model, self._ids(request, self.edit_role))
        if scope is not None:
            field.queryset = field.queryset.filter(scope)
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
