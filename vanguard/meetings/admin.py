"""Meetings in the back office: superusers only (`accounts.admin.ScopedAdmin` with no
scope); committee admins keep meetings in the meetings pages."""

from django.contrib import admin

from vanguard.accounts.admin import ScopedAdmin
from vanguard.meetings.models import Meeting, MeetingAttendance


class MeetingAttendanceInline(admin.TabularInline):
    model = MeetingAttendance
    extra = 0
    autocomplete_fields = ("member",)


@admin.register(Meeting)
class MeetingAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("title", "kind", "unit", "held_at", "campaign", "phase")
    list_filter = ("kind", "campaign")
    search_fields = ("title", "unit__name")
    date_hierarchy = "held_at"
    autocomplete_fields = ("unit",)
    list_select_related = ("unit", "campaign", "phase")
    readonly_fields = ("created_by", "created_at", "updated_at")
    inlines = (MeetingAttendanceInline,)
