"""Writes of the group-chat robots: adding, testing, switching off and deleting a
unit's robots; the posts that notices and reminders make for them; and handing posts
to the worker (each attempt and its retries: `chat.sending`).

A post carries what a group chat may read and nothing more: a title, a count or a
short line, and a link to the page (under settings.SITE_URL). Never a member's name
beside anything secret, an opinion's text or its source, a ballot or a card code.
Each robot gets one post per event (its key), however often a reminder runs."""

from __future__ import annotations

import datetime
import functools
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.accounts.access import Person
from vanguard.campaigns.models import Phase
from vanguard.campaigns.progress import UnitProgress
from vanguard.lib.paths import path_prefixes
from vanguard.notices import access
from vanguard.notices.chat import webhooks
from vanguard.notices.chat.sending import MAX_ATTEMPTS
from vanguard.notices.chat.tasks import chat_post_deliver
from vanguard.notices.models import ChatPost, ChatRobot, Notice
from vanguard.notices.outgoing import mail_is_off, site_language
from vanguard.organization.models import Unit

BRANCH_LINES = 8  # lagging branches named in one reminder post; the rest counted


def _url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _refuse_unless_manager(actor: Person, unit: Unit) -> None:
    if not access.can_manage_chat_robots(actor, unit):
        raise ValidationError({"unit": _("您不能管理“%(unit)s”的群机器人。") % {"unit": unit.name}})


# --- Managing robots -------------------------------------------------------------


@transaction.atomic
def chat_robot_add(
    *, actor: Any, unit: Unit, kind: str, webhook_url: str, secret: str = "", name: str = ""
) -> ChatRobot:
    _refuse_unless_manager(actor, unit)
    url = webhooks.check_url(kind, webhook_url)
    secret = (secret or "").strip()
    if secret and kind != webhooks.DINGTALK:
        raise ValidationError({"secret": _("只有钉钉机器人使用加签密钥，企业微信机器人请留空。")})
    if len(secret) > 200 or any(c.isspace() for c in secret):
        raise ValidationError(
            {"secret": _("加签密钥应为钉钉机器人设置页上以 SEC 开头的一串字符。")}
        )
    robot = ChatRobot(
        unit=unit,
        kind=kind,
        name=(name or "").strip(),
        webhook_url=url,
        secret=secret,
        added_by=actor,
    )
    robot.full_clean()
    robot.save()
    return robot


@transaction.atomic
def chat_robot_set_active(*, actor: Person, robot: ChatRobot, active: bool) -> ChatRobot:
    """Switch a robot off (nothing more is posted, and posts waiting to be retried are
    dropped) or on again."""
    _refuse_unless_manager(actor, robot.unit)
    robot.is_active = active
    robot.save(update_fields=["is_active"])
    return robot


@transaction.atomic
def chat_robot_delete(*, actor: Person, robot: ChatRobot) -> None:
    _refuse_unless_manager(actor, robot.unit)
    robot.delete()


def chat_robot_test(*, actor: Person, robot: ChatRobot) -> ChatPost:
    """A test message (发送测试消息), sent once without retries. Handed to the worker
    at once, not when an enclosing transaction commits: inline (no worker) the page
    then says whether it arrived. Its one row is saved (committed) first."""
    _refuse_unless_manager(actor, robot.unit)
    with site_language():
        title = _("先锋系统测试消息")
        line = _("%(unit)s的群机器人已接入先锋系统，今后的通知和提醒将发到本群。") % {
            "unit": robot.unit.name
        }
    post = ChatPost.objects.create(
        robot=robot,
        key=f"test:{uuid.uuid4().hex}",
        title=title,
        text=line,
        url=_url("home"),
        max_attempts=1,
        next_attempt_at=timezone.now(),
    )
    _enqueue(post.pk)
    return post


# --- Posts made by notices and reminders --------------------------------------------


@dataclass(frozen=True)
class Draft:
    robot_id: int
    key: str
    title: str
    lines: Sequence[str]
    url: str = ""


def _robots(query: Q | None = None) -> list[ChatRobot]:
    robots = ChatRobot.objects.filter(is_active=True, unit__is_active=True)
    if query is not None:
        robots = robots.filter(query)
    return list(robots.select_related("unit").order_by("unit__path", "pk"))


@transaction.atomic
def chat_posts_create(drafts: Iterable[Draft]) -> list[ChatPost]:
    """Posts not made before (by robot and key), each sent by a task once the rows
    are committed. Nothing while notifications are kept in the app (`mail_off`: the
    demo)."""
    drafts = list(drafts)
    if not drafts or mail_is_off():
        return []
    seen = set(
        ChatPost.objects.filter(
            robot_id__in={d.robot_id for d in drafts}, key__in={d.key for d in drafts}
        ).values_list("robot_id", "key")
    )
    now = timezone.now()
    new = []
    for draft in drafts:
        if (draft.robot_id, draft.key) in seen:
            continue
        seen.add((draft.robot_id, draft.key))
        new.append(
            ChatPost(
                robot_id=draft.robot_id,
                key=draft.key,
                title=draft.title[:200],
                text="\n".join(draft.lines),
                url=draft.url,
                max_attempts=MAX_ATTEMPTS,
                next_attempt_at=now,
            )
        )
    created = ChatPost.objects.bulk_create(new)
    for post in created:
        transaction.on_commit(functools.partial(_enqueue, post.pk))
    return created


