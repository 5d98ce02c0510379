"""The organisation in the back office, for superusers and, each inside their scope,
committee admins (see `accounts.admin.ScopedAdmin`). A unit's parent offers only
units in the scope; `Unit.save` rewrites the moved subtree's paths. A member's branch
changes only through the move page (组织关系转接), which keeps the history."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from vanguard.accounts.admin import ScopedAdmin
from vanguard.organization import services
from vanguard.organization.models import Member, MemberTransfer, Unit


@admin.register(Unit)
class UnitAdmin(ScopedAdmin, admin.ModelAdmin):
    scope_path = "path"
    list_display = ("name", "kind", "branch_type", "parent", "is_active")
    list_filter = ("kind", "branch_type", "is_active")
    search_fields = ("name",)
    autocomplete_fields = ("parent",)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not (request.user.is_active and request.user.is_superuser):
            # A unit at the top of the tree would lie outside every committee admin's scope.
            form.base_fields["parent"].required = True
            form.base_fields["parent"].error_messages["required"] = _(
                "请选择上级组织（在您管理的范围内）。"
            )
        return form

    def save_model(self, request, obj, form, change):
        if change and "parent" in form.changed_data:
            services.unit_move(unit=obj, parent=obj.parent)
        else:
            super().save_model(request, obj, form, change)


class MemberAdminForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = (
            "name",
            "number",
            "category",
            "standing",
            "joined_on",
            "phone",
            "email",
            "is_active",
            "branch",
            "party_group",
            "user",
        )

    def clean(self):
        cleaned = super().clean()
        branch = cleaned.get("branch") or getattr(self.instance, "branch", None)
        group = cleaned.get("party_group")
        if group is not None and branch is not None and group.parent_id != branch.pk:
            raise ValidationError({"party_group": _("党小组不属于所在支部。")})
        return cleaned


@admin.register(Member)
class MemberAdmin(ScopedAdmin, admin.ModelAdmin):
    scope_path = "branch__path"
    list_display = ("name", "number", "branch", "category", "standing", "is_active")
    list_filter = ("standing", "category", "is_active")
    search_fields = ("name", "number")
    autocomplete_fields = ("branch", "party_group", "user")
    list_select_related = ("branch",)

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        # Moving a member is a transfer with its history (the member's move page).
        return (*fields, "branch") if obj is not None else fields

    form = MemberAdminForm


@admin.register(MemberTransfer)
class MemberTransferAdmin(ScopedAdmin, admin.ModelAdmin):
    """History: read-only for everyone; transfers are written by `member_move`."""

    scope_path = "member__branch__path"
    scope_read_only = True
    list_display = ("member", "from_branch", "to_branch", "moved_at", "reason")
    list_select_related = ("member", "from_branch", "to_branch")

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # history is not rewritten

    def has_delete_permission(self, request, obj=None):
        return False
