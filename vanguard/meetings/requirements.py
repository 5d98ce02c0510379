"""The requirement kind (检查项) of meetings, registered with the campaign's requirement
registry at start-up (`MeetingsConfig.ready` imports this module), so that a phase can
ask of every branch:

* ``branch_meeting`` — the branch has held a meeting of the given kind (the
  mobilisation, democratic-appraisal or grade-rating meeting …) within the dates of
  the requirement's phase.

The module also fills the progress dashboard's figure of the meetings held, which
branches lack one. The meetings of the scope are read with one query, shared by the
requirements and the figure in one progress run.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vanguard.campaigns.requirements import (
    BRANCH,
    MEETING_READINGS,
    ChoiceParam,
    Context,
    FormField,
    RequirementKind,
    counts_records_of,
    register,
)
from vanguard.meetings.models import Meeting
from vanguard.organization.models import Unit


def _counted_for(unit_id: int, unit_kind: str, parent_id: int | None, kind: str) -> int:
    """The unit a meeting counts for: its own, except a party group's democratic
    appraisal meeting (a large branch appraises in its party groups), which is its
    branch's."""
    if (
        kind == Meeting.Kind.DEMOCRATIC_APPRAISAL
        and unit_kind == Unit.Kind.PARTY_GROUP
        and parent_id is not None
    ):
        return parent_id
    return unit_id


def meetings(ctx: Context) -> list[tuple[int, str, datetime.date]]:
    """[(unit id, meeting kind, local date)] of every meeting held so far in the campaign
    in the scope: one query, read by the meeting requirements and the dashboard."""

    def compute() -> list[tuple[int, str, datetime.date]]:
        rows = (
            Meeting.objects.filter(campaign=ctx.campaign)
            .filter(ctx.under("unit__path"))
            .order_by()
            .values_list("unit_id", "unit__kind", "unit__parent_id", "kind", "held_at")
        )
        held = []
        for unit_id, unit_kind, parent_id, kind, held_at in rows:
            if held_at > ctx.now:  # entered ahead: held once it begins
                ctx.changes_at(held_at)
                continue
            unit = _counted_for(unit_id, unit_kind, parent_id, kind)
            held.append((unit, kind, timezone.localdate(held_at)))
        return held

    return ctx.shared("meetings", compute)


def meetings_held(ctx: Context) -> dict[int, int]:
    """{unit id: meetings of any kind held so far in the campaign}."""
    held: dict[int, int] = {}
    for unit_id, _kind, _day in meetings(ctx):
        held[unit_id] = held.get(unit_id, 0) + 1
    return held


MEETING_READINGS.append(meetings_held)


def _meeting_kinds() -> list[tuple[str, Any]]:
    return list(Meeting.Kind.choices)


MEETING_KIND = ChoiceParam(
    "kind",
    _("会议类型"),
    _meeting_kinds,
    default="mobilisation",
    field=FormField("meeting_kind", _("会议类型"), _("检查项为“支部召开会议”时填写。")),
)


def _evaluate_meeting(ctx: Context, requirement: Any, params: dict[str, Any]) -> dict[int, int]:
    """Meetings of the kind held within the dates of the requirement's phase."""
    phase = requirement.phase
    held: dict[int, int] = {}
    for unit_id, kind, day in meetings(ctx):
        if kind == params["kind"] and phase.starts_on <= day <= phase.ends_on:
            held[unit_id] = held.get(unit_id, 0) + 1
    return held


BRANCH_MEETING = register(
    RequirementKind(
        code="branch_meeting",
        scope=BRANCH,
        name=_("支部召开会议"),
        params=(MEETING_KIND,),
        describe=lambda params: (
            gettext("支部召开%(kind)s") % {"kind": MEETING_KIND.display(params["kind"])}
        ),
        evaluate=_evaluate_meeting,
        target=lambda params: 1,
    )
)

# The records the readings above read (campaigns.records keeps their version).
counts_records_of("meetings.Meeting")
