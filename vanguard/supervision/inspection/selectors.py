"""Reads of inspection: the people a group may be formed of, the branches of a
campaign grouped by general branch, a round's checks for the person, and the
evidence (依据) Vanguard already holds for one branch, per checklist item — read from
the apps below supervision, linked to their own pages, never entered again.

Every function takes querysets already limited by `supervision.access` or works on
one branch the caller fetched through it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from vanguard.accounts.models import User
from vanguard.campaigns.models import Campaign
from vanguard.lib.paths import path_prefixes
from vanguard.organization.models import Member, Unit
from vanguard.supervision.models import Check, CheckItem, Finding, Round, SupervisionGroup

SEARCH_LIMIT = 20


def _url(name: str, *args: Any, query: str = "") -> str:
    """A link to a page another workflow or app may not provide yet."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return ""
    return f"{url}?{query}" if query else url


# --- People and branches ----------------------------------------------------------------


# The longest search worth running: names, member numbers and logins are short; a
# longer text matches nobody (and makes a LIKE pattern SQLite refuses).
SEARCH_MAX = 50


def people_of(campaign: Campaign) -> QuerySet[User]:
    """The logins of the active members in the campaign's unit: who a group is formed of."""
    return (
        User.objects.filter(
            is_active=True,
            member__is_active=True,
            member__branch__path__startswith=campaign.unit.path,
        )
        .select_related("member__branch")
        .order_by("member__number", "pk")
    )


def search_people(campaign: Campaign, query: str, *, exclude: Iterable[int] = ()) -> list[User]:
    """Up to SEARCH_LIMIT of the campaign's people whose name, number or login matches."""
    query = (query or "").strip()
    if not query or len(query) > SEARCH_MAX:  # a name, number or login is short
        return []
    found = people_of(campaign).filter(
        Q(member__name__icontains=query)
        | Q(member__number__icontains=query)
        | Q(username__icontains=query)
    )
    return list(found.exclude(pk__in=list(exclude))[:SEARCH_LIMIT])


@dataclass
class BranchGroup:
    general_branch: Unit | None
    branches: list[Unit]


def branches_by_general_branch(campaign: Campaign) -> list[BranchGroup]:
    """The campaign's active branches under their general branches, in tree order."""
    units = Unit.objects.filter(
        path__startswith=campaign.unit.path,
        kind__in=[Unit.Kind.GENERAL_BRANCH, Unit.Kind.BRANCH],
        is_active=True,
    ).order_by("path")
    groups: dict[int | None, BranchGroup] = {}
    general = {u.pk: u for u in units if u.kind == Unit.Kind.GENERAL_BRANCH}
    for unit in units:
        if unit.kind != Unit.Kind.BRANCH:
            continue
        parent = unit.parent_id if unit.parent_id in general else None
        if parent not in groups:
            groups[parent] = BranchGroup(general.get(parent) if parent else None, [])
        groups[parent].branches.append(unit)
    return list(groups.values())


def campaign_groups(campaign: Campaign) -> QuerySet[SupervisionGroup]:
    return (
        SupervisionGroup.objects.filter(campaign=campaign)
        .select_related("phase", "leader__member")
        .prefetch_related("members__member", "branches")
        .order_by("name", "pk")
    )


# --- Rounds and checks ---------------------------------------------------------------------


@dataclass
class CheckCounts:
    total: int = 0
    done: int = 0
    with_findings: int = 0


def round_counts(rounds: Iterable[Round], checks: QuerySet[Check]) -> dict[int, CheckCounts]:
    """{round id: the person's checks in it, done, and done with something to improve}."""
    ids = [r.pk for r in rounds]
    rows = (
        checks.filter(round_id__in=ids)
        .order_by()
        .values("round_id")
        .annotate(
            total=Count("pk", distinct=True),
            done=Count("pk", filter=Q(status=Check.Status.DONE), distinct=True),
            bad=Count(
                "pk",
                filter=Q(
                    status=Check.Status.DONE,
                    findings__finding__in=[Finding.NEEDS_WORK, Finding.MISSING],
                ),
                distinct=True,
            ),
        )
    )
    counts = {pk: CheckCounts() for pk in ids}
    for row in rows:
        counts[row["round_id"]] = CheckCounts(row["total"], row["done"], row["bad"])
    return counts


