"""Django admin is the back office for committee admins only (not Django's staff flag)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from vanguard.accounts import permissions
from vanguard.accounts.models import ApiToken, RoleAssignment, User


def _admin_has_permission(request) -> bool:
    return request.user.is_active and permissions.can_use_admin(request.user)


admin.site.has_permission = _admin_has_permission  # type: ignore[method-assign]


class CommitteeAdminOnly:
    """Every model in the back office is open to committee admins and closed to everyone else."""

    def has_module_permission(self, request):
        return permissions.can_use_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.can_use_admin(request.user)

    def has_add_permission(self, request, *args):
        return permissions.can_use_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return permissions.can_use_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return permissions.can_use_admin(request.user)


@admin.register(User)
class UserAdmin(CommitteeAdminOnly, DjangoUserAdmin):
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (None, {"fields": ("display_name",)}),
    )


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(CommitteeAdminOnly, admin.ModelAdmin):
    list_display = ("user", "role", "unit", "granted_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__display_name", "unit__name")
    autocomplete_fields = ("user", "unit")


@admin.register(ApiToken)
class ApiTokenAdmin(CommitteeAdminOnly, admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "created_at", "last_used_at")
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")

    def has_add_permission(self, request, *args):
        return False  # tokens are made by their owner, who alone sees the raw key
