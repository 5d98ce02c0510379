"""Writes of the notices app: publishing notices (通知), in-app notifications (提醒)
with their e-mails, deadline reminders, the daily digest, and calendar-feed secrets.

Notifications are de-duplicated by their `key`: a reminder already sent for a
phase's deadline is not sent again, so the reminder command can run as often as
it likes.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection, send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vanguard.accounts.access import Placed, holders
from vanguard.accounts.models import Role, RoleAssignment, User
from vanguard.audit.models import AuditEntry
from vanguard.audit.services import audit_record_many, snapshot
from vanguard.campaigns import progress
from vanguard.campaigns.models import Campaign, Phase
from vanguard.notices import access
from vanguard.notices.models import CalendarFeed, Notice, Notification
from vanguard.organization.models import Member, Unit


def _url(name: str, *args: Any) -> str:
    """A link to a page another part of the system may not provide."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def site_language() -> Any:
    """Stored texts and e-mails are written in the site's own language (Chinese)."""
    return translation.override(settings.LANGUAGE_CODE)


@dataclass(frozen=True)
class Message:
    user_id: int
    text: str
    url: str
    key: str
    email: str = ""
    subject: str = ""
    body: str = ""


@transaction.atomic
def notify_many(messages: Iterable[Message]) -> list[Message]:
    """Create the in-app notifications not sent before (by user and key) and e-mail
    them; returns the messages that were new."""
    messages = list(messages)
    if not messages:
        return []
    keys = {m.key for m in messages if m.key}
    seen = set(
        Notification.objects.filter(
            user_id__in={m.user_id for m in messages}, key__in=keys
        ).values_list("user_id", "key")
    )
    new: list[Message] = []
    for message in messages:
        if message.key and (message.user_id, message.key) in seen:
            continue
        seen.add((message.user_id, message.key))
        new.append(message)
    created = Notification.objects.bulk_create(
        [Notification(user_id=m.user_id, text=m.text[:300], url=m.url, key=m.key) for m in new],
        batch_size=1000,
    )
    audit_record_many(
        action=AuditEntry.Action.CREATE,
        changes=[(obj, None, snapshot(obj)) for obj in created],
    )
    mails = [
        (m.subject, m.body, settings.DEFAULT_FROM_EMAIL, [m.email])
        for m in new
        if m.email and m.subject
    ]
    if mails:
        # Sent after the rows are committed: a failed send must not undo the record.
        transaction.on_commit(lambda: send_mass_mail(mails, connection=get_connection()))
    return new


# --- Notices ------------------------------------------------------------------


def notice_recipients(unit: Unit) -> set[int]:
    """Everyone a notice to `unit` reaches: members of the branches below it who log
    in, and the officers of the units below it."""
    members = Member.objects.filter(
        branch__path__startswith=unit.path, is_active=True, user__isnull=False
    ).values_list("user_id", flat=True)
    officers = holders(unit, Role.values, within=True).values_list("pk", flat=True)
    return set(members) | set(officers)


@transaction.atomic
def notice_publish(
    *, unit: Unit, title: str, body: str, actor: User, campaign: Campaign | None = None
) -> Notice:
    """Publish a notice to a unit and everything below it, with an in-app
    notification for each person it reaches."""
    if not access.can_publish_notice(actor, unit):
        raise ValidationError({"unit": _("您不能向“%(unit)s”发布通知。") % {"unit": unit.name}})
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise ValidationError({"title": _("请填写通知标题。")})
    if not body:
        raise ValidationError({"body": _("请填写通知正文。")})
    notice = Notice(unit=unit, title=title, body=body, campaign=campaign, published_by=actor)
    notice.full_clean()
    notice.save()
    url = _url("notices:detail", notice.pk)
    with site_language():
        text = _("新通知：%(title)s") % {"title": title}
    notify_many(
        Message(user_id=user_id, text=text, url=url, key=f"notice:{notice.pk}")
        for user_id in sorted(notice_recipients(unit) - {actor.pk})
    )
    return notice


