"""Opinions in the back office: superusers only (committee admins work in the sorting,
mailbox and survey pages), except the opinion list, which committee admins read in
their scope (`accounts.admin.ScopedAdmin`). Sources are never shown here:
an opinion's contact and source, an e-mail's sender and the names of its dropped
attachments, a talk's participants and notes are left out of every admin page, and
the opinion list goes through `access.visible_opinions`, so an admin never
reads an opinion about themself.
Survey invitations and answers are not in the back office at all: nothing should
put them side by side. Nothing here deletes an opinion; the sorting pages set it
aside instead."""

from django.contrib import admin

from vanguard.accounts.admin import ScopedAdmin
from vanguard.opinions import access
from vanguard.opinions.models import (
    Aspect,
    EmailMessage,
    FeedbackAcknowledgement,
    Mailbox,
    Opinion,
    OpinionRecord,
    OpinionRound,
    OpinionSettings,
    Survey,
)


class NoDelete:
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OpinionSettings)
class OpinionSettingsAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("campaign", "min_respondents", "criticism_threshold")


@admin.register(Aspect)
class AspectAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "key", "campaign", "order")
    list_filter = ("campaign",)


@admin.register(Opinion)
class OpinionAdmin(NoDelete, ScopedAdmin, admin.ModelAdmin):
    list_display = ("__str__", "branch", "channel", "round", "subject_kind", "kind", "status")
    list_filter = ("status", "channel", "kind", "round")
    search_fields = ("text",)
    exclude = ("contact", "source", "email", "record")
    raw_id_fields = ("campaign", "branch", "subject_member", "subject_unit", "merged_into")
    readonly_fields = ("received_on",)
    # Committee admins read opinions in their scope here; they sort them in the sorting pages.
    scope_path = "branch__path"
    scope_read_only = True

    def scope_queryset(self, request, queryset):
        scoped = super().scope_queryset(request, queryset)
        return scoped.filter(pk__in=access.visible_opinions(request.user).values("pk"))


@admin.register(OpinionRecord)
class OpinionRecordAdmin(NoDelete, ScopedAdmin, admin.ModelAdmin):
    list_display = ("__str__", "branch", "kind", "held_on", "round")
    list_filter = ("kind", "round")
    exclude = ("participants", "notes")
    raw_id_fields = ("campaign", "branch", "recorded_by")


@admin.register(Mailbox)
class MailboxAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("address", "campaign", "branch", "is_active", "last_polled_at")
    exclude = ("password",)
    raw_id_fields = ("campaign", "branch")


@admin.register(EmailMessage)
class EmailMessageAdmin(NoDelete, ScopedAdmin, admin.ModelAdmin):
    list_display = ("subject", "campaign", "received_on")
    exclude = ("sender", "message_id_hash", "attachment_notes")
    raw_id_fields = ("campaign", "mailbox")


@admin.register(Survey)
class SurveyAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("title", "branch", "round", "is_open")
    list_filter = ("is_open", "round")
    raw_id_fields = ("campaign", "branch")


@admin.register(OpinionRound)
class OpinionRoundAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("branch", "campaign", "number", "opened_on", "opened_by")
    raw_id_fields = ("campaign", "branch", "opened_by")


@admin.register(FeedbackAcknowledgement)
class FeedbackAcknowledgementAdmin(ScopedAdmin, admin.ModelAdmin):
    list_display = ("member", "campaign", "acknowledged_at")
    raw_id_fields = ("campaign", "member")
