"""Study records in the back office: superusers only (`accounts.admin.ScopedAdmin` with
no scope; committee admins use the study pages); members' own text is not edited
here, only looked at."""

from django.contrib import admin

from vanguard.accounts.admin import ScopedAdmin
from vanguard.study.models import Attendance, StudyPlan, StudySession, StudyWork


@admin.register(StudyPlan)
class StudyPlanAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("title", "branch", "campaign", "submitted_at")
    list_filter = ("campaign",)
    search_fields = ("title", "branch__name")
    raw_id_fields = ("branch", "campaign", "submitted_by")
    list_select_related = ("branch", "campaign")


@admin.register(StudySession)
class StudySessionAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("topic", "kind", "unit", "starts_at")
    list_filter = ("kind", "campaign")
    search_fields = ("topic", "unit__name")
    raw_id_fields = ("unit", "campaign", "plan")
    list_select_related = ("unit",)


@admin.register(Attendance)
class AttendanceAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("session", "member", "status", "method", "recorded_at")
    list_filter = ("status", "method")
    raw_id_fields = ("session", "member")
    list_select_related = ("session", "member")


@admin.register(StudyWork)
class StudyWorkAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("title", "kind", "member", "submitted_at", "reviewed_at")
    list_filter = ("kind", "campaign")
    search_fields = ("title", "member__name", "member__number")
    raw_id_fields = ("member", "campaign", "reviewed_by")
    list_select_related = ("member",)
    readonly_fields = (
        "body",
        "attachment",
        "attachment_name",
        "attachment_type",
        "upload_token",
        "version",
    )