def round_checks(round: Round, checks: QuerySet[Check]) -> list[Check]:
    """The person's checks of a round (already limited by access), by branch, with their
    findings."""
    return list(
        checks.filter(round=round)
        .select_related("branch__parent", "checked_by")
        .prefetch_related("findings")
        .order_by("branch__path")
    )


# --- Evidence --------------------------------------------------------------------------------


@dataclass
class Fact:
    label: str
    value: str = ""
    url: str = ""
    warn: bool = False


@dataclass
class Evidence:
    item: str
    label: str
    facts: list[Fact] = field(default_factory=list)
    links: list[Fact] = field(default_factory=list)


def _active_members(branch: Unit) -> QuerySet[Member]:
    return Member.objects.filter(branch=branch, is_active=True)


def _plan(campaign: Campaign, branch: Unit) -> Evidence:
    from vanguard.study.models import StudyPlan

    plan = StudyPlan.objects.filter(campaign=campaign, branch=branch).first()
    url = _url("study:plan_detail", branch.pk)
    if plan is None:
        facts = [Fact(_("学习讨论计划"), _("尚未制定"), url, warn=True)]
    elif plan.submitted_at is None:
        facts = [Fact(_("学习讨论计划"), _("已起草，尚未提交"), url, warn=True)]
    else:
        facts = [
            Fact(
                _("学习讨论计划"),
                _("%(day)s 已提交") % {"day": plan.submitted_at.date().isoformat()},
                url,
            )
        ]
    return Evidence(CheckItem.STUDY_PLAN, str(CheckItem.STUDY_PLAN.label), facts)


def _records(campaign: Campaign, branch: Unit, members: int) -> Evidence:
    from vanguard.study.models import Attendance, StudySession

    sessions = list(
        StudySession.objects.filter(campaign=campaign, unit=branch)
        .annotate(
            present=Count("attendance", filter=Q(attendance__status=Attendance.Status.PRESENT))
        )
        .order_by("starts_at")
    )
    present = sum(s.present for s in sessions)
    possible = members * len(sessions)
    facts = [
        Fact(_("学习讨论次数"), str(len(sessions)), warn=not sessions),
        Fact(
            _("出勤"),
            _("%(present)d 人次 / 应到 %(possible)d 人次")
            % {"present": present, "possible": possible}
            if sessions
            else "—",
        ),
    ]
    links = [
        Fact(
            s.topic,
            _("%(day)s · 出席 %(n)d 人") % {"day": s.starts_at.date().isoformat(), "n": s.present},
            _url("study:session_detail", s.pk),
        )
        for s in sessions[-10:]
    ]
    return Evidence(CheckItem.STUDY_RECORDS, str(CheckItem.STUDY_RECORDS.label), facts, links)


def _works_by_kind(campaign: Campaign, branch: Unit) -> dict[str, tuple[int, int]]:
    """{kind: (works, members who wrote one)} for the branch's members."""
    from vanguard.study.models import StudyWork

    rows = (
        StudyWork.objects.filter(campaign=campaign, member__branch=branch)
        .order_by()
        .values("kind")
        .annotate(n=Count("pk"), people=Count("member", distinct=True))
    )
    return {row["kind"]: (row["n"], row["people"]) for row in rows}


def _materials(campaign: Campaign, branch: Unit, works: dict[str, tuple[int, int]]) -> Evidence:
    from vanguard.study.models import StudySession, StudyWork

    lectures = StudySession.objects.filter(
        campaign=campaign,
        kind=StudySession.Kind.LECTURE,
        unit__path__in=path_prefixes(branch.path),
    ).count()
    facts = [
        Fact(str(label), _("%(n)d 篇") % {"n": works.get(kind, (0, 0))[0]})
        for kind, label in StudyWork.Kind.choices
    ]
    facts.append(Fact(_("专题报告"), _("%(n)d 次") % {"n": lectures}))
    links = [Fact(_("学习材料"), "", _url("study:work_list"))]
    return Evidence(CheckItem.STUDY_MATERIALS, str(CheckItem.STUDY_MATERIALS.label), facts, links)


