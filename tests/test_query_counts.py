"""The pages a university opens most make as many SQL queries on a large organisation
as on a small one (issue 17, goal 1): a member's home, their progress page, the branch
dashboard, the college dashboard and its unit progress page, the university dashboard
over every college, and the feedback sheet (反馈表).

One small university is built (two colleges of two branches, five members each, with
a campaign's records: study plans, sessions and attendance, study works, meetings and
attendance, phase transitions, opinions, self-analyses, a held appraisal vote and grade
proposals), every page is read and its queries counted; then the organisation and the
records grow (four more colleges, more branches in the viewers' college, more members
in the viewers' branch, and every kind of record again for everyone, including more
opinions and works of the member who looks at their own pages) and every page is read
again. A page whose count changed does work per row somewhere.

The counts must be equal (+0): every page reads what it shows with a fixed number of
queries, and nothing here depends on the data except through the rows' number. The
times (of one read, not asserted) and, on SQLite, the thousands of steps its queries
took (the rows they walked, which the machine's load does not change; the planner's
statistics gathered first, as on a live database) are printed with `-s`.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import kept_across_tests
from vanguard.accounts.models import Role, RoleAssignment, User
from vanguard.campaigns import requirements
from vanguard.campaigns.blueprints import EDUCATION
from vanguard.campaigns.models import Campaign, Phase, PhaseTransition, Requirement
from vanguard.grading.models import BranchGrading, GradeProposal
from vanguard.grading.tests.factories import held_vote
from vanguard.meetings.models import Meeting, MeetingAttendance
from vanguard.opinions.models import Opinion
from vanguard.organization.models import Member, Unit
from vanguard.reviews.models import SelfAnalysis, SubmittedVersion
from vanguard.study.models import Attendance, StudyPlan, StudySession, StudyWork

TODAY = timezone.localdate()
GRADES = ("excellent", "qualified", "qualified", "basically_qualified")


@dataclass
class University:
    root: Unit
    colleges: list[Unit] = field(default_factory=list)
    branches: list[Unit] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    campaign: Campaign | None = None
    numbers: int = 0  # members made so far (their numbers)
    voted: set[int] = field(default_factory=set)  # branches whose vote was held


def _unit(name: str, kind: str, parent: Unit | None) -> Unit:
    return Unit.objects.create(name=name, kind=kind, parent=parent)


def _members(uni: University, branch: Unit, count: int) -> list[Member]:
    made = []
    for _n in range(count):
        uni.numbers += 1
        made.append(
            Member(
                name=f"党员{uni.numbers:05d}",
                number=f"Q{uni.numbers:05d}",
                branch=branch,
                category=Member.Category.FACULTY,
                standing=Member.Standing.FORMAL,
                joined_on=datetime.date(2001, 7, 1),
            )
        )
    Member.objects.bulk_create(made)
    uni.members += made
    return made


def _branch(uni: University, general_branch: Unit, members: int) -> Unit:
    index = len(uni.branches) + 1
    branch = _unit(f"第{index}党支部", Unit.Kind.BRANCH, general_branch)
    _unit(f"第{index}支部第一党小组", Unit.Kind.PARTY_GROUP, branch)
    uni.branches.append(branch)
    _members(uni, branch, members)
    return branch


def _college(uni: University, branches: int, members: int) -> Unit:
    index = len(uni.colleges) + 1
    college = _unit(f"第{index}学院党委", Unit.Kind.COMMITTEE, uni.root)
    uni.colleges.append(college)
    for g in range(2):
        general_branch = _unit(f"第{index}学院第{g + 1}党总支", Unit.Kind.GENERAL_BRANCH, college)
        for _b in range(branches // 2):
            _branch(uni, general_branch, members)
    return college


def _campaign(root: Unit) -> Campaign:
    """The education campaign over the university: study done, analysis open."""
    campaign = Campaign.objects.create(
        name="保持共产党员先进性教育活动",
        kind=Campaign.Kind.EDUCATION,
        unit=root,
        year=TODAY.year,
        status=Campaign.Status.ACTIVE,
    )
    spans: dict[str, tuple[int, int, str]] = {
        Phase.Key.STUDY: (-100, -30, Phase.Status.CLOSED),
        Phase.Key.ANALYSIS: (-29, 15, Phase.Status.OPEN),
        Phase.Key.RECTIFICATION: (16, 80, Phase.Status.PENDING),
    }
    for order, spec in enumerate(EDUCATION.phases, start=1):
        start, end, status = spans[spec.key]
        phase = Phase.objects.create(
            campaign=campaign,
            key=spec.key,
            name=str(spec.name),
            order=order,
            starts_on=TODAY + datetime.timedelta(days=start),
            ends_on=TODAY + datetime.timedelta(days=end),
            status=status,
        )
        for n, req in enumerate(spec.requirements, start=1):
            Requirement.objects.create(
                phase=phase,
                kind=req.kind,
                scope=requirements.scope_of(req.kind),
                params=requirements.validate_params(req.kind, req.params),
                label=requirements.default_label(req.kind, req.params),
                order=n,
            )
    return campaign


def _moment(days_ago: int, hour: int = 10) -> datetime.datetime:
    day = TODAY - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _records(uni: University, round_: int, votes: int) -> None:
    """One more round of every kind of record for every branch and member, and the
    appraisal vote held in `votes` more branches."""
    campaign = uni.campaign
    assert campaign is not None
    phases = {phase.key: phase for phase in campaign.phases.all()}
    by_branch: dict[int, list[Member]] = {}
    for member in uni.members:
        by_branch.setdefault(member.branch_id, []).append(member)
    plans, sessions, works, meetings, transitions, opinions = [], [], [], [], [], []
    for branch in uni.branches:
        if round_ == 1 or not StudyPlan.objects.filter(campaign=campaign, branch=branch).exists():
            plans.append(
                StudyPlan(
                    campaign=campaign,
                    branch=branch,
                    title=f"{branch.name}学习计划",
                    body="<p>集中学习。</p>",
                    submitted_at=_moment(95),
                )
            )
            transitions.append(
                PhaseTransition(
                    campaign=campaign,
                    branch=branch,
                    from_phase=phases[Phase.Key.STUDY],
                    to_phase=phases[Phase.Key.ANALYSIS],
                    reason="学习动员阶段各项要求均已完成",
                )
            )
        sessions += [
            StudySession(
                campaign=campaign,
                unit=branch,
                topic=f"学习讨论（第{round_}轮第{n + 1}次）",
                materials="《中国共产党章程》",
                starts_at=_moment(90 - 10 * n - round_),
            )
            for n in range(2)
        ]
        meetings.append(
            Meeting(
                campaign=campaign,
                phase=phases[Phase.Key.ANALYSIS],
                unit=branch,
                kind=Meeting.Kind.MOBILISATION,
                title=f"{branch.name}动员会（{round_}）",
                held_at=_moment(20 - round_),
            )
        )
        for member in by_branch.get(branch.pk, []):
            for kind in ("reading_note", "reading_note", "reflection"):
                works.append(
                    StudyWork(
                        campaign=campaign,
                        member=member,
                        kind=kind,
                        title="学习笔记",
                        material="《中国共产党章程》",
                        body="<p>学习体会。</p>",
                        submitted_at=_moment(60 + round_),
                    )
                )
            for channel, kind in (("suggestion_box", "criticism"), ("talk", "praise")):
                opinions.append(
                    Opinion(
                        campaign=campaign,
                        branch=branch,
                        channel=channel,
                        text=f"意见（{round_}）：工作作风",
                        received_on=TODAY - datetime.timedelta(days=10),
                        subject_kind=Opinion.SubjectKind.MEMBER,
                        subject_member=member,
                        kind=kind,
                        status=Opinion.Status.SORTED,
                    )
                )
        opinions.append(
            Opinion(
                campaign=campaign,
                branch=branch,
                channel="suggestion_box",
                text=f"对支部的意见（{round_}）",
                received_on=TODAY - datetime.timedelta(days=10),
                subject_kind=Opinion.SubjectKind.BRANCH,
                subject_unit=branch,
                kind="suggestion",
                status=Opinion.Status.SORTED,
            )
        )
    StudyPlan.objects.bulk_create(plans)
    StudySession.objects.bulk_create(sessions)
    Meeting.objects.bulk_create(meetings)
    PhaseTransition.objects.bulk_create(transitions)
    Opinion.objects.bulk_create(opinions)
    StudyWork.objects.bulk_create(works)
    Attendance.objects.bulk_create(
        Attendance(
            session=session,
            member=member,
            status=Attendance.Status.PRESENT,
            method=Attendance.Method.QR,
        )
        for session in sessions
        for member in by_branch.get(session.unit_id, [])
    )
    MeetingAttendance.objects.bulk_create(
        MeetingAttendance(meeting=meeting, member=member, status="present")
        for meeting in meetings
        for member in by_branch.get(meeting.unit_id, [])
    )
    # A self-analysis, sent up once more each round, for every member.
    existing = set(
        SelfAnalysis.objects.filter(campaign=campaign).values_list("member_id", flat=True)
    )
    SelfAnalysis.objects.bulk_create(
        SelfAnalysis(
            campaign=campaign,
            member=member,
            problems="理论学习不够",
            state=SelfAnalysis.State.SUBMITTED,
        )
        for member in uni.members
        if member.pk not in existing
    )
    documents = SelfAnalysis.objects.filter(campaign=campaign)
    SubmittedVersion.objects.bulk_create(
        SubmittedVersion(document=document, number=round_, round=1, problems="理论学习不够")
        for document in documents
        if round_ == 1 or document.member_id not in existing
    )
    # The appraisal vote (through the ballot services) and the branch's grades.
    for branch in [b for b in uni.branches if b.pk not in uni.voted][:votes]:
        held_vote(branch, [{}, {}])
        uni.voted.add(branch.pk)
        grading = BranchGrading.objects.create(campaign=campaign, branch=branch)
        GradeProposal.objects.bulk_create(
            GradeProposal(grading=grading, member=member, grade=GRADES[n % 4], rationale="表现")
            for n, member in enumerate(by_branch.get(branch.pk, []))
        )


@dataclass
class Viewers:
    university_admin: User
    college_admin: User
    secretary: User
    member: User


def _viewers(uni: University) -> Viewers:
    def user(username: str, role: str | None = None, unit: Unit | None = None) -> User:
        made = User.objects.create_user(username=username, password="x")  # noqa: S106
        if role is not None and unit is not None:
            RoleAssignment.objects.create(user=made, role=role, unit=unit)
        return made

    branch = uni.branches[0]
    viewers = Viewers(
        university_admin=user("zuzhibu", Role.COMMITTEE_ADMIN, uni.root),
        college_admin=user("committee", Role.COMMITTEE_ADMIN, uni.colleges[0]),
        secretary=user("secretary", Role.BRANCH_SECRETARY, branch),
        member=user("member"),
    )
    members = [m for m in uni.members if m.branch_id == branch.pk]
    for member, who in zip(members, (viewers.secretary, viewers.member), strict=False):
        member.user = who
        member.save(update_fields=["user"])
    return viewers


def _pages(uni: University, viewers: Viewers) -> dict[str, tuple[User, str]]:
    campaign = uni.campaign
    assert campaign is not None
    return {
        "member home": (viewers.member, reverse("home")),
        "member progress": (
            viewers.member,
            reverse("campaigns:progress_me", args=[campaign.pk]),
        ),
        "feedback sheet": (viewers.member, reverse("opinions:feedback")),
        "secretary home": (viewers.secretary, reverse("home")),
        "branch dashboard": (
            viewers.secretary,
            reverse("campaigns:progress_unit", args=[campaign.pk, uni.branches[0].pk]),
        ),
        "college dashboard": (viewers.college_admin, reverse("campaigns:dashboard")),
        "college unit progress": (
            viewers.college_admin,
            reverse("campaigns:progress_unit", args=[campaign.pk, uni.colleges[0].pk]),
        ),
        "university dashboard": (viewers.university_admin, reverse("campaigns:dashboard")),
    }


@dataclass
class Reading:
    queries: int
    ms: float
    status: int
    # SQLite's virtual-machine steps, in thousands: the rows the queries walked, which
    # the machine's load does not change (0 on PostgreSQL).
    ksteps: int = 0


def _read(pages: dict[str, tuple[User, str]]) -> dict[str, Reading]:
    readings = {}
    for name, (user, url) in pages.items():
        client = Client()
        client.force_login(user)
        client.get(url)  # warm: the session, templates, translations
        steps = [0]

        def step(counter: list[int] = steps) -> int:
            counter[0] += 1
            return 0  # go on

        raw = connection.connection if connection.vendor == "sqlite" else None
        if raw is not None:
            raw.set_progress_handler(step, 1000)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if raw is not None:
            raw.set_progress_handler(None, 1000)
        # Counted now: the next request empties the connection's query log.
        readings[name] = Reading(len(captured), elapsed, response.status_code, steps[0])
    return readings


def _analyze() -> None:
    """The planner's statistics, as a live database has them (PostgreSQL's autovacuum;
    SQLite's PRAGMA optimize): without them SQLite reads a branch's rows through the
    campaign's index, walking the whole campaign."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


