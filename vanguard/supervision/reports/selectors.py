"""The figures of supervision (督查), read from the models and limited to what the person
may see (`supervision.access`): the overview's coverage, notes, findings, make-up work
(补课) and guidance, and one round's inspection report for a unit.

Everything is counted in the database, a handful of aggregate queries per page whatever
the number of branches. The watch list (重点支部、重点人) is counted only through
`access.visible_watch_entries`, and never read for a report."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from vanguard.accounts.access import Person
from vanguard.campaigns.models import Campaign
from vanguard.meetings import access as meetings_access
from vanguard.meetings.models import Meeting
from vanguard.organization.models import Unit
from vanguard.study.models import StudyWork
from vanguard.supervision import access
from vanguard.supervision.models import (
    Check,
    CheckFinding,
    CheckItem,
    Finding,
    NoteAssessment,
    NoteType,
    RemediationOrder,
    Round,
    SampledMember,
    SupervisionGroup,
    WatchEntry,
)

# An order still to be done (not yet re-checked and passed).
OPEN_STATUSES = (
    RemediationOrder.Status.OPEN,
    RemediationOrder.Status.REPORTED,
    RemediationOrder.Status.REOPENED,
)
# An order past its deadline is overdue while nobody has reported it done.
OVERDUE_STATUSES = (RemediationOrder.Status.OPEN, RemediationOrder.Status.REOPENED)
FINDINGS = tuple(Finding)


def percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


@dataclass
class RoundCoverage:
    round: Round
    scope: int  # the round's branches the person reads
    checked: int  # of them, checked (the check done)

    @property
    def percent(self) -> int:
        return percent(self.checked, self.scope)


@dataclass
class FindingRow:
    label: str
    counts: list[int]  # in the order of FINDINGS

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class StatusRow:
    status: str
    label: str
    count: int
    overdue: int | None  # None: an order in this status cannot be overdue


@dataclass
class BranchRow:
    branch: Unit
    checks: int = 0
    flagged: int = 0  # findings 需改进 or 缺失
    open_orders: int = 0
    with_notes: int = 0
    sampled: int = 0
    read: int = 0


@dataclass
class WatchCounts:
    branches: int
    persons: int
    talks: int


@dataclass
class Overview:
    campaign: Campaign
    branches: int
    checked: int
    checked_twice: int
    rounds: list[RoundCoverage]
    members_with_notes: int
    sampled: int
    read_college: int
    read_general_branch: int
    by_grade: list[tuple[str, int, int]]  # grade, college, general branch
    by_type: list[tuple[str, int, int]]
    findings: list[FindingRow]
    finding_totals: list[int]
    orders: list[StatusRow]
    orders_total: int
    orders_open: int
    overdue: int
    burndown: list[tuple[datetime.date, int]]
    guidance: int
    guidance_lagging: int
    guided_branches: int
    meetings: list[tuple[str, int]]
    per_branch: list[BranchRow]
    watch: WatchCounts | None
    finding_labels: list[str] = field(default_factory=lambda: [str(f.label) for f in FINDINGS])

    @property
    def checked_percent(self) -> int:
        return percent(self.checked, self.branches)

    @property
    def sampled_percent(self) -> int:
        return percent(self.sampled, self.members_with_notes)

    @property
    def read_percent(self) -> int:
        return percent(self.read_college, self.sampled)


def _by(rows: Iterable[dict], key: str) -> dict:
    return {row[key]: row["n"] for row in rows}


def burndown(
    events: Iterable[tuple[datetime.datetime, datetime.datetime | None]],
    *,
    today: datetime.date,
) -> list[tuple[datetime.date, int]]:
    """Orders still open at the end of each day, from the day of the first order to
    today: an order counts from the day it was made until the day it was re-checked and
    passed (`verified_at`)."""
    opened: dict[datetime.date, int] = defaultdict(int)
    closed: dict[datetime.date, int] = defaultdict(int)
    for ordered_at, verified_at in events:
        opened[timezone.localdate(ordered_at)] += 1
        if verified_at is not None:
            closed[timezone.localdate(verified_at)] += 1
    if not opened:
        return []
    day = min(opened)
    last = max(today, max(opened), max(closed, default=day))
    result = []
    count = 0
    while day <= last:
        count += opened.get(day, 0) - closed.get(day, 0)
        result.append((day, count))
        day += datetime.timedelta(days=1)
    return result


def burndown_changes(
    days: list[tuple[datetime.date, int]],
) -> list[tuple[datetime.date, int]]:
    """The days on which the count changed (and the last day): the small table beside
    the chart, a few rows instead of one per day."""
    shown: list[tuple[datetime.date, int]] = []
    for index, (day, count) in enumerate(days):
        if not shown or shown[-1][1] != count or index == len(days) - 1:
            shown.append((day, count))
    return shown


def overview(user: Person, campaign: Campaign) -> Overview:
    today = timezone.localdate()
    branches = list(access.report_branches(user, campaign).order_by("path"))
    rows = {b.pk: BranchRow(branch=b) for b in branches}

    done = access.visible_checks(user).filter(
        round__campaign=campaign, branch__in=branches, status=Check.Status.DONE
    )
    checks_per_branch = _by(
        done.values("branch_id").annotate(n=Count("round_id", distinct=True)), "branch_id"
    )
    for pk, n in checks_per_branch.items():
        rows[pk].checks = n

    rounds = list(access.visible_rounds(user).filter(campaign=campaign).order_by("starts_on", "pk"))
    scope = _by(
        Round.branches.through.objects.filter(round__in=rounds, unit__in=branches)
        .values("round_id")
        .annotate(n=Count("unit_id")),
        "round_id",
    )
    checked = _by(done.values("round_id").annotate(n=Count("branch_id", distinct=True)), "round_id")
    coverage = [RoundCoverage(r, scope.get(r.pk, 0), checked.get(r.pk, 0)) for r in rounds]

    notes = StudyWork.objects.filter(
        campaign=campaign, kind=StudyWork.Kind.READING_NOTE, member__branch__in=branches
    )
    for pk, n in _by(
        notes.values("member__branch_id").annotate(n=Count("member_id", distinct=True)),
        "member__branch_id",
    ).items():
        rows[pk].with_notes = n
    sampled = SampledMember.objects.filter(sample__campaign=campaign, branch__in=branches)
    for pk, n in _by(
        sampled.values("branch_id").annotate(n=Count("member_id", distinct=True)), "branch_id"
    ).items():
        rows[pk].sampled = n

    assessments = access.visible_assessments(user).filter(
        campaign=campaign, member__branch__in=branches
    )
    college = assessments.filter(level=NoteAssessment.Level.COLLEGE)
    for pk, n in _by(
        college.values("member__branch_id").annotate(n=Count("pk")), "member__branch_id"
    ).items():
        rows[pk].read = n
    grades = defaultdict(
        int,
        {
            (row["level"], row["grade"]): row["n"]
            for row in assessments.values("level", "grade").annotate(n=Count("pk"))
        },
    )
    by_grade = [
        (
            str(label),
            grades[(NoteAssessment.Level.COLLEGE, value)],
            grades[(NoteAssessment.Level.GENERAL_BRANCH, value)],
        )
        for value, label in NoteAssessment.Grade.choices
    ]
    types = defaultdict(
        int,
        {
            (row["level"], row["note_type_id"]): row["n"]
            for row in assessments.values("level", "note_type_id").annotate(n=Count("pk"))
        },
    )
    by_type = [
        (
            t.name,
            types[(NoteAssessment.Level.COLLEGE, t.pk)],
            types[(NoteAssessment.Level.GENERAL_BRANCH, t.pk)],
        )
        for t in NoteType.objects.filter(campaign=campaign)
    ]

    found = defaultdict(
        int,
        {
            (row["item"], row["finding"]): row["n"]
            for row in CheckFinding.objects.filter(check_record__in=done)
            .values("item", "finding")
            .annotate(n=Count("pk"))
        },
    )
    findings = [
        FindingRow(str(label), [found[(item, f.value)] for f in FINDINGS])
        for item, label in CheckItem.choices
        if any(found[(item, f.value)] for f in FINDINGS)
    ]
    flagged = CheckFinding.objects.filter(
        check_record__in=done, finding__in=[Finding.NEEDS_WORK, Finding.MISSING]
    )
    for pk, n in _by(
        flagged.values("check_record__branch_id").annotate(n=Count("pk")),
        "check_record__branch_id",
    ).items():
        rows[pk].flagged = n

    orders = access.visible_orders(user).filter(campaign=campaign, branch__in=branches)
    status_counts = {
        row["status"]: row
        for row in orders.values("status").annotate(
            n=Count("pk"),
            late=Count("pk", filter=Q(deadline__lt=today, status__in=OVERDUE_STATUSES)),
        )
    }
    statuses = [
        StatusRow(
            status=value,
            label=str(label),
            count=status_counts.get(value, {}).get("n", 0),
            overdue=(
                status_counts.get(value, {}).get("late", 0) if value in OVERDUE_STATUSES else None
            ),
        )
        for value, label in RemediationOrder.Status.choices
    ]
    for pk, n in _by(
        orders.filter(status__in=OPEN_STATUSES).values("branch_id").annotate(n=Count("pk")),
        "branch_id",
    ).items():
        rows[pk].open_orders = n

    guidance = access.visible_guidance(user).filter(campaign=campaign, branch__in=branches)
    guidance_counts = guidance.aggregate(
        n=Count("pk"),
        lagging=Count("pk", filter=Q(lagging=True)),
        branches=Count("branch_id", distinct=True),
    )

    kinds = _by(
        meetings_access.visible_meetings(user)
        .filter(campaign=campaign)
        .values("kind")
        .annotate(n=Count("pk")),
        "kind",
    )
    meetings = [
        (str(label), kinds[value]) for value, label in Meeting.Kind.choices if value in kinds
    ]

    watch = None
    if access.reads_watch_list(user, campaign):
        entries = access.visible_watch_entries(user).filter(
            campaign=campaign, closed_at__isnull=True
        )
        kinds_watched = _by(entries.values("kind").annotate(n=Count("pk")), "kind")
        watch = WatchCounts(
            branches=kinds_watched.get(WatchEntry.Kind.BRANCH, 0),
            persons=kinds_watched.get(WatchEntry.Kind.PERSON, 0),
            talks=access.visible_talks(user).filter(entry__campaign=campaign).count(),
        )

    return Overview(
        campaign=campaign,
        branches=len(branches),
        checked=len(checks_per_branch),
        checked_twice=sum(1 for n in checks_per_branch.values() if n >= 2),
        rounds=coverage,
        members_with_notes=notes.values("member_id").distinct().count(),
        sampled=sampled.values("member_id").distinct().count(),
        read_college=college.count(),
        read_general_branch=assessments.filter(level=NoteAssessment.Level.GENERAL_BRANCH).count(),
        by_grade=by_grade,
        by_type=by_type,
        findings=findings,
        finding_totals=[sum(row.counts[i] for row in findings) for i in range(len(FINDINGS))],
        orders=statuses,
        orders_total=sum(s.count for s in statuses),
        orders_open=sum(s.count for s in statuses if s.status in OPEN_STATUSES),
        overdue=sum(s.overdue or 0 for s in statuses),
        burndown=burndown(orders.values_list("ordered_at", "verified_at"), today=today),
        guidance=guidance_counts["n"],
        guidance_lagging=guidance_counts["lagging"],
        guided_branches=guidance_counts["branches"],
        meetings=meetings,
        per_branch=list(rows.values()),
        watch=watch,
    )


def report_units(user: Person, campaign: Campaign) -> list[Unit]:
    """The units whose round reports the overview offers: the college and its general
    branches for the committee, a general branch for its secretary, and only where the
    person reads no general branch whole, their branches (a supervisor's)."""
    units = list(access.report_units(user, campaign).order_by("path"))
    above = [u for u in units if u.kind != Unit.Kind.BRANCH]
    return above or units


# --- A round's inspection report ---------------------------------------------------------


@dataclass
class ItemFinding:
    item: str
    finding: str  # the label; "" while not yet found
    note: str


@dataclass
class OrderLine:
    who: str  # the member, or "" for the whole branch
    reason: str
    deadline: datetime.date
    responsible: str
    status: str


@dataclass
class BranchReport:
    branch: Unit
    checked: bool
    checked_on: datetime.date | None
    group: str
    checked_by: str
    summary: str
    findings: list[ItemFinding]
    orders: list[OrderLine]


@dataclass
class RoundReport:
    round: Round
    unit: Unit
    items: list[str]
    groups: list[tuple[str, str, list[str]]]  # name, leader, members
    branches: list[BranchReport]
    finding_totals: list[tuple[str, int]]
    by_item: list[FindingRow]
    orders_by_status: list[tuple[str, int]]
    sampled: int
    read: int

    @property
    def checked(self) -> int:
        return sum(1 for b in self.branches if b.checked)


def _checks(round: Round, unit: Unit) -> QuerySet[Check]:
    return (
        Check.objects.filter(round=round, branch__path__startswith=unit.path)
        .select_related("branch", "group", "checked_by")
        .prefetch_related("findings")
    )


def round_report(round: Round, unit: Unit) -> RoundReport:
    """What a round checked in the unit's branches, what it found, the make-up work it
    ordered, and the figures. The caller has fetched the round and the unit through
    access (the person reads all of the unit's findings). No watch list here."""
    item_labels = dict(CheckItem.choices)
    items = [value for value in round.items if value in item_labels]
    branches = list(round.branches.filter(path__startswith=unit.path).order_by("path"))
    checks = {c.branch_id: c for c in _checks(round, unit)}
    orders_of: dict[int, list[OrderLine]] = defaultdict(list)
    order_rows = (
        RemediationOrder.objects.filter(
            check_record__round=round, branch__path__startswith=unit.path
        )
        .select_related("member", "responsible")
        .order_by("deadline", "pk")
    )
    status_counts: dict[str, int] = defaultdict(int)
    for order in order_rows:
        status_counts[order.status] += 1
        orders_of[order.branch_id].append(
            OrderLine(
                who=order.member.name if order.member else "",
                reason=order.reason,
                deadline=order.deadline,
                responsible=str(order.responsible) if order.responsible else "",
                status=str(order.get_status_display()),
            )
        )
    found: dict[tuple[str, str], int] = defaultdict(int)
    reports = []
    for branch in branches:
        check = checks.get(branch.pk)
        done = check is not None and check.status == Check.Status.DONE
        by_item = {f.item: f for f in check.findings.all()} if check is not None else {}
        lines = []
        for item in items:
            finding = by_item.get(item) if done else None
            if finding is not None:
                found[(item, finding.finding)] += 1
            lines.append(
                ItemFinding(
                    item=str(item_labels[item]),
                    finding=str(finding.get_finding_display()) if finding else "",
                    note=finding.note if finding else "",
                )
            )
        reports.append(
            BranchReport(
                branch=branch,
                checked=done,
                checked_on=check.checked_on if done and check else None,
                group=check.group.name if check and check.group else "",
                checked_by=str(check.checked_by) if done and check and check.checked_by else "",
                summary=check.summary if done and check else "",
                findings=lines,
                orders=orders_of.get(branch.pk, []),
            )
        )
    groups = (
        SupervisionGroup.objects.filter(
            checks__round=round, checks__branch__path__startswith=unit.path
        )
        .distinct()
        .select_related("leader")
        .prefetch_related("members")
    )
    sampled = SampledMember.objects.filter(sample__round=round, branch__path__startswith=unit.path)
    read = NoteAssessment.objects.filter(
        sampled__in=sampled, level=NoteAssessment.Level.COLLEGE
    ).count()
    return RoundReport(
        round=round,
        unit=unit,
        items=[str(item_labels[item]) for item in items],
        groups=[
            (g.name, str(g.leader) if g.leader else "", [str(m) for m in g.members.all()])
            for g in groups
        ],
        branches=reports,
        finding_totals=[(str(f.label), sum(found[(i, f.value)] for i in items)) for f in FINDINGS],
        by_item=[
            FindingRow(str(item_labels[i]), [found[(i, f.value)] for f in FINDINGS]) for i in items
        ],
        orders_by_status=[
            (str(label), status_counts[value])
            for value, label in RemediationOrder.Status.choices
            if status_counts[value]
        ],
        sampled=sampled.values("member_id").distinct().count(),
        read=read,
    )
