"""What the archive holds, read from the apps' records for one campaign: a table per
record type the records office keeps, and who has a personal-file folder.

Only what an office files: counts and states, decided grades, plans and their items.
Never a ballot, a voter's mark, a card, a roll's ticks or logged-in votes; never an
opinion's text, source, contact, date or order — opinions only as counts per branch
and channel (the dashboards' shape)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.ballots.models import Grade
from vanguard.campaigns.models import Campaign
from vanguard.grading.models import BranchGrading, GradeProposal, UnqualifiedCase
from vanguard.meetings.models import Meeting, MeetingAttendance
from vanguard.opinions.models import Opinion
from vanguard.organization.models import Member, Unit
from vanguard.rectification.models import Item, Plan
from vanguard.reviews.models import SelfAnalysis
from vanguard.study.models import StudyPlan, StudySession, StudyWork


@dataclass(frozen=True)
class Table:
    """One CSV of the archive: its file name (under data/), headers and rows."""

    name: str
    headers: list[str]
    rows: list[list[Any]]


def branches(campaign: Campaign) -> QuerySet[Unit]:
    """The campaign's branches, in the order of the tree."""
    return (
        Unit.objects.filter(
            path__startswith=campaign.unit.path, kind=Unit.Kind.BRANCH, is_active=True
        )
        .select_related("parent")
        .order_by("path")
    )


def _units(campaign: Campaign) -> QuerySet[Unit]:
    return Unit.objects.filter(path__startswith=campaign.unit.path)


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _day(value: Any) -> str:
    if not value:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localdate(value)
    return value.isoformat()


def branch_table(campaign: Campaign) -> Table:
    found = list(
        branches(campaign).annotate(
            on_roll=Count("members", filter=Q(members__is_active=True)),
            formal=Count(
                "members",
                filter=Q(members__is_active=True, members__standing=Member.Standing.FORMAL),
            ),
        )
    )
    rows = [
        [
            unit.name,
            unit.parent.name if unit.parent else "",
            unit.get_branch_type_display() if unit.branch_type else "",
            unit.on_roll,
            unit.formal,
            unit.on_roll - unit.formal,
        ]
        for unit in found
    ]
    headers = [
        _("党支部"),
        _("上级组织"),
        _("支部类型"),
        _("在册党员"),
        _("正式党员"),
        _("预备党员"),
    ]
    return Table("branches", headers, rows)


def meeting_table(campaign: Campaign) -> Table:
    meetings = (
        Meeting.objects.filter(campaign=campaign, unit__path__startswith=campaign.unit.path)
        .select_related("unit")
        .annotate(
            present=Count(
                "attendance", filter=Q(attendance__status=MeetingAttendance.Status.PRESENT)
            ),
            absent=Count(
                "attendance", filter=Q(attendance__status=MeetingAttendance.Status.ABSENT)
            ),
        )
        .order_by("unit__path", "held_at", "pk")
    )
    rows = [
        [
            m.unit.name,
            m.get_kind_display(),
            m.title,
            _local(m.held_at),
            _local(getattr(m, "ends_at", None)),
            m.place,
            m.host,
            m.recorder,
            m.present + m.absent,
            m.present,
            m.absent,
        ]
        for m in meetings
    ]
    headers = [
        _("组织"),
        _("会议类型"),
        _("会议名称"),
        _("开始时间"),
        _("结束时间"),
        _("地点"),
        _("主持人"),
        _("记录人"),
        _("应到人数"),
        _("实到人数"),
        _("缺席人数"),
    ]
    return Table("meetings", headers, rows)


def _per_branch(rows: QuerySet[Any], field: str = "branch") -> dict[int, int]:
    return {row[field]: row["n"] for row in rows.values(field).annotate(n=Count("pk")).order_by()}


