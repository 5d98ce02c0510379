"""Deadline reminders of make-up orders (`manage.py order_reminders`), sent the one way
every reminder command sends (`vanguard.notices.reminders`): an order not yet
reported done reminds its person responsible and the branch's secretaries when its
deadline is N days away or less, and again once it has passed. Once per order,
deadline and kind: a run may repeat as often as it likes, a new deadline reminds
again. The reminder names the branch (and member), the deadline and the order's
state, never the reason (it may come from an inspection or a note assessment)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.accounts.models import Role
from vanguard.campaigns.models import Campaign
from vanguard.notices.reminders import Recipient, Reminders, member_recipient, page_url
from vanguard.notices.services import Message, site_language
from vanguard.supervision.models import RemediationOrder

Status = RemediationOrder.Status


def orders_due(today: datetime.date, days: int) -> list[RemediationOrder]:
    """Orders of active campaigns not reported done, due within `days` days or overdue."""
    return list(
        RemediationOrder.objects.filter(
            status__in=[Status.OPEN, Status.REOPENED],
            campaign__status=Campaign.Status.ACTIVE,
            deadline__lte=today + datetime.timedelta(days=days),
        )
        .select_related("branch", "member", "member__user", "responsible")
        .order_by("deadline", "pk")
    )


def order_reminders_send(*, today: datetime.date | None = None, days: int = 3) -> list[Message]:
    """Build and send the reminders; returns those that were new."""
    today = today or timezone.localdate()
    reminders = Reminders()
    with site_language():
        for order in orders_due(today, days):
            overdue = order.deadline < today
            values = {
                "branch": order.branch.name,
                "member": order.member.name if order.member is not None else "",
                "deadline": order.deadline.isoformat(),
            }
            if overdue:
                subject = _("【先锋】补课通知已过完成期限")
                text = (
                    _(
                        "%(branch)s（%(member)s）的补课通知已过完成期限（%(deadline)s），尚未报告完成。"
                    )
                    if order.member is not None
                    else _("%(branch)s的补课通知已过完成期限（%(deadline)s），尚未报告完成。")
                ) % values
            else:
                subject = _("【先锋】补课通知即将到期")
                text = (
                    _("%(branch)s（%(member)s）的补课通知将于%(deadline)s到期，尚未报告完成。")
                    if order.member is not None
                    else _("%(branch)s的补课通知将于%(deadline)s到期，尚未报告完成。")
                ) % values
            kind = "overdue" if overdue else "due"
            key = f"order-{kind}:{order.pk}:{order.deadline.isoformat()}"
            told: list[Recipient] = list(reminders.officers(order.branch, [Role.BRANCH_SECRETARY]))
            if order.responsible is not None and order.responsible.is_active:
                # No address given: `notify_many` finds the person's own.
                told.append(Recipient(order.responsible.pk, ""))
            if order.member is not None:
                found = member_recipient(order.member)
                if found is not None:
                    told.append(found)
            url = page_url("supervision:order_detail", order.pk)
            for to in {r.user_id: r for r in told}.values():
                reminders.add(to, text=text, url=url, key=key, subject=subject)
    return reminders.send()
