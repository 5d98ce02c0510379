"""The requirement kinds (检查项) of study, registered with the campaign's requirement
registry at start-up (`StudyConfig.ready` imports this module), so that a phase can ask:

* ``member_study_works`` — every member has submitted at least N study works (reading
  notes, reflections, essays), of one kind or of any;
* ``member_attendance`` — every member has attended at least N study sessions;
* ``branch_study_plan`` — the branch has submitted its study plan;
* ``branch_study_sessions`` — the branch has held at least N study sessions.

The module also fills the progress dashboard's figures that study owns: what each
member has submitted (for the blind spots), which branches have a plan, and the
submissions per week for the chart. Each reading answers for the whole scope with one
query, shared by everything that reads it in one progress run.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vanguard.campaigns.requirements import (
    BRANCH,
    MEMBER,
    PLAN_READINGS,
    STUDY_WORK_READINGS,
    SUBMISSION_READINGS,
    WEEKLY_READINGS,
    ChoiceParam,
    Context,
    FormField,
    IntParam,
    RequirementKind,
    WeeklyReading,
    count_by,
    counts_records_of,
    register,
)
from vanguard.study.models import Attendance, StudyPlan, StudySession, StudyWork

# --- Readings ----------------------------------------------------------------------------


def study_work_counts(ctx: Context) -> dict[tuple[int, str], int]:
    """{(member id, work kind): number submitted in the campaign}, active members only."""

    def compute() -> dict[tuple[int, str], int]:
        works = StudyWork.objects.filter(campaign=ctx.campaign, member__is_active=True).filter(
            ctx.under("member__branch__path")
        )
        return count_by(works, "member_id", "kind")

    return ctx.shared("study_work_counts", compute)


def attendance_counts(ctx: Context) -> dict[int, int]:
    """{member id: study sessions attended (present) in the campaign}."""

    def compute() -> dict[int, int]:
        rows = Attendance.objects.filter(
            session__campaign=ctx.campaign,
            status=Attendance.Status.PRESENT,
            member__is_active=True,
        ).filter(ctx.under("member__branch__path"))
        return count_by(rows, "member_id")

    return ctx.shared("attendance_counts", compute)


def submitted_plans(ctx: Context) -> dict[int, int]:
    """{branch id: 1} for each branch with a submitted study plan in the campaign."""

    def compute() -> dict[int, int]:
        plans = StudyPlan.objects.filter(campaign=ctx.campaign, submitted_at__isnull=False).filter(
            ctx.under("branch__path")
        )
        return dict.fromkeys(plans.values_list("branch_id", flat=True), 1)

    return ctx.shared("submitted_plans", compute)


def sessions_held(ctx: Context) -> dict[int, int]:
    """{unit id: study sessions held so far in the campaign}."""

    def compute() -> dict[int, int]:
        sessions = StudySession.objects.filter(
            campaign=ctx.campaign, kind=StudySession.Kind.SESSION
        ).filter(ctx.under("unit__path"))
        held: dict[int, int] = {}
        for unit_id, starts_at in sessions.order_by().values_list("unit_id", "starts_at"):
            if starts_at > ctx.now:  # entered ahead: held once it begins
                ctx.changes_at(starts_at)
            else:
                held[unit_id] = held.get(unit_id, 0) + 1
        return held

    return ctx.shared("sessions_held", compute)


def study_work_totals(ctx: Context) -> dict[int, int]:
    """{member id: study works submitted in the campaign}: a reading for the blind spots."""
    totals: dict[int, int] = {}
    for (member_id, _kind), count in study_work_counts(ctx).items():
        totals[member_id] = totals.get(member_id, 0) + count
    return totals


def works_by_week(ctx: Context, bounds: Sequence[datetime.datetime]) -> list[tuple[str, list[int]]]:
    """[(work kind, [works submitted in each week])] for the scope's active members.

    One query with a conditional count per week: comparing `submitted_at` with fixed
    bounds stays in the database, where truncating every row to its week would call
    back into Python on SQLite."""
    weeks = range(len(bounds) - 1)
    counts = {
        f"w{index}": Count(
            "pk", filter=Q(submitted_at__gte=bounds[index], submitted_at__lt=bounds[index + 1])
        )
        for index in weeks
    }
    rows = (
        StudyWork.objects.filter(campaign=ctx.campaign, member__is_active=True)
        .filter(ctx.under("member__branch__path"))
        .order_by()
        .values("kind")
        .annotate(**counts)
    )
    return [(row["kind"], [row[f"w{index}"] for index in weeks]) for row in rows]


SUBMISSION_READINGS.append(study_work_totals)
STUDY_WORK_READINGS.append(study_work_totals)
PLAN_READINGS.append(submitted_plans)
WEEKLY_READINGS.append(WeeklyReading(kinds=lambda: StudyWork.Kind.choices, count=works_by_week))


# --- Kinds -------------------------------------------------------------------------------


def _work_kinds() -> list[tuple[str, Any]]:
    return list(StudyWork.Kind.choices)


WORK_KIND = ChoiceParam(
    "kind",
    _("成果类型"),
    _work_kinds,
    default=None,
    allow_none=True,
    field=FormField("work_kind", _("学习成果类型"), _("检查项为“党员提交学习成果”时填写。")),
)


def _describe_works(params: dict[str, Any]) -> str:
    kind = WORK_KIND.display(params["kind"]) or gettext("学习成果")
    return gettext("每名党员提交%(kind)s不少于 %(min)d 篇") % {"kind": kind, "min": params["min"]}


def _evaluate_works(ctx: Context, requirement: Any, params: dict[str, Any]) -> dict[int, int]:
    counts = study_work_counts(ctx)
    wanted = params["kind"]
    values: dict[int, int] = {}
    for (member_id, kind), count in counts.items():
        if wanted is None or kind == wanted:
            values[member_id] = values.get(member_id, 0) + count
    return values


STUDY_WORKS = register(
    RequirementKind(
        code="member_study_works",
        scope=MEMBER,
        name=_("党员提交学习成果（读书笔记、心得、论文）"),
        params=(WORK_KIND, IntParam("min", _("最少篇数"), default=1, min_value=1)),
        describe=_describe_works,
        evaluate=_evaluate_works,
    )
)

ATTENDANCE = register(
    RequirementKind(
        code="member_attendance",
        scope=MEMBER,
        name=_("党员参加学习讨论"),
        params=(IntParam("min", _("最少次数"), default=1, min_value=1),),
        describe=lambda params: gettext("每名党员参加学习讨论不少于 %(min)d 次") % params,
        evaluate=lambda ctx, requirement, params: attendance_counts(ctx),
    )
)

STUDY_PLAN = register(
    RequirementKind(
        code="branch_study_plan",
        scope=BRANCH,
        name=_("支部提交学习讨论计划"),
        params=(),
        describe=lambda params: gettext("支部提交学习讨论计划"),
        evaluate=lambda ctx, requirement, params: submitted_plans(ctx),
        target=lambda params: 1,
    )
)

STUDY_SESSIONS = register(
    RequirementKind(
        code="branch_study_sessions",
        scope=BRANCH,
        name=_("支部组织学习讨论"),
        params=(IntParam("min", _("最少次数"), default=1, min_value=1),),
        describe=lambda params: gettext("支部组织学习讨论不少于 %(min)d 次") % params,
        evaluate=lambda ctx, requirement, params: sessions_held(ctx),
    )
)

# The records the readings above read (campaigns.records keeps their version).
counts_records_of("study.StudyPlan", "study.StudySession", "study.StudyWork", "study.Attendance")
