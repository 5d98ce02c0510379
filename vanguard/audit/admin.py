"""The audit trail spans every unit and names people: superusers only
(`accounts.admin.ScopedAdmin` with no scope)."""

from django.contrib import admin

from vanguard.accounts.admin import ScopedAdmin
from vanguard.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ScopedAdmin, admin.ModelAdmin):
    """Read-only: the trail is append-only, and the database enforces it too."""

    list_display = ("at", "actor_name", "action", "object_type", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("actor_name", "object_repr", "object_id")

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