def _notes(
    campaign: Campaign, branch: Unit, members: int, works: dict[str, tuple[int, int]]
) -> Evidence:
    from vanguard.study.models import StudyWork
    from vanguard.supervision.models import NoteAssessment

    notes, writers = works.get(StudyWork.Kind.READING_NOTE, (0, 0))
    facts = [
        Fact(_("读书笔记"), _("%(n)d 篇") % {"n": notes}),
        Fact(
            _("写了读书笔记的党员"),
            _("%(writers)d / %(members)d 人") % {"writers": writers, "members": members},
            warn=writers < members,
        ),
    ]
    grades = dict(NoteAssessment.Grade.choices)
    assessed = (
        NoteAssessment.objects.filter(campaign=campaign, member__branch=branch)
        .order_by()
        .values("grade")
        .annotate(n=Count("pk"))
    )
    counts = {row["grade"]: row["n"] for row in assessed}
    if counts:
        facts.append(
            Fact(
                _("笔记评阅"),
                "，".join(f"{grades[g]} {counts[g]}" for g in grades if counts.get(g)),
                warn=bool(counts.get(NoteAssessment.Grade.INSUFFICIENT)),
            )
        )
    links = [
        Fact(_("抽查阅读队列"), "", _url("supervision:queue", campaign.pk)),
    ]
    return Evidence(CheckItem.NOTES, str(CheckItem.NOTES.label), facts, [x for x in links if x.url])


def _opinions(campaign: Campaign, branch: Unit) -> Evidence:
    from vanguard.opinions.models import Opinion

    rows = (
        Opinion.objects.filter(campaign=campaign, branch=branch)
        .exclude(status=Opinion.Status.MERGED)
        .order_by()
        .values("channel")
        .annotate(n=Count("pk"))
    )
    counts = {row["channel"]: row["n"] for row in rows}
    total = sum(counts.values())
    facts = [Fact(_("收集意见"), _("%(n)d 条") % {"n": total}, warn=not total)]
    facts += [
        Fact(str(label), _("%(n)d 条") % {"n": counts[channel]})
        for channel, label in Opinion.Channel.choices
        if counts.get(channel)
    ]
    sorted_ = (
        Opinion.objects.filter(campaign=campaign, branch=branch, status=Opinion.Status.SORTED)
        .order_by()
        .values("kind")
        .annotate(n=Count("pk"))
    )
    kinds = dict(Opinion.Kind.choices)
    kind_counts = {row["kind"]: row["n"] for row in sorted_}
    if kind_counts:
        facts.append(
            Fact(
                _("已梳理"),
                "，".join(f"{kinds[k]} {n}" for k, n in kind_counts.items() if k in kinds),
            )
        )
    links = [
        Fact(
            _("征求意见情况"),
            "",
            _url("opinions:dashboard", query=f"campaign={campaign.pk}"),
        )
    ]
    return Evidence(CheckItem.OPINIONS, str(CheckItem.OPINIONS.label), facts, links)


def _summaries(campaign: Campaign, branch: Unit, members: int) -> Evidence:
    from vanguard.reviews.models import SubmittedVersion

    rows = (
        SubmittedVersion.objects.filter(
            document__campaign=campaign, document__member__branch=branch
        )
        .order_by()
        .values("round")
        .annotate(people=Count("document__member", distinct=True))
    )
    by_round = {row["round"]: row["people"] for row in rows}
    facts = [
        Fact(
            _("第 %(n)d 轮提交") % {"n": number},
            _("%(people)d / %(members)d 人")
            % {"people": by_round.get(number, 0), "members": members},
            warn=number == 1 and by_round.get(1, 0) < members,
        )
        for number in (1, 2, 3)
    ]
    links = [Fact(_("审阅队列"), "", _url("reviews:queue"))]
    return Evidence(
        CheckItem.SUMMARY_DRAFTS,
        str(CheckItem.SUMMARY_DRAFTS.label),
        facts,
        [x for x in links if x.url],
    )