def notification_mark_read(*, user: User, pk: int | None = None) -> int:
    """Mark one of the person's notifications (or all of them) read. A personal
    reading marker, not a record of the campaign: it is not audited."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if pk is not None:
        unread = unread.filter(pk=pk)
    return unread.update(read_at=timezone.now())


def notifications_mark_read_for_notice(*, user: User, notice: Notice) -> int:
    return Notification.objects.filter(
        user=user, key=f"notice:{notice.pk}", read_at__isnull=True
    ).update(read_at=timezone.now())


# --- Calendar feed ------------------------------------------------------------


@transaction.atomic
def calendar_feed_regenerate(*, user: User) -> CalendarFeed:
    """Make the person's secret feed URL, or replace it (the old URL stops working)."""
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is None:
        feed = CalendarFeed(user=user)
    feed.token = secrets.token_urlsafe(32)
    feed.save()
    return feed


# --- Deadline reminders -------------------------------------------------------


def _emails_of(member_ids: Iterable[int]) -> dict[int, tuple[int, str]]:
    """{member id: (user id, e-mail)} for members who log in."""
    rows = Member.objects.filter(pk__in=list(member_ids), user__isnull=False).values_list(
        "pk", "user_id", "email", "user__email"
    )
    return {pk: (user_id, own or account or "") for pk, user_id, own, account in rows}


def _secretaries(branch: Placed) -> list[tuple[int, str]]:
    """[(user id, e-mail)] of the branch's secretaries, to be told it lags behind."""
    rows = (
        holders(branch, [Role.BRANCH_SECRETARY])
        .order_by("pk")
        .values_list("pk", "email", "member__email")
    )
    return [(user_id, own or account or "") for user_id, account, own in rows]


def phases_ending_soon(*, today: datetime.date, days: int) -> list[Phase]:
    return list(
        Phase.objects.filter(
            status=Phase.Status.OPEN,
            campaign__status=Campaign.Status.ACTIVE,
            ends_on__gte=today,
            ends_on__lte=today + datetime.timedelta(days=days),
        )
        .select_related("campaign", "campaign__unit")
        .order_by("ends_on", "pk")
    )


def reminders_send(*, today: datetime.date | None = None, days: int = 3) -> list[Message]:
    """Remind each member (and each branch secretary) whose branch is in an open phase
    ending within `days` days, and who has not met its requirements. Returns the
    reminders that were new (a second run returns none)."""
    today = today or timezone.localdate()
    messages: list[Message] = []
    for phase in phases_ending_soon(today=today, days=days):
        campaign = phase.campaign
        judged = progress.campaign_progress(campaign=campaign, roots=[campaign.unit])
        branches = [b for b in judged.branches if b.phase is not None and b.phase.pk == phase.pk]
        key = f"deadline:{phase.pk}:{phase.ends_on.isoformat()}"
        deadline = phase.ends_on.isoformat()
        members = {m.id: m for b in branches for m in b.members if m.missing}
        accounts = _emails_of(members)
        my_url = _url("campaigns:progress_me", campaign.pk)
        with site_language():
            subject = _("【先锋】“%(phase)s”阶段将于%(date)s截止") % {
                "phase": phase.name,
                "date": deadline,
            }
            for member_id, member in members.items():
                if member_id not in accounts:
                    continue
                user_id, email = accounts[member_id]
                missing = _("、").join(item.label for item in member.missing)
                text = _("“%(phase)s”阶段将于%(date)s截止，您尚未完成：%(missing)s。") % {
                    "phase": phase.name,
                    "date": deadline,
                    "missing": missing,
                }
                messages.append(
                    Message(user_id, text, my_url, key, email, subject, mail_body(text, my_url))
                )
            for branch in (b for b in branches if not b.met):
                unmet = _("、").join(branch.unmet_labels) or _("部分党员的要求")
                incomplete = sum(not m.complete for m in branch.members)
                text = _(
                    "“%(phase)s”阶段将于%(date)s截止，%(branch)s尚未完成：%(unmet)s"
                    "（%(count)s名党员未完成个人要求）。"
                ) % {
                    "phase": phase.name,
                    "date": deadline,
                    "branch": branch.name,
                    "unmet": unmet,
                    "count": incomplete,
                }
                url = _url("campaigns:progress_unit", campaign.pk, branch.id)
                for user_id, email in _secretaries(branch):
                    messages.append(
                        Message(
                            user_id,
                            text,
                            url,
                            f"{key}:branch:{branch.id}",
                            email,
                            subject,
                            mail_body(text, url),
                        )
                    )
    return notify_many(messages)