def chat_notice_published(notice: Notice) -> list[ChatPost]:
    """A notice to a unit, to the robots of that unit and of every unit below it: its
    title and who published it (the text is read in the system)."""
    robots = _robots(_under(notice.unit.path))
    if not robots:
        return []
    with site_language():
        title = _("新通知：%(title)s") % {"title": notice.title}
        line = _("%(unit)s发布，请登录先锋系统查看全文。") % {"unit": notice.unit.name}
    url = _url("notices:detail", notice.pk)
    return chat_posts_create(
        Draft(robot.pk, f"notice:{notice.pk}", title, [line], url) for robot in robots
    )


def _under(path: str) -> Q:
    return Q(unit__path__startswith=path)


def _above(paths: Iterable[str]) -> Q:
    prefixes = {prefix for path in paths for prefix in path_prefixes(path)}
    return Q(unit__path__in=prefixes)


def _branch_line(branch: UnitProgress) -> str:
    """'光学工程教工第一党支部：3名党员尚未完成“读书笔记”' — counts, never names."""
    missing = Counter(item.label for member in branch.members for item in member.missing)
    parts = [
        _("%(count)s名党员尚未完成“%(label)s”") % {"count": count, "label": label}
        for label, count in missing.items()
    ]
    parts += [
        _("支部尚未完成“%(label)s”") % {"label": label}
        for label in branch.unmet_labels
        if label not in missing
    ]
    if not parts:
        parts = [_("尚未完成本阶段要求")]
    return _("%(branch)s：%(parts)s") % {"branch": branch.name, "parts": _("；").join(parts)}


def chat_deadline_reminders(*, phase: Phase, branches: list[UnitProgress]) -> list[ChatPost]:
    """A phase ends soon and these branches (`UnitProgress`) have not met it: one post
    to each robot of such a branch or a unit above it, counting what is missing."""
    lagging = [b for b in branches if not b.met]
    robots = _robots(_above(b.path for b in lagging)) if lagging else []
    if not robots:
        return []
    campaign = phase.campaign
    key = f"deadline:{phase.pk}:{phase.ends_on.isoformat()}"
    drafts = []
    with site_language():
        title = _("“%(phase)s”阶段将于%(date)s截止") % {
            "phase": phase.name,
            "date": phase.ends_on.isoformat(),
        }
        for robot in robots:
            mine = [b for b in lagging if b.path.startswith(robot.unit.path)]
            lines = [_branch_line(b) for b in mine[:BRANCH_LINES]]
            if len(mine) > BRANCH_LINES:
                lines.append(
                    _("另有%(count)s个支部尚未完成。") % {"count": len(mine) - BRANCH_LINES}
                )
            if len(mine) == 1:
                url = _url("campaigns:progress_unit", campaign.pk, mine[0].id)
            elif robot.unit.path.startswith(campaign.unit.path):
                url = _url("campaigns:progress_unit", campaign.pk, robot.unit.pk)
            else:
                url = _url("campaigns:dashboard")
            drafts.append(Draft(robot.pk, key, title, lines, url))
    return chat_posts_create(drafts)


def chat_daily_digest(
    *, today: datetime.date, lines_of: Callable[[Unit], list[str]]
) -> list[ChatPost]:
    """The day's progress of each robot's unit (its officers' digest line: rates and
    counts), once a day; nothing for a unit without a campaign under way."""
    drafts = []
    with site_language():
        title = _("每日进展摘要（%(date)s）") % {"date": today.isoformat()}
        for robot in _robots():
            lines = lines_of(robot.unit)
            if lines:
                drafts.append(
                    Draft(
                        robot.pk,
                        f"digest:{today.isoformat()}",
                        title,
                        lines,
                        _url("campaigns:dashboard"),
                    )
                )
    return chat_posts_create(drafts)


# --- Sending ------------------------------------------------------------------------


def _enqueue(post_id: int) -> None:
    """Hand a post to the worker (inline without one)."""
    chat_post_deliver.enqueue(post_id)


def chat_posts_send_due(*, now: datetime.datetime | None = None) -> int:
    """Hand every post that is due (a retry whose wait is over, or one a stopped
    worker left) to the worker; returns how many."""
    now = now or timezone.now()
    due = list(
        ChatPost.objects.filter(
            status=ChatPost.Status.PENDING, next_attempt_at__lte=now
        ).values_list("pk", flat=True)
    )
    for pk in due:
        _enqueue(pk)
    return len(due)
