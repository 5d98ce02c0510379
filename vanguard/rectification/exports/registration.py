"""The member's rectification plan (整改计划) on their appraisal registration form
(党员评议登记表), registered with grading's `registration_sections` by
`RectificationConfig.ready`.

The form is one page per member, so the plan takes at most five lines there: its
status and item counts, its summary on one line, the items' measures with their
states — of more than three, the first two and "等N项" with where to read the rest
(the plan's own export).
As on the rest of the form, nothing still being written shows: a draft plan is left
off (a submitted, returned or approved one is on, with its status). Answered for all
the members of a form or a branch bundle at once, in two queries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vanguard.grading.registration_sections import FormSection
from vanguard.rectification.exports import document
from vanguard.rectification.models import Item, Plan

if TYPE_CHECKING:
    from vanguard.campaigns.models import Campaign

# The form prints the section in small type: about 41 Chinese characters a line (144 mm
# at 9.5 pt); each line is kept to one, and there are at most five (the room the form
# has under the committee's approval on one A4 page).
LINE_CHARS = 38
ITEMS_SHOWN = 3  # all of them up to three; of more, the first two and "等N项"
SHOWN_STATUSES = (Plan.Status.SUBMITTED, Plan.Status.RETURNED, Plan.Status.APPROVED)


def one_line(text: str, limit: int) -> str:
    """`text` on one line of at most `limit` characters, cut with "…"."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: max(limit - 1, 0)] + "…"


def _status_line(plan: Plan, items: list[Item]) -> str:
    status = str(plan.get_status_display())
    if plan.status == Plan.Status.APPROVED and plan.approved_at is not None:
        day = date_format(timezone.localdate(plan.approved_at), "DATE_FORMAT")
        status = _("%(status)s（%(date)s）") % {"status": status, "date": day}
    verified = sum(1 for item in items if item.status == Item.Status.VERIFIED)
    done = sum(1 for item in items if item.status == Item.Status.DONE)
    return _("%(status)s；共 %(n)d 项，已验收 %(verified)d 项，已完成 %(done)d 项。") % {
        "status": status,
        "n": len(items),
        "verified": verified,
        "done": done,
    }


def plan_lines(plan: Plan, items: list[Item]) -> tuple[str, ...]:
    lines = [_status_line(plan, items)]
    if plan.summary.strip():
        prefix = _("整改思路：")
        lines.append(prefix + one_line(plan.summary, LINE_CHARS - len(prefix)))
    shown = items if len(items) <= ITEMS_SHOWN else items[: ITEMS_SHOWN - 1]
    for number, item in enumerate(shown, start=1):
        state = _("（%(status)s）") % {"status": item.get_status_display()}
        head = f"{number}. "
        lines.append(head + one_line(item.measure, LINE_CHARS - len(head) - len(state)) + state)
    if len(shown) < len(items):
        lines.append(
            _("……等 %(n)d 项（此处列前 %(shown)d 项，全部事项见《%(title)s》）。")
            % {"n": len(items), "shown": len(shown), "title": document.title()}
        )
    return tuple(lines)


def plan_sections(*, member_ids: Sequence[int], campaign: Campaign) -> Mapping[int, FormSection]:
    """member id → the 整改计划 section of their form, for those with a plan to show."""
    items = Item.objects.order_by("order", "pk")
    plans = (
        Plan.objects.filter(
            campaign=campaign,
            level=Plan.Level.MEMBER,
            member_id__in=list(member_ids),
            status__in=SHOWN_STATUSES,
        )
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by()
    )
    label = _("整改计划")
    return {
        plan.member_id: FormSection(label, plan_lines(plan, list(plan.items.all())))
        for plan in plans
        if plan.member_id is not None
    }
