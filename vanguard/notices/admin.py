"""Notices in the back office: superusers only (`accounts.admin.ScopedAdmin` with no
scope); committee admins publish notices in the notices pages."""

from django.contrib import admin

from vanguard.accounts.admin import ScopedAdmin
from vanguard.notices.models import Notice, Notification


@admin.register(Notice)
class NoticeAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("title", "unit", "published_at", "published_by")
    search_fields = ("title",)
    raw_id_fields = ("unit", "campaign", "published_by")


@admin.register(Notification)
class NotificationAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("user", "text", "created_at", "read_at")
    raw_id_fields = ("user",)
