"""Send the group-chat posts that are due: retries whose wait is over and posts a
stopped worker left. With a worker (VANGUARD_TASKS=database) retries are queued with
their wait already and this is only a safety net; without one (tasks inline) a timer
runs it every few minutes, or retries wait for it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from vanguard.notices.chat.services import chat_posts_send_due


class Command(BaseCommand):
    help = "Send group-chat (WeChat Work / DingTalk) posts whose retry is due."

    def handle(self, *args: Any, **options: Any) -> None:
        count = chat_posts_send_due()
        self.stdout.write(f"{count} group-chat post(s) due.")
