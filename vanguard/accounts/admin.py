"""Django admin: the back office. It gives nobody more than their scope on the site.

A superuser (the university's organisation department, `createsuperuser`) sees
everything. A committee admin who is not a superuser gets in only where a
ModelAdmin names its scope (`scope_path`, the lookup from its model to the path of
the unit that decides who may see a row): the organisation set-up that has no
in-app page — units, members' logins, users and role grants. Every other model is
kept in the in-app pages (campaign management, meetings, study, opinions,
notices), which go through each app's `access.py`; its ModelAdmin is
superusers-only. Inside a scoped ModelAdmin, a committee admin sees and changes only
rows under their units, every foreign key offers (and accepts) only what the
related ModelAdmin would show them, superuser, staff, group and permission flags
are read-only, and a role grant or a new login is checked by `accounts.access`
(`check_role_grant`, `check_new_login`) before `accounts.services` saves it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from vanguard.accounts import access, services
from vanguard.accounts.forms import AdminLoginForm
from vanguard.accounts.models import ApiToken, Role, RoleAssignment, User


def _admin_has_permission(request) -> bool:
    return request.user.is_active and access.can_use_admin(request.user)


admin.site.has_permission = _admin_has_permission  # type: ignore[method-assign]
admin.site.login_form = AdminLoginForm  # refuses an over-long user name (forms.py)


def _is_superuser(request) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


class ScopedAdmin:
    """Superusers only, unless the ModelAdmin names `scope_path`; then committee admins
    too, each limited to the rows under their units. `scope_read_only` keeps a scoped
    model read-only for non-superusers (history, records kept by in-app pages)."""

    scope_path: str | None = None
    scope_read_only = False

    # -- who gets in ------------------------------------------------------------

    def _opens_to(self, request) -> bool:
        if _is_superuser(request):
            return True
        return self.scope_path is not None and access.can_use_admin(request.user)

    def _writes(self, request) -> bool:
        return _is_superuser(request) or (self._opens_to(request) and not self.scope_read_only)

    def scope_queryset(self, request, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """The rows this person may see; override when a path lookup is not enough."""
        if _is_superuser(request):
            return queryset
        if not self._opens_to(request):
            return queryset.none()
        assert self.scope_path is not None
        return queryset.filter(access.admin_scope(request.user, self.scope_path))

    def get_queryset(self, request):
        return self.scope_queryset(request, super().get_queryset(request))  # type: ignore[misc]

    def in_scope(self, request, obj) -> bool:
        if _is_superuser(request):
            return True
        manager = type(obj)._default_manager
        return self.scope_queryset(request, manager.all()).filter(pk=obj.pk).exists()

    def has_module_permission(self, request):
        return self._opens_to(request)

    def has_view_permission(self, request, obj=None):
        return self._opens_to(request) and (obj is None or self.in_scope(request, obj))

    def has_add_permission(self, request, *args):
        return self._writes(request)

    def has_change_permission(self, request, obj=None):
        return self._writes(request) and (obj is None or self.in_scope(request, obj))

    def has_delete_permission(self, request, obj=None):
        return self._writes(request) and (obj is None or self.in_scope(request, obj))

    # -- what a form offers -------------------------------------------------------

    def get_field_queryset(self, db, db_field, request):
        """A foreign key (or many-to-many) offers, and validates against, what the related
        model's own ModelAdmin shows this person: nothing, if that model is not theirs to
        see in the back office. A typed-in id (raw id field, crafted POST) outside the
        scope is then an invalid choice."""
        if _is_superuser(request):
            return super().get_field_queryset(db, db_field, request)  # type: ignore[misc]
        model = db_field.remote_field.model
        try:
            related_admin = self.admin_site.get_model_admin(model)  # type: ignore[attr-defined]
        except NotRegistered:
            return model._default_manager.none()
        return related_admin.get_queryset(request)


# --- Users -----------------------------------------------------------------------

PRIVILEGED_USER_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")


class ScopedUserCreationForm(DjangoUserAdmin.add_form):  # type: ignore[name-defined,misc]
    """A committee admin's new login belongs to something in their scope from the start:
    a member without a login, or a first role over one of their units."""

    member: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, label=_("对应党员（尚无登录账号）")
    )
    role = forms.ChoiceField(choices=[("", "---------"), *Role.choices], required=False)
    unit: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, label=_("角色范围")
    )

    def __init__(self, *args: Any, members: QuerySet[Any], units: QuerySet[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["role"].label = _("角色")

    def clean(self):
        cleaned = super().clean()
        has_role = bool(cleaned.get("role")) and cleaned.get("unit") is not None
        if cleaned.get("member") is None and not has_role:
            raise ValidationError(_("请选择这个账号对应的党员，或授予它一个您管理范围内的角色。"))
        return cleaned


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    scope_path = "member__branch__path"  # see scope_queryset: role holders count too
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (None, {"fields": ("display_name",)}),
    )

    def scope_queryset(self, request, queryset):
        if _is_superuser(request):
            return queryset
        if not self._opens_to(request):
            return queryset.none()
        return queryset.filter(pk__in=access.admin_users(request.user).values("pk"))

    def has_change_permission(self, request, obj=None):
        # Covers the password form too (Django's user_change_password asks this).
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or access.can_manage_user(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or access.can_manage_user(request.user, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).distinct()

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if _is_superuser(request):
            return fields
        return fields + PRIVILEGED_USER_FIELDS

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None and not _is_superuser(request):
            return (*fieldsets, (_("归属"), {"fields": ("member", "role", "unit")}))
        return fieldsets

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None or _is_superuser(request):
            return super().get_form(request, obj, **kwargs)
        form = super().get_form(request, obj, form=ScopedUserCreationForm, **kwargs)
        members = self._related_admin("Member").get_queryset(request).filter(user__isnull=True)
        units = self._related_admin("Unit").get_queryset(request)

        class Form(form):  # type: ignore[valid-type,misc]
            def __init__(self, *args: Any, **kw: Any) -> None:
                super().__init__(*args, members=members, units=units, **kw)

        return Form

    def _related_admin(self, model_name: str) -> Any:
        # accounts imports no other app: the organisation's models are found by name.
        return self.admin_site.get_model_admin(apps.get_model("organization", model_name))

    def save_model(self, request, obj, form, change):
        if change or _is_superuser(request):
            super().save_model(request, obj, form, change)
            return
        attached = {
            "member": form.cleaned_data.get("member"),
            "role": form.cleaned_data.get("role") or None,
            "unit": form.cleaned_data.get("unit"),
        }
        # Checked before the login is saved: a refusal leaves nothing behind.
        access.check_new_login(request.user, **attached)
        super().save_model(request, obj, form, change)
        services.user_attach(actor=request.user, user=obj, **attached)


# --- Role grants -----------------------------------------------------------------


class RoleAssignmentForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ("user", "role", "unit", "note")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ScopedAdmin, admin.ModelAdmin):
    scope_path = "unit__path"
    form = RoleAssignmentForm
    list_display = ("user", "role", "unit", "granted_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__display_name", "unit__name")
    autocomplete_fields = ("user", "unit")

    def save_model(self, request, obj, form, change):
        # The unit and user choices are already limited to the scope; checked again here,
        # with the grant as it is stored, so no door grants a role above the granter's.
        access.check_role_grant(request.user, obj)
        services.role_grant_save(assignment=obj)


# --- API tokens ------------------------------------------------------------------


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdmin, admin.ModelAdmin):
    """Superusers only: a token is its owner's business (they revoke it at /accounts/tokens/)."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "created_at", "last_used_at")
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")

    def has_add_permission(self, request, *args):
        return False  # tokens are made by their owner, who alone sees the raw key
