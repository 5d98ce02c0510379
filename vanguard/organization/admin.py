from django.contrib import admin

from vanguard.accounts.admin import CommitteeAdminOnly
from vanguard.organization.models import Member, MemberTransfer, Unit


@admin.register(Unit)
class UnitAdmin(CommitteeAdminOnly, admin.ModelAdmin):
    list_display = ("name", "kind", "branch_type", "parent", "is_active")
    list_filter = ("kind", "branch_type", "is_active")
    search_fields = ("name",)
    autocomplete_fields = ("parent",)


@admin.register(Member)
class MemberAdmin(CommitteeAdminOnly, admin.ModelAdmin):
    list_display = ("name", "number", "branch", "category", "standing", "is_active")
    list_filter = ("standing", "category", "is_active")
    search_fields = ("name", "number")
    autocomplete_fields = ("branch", "party_group", "user")
    list_select_related = ("branch",)


@admin.register(MemberTransfer)
class MemberTransferAdmin(CommitteeAdminOnly, admin.ModelAdmin):
    list_display = ("member", "from_branch", "to_branch", "moved_at", "reason")
    list_select_related = ("member", "from_branch", "to_branch")

    def has_change_permission(self, request, obj=None):
        return False  # history is not rewritten

    def has_delete_permission(self, request, obj=None):
        return False
