"""Writes of the notices app: publishing notices (通知), in-app notifications (提醒)
with their e-mails, deadline reminders, the daily digest, and calendar-feed secrets.

Notifications are de-duplicated by their `key`: a reminder already sent for a
phase's deadline is not sent again, so the reminder command can run as often as
it likes.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection, send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.accounts.access import Placed, holders
from vanguard.accounts.models import Role, RoleAssignment, User
from vanguard.audit.models import AuditEntry
from vanguard.audit.services import audit_record_many, snapshot
from vanguard.campaigns import progress
from vanguard.campaigns.models import Campaign, Phase
from vanguard.notices import access
from vanguard.notices.models import (
    CalendarFeed,
    DigestSent,
    Notice,
    NoticePreference,
    Notification,
)
from vanguard.notices.outgoing import mail_off_flag as _mail_off  # shared with notices.chat
from vanguard.notices.outgoing import site_language
from vanguard.organization.models import Member, Unit


def _url(name: str, *args: Any) -> str:
    """A link to a page another part of the system may not provide."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@dataclass(frozen=True)
class Message:
    user_id: int
    text: str
    url: str
    key: str
    email: str = ""
    subject: str = ""
    body: str = ""


@contextlib.contextmanager
def mail_off() -> Iterator[None]:
    """Within the block, notifications stay in the app and nobody is e-mailed (the
    demo: its people and their addresses are made up)."""
    token = _mail_off.set(True)
    try:
        yield
    finally:
        _mail_off.reset(token)


def email_preferences(user_ids: Iterable[int]) -> dict[int, str]:
    """{user id: NoticePreference.Email value} (EACH for those who never chose)."""
    ids = list(set(user_ids))
    chosen = dict(NoticePreference.objects.filter(user_id__in=ids).values_list("user_id", "email"))
    return {pk: chosen.get(pk, NoticePreference.Email.EACH) for pk in ids}


def email_addresses(user_ids: Iterable[int]) -> dict[int, str]:
    """{user id: address} of active logins with one: the address on their member
    record first (the roster's, kept by the branch), else their login's."""
    ids = list(set(user_ids))
    own = dict(
        Member.objects.filter(user_id__in=ids).exclude(email="").values_list("user_id", "email")
    )
    found: dict[int, str] = {}
    for pk, account in User.objects.filter(pk__in=ids, is_active=True).values_list("pk", "email"):
        address = own.get(pk) or account or ""
        if address:
            found[pk] = address
    return found


SUBJECT_TEXT = 40  # characters of a notification's text in its e-mail's subject


def default_subject(text: str) -> str:
    short = text if len(text) <= SUBJECT_TEXT else text[: SUBJECT_TEXT - 1] + "…"
    return _("【先锋】%(text)s") % {"text": short}


@transaction.atomic
def notify_many(messages: Iterable[Message]) -> list[Message]:
    """The one way anything tells a person something: create the in-app notifications
    not sent before (by user and key) and e-mail them as each person chose
    (`NoticePreference`): at once (EACH), in the daily digest (DIGEST,
    `notice_digest_send`), or not at all (NONE). A message's own address is used
    when it has one, else the person's (`email_addresses`); its own subject and body
    when it has them, else ones made from its text. Returns the messages that were
    new."""
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
    if not new:
        return []
    mails: list[tuple[str, str, str, list[str]]] = []
    mailed: set[int] = set()  # indexes into `new`
    if not _mail_off.get():
        wanted = {
            pk
            for pk, choice in email_preferences(m.user_id for m in new).items()
            if choice == NoticePreference.Email.EACH
        }
        addresses = email_addresses(m.user_id for m in new if m.user_id in wanted and not m.email)
        with site_language():
            for index, m in enumerate(new):
                address = m.email or addresses.get(m.user_id, "")
                if m.user_id not in wanted or not address:
                    continue
                subject = m.subject or default_subject(m.text)
                body = m.body or mail_body(m.text, m.url)
                mails.append((subject, body, settings.DEFAULT_FROM_EMAIL, [address]))
                mailed.add(index)
    now = timezone.now()
    created = Notification.objects.bulk_create(
        [
            Notification(
                user_id=m.user_id,
                text=m.text[:300],
                url=m.url,
                key=m.key,
                mailed_at=now if index in mailed else None,
            )
            for index, m in enumerate(new)
        ],
        batch_size=1000,
    )
    audit_record_many(
        action=AuditEntry.Action.CREATE,
        changes=[(obj, None, snapshot(obj)) for obj in created],
    )
    if mails:
        # Sent after the rows are committed: a failed send must not undo the record.
        transaction.on_commit(functools.partial(_send_mails, mails))
    return new


def _send_mails(mails: list[tuple[str, str, str, list[str]]]) -> None:
    """Hand the e-mails to the background worker (inline without one)."""
    from vanguard.notices.tasks import send_mails

    send_mails.enqueue([list(mail) for mail in mails])


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
    from vanguard.notices.chat.services import chat_notice_published

    chat_notice_published(notice)  # and to the group chats of the unit and below
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
    from vanguard.notices.chat.services import chat_deadline_reminders

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
        chat_deadline_reminders(phase=phase, branches=branches)  # counts, to group chats
    return notify_many(messages)


def mail_link(url: str) -> str:
    """A page's address as a mail carries it: whole, under settings.SITE_URL, so a
    mail client can follow it."""
    return settings.SITE_URL + url if url.startswith("/") else url


