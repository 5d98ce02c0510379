"""Campaigns in the back office: superusers only (`accounts.admin.ScopedAdmin` with no
scope); committee admins edit campaigns in their scope in the pages of `views_manage`."""

from django.contrib import admin

from vanguard.accounts.admin import ScopedAdmin
from vanguard.campaigns.models import Campaign, Phase, PhaseTransition, Requirement


class PhaseInline(ScopedAdmin, admin.TabularInline):
    model = Phase
    extra = 0
    fields = ("order", "key", "name", "starts_on", "ends_on", "status")


@admin.register(Campaign)
class CampaignAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "kind", "year", "unit", "status")
    list_filter = ("kind", "status", "year")
    search_fields = ("name",)
    raw_id_fields = ("unit", "cloned_from")
    inlines = [PhaseInline]


class RequirementInline(ScopedAdmin, admin.TabularInline):
    model = Requirement
    extra = 0
    fields = ("order", "kind", "scope", "params", "label")


@admin.register(Phase)
class PhaseAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "campaign", "order", "starts_on", "ends_on", "status")
    list_filter = ("status", "key")
    inlines = [RequirementInline]


@admin.register(PhaseTransition)
class PhaseTransitionAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("branch", "from_phase", "to_phase", "approved_by", "requirements_met", "at")
    list_filter = ("requirements_met",)
    raw_id_fields = ("branch", "approved_by")
    readonly_fields = ("at",)