def study_table(campaign: Campaign) -> Table:
    found = list(branches(campaign))
    plans = _per_branch(StudyPlan.objects.filter(campaign=campaign, submitted_at__isnull=False))
    sessions = _per_branch(StudySession.objects.filter(campaign=campaign), "unit")
    works: Counter[tuple[int, str]] = Counter()
    for row in (
        StudyWork.objects.filter(campaign=campaign, member__branch__in=found)
        .values("member__branch", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        works[(row["member__branch"], row["kind"])] = row["n"]
    kinds = list(StudyWork.Kind.choices)
    rows = [
        [
            unit.name,
            plans.get(unit.pk, 0),
            sessions.get(unit.pk, 0),
            *[works[(unit.pk, value)] for value, _label in kinds],
        ]
        for unit in found
    ]
    headers = [
        _("党支部"),
        _("已提交学习讨论计划"),
        _("学习活动次数"),
        *[str(label) for _value, label in kinds],
    ]
    return Table("study", headers, rows)


def opinion_table(campaign: Campaign) -> Table:
    """Opinions gathered, counted per gathering unit and channel (merged duplicates
    counted once). Counts only: nothing of any opinion itself."""
    counts: Counter[tuple[int, str]] = Counter()
    for row in (
        Opinion.objects.filter(campaign=campaign, branch__path__startswith=campaign.unit.path)
        .exclude(status=Opinion.Status.MERGED)
        .values("branch", "channel")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[(row["branch"], row["channel"])] = row["n"]
    gathered = {unit for unit, _channel in counts}
    units = _units(campaign).filter(pk__in=gathered).order_by("path")
    channels = list(Opinion.Channel.choices)
    rows = []
    for unit in units:
        per = [counts[(unit.pk, value)] for value, _label in channels]
        rows.append([unit.name, *per, sum(per)])
    headers = [_("收集单位"), *[str(label) for _value, label in channels], _("合计")]
    return Table("opinions", headers, rows)


def review_table(campaign: Campaign) -> Table:
    found = list(branches(campaign))
    counts: Counter[tuple[int, str]] = Counter()
    for row in (
        SelfAnalysis.objects.filter(campaign=campaign, member__branch__in=found)
        .values("member__branch", "state")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[(row["member__branch"], row["state"])] = row["n"]
    states = list(SelfAnalysis.State.choices)
    rows = []
    for unit in found:
        per = [counts[(unit.pk, value)] for value, _label in states]
        rows.append([unit.name, *per, sum(per)])
    headers = [_("党支部"), *[str(label) for _value, label in states], _("合计")]
    return Table("reviews", headers, rows)


def approved_proposals(campaign: Campaign) -> QuerySet[GradeProposal]:
    """The grades the committee has approved (审批) in the campaign's branches."""
    return (
        GradeProposal.objects.filter(
            grading__campaign=campaign,
            grading__status=BranchGrading.Status.APPROVED,
            grading__branch__path__startswith=campaign.unit.path,
        )
        .select_related("member", "grading__branch")
        .order_by("grading__branch__path", "member__number")
    )


def _case(proposal: GradeProposal) -> UnqualifiedCase | None:
    try:
        case = proposal.unqualified_case
    except UnqualifiedCase.DoesNotExist:
        return None
    return None if case.withdrawn else case


def grade_table(campaign: Campaign) -> Table:
    rows = []
    for proposal in approved_proposals(campaign).select_related("unqualified_case"):
        case = _case(proposal) if proposal.grade == Grade.UNQUALIFIED else None
        rows.append(
            [
                proposal.grading.branch.name,
                proposal.member.name,
                proposal.member.number,
                proposal.get_grade_display(),
                _day(proposal.grading.decided_at),
                case.get_outcome_display() if case and case.outcome else "",
                _day(case.outcome_on) if case else "",
            ]
        )
    headers = [
        _("党支部"),
        _("姓名"),
        _("工号或学号"),
        _("审批等次"),
        _("审批日期"),
        _("处置结果"),
        _("处置日期"),
    ]
    return Table("grades", headers, rows)


def _plans(campaign: Campaign) -> QuerySet[Plan]:
    inside = Q(member__branch__path__startswith=campaign.unit.path) | Q(
        unit__path__startswith=campaign.unit.path
    )
    return (
        Plan.objects.filter(inside, campaign=campaign)
        .select_related("member__branch", "unit")
        .order_by("level", "unit__path", "member__branch__path", "member__number", "pk")
    )


def _plan_subject(plan: Plan) -> tuple[str, str]:
    """(the plan's branch or unit, whose plan it is)."""
    if plan.member is not None:
        return plan.member.branch.name, plan.member.name
    name = plan.unit.name if plan.unit else ""
    return name, name


def plan_table(campaign: Campaign) -> Table:
    plans = _plans(campaign).annotate(
        items_total=Count("items"),
        items_done=Count("items", filter=Q(items__status=Item.Status.DONE)),
        items_verified=Count("items", filter=Q(items__status=Item.Status.VERIFIED)),
    )
    rows = []
    for plan in plans:
        where, whose = _plan_subject(plan)
        rows.append(
            [
                plan.get_level_display(),
                where,
                whose,
                plan.get_status_display(),
                _day(plan.approved_at) if plan.status == Plan.Status.APPROVED else "",
                plan.items_total,
                plan.items_done,
                plan.items_verified,
            ]
        )
    headers = [
        _("层级"),
        _("所在组织"),
        _("整改对象"),
        _("计划状态"),
        _("审核通过日期"),
        _("整改事项"),
        _("已完成"),
        _("已验收"),
    ]
    return Table("rectification_plans", headers, rows)


def item_table(campaign: Campaign) -> Table:
    plans = {plan.pk: plan for plan in _plans(campaign)}
    items = (
        Item.objects.filter(plan_id__in=list(plans))
        .select_related("responsible")
        .order_by("plan_id", "order", "pk")
    )
    rows = []
    for item in items:
        plan = plans[item.plan_id]
        where, whose = _plan_subject(plan)
        rows.append(
            [
                plan.get_level_display(),
                where,
                whose,
                item.problem,
                item.measure,
                item.responsible.name if item.responsible else "",
                item.standard,
                _day(item.deadline),
                item.get_status_display(),
                _day(item.done_at),
                _day(item.verified_at),
            ]
        )
    headers = [
        _("层级"),
        _("所在组织"),
        _("整改对象"),
        _("存在问题"),
        _("整改措施"),
        _("责任人"),
        _("完成标准"),
        _("完成时限"),
        _("状态"),
        _("完成日期"),
        _("验收日期"),
    ]
    return Table("rectification_items", headers, rows)


TABLES: list[Callable[[Campaign], Table]] = [
    branch_table,
    meeting_table,
    study_table,
    opinion_table,
    review_table,
    grade_table,
    plan_table,
    item_table,
]


@dataclass(frozen=True)
class PersonalFile:
    """A member whose materials go into their personal file (档案), and why."""

    member: Member
    branch: Unit
    reason: str  # 优秀, or 不合格 with its handling (处置)
    plan: Plan | None


def personal_files(campaign: Campaign) -> Iterator[PersonalFile]:
    """The rule (README): a member whose grade the committee approved as excellent
    (优秀), and a member whose approved grade is unqualified (不合格) and whose handling
    (处置) is under way or recorded. Their registration form goes into the file, and
    their rectification plan when they wrote one."""
    proposals = (
        approved_proposals(campaign)
        .filter(grade__in=[Grade.EXCELLENT, Grade.UNQUALIFIED])
        .select_related("unqualified_case")
    )
    plans = {
        plan.member_id: plan
        for plan in Plan.objects.filter(
            campaign=campaign, level=Plan.Level.MEMBER, member__in=[p.member for p in proposals]
        ).select_related("member__branch", "member__party_group", "campaign")
    }
    for proposal in proposals:
        if proposal.grade == Grade.EXCELLENT:
            reason = str(Grade.EXCELLENT.label)
        else:
            case = _case(proposal)
            if case is None:
                continue
            outcome = case.get_outcome_display() if case.outcome else _("处置中")
            reason = _("%(grade)s（%(outcome)s）") % {
                "grade": Grade.UNQUALIFIED.label,
                "outcome": outcome,
            }
        yield PersonalFile(
            member=proposal.member,
            branch=proposal.grading.branch,
            reason=reason,
            plan=plans.get(proposal.member_id),
        )