def mail_body(text: str, url: str) -> str:
    lines = [text]
    if url:
        lines += ["", _("详情请登录先锋系统查看：%(url)s") % {"url": mail_link(url)}]
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
            # Members are counted done only where the phase asks something of them
            # (members_required), as on every dashboard.
            line = (
                _(
                    "%(unit)s · %(campaign)s：完成度 %(percent)s%%，"
                    "%(met)s/%(branches)s个支部已完成本阶段要求，"
                    "%(complete)s/%(members)s名党员已完成个人要求，"
                    "%(silent)s名党员尚无任何提交。"
                )
                if summary.members_required
                else _(
                    "%(unit)s · %(campaign)s：完成度 %(percent)s%%，"
                    "%(met)s/%(branches)s个支部已完成本阶段要求，本阶段无个人要求，"
                    "%(silent)s名党员尚无任何提交。"
                )
            )
            cache[key] = [
                line
                % {
                    "unit": unit.name,
                    "campaign": campaign.name,
                    "percent": summary.percent,
                    "met": summary.branches_met,
                    "branches": summary.branch_count,
                    "complete": summary.members_complete,
                    "members": summary.members_required,
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
    for user_id, choice in email_preferences(by_user).items():
        if choice == NoticePreference.Email.NONE:  # in-app only: no e-mail of any kind
            del by_user[user_id]
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
    _chat_daily_digest(today, cache)
    return len(mails)


def _chat_daily_digest(today: datetime.date, cache: dict[tuple[int, int], list[str]]) -> None:
    """Each unit's digest line to its group chats too (rates and counts, no names)."""
    from vanguard.campaigns.selectors import active_campaign_for_unit
    from vanguard.notices.chat.services import chat_daily_digest

    def lines_of(unit: Unit) -> list[str]:
        if active_campaign_for_unit(unit.path) is None:
            return []
        return _digest_lines(unit, cache)

    with site_language():
        chat_daily_digest(today=today, lines_of=lines_of)


# --- E-mail preference and the notifications' daily digest ----------------------------


def notice_preference_set(*, user: User, email: str) -> NoticePreference:
    """The person chooses how their notifications are e-mailed. A personal setting,
    not a record of the campaign: it is not audited (like reading a notification)."""
    if email not in NoticePreference.Email.values:
        raise ValidationError({"email": _("请选择一种提醒方式。")})
    preference, _created = NoticePreference.objects.update_or_create(
        user=user, defaults={"email": email}
    )
    return preference


DIGEST_BACKLOG_DAYS = 7  # a digest also lists what missed earlier runs, up to a week back


def _digest_body(notifications: list[Notification], day: datetime.date) -> str:
    lines = [
        _("您在先锋系统中有 %(count)s 条新提醒：") % {"count": len(notifications)},
    ]
    current: datetime.date | None = None
    for n in notifications:
        created = timezone.localdate(n.created_at)
        if created != current:
            current = created
            lines += ["", created.isoformat()]
        stamp = timezone.localtime(n.created_at).strftime("%H:%M")
        lines.append(_("· %(time)s %(text)s") % {"time": stamp, "text": n.text})
        if n.url:
            lines.append(f"  {mail_link(n.url)}")
    lines += ["", _("可在“通知”页面更改提醒方式。")]
    return "\n".join(lines)


def notice_digest_send(*, today: datetime.date | None = None) -> int:
    """E-mail each person who chose the daily digest one mail listing their
    notifications not yet e-mailed (the day's, and any an earlier run missed, up to
    a week back). At most one digest per person and day, however often it runs: the
    `DigestSent` row is written with the notifications marked mailed, in one
    transaction, and the mail goes after it commits. Returns the number of mails."""
    today = today or timezone.localdate()
    end = timezone.make_aware(
        datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time.min)
    )
    start = end - datetime.timedelta(days=DIGEST_BACKLOG_DAYS + 1)
    users = list(
        NoticePreference.objects.filter(email=NoticePreference.Email.DIGEST, user__is_active=True)
        .exclude(user__notice_digests__day=today)
        .values_list("user_id", flat=True)
        .order_by("user_id")
    )
    if _mail_off.get() or not users:
        return 0
    addresses = email_addresses(users)
    sent = 0
    with site_language():
        subject = _("【先锋】每日提醒摘要（%(date)s）") % {"date": today.isoformat()}
        for user_id in users:
            address = addresses.get(user_id)
            if not address:
                continue
            with transaction.atomic():
                pending = list(
                    Notification.objects.filter(
                        user_id=user_id,
                        mailed_at__isnull=True,
                        created_at__gte=start,
                        created_at__lt=end,
                    ).order_by("created_at", "pk")
                )
                if not pending:
                    continue
                _sent, created = DigestSent.objects.get_or_create(
                    user_id=user_id, day=today, defaults={"count": len(pending)}
                )
                if not created:  # another run got there first
                    continue
                Notification.objects.filter(pk__in=[n.pk for n in pending]).update(
                    mailed_at=timezone.now()
                )
                mail = (
                    subject,
                    _digest_body(pending, today),
                    settings.DEFAULT_FROM_EMAIL,
                    [address],
                )
                transaction.on_commit(functools.partial(_send_mails, [mail]))
            sent += 1
    return sent