def _appraisal(campaign: Campaign, branch: Unit) -> Evidence:
    from vanguard.ballots.models import AppraisalSession
    from vanguard.meetings.models import Meeting

    meetings = list(
        Meeting.objects.filter(
            campaign=campaign, unit=branch, kind=Meeting.Kind.DEMOCRATIC_APPRAISAL
        ).order_by("held_at")
    )
    sessions = list(
        AppraisalSession.objects.filter(campaign=campaign)
        .filter(Q(unit=branch) | Q(unit__parent=branch))
        .select_related("unit")
        .order_by("created_at")
    )
    facts = [
        Fact(
            str(Meeting.Kind.DEMOCRATIC_APPRAISAL.label),
            _("已召开 %(n)d 次") % {"n": len(meetings)} if meetings else _("尚未召开"),
            warn=not meetings,
        ),
        Fact(
            _("评议投票"),
            "，".join(f"{s.unit.name} {s.get_status_display()}" for s in sessions)
            if sessions
            else _("尚未安排"),
            warn=not any(s.status == AppraisalSession.Status.CLOSED for s in sessions),
        ),
    ]
    links = [
        Fact(m.title, m.held_at.date().isoformat(), _url("meetings:detail", m.pk)) for m in meetings
    ] + [
        Fact(
            _("投票：%(unit)s") % {"unit": s.unit.name},
            s.get_status_display(),
            _url("ballots:detail", s.pk),
        )
        for s in sessions
    ]
    return Evidence(
        CheckItem.APPRAISAL_MEETING, str(CheckItem.APPRAISAL_MEETING.label), facts, links
    )


def _grading(campaign: Campaign, branch: Unit) -> Evidence:
    from vanguard.grading.models import BranchGrading

    grading = (
        BranchGrading.objects.filter(campaign=campaign, branch=branch)
        .annotate(n=Count("proposals"))
        .first()
    )
    formal = _active_members(branch).filter(standing=Member.Standing.FORMAL).count()
    if grading is None:
        facts = [Fact(_("等级初评"), _("尚未开始"), warn=True)]
    else:
        facts = [
            Fact(
                _("等级初评"),
                str(grading.get_status_display()),
                warn=grading.status != BranchGrading.Status.APPROVED,
            ),
            Fact(
                _("已提出等次"),
                _("%(n)d / %(members)d 人") % {"n": grading.n, "members": formal},
                warn=grading.n < formal,
            ),
        ]
    links = [Fact(_("等级评定"), "", _url("grading:branch", campaign.pk, branch.pk))]
    return Evidence(CheckItem.GRADING, str(CheckItem.GRADING.label), facts, links)


def evidence(campaign: Campaign, branch: Unit, items: Iterable[str]) -> dict[str, Evidence]:
    """{item: what Vanguard holds about it for the branch} for the round's items."""
    items = list(items)
    members = _active_members(branch).count()
    works: dict[str, tuple[int, int]] = {}
    if {CheckItem.STUDY_MATERIALS, CheckItem.NOTES} & set(items):
        works = _works_by_kind(campaign, branch)
    builders: dict[str, Callable[[], Evidence]] = {
        CheckItem.STUDY_PLAN: lambda: _plan(campaign, branch),
        CheckItem.STUDY_RECORDS: lambda: _records(campaign, branch, members),
        CheckItem.STUDY_MATERIALS: lambda: _materials(campaign, branch, works),
        CheckItem.NOTES: lambda: _notes(campaign, branch, members, works),
        CheckItem.OPINIONS: lambda: _opinions(campaign, branch),
        CheckItem.SUMMARY_DRAFTS: lambda: _summaries(campaign, branch, members),
        CheckItem.APPRAISAL_MEETING: lambda: _appraisal(campaign, branch),
        CheckItem.GRADING: lambda: _grading(campaign, branch),
    }
    return {item: builders[item]() for item in items if item in builders}