def mail_body(text: str, url: str) -> str:
    lines = [text]
    if url:
        lines += ["", _("详情请登录先锋系统查看：%(url)s") % {"url": url}]
    return "\n".join(lines)


# --- Daily digest -------------------------------------------------------------

DIGEST_ROLES = (
    Role.COMMITTEE_ADMIN,
    Role.SUPERVISOR,
    Role.GENERAL_BRANCH_SECRETARY,
    Role.BRANCH_SECRETARY,
)


def _digest_lines(unit: Unit, cache: dict[tuple[int, int], list[str]]) -> list[str]:
    from vanguard.campaigns.selectors import active_campaign_for_unit

    campaign = active_campaign_for_unit(unit.path)
    if campaign is None:
        return [_("%(unit)s：当前没有进行中的活动。") % {"unit": unit.name}]
    key = (campaign.pk, unit.pk)
    if key not in cache:
        judged = progress.campaign_progress(campaign=campaign, roots=[unit])
        summary = judged.units.get(unit.pk)
        if summary is None:
            cache[key] = []
        else:
            cache[key] = [
                _(
                    "%(unit)s · %(campaign)s：完成度 %(percent)s%%，"
                    "%(met)s/%(branches)s个支部已完成本阶段要求，"
                    "%(complete)s/%(members)s名党员已完成个人要求，"
                    "%(silent)s名党员尚无任何提交。"
                )
                % {
                    "unit": unit.name,
                    "campaign": campaign.name,
                    "percent": summary.percent,
                    "met": summary.branches_met,
                    "branches": summary.branch_count,
                    "complete": summary.members_complete,
                    "members": summary.members_total,
                    "silent": summary.silent_members,
                }
            ]
            lagging = [b for b in judged.lagging][:5]
            if lagging:
                cache[key].append(
                    _("进度落后的支部：%(names)s")
                    % {
                        "names": _("、").join(
                            _("%(name)s（%(percent)s%%）") % {"name": b.name, "percent": b.percent}
                            for b in lagging
                        )
                    }
                )
    return cache[key]


def daily_digest_send(*, today: datetime.date | None = None) -> int:
    """E-mail each officer a summary of their scope's progress and the day's new
    notices. Returns the number of e-mails sent."""
    today = today or timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    end = start + datetime.timedelta(days=1)
    assignments = (
        RoleAssignment.objects.filter(
            role__in=DIGEST_ROLES, unit__is_active=True, user__is_active=True
        )
        .select_related("unit", "user")
        .order_by("user_id", "unit__path")
    )
    by_user: dict[int, tuple[User, list[Unit]]] = {}
    for assignment in assignments:
        user, units = by_user.setdefault(assignment.user_id, (assignment.user, []))
        if assignment.unit not in units:
            units.append(assignment.unit)
    own_emails = dict(
        Member.objects.filter(user_id__in=list(by_user), user__isnull=False)
        .exclude(email="")
        .values_list("user_id", "email")
    )
    cache: dict[tuple[int, int], list[str]] = {}
    mails = []
    with site_language():
        subject = _("【先锋】每日进展摘要（%(date)s）") % {"date": today.isoformat()}
        for user_id, (user, units) in by_user.items():
            email = own_emails.get(user_id) or user.email
            if not email:
                continue
            lines: list[str] = []
            for unit in units:
                lines += _digest_lines(unit, cache)
            notices = list(
                access.visible_notices(user)
                .filter(Q(published_at__gte=start) & Q(published_at__lt=end))
                .order_by("published_at")
            )
            if notices:
                lines += ["", _("今日新通知：")]
                lines += [
                    _("· %(title)s（%(unit)s）") % {"title": notice.title, "unit": notice.unit.name}
                    for notice in notices
                ]
            mails.append((subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [email]))
    if mails:
        send_mass_mail(mails, connection=get_connection())
    return len(mails)