@dataclass
class Measured:
    small: dict[str, Reading]
    grown: dict[str, Reading]
    sizes: list[str]


def _size(uni: University) -> str:
    return (
        f"{len(uni.colleges)} colleges, {len(uni.branches)} branches, "
        f"{len(uni.members)} members, {StudyWork.objects.count()} works, "
        f"{Opinion.objects.count()} opinions, {len(uni.voted)} votes"
    )


@pytest.fixture(scope="module")
def measured_of_the_module(django_db_setup, django_db_blocker) -> Iterator[Measured]:
    with kept_across_tests(django_db_blocker):
        uni = University(root=_unit("示范大学党委", Unit.Kind.COMMITTEE, None))
        for _c in range(2):
            _college(uni, branches=2, members=5)
        uni.campaign = _campaign(uni.root)
        viewers = _viewers(uni)
        _records(uni, 1, votes=2)
        pages = _pages(uni, viewers)
        sizes = [_size(uni)]
        _analyze()
        small = _read(pages)

        # Grow: more colleges, more branches in the viewers' college, more members in
        # the viewers' branch, and every kind of record again for everyone.
        for _c in range(4):
            _college(uni, branches=4, members=8)
        general_branch = uni.branches[0].parent
        assert general_branch is not None
        for _b in range(4):
            _branch(uni, general_branch, 8)
        _members(uni, uni.branches[0], 12)
        _records(uni, 2, votes=4)
        _records(uni, 3, votes=0)
        sizes.append(_size(uni))
        _analyze()
        grown = _read(pages)
        result = Measured(small, grown, sizes)
        print()
        print(f"small: {sizes[0]}\ngrown: {sizes[1]}")
        for name in pages:
            a, b = small[name], grown[name]
            print(
                f"{name:24} {a.queries:4d} -> {b.queries:4d} queries   "
                f"{a.ms:7.1f} -> {b.ms:7.1f} ms   {a.ksteps:5d} -> {b.ksteps:5d} k steps"
            )
        yield result


PAGES = (
    "member home",
    "member progress",
    "feedback sheet",
    "secretary home",
    "branch dashboard",
    "college dashboard",
    "college unit progress",
    "university dashboard",
)


@pytest.mark.parametrize("page", PAGES)
def test_page_queries_do_not_grow_with_the_data(
    measured_of_the_module: Measured, page: str, db
) -> None:
    small, grown = measured_of_the_module.small[page], measured_of_the_module.grown[page]
    assert (small.status, grown.status) == (200, 200)
    assert small.queries > 0
    assert grown.queries == small.queries, (
        f"{page}: {small.queries} queries at {measured_of_the_module.sizes[0]}, "
        f"{grown.queries} at {measured_of_the_module.sizes[1]}"
    )


def test_the_data_grew_at_least_threefold(measured_of_the_module: Measured, db) -> None:
    """The comparison means something only if the data did grow (3–5× and more)."""
    sizes = measured_of_the_module.sizes
    small = [int(part.split()[0]) for part in sizes[0].split(", ")]
    grown = [int(part.split()[0]) for part in sizes[1].split(", ")]
    assert all(g >= 3 * s for s, g in zip(small, grown, strict=True)), sizes
