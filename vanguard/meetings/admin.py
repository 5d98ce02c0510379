from django.contrib import admin

from vanguard.accounts.admin import CommitteeAdminOnly
from vanguard.meetings.models import Meeting, MeetingAttendance


class MeetingAttendanceInline(admin.TabularInline):
    model = MeetingAttendance
    extra = 0
    autocomplete_fields = ("member",)


@admin.register(Meeting)
class MeetingAdmin(CommitteeAdminOnly, admin.ModelAdmin):
    list_display = ("title", "kind", "unit", "held_at", "campaign", "phase")
    list_filter = ("kind", "campaign")
    search_fields = ("title", "unit__name")
    date_hierarchy = "held_at"
    autocomplete_fields = ("unit",)
    list_select_related = ("unit", "campaign", "phase")
    readonly_fields = ("created_by", "created_at", "updated_at")
    inlines = (MeetingAttendanceInline,)
