"""A member's to-do (我的待办) on the home page: what their branch expects of them now.

The items come first from the requirements of the phase the member's branch is in, as
the progress engine evaluates them for that member (`campaigns.progress.member_progress`,
the same evaluation as the member's progress page): an item is done exactly when the
progress page says the requirement is met. Beside them come the things no requirement
counts but that still wait for the member: feedback (反馈) to read, a self-analysis or
rectification plan returned for revision, an open vote of their branch, their grade once
approved, their rectification items.

The vote item says only that a vote is open or over — never whether or how the member
voted (the ballot app records neither for a card vote; see `ballots/README.md`).

The number of queries is fixed: it depends on the campaign's requirements, never on
the member's data or the size of the branch.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.accounts.access import Person
from vanguard.ballots import access as ballots_access
from vanguard.ballots.models import AppraisalSession
from vanguard.campaigns import progress as engine
from vanguard.campaigns import requirements as kinds
from vanguard.campaigns.models import Campaign, Phase
from vanguard.campaigns.selectors import active_campaign_for_unit
from vanguard.grading import selectors as grading_selectors
from vanguard.opinions.feedback import selectors as feedback_selectors
from vanguard.organization.models import Member
from vanguard.rectification import access as rectification_access
from vanguard.rectification.models import Item, Plan
from vanguard.reviews import access as reviews_access
from vanguard.reviews.models import SelfAnalysis
from vanguard.study import selectors as study_selectors
from vanguard.study.models import Attendance, StudySession, StudyWork

TODO = "todo"  # the member has something to do
WAITING = "waiting"  # the member did their part; someone else acts next
INFO = "info"  # news for the member (their grade)
DONE = "done"

# The requirement kinds a member meets by acting, grouped by where they act.
STUDY_WORKS = "member_study_works"
ATTENDANCE = "member_attendance"
SELF_ANALYSIS_KINDS = ("member_self_analysis_submitted", "member_self_analysis_approved")
RECTIFICATION_PLAN = "member_rectification_plan"


@dataclass
class TodoItem:
    key: str  # stable, for tests and anchors
    title: str
    status: str  # one short line: "还差 2 篇读书笔记", "已退回：请修改"
    url: str
    state: str = TODO
    note: str = ""  # the requirement as the campaign words it, when the title is shorter

    @property
    def is_done(self) -> bool:
        return self.state == DONE


@dataclass
class MemberTodo:
    campaign: Campaign
    phase: Phase | None
    items: list[TodoItem] = field(default_factory=list)

    @property
    def open(self) -> list[TodoItem]:
        order = {TODO: 0, INFO: 1, WAITING: 2}
        return sorted(
            (item for item in self.items if not item.is_done), key=lambda i: order[i.state]
        )

    @property
    def done(self) -> list[TodoItem]:
        return [item for item in self.items if item.is_done]

    @property
    def to_do_count(self) -> int:
        return sum(item.state == TODO for item in self.items)


# --- Items from the requirements --------------------------------------------------------


def _work_kind_name(params: dict[str, Any]) -> str:
    kind = params.get("kind")
    if kind in StudyWork.Kind.values:
        return str(StudyWork.Kind(kind).label)
    return _("学习成果")


def _requirement_item(index: int, item: engine.MemberItem, campaign: Campaign) -> TodoItem:
    requirement = item.requirement
    kind = requirement.kind if requirement is not None else ""
    try:
        params = kinds.validate_params(kind, requirement.params) if requirement else {}
    except ValidationError:  # a kind gone or bad parameters: progress counts it unmet too
        params = {}
    missing = max(item.target - item.value, 0)
    state = DONE if item.done else TODO
    key = f"req-{requirement.pk if requirement else index}"
    if kind == STUDY_WORKS:
        name = _work_kind_name(params)
        url = reverse("study:work_create")
        if params.get("kind"):
            url += f"?kind={params['kind']}"
        status = (
            _("已提交 %(n)d 篇") % {"n": item.value}
            if item.done
            else _("还差 %(n)d 篇%(kind)s") % {"n": missing, "kind": name}
        )
        return TodoItem(key, item.label, status, url, state)
    if kind == ATTENDANCE:
        status = (
            _("已参加 %(n)d 次") % {"n": item.value}
            if item.done
            else _("还差 %(n)d 次学习讨论签到") % {"n": missing}
        )
        return TodoItem(key, item.label, status, reverse("study:home") + "#my-work", state)
    if kind in SELF_ANALYSIS_KINDS:
        status = _("已完成") if item.done else _("未完成")
        return TodoItem(key, item.label, status, reverse("reviews:mine"), state)
    if kind == RECTIFICATION_PLAN:
        status = _("已完成") if item.done else _("未完成")
        url = reverse("rectification:my_plan") + f"?campaign={campaign.pk}"
        return TodoItem(key, item.label, status, url, state)
    status = (
        _("已完成")
        if item.done
        else _("已完成 %(value)d/%(target)d") % {"value": item.value, "target": item.target}
    )
    url = reverse("campaigns:progress_me", args=[campaign.pk])
    return TodoItem(key, item.label, status, url, state)


# --- The self-analysis ------------------------------------------------------------------


def _document_status(state: str) -> tuple[str, str]:
    """Where a submitted document stands, for a member who has done their part."""
    statuses: dict[str, tuple[str, str]] = {
        SelfAnalysis.State.SUBMITTED: (WAITING, _("已提交，等待支部审阅")),
        SelfAnalysis.State.WITH_COMMITTEE: (WAITING, _("支部已通过，等待党委意见")),
        SelfAnalysis.State.APPROVED: (DONE, _("党委已审批")),
    }
    return statuses.get(state, (TODO, ""))


def _self_analysis(items: list[TodoItem], document: SelfAnalysis | None) -> None:
    """Bring the document's state into the self-analysis items. A requirement item stays
    met or unmet exactly as progress counts it (its status says where the document
    stands); a document returned, or sent back down with the committee's guidance, after
    the requirement was met is an item of its own, to do again. Without a requirement of
    the phase for it, an item shows only when the document waits for the member or for
    others."""
    url = reverse("reviews:mine")
    required = [item for item in items if item.url == url]
    if document is None:
        for item in required:
            if not item.is_done:
                item.status = _("尚未开始")
        return
    state = document.state
    if state == SelfAnalysis.State.RETURNED:
        again: tuple[str, str] | None = (TODO, _("已退回：请修改后再次提交"))
    elif state == SelfAnalysis.State.DRAFT and document.current_round > 1:
        again = (TODO, _("党委意见已下达：请修改后提交"))
    else:
        again = None
    if state == SelfAnalysis.State.DRAFT:
        now = (TODO, _("撰写中：写好后提交给支部"))
    else:
        now = _document_status(state)
    for item in required:
        if item.is_done:
            # Met, as the progress page says; what happened since is an item of its own.
            item.status = now[1] if now[0] != TODO else item.status
        else:
            state_now, item.status = again or now
            # Unmet as progress counts it: never folded away as done.
            item.state = TODO if state_now == DONE else state_now
    if again is not None and (not required or all(item.is_done for item in required)):
        items.append(TodoItem("self-analysis", _("党性分析材料和个人总结"), again[1], url, TODO))
    elif not required and state != SelfAnalysis.State.DRAFT:
        items.append(TodoItem("self-analysis", _("党性分析材料和个人总结"), now[1], url, now[0]))


# --- Rectification ---------------------------------------------------------------------


def _rectification(items: list[TodoItem], plan: Plan | None, campaign: Campaign) -> None:
    if plan is None:
        return
    url = reverse("rectification:my_plan") + f"?campaign={campaign.pk}"
    required = [item for item in items if item.url == url]
    if plan.status == Plan.Status.RETURNED:
        for item in required:
            if not item.is_done:
                item.status = _("已退回：请修改")
        if all(item.is_done for item in required):  # none, or met as progress counts it
            items.append(TodoItem("plan", _("我的整改计划"), _("已退回：请修改"), url, TODO))
    elif not required:
        states: dict[str, tuple[str, str]] = {
            Plan.Status.DRAFT: (TODO, _("撰写中：写好后提交")),
            Plan.Status.SUBMITTED: (WAITING, _("已提交，等待支部审阅")),
            Plan.Status.APPROVED: (DONE, _("已审核通过")),
        }
        state = states[plan.status]
        items.append(TodoItem("plan", _("我的整改计划"), state[1], url, state[0]))
    counts = Item.objects.filter(plan=plan).aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status__in=[Item.Status.PLANNED, Item.Status.IN_PROGRESS])),
        overdue=Count(
            "pk",
            filter=Q(status__in=[Item.Status.PLANNED, Item.Status.IN_PROGRESS])
            & Q(deadline__lt=timezone.localdate()),
        ),
    )
    if not counts["total"] or plan.status != Plan.Status.APPROVED:
        return
    if counts["open"]:
        status = _("%(n)d 项未完成") % {"n": counts["open"]}
        if counts["overdue"]:
            status += _("，其中 %(n)d 项已逾期") % {"n": counts["overdue"]}
        items.append(TodoItem("plan-items", _("落实整改事项"), status, url, TODO))
    else:
        status = _("%(n)d 项全部完成") % {"n": counts["total"]}
        items.append(TodoItem("plan-items", _("落实整改事项"), status, url, DONE))


# --- The next study session -------------------------------------------------------------

SESSION_DAYS_AHEAD = 7


def _next_session(items: list[TodoItem], member: Member, campaign: Campaign) -> None:
    """Today's study session of the member's branch (or a lecture above it): sign in at
    the door; else the next one within a week, as news. One item at most."""
    now = timezone.localtime()
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    session: StudySession | None = (
        study_selectors.sessions_for_member(member, campaign)
        .filter(
            starts_at__gte=today,
            starts_at__lt=today + datetime.timedelta(days=SESSION_DAYS_AHEAD + 1),
        )
        .order_by("starts_at", "pk")
        .first()
    )
    if session is None:
        return
    at = timezone.localtime(session.starts_at)
    url = reverse("study:session_detail", args=[session.pk])
    title = _("%(kind)s：%(topic)s") % {"kind": session.get_kind_display(), "topic": session.topic}
    if at.date() != now.date():
        when = _("%(month)d月%(day)d日 %(time)s") % {
            "month": at.month,
            "day": at.day,
            "time": at.strftime("%H:%M"),
        }
        items.append(TodoItem(f"session-{session.pk}", title, when, url, INFO))
        return
    signed = Attendance.objects.filter(
        session=session, member=member, status=Attendance.Status.PRESENT
    ).exists()
    if signed:
        items.append(TodoItem(f"session-{session.pk}", title, _("已签到"), url, DONE))
    else:
        status = _("今天 %(time)s，到场后扫码签到") % {"time": at.strftime("%H:%M")}
        items.append(TodoItem(f"session-{session.pk}", title, status, url, TODO))


# --- The whole list --------------------------------------------------------------------


def member_todo(user: Person, member: Member) -> MemberTodo | None:
    """The member's to-do in the active campaign over their branch; None without one."""
    campaign = active_campaign_for_unit(member.branch.path)
    if campaign is None:
        return None
    branch, mine = engine.member_progress(campaign=campaign, member=member)
    todo = MemberTodo(campaign=campaign, phase=branch.phase if branch else None)
    items = todo.items
    for index, item in enumerate(mine.items if mine else []):
        items.append(_requirement_item(index, item, campaign))

    _next_session(items, member, campaign)

    # Feedback to read: the opinions fed back to the member, until they confirm reading.
    opinions = len(feedback_selectors.sheet_opinions(member, campaign))
    if opinions:
        acknowledged = feedback_selectors.acknowledgements(campaign, [member.pk]).get(member.pk)
        items.append(
            TodoItem(
                "feedback",
                _("阅读群众对我的意见"),
                _("已阅读并确认")
                if acknowledged
                else _("%(n)d 条意见待阅读确认") % {"n": opinions},
                reverse("opinions:feedback"),
                DONE if acknowledged else TODO,
            )
        )

    document = (
        reviews_access.visible_self_analyses(user).filter(campaign=campaign, member=member).first()
    )
    _self_analysis(items, document)

    # The vote: open or over, nothing more.
    sessions = list(
        ballots_access.visible_appraisal_sessions(user)
        .filter(campaign=campaign, roll__member=member)
        .exclude(status=AppraisalSession.Status.DRAFT)
        .order_by("-opened_at", "-pk")
    )
    for session in sessions[:1]:
        url = reverse("ballots:detail", args=[session.pk])
        if session.status == AppraisalSession.Status.OPEN:
            items.append(
                TodoItem("vote", _("民主评议投票"), _("投票进行中：请按支部安排投票"), url, TODO)
            )
        else:
            items.append(TodoItem("vote", _("民主评议投票"), _("投票已结束"), url, DONE))

    proposal = grading_selectors.approved_proposal(member, campaign)
    if proposal is not None:
        items.append(
            TodoItem(
                "grade",
                _("我的评议等级"),
                _("党委已审批：%(grade)s") % {"grade": proposal.get_grade_display()},
                reverse("grading:home"),
                INFO,
            )
        )

    _rectification(items, rectification_access.own_plan(user, campaign), campaign)
    return todo
