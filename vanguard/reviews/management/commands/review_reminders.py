"""Remind people of the three rounds (三上三下) that wait on them: each member whose
document was returned for revision, the branch reviewers of documents submitted more
than N days ago, and the committee of documents passed up more than N days ago.

In-app notifications, de-duplicated by key (a reminder is sent once per return,
per version waiting and per pass waiting), plus an e-mail to those with an address,
sent the one way every reminder command sends (`vanguard.notices.reminders`).
Run it as often as you like (cron, daily).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.accounts.models import Role
from vanguard.notices.reminders import Recipient, Reminders, page_url
from vanguard.notices.services import Message, site_language
from vanguard.reviews import selectors_review as selectors
from vanguard.reviews.access import BRANCH_REVIEW_ROLES


def review_reminders_send(*, now: datetime.datetime | None = None, days: int = 3) -> list[Message]:
    """Build and send the reminders; returns those that were new."""
    now = now or timezone.now()
    before = now - datetime.timedelta(days=days)
    reminders = Reminders()
    mine_url = page_url("reviews:mine")
    with site_language():
        # Returned documents: the member revises and resubmits.
        subject = _("【先锋】您的党性分析材料被退回修改")
        returned: list[Any] = list(selectors.returned_documents())
        for document in returned:
            member = document.member
            email = member.email or member.user.email or ""
            text = _(
                "您的党性分析材料（第%(round)s轮）已被支部退回修改，请按退回理由修改后重新提交。"
            ) % {"round": document.current_round}
            reminders.add(
                Recipient(member.user_id, email),
                text=text,
                url=mine_url,
                key=f"review-returned:{document.pk}:{document.return_id}",
                subject=subject,
            )
        # Waiting for the branch: one reminder per branch, renewed when a newer
        # document becomes overdue.
        waiting_branch = list(selectors.waiting_for_branch(before))
        by_branch: dict[str, list[Any]] = defaultdict(list)
        for document in waiting_branch:
            by_branch[document.member.branch.path].append(document)
        queue_url = page_url("reviews:queue")
        subject = _("【先锋】有党性分析材料等待支部审阅")
        for documents in by_branch.values():
            branch = documents[0].member.branch
            key = f"review-wait-branch:{branch.pk}:{max(d.version_id for d in documents)}"
            for officer in reminders.officers(branch, BRANCH_REVIEW_ROLES):
                names = [d.member.name for d in documents if d.member.user_id != officer.user_id]
                if not names:
                    continue
                text = _(
                    "%(branch)s有%(count)s份党性分析材料提交超过%(days)s天仍未审阅：%(names)s。"
                ) % {
                    "branch": branch.name,
                    "count": len(names),
                    "days": days,
                    "names": _("、").join(names[:10]),
                }
                reminders.add(officer, text=text, url=queue_url, key=key, subject=subject)
        # Waiting for the committee: one reminder per branch for its committee admins.
        waiting_committee = list(selectors.waiting_for_committee(before))
        by_branch = defaultdict(list)
        for document in waiting_committee:
            by_branch[document.member.branch.path].append(document)
        committee_url = page_url("reviews:committee")
        subject = _("【先锋】有党性分析材料等待党委意见")
        for documents in by_branch.values():
            branch = documents[0].member.branch
            key = f"review-wait-committee:{branch.pk}:{max(d.pass_id for d in documents)}"
            for officer in reminders.officers(branch, {Role.COMMITTEE_ADMIN}):
                names = [d.member.name for d in documents if d.member.user_id != officer.user_id]
                if not names:
                    continue
                text = _(
                    "%(branch)s有%(count)s份材料报党委超过%(days)s天仍未发回意见：%(names)s。"
                ) % {
                    "branch": branch.name,
                    "count": len(names),
                    "days": days,
                    "names": _("、").join(names[:10]),
                }
                url = f"{committee_url}?unit={branch.pk}" if committee_url else ""
                reminders.add(officer, text=text, url=url, key=key, subject=subject)
    return reminders.send()


class Command(BaseCommand):
    help = "Remind members of returned documents, and reviewers of documents waiting too long."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=3,
            help="remind reviewers of documents waiting longer than this many days (default 3)",
        )

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        sent = review_reminders_send(days=days)
        self.stdout.write(f"{len(sent)} reminder(s) sent.")
