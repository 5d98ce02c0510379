"""Reads of rectification, already limited by access.

`link_shown` is the one place a linked record becomes what a page, an export or an
API answer may show about it — the same for every reader, so no reader of a plan
(the member, their secretary, a supervisor) learns more through rectification than
the member reads on their own sheet. An opinion shows its text, its kind and its
aspect: never its source, contact, channel, date, round or the unit that gathered it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q, Sum
from django.utils.translation import gettext as _

from vanguard.rectification.models import Activity, Item, ItemLink

# What an item's status says, written once for every count (the ledgers, the
# requirement kinds): `prefix` is the lookup from the counted rows to the item
# ("" on Item itself, "items__" from a Plan).
OPEN_STATUSES = (Item.Status.PLANNED, Item.Status.IN_PROGRESS)
DONE_STATUSES = (Item.Status.DONE, Item.Status.VERIFIED)


def overdue_q(today: datetime.date, prefix: str = "") -> Q:
    """Not done, and its deadline has passed."""
    return Q(**{f"{prefix}status__in": OPEN_STATUSES, f"{prefix}deadline__lt": today})


def due_q(today: datetime.date, prefix: str = "") -> Q:
    """Its deadline is today or past: the items a share "done by the deadline" counts."""
    return Q(**{f"{prefix}deadline__lte": today})


def on_time_q(prefix: str = "") -> Q:
    """Done (or verified) on or before its deadline."""
    return Q(
        **{
            f"{prefix}status__in": DONE_STATUSES,
            f"{prefix}done_at__date__lte": F(f"{prefix}deadline"),
        }
    )


@dataclass(frozen=True)
class LinkShown:
    target: str  # ItemLink.Target value
    label: str  # what kind of record it is (意见 / 审阅意见 / 督查检查结论 / 补课通知)
    text: str  # what it says
    detail: str  # a short qualifier: the opinion's kind and aspect, a finding's item …
    # Where the reader may follow it back to (access.trace_urls); "" from link_shown,
    # which is the same for every reader.
    url: str = ""


def link_shown(link: ItemLink) -> LinkShown:
    label = str(link.get_target_display())
    if link.opinion is not None:
        opinion = link.opinion
        aspect = opinion.aspect.name if opinion.aspect else ""
        detail = " · ".join(p for p in (str(opinion.get_kind_display()), aspect) if p)
        return LinkShown(link.target, label, opinion.text, detail)
    if link.review is not None:
        review = link.review
        text = "\n".join(t for t in (review.problems, review.directions) if t)
        return LinkShown(link.target, label, text, _("支部审阅"))
    if link.check_finding is not None:
        finding = link.check_finding
        detail = f"{finding.get_item_display()} · {finding.get_finding_display()}"
        return LinkShown(link.target, label, finding.note, detail)
    if link.remediation is not None:
        order = link.remediation
        return LinkShown(link.target, label, order.reason, str(order.get_status_display()))
    return LinkShown(link.target, label, "", "")


def donation_total(activity: Activity) -> Decimal:
    """The activity's total, public to whoever sees the activity."""
    total = activity.donations.aggregate(total=Sum("amount"))["total"]
    return total if total is not None else Decimal("0")
