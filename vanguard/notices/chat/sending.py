"""Sending one group-chat post: one attempt, and when it fails, when to try again
(1, 5 and 30 minutes later; given up after the fourth attempt). The task
(`chat.tasks`) queues the retry; the robot keeps the last error for its page."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.notices.chat import webhooks
from vanguard.notices.models import ChatPost, ChatRobot
from vanguard.notices.outgoing import site_language

# Waits before the 2nd, 3rd and 4th attempt; after the 4th the post is given up.
BACKOFF = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
# An attempt holds its post this long (well over the HTTP timeout): a worker that died
# mid-attempt leaves the post to the next sweep, and two runs never post it twice.
LEASE = datetime.timedelta(minutes=2)


def _link(url: str) -> str:
    return settings.SITE_URL + url if url.startswith("/") and settings.SITE_URL else ""


def chat_post_send(*, post_id: int) -> tuple[str, datetime.datetime | None]:
    """One attempt at a post, if it is due and nobody else is attempting it: ("sent",
    None), ("retry", when) (failed, to be tried again then), ("failed", None) (given
    up), or ("skipped", None)."""
    now = timezone.now()
    post = ChatPost.objects.select_related("robot", "robot__unit").filter(pk=post_id).first()
    if post is None or post.status != ChatPost.Status.PENDING:
        return "skipped", None
    robot = post.robot
    if not robot.is_active or not robot.unit.is_active:
        with site_language():
            error = _("机器人已停用")
        ChatPost.objects.filter(pk=post.pk).update(status=ChatPost.Status.FAILED, last_error=error)
        return "failed", None
    claimed = ChatPost.objects.filter(
        pk=post.pk,
        status=ChatPost.Status.PENDING,
        attempts=post.attempts,
        next_attempt_at__lte=now,
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    if not claimed:
        return "skipped", None
    attempt = post.attempts + 1
    with site_language():
        link = _link(post.url)
        lines = post.text.splitlines()
        if post.url and not link:
            lines.append(_("详情请登录先锋系统查看。"))
        body = webhooks.payload(
            robot.kind, title=post.title, lines=lines, link=link, link_text=_("查看详情")
        )
        try:
            webhooks.post(robot.kind, robot.webhook_url, robot.secret, body)
        except webhooks.DeliveryError as failure:
            error = str(failure)[:300]
        else:
            error = ""
    done = timezone.now()
    if not error:
        ChatPost.objects.filter(pk=post.pk).update(
            status=ChatPost.Status.SENT, sent_at=done, last_error=""
        )
        ChatRobot.objects.filter(pk=robot.pk).update(last_sent_at=done)
        return "sent", None
    ChatRobot.objects.filter(pk=robot.pk).update(last_error=error, last_error_at=done)
    if attempt >= post.max_attempts:
        ChatPost.objects.filter(pk=post.pk).update(status=ChatPost.Status.FAILED, last_error=error)
        return "failed", None
    retry_at = done + BACKOFF[min(attempt, len(BACKOFF)) - 1]
    ChatPost.objects.filter(pk=post.pk).update(last_error=error, next_attempt_at=retry_at)
    return "retry", retry_at
