"""Benchmark of the progress dashboards: `manage.py bench_dashboards [--size L]`.

Builds the demo organisation of the given size (`build_demo`) unless it is there,
and, when no campaign is running in it, a campaign in progress over the whole
organisation: the study phase done by most branches (plans, sessions with
attendance, reading notes and reflections), the analysis phase open with its
meetings held by some. Then it times, through Django's test client, the college
dashboard (the committee admin of 信息学院), a branch dashboard (the secretary of
光学工程教工第一党支部) and, for sizes M and L, the whole university (组织部),
printing the median of several runs and the number of queries each page makes.

Run it through `make bench-dashboards`, which uses a database of its own
(var/bench-dashboards.sqlite3), never the demo's.
"""

from __future__ import annotations

import datetime
import random
import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vanguard.accounts.models import User
from vanguard.campaigns import requirements
from vanguard.campaigns.blueprints import EDUCATION
from vanguard.campaigns.models import Campaign, Phase, PhaseTransition, Requirement
from vanguard.demo.build import built_size, demo_build
from vanguard.demo.common import COLLEGE_NAME, DemoError, dated
from vanguard.demo.organization import UNIVERSITY_ADMIN, normalise_size
from vanguard.meetings.models import Meeting
from vanguard.organization.models import Member, Unit
from vanguard.study.models import Attendance, StudyPlan, StudySession, StudyWork

BOOKS = ("《中国共产党章程》", "《邓小平文选》第三卷", "《江泽民文选》", "《论共产党员的修养》")
NOTE_TEXT = (
    "通过学习，我进一步认识到保持共产党员先进性的重要意义，"
    "要在本职岗位上发挥先锋模范作用，密切联系群众，自觉接受监督。"
)
STUDY_REQUIREMENTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("member_study_works", {"kind": "reading_note", "min": 2}),
    ("member_study_works", {"kind": "reflection", "min": 1}),
    ("branch_study_plan", {}),
    ("branch_study_sessions", {"min": 2}),
)
# The analysis phase's as the education blueprint sets them (its three meetings and
# each member's self-analysis): the demo's campaign has them too.
ANALYSIS_REQUIREMENTS: tuple[tuple[str, dict[str, Any]], ...] = tuple(
    (spec.kind, spec.params)
    for phase in EDUCATION.phases
    if phase.key == Phase.Key.ANALYSIS
    for spec in phase.requirements
)
# Rectification's, as the education blueprint sets them (the demo's campaign has them:
# the two campaigns' dashboards are compared query for query).
RECTIFICATION_REQUIREMENTS: tuple[tuple[str, dict[str, Any]], ...] = tuple(
    (spec.kind, spec.params)
    for phase in EDUCATION.phases
    if phase.key == Phase.Key.RECTIFICATION
    for spec in phase.requirements
)


class Command(BaseCommand):
    help = "Time the college and branch progress dashboards on a large organisation."

    def add_arguments(self, parser):
        parser.add_argument("--size", default="L", help="demo, M or L (default L)")
        parser.add_argument("--runs", type=int, default=7)

    def handle(self, *args: Any, size: str, runs: int, **options: Any) -> None:
        try:
            built = built_size()
            if built is None:
                started = time.perf_counter()
                demo_build(size=size)
                self.stdout.write(
                    f"organisation (size {size}) built in {time.perf_counter() - started:.1f} s"
                )
            elif built != normalise_size(size):
                raise CommandError(
                    f"This database holds the demo at size {built}, not {size}: "
                    "use a fresh database (make bench-dashboards does)."
                )
        except DemoError as error:
            raise CommandError(str(error)) from error

        root = Unit.objects.filter(parent__isnull=True).order_by("pk").first()
        college = Unit.objects.filter(name=COLLEGE_NAME).order_by("depth").first()
        assert root is not None and college is not None
        # The college's own campaign (the demo's, when build_demo makes one), and for
        # M and L one over the whole university as well, generated here.
        scopes = [
            (college, [("college dashboard", "committee"), ("branch dashboard", "secretary")])
        ]
        if root != college:
            scopes.append((root, [("university dashboard", UNIVERSITY_ADMIN)]))
        pages = []
        for unit, users in scopes:
            campaign = self.campaign_for(unit)
            for label, username in users:
                pages.append((label, username, f"/campaigns/?campaign={campaign.pk}"))
        for label, username, url in pages:
            self.time_page(label, username, url, runs)

    def campaign_for(self, unit: Unit) -> Campaign:
        campaign = Campaign.objects.filter(status=Campaign.Status.ACTIVE, unit=unit).first()
        if campaign is None:
            started = time.perf_counter()
            campaign = campaign_data_build(root=unit)
            self.stdout.write(
                f"campaign data for {unit.name} generated in {time.perf_counter() - started:.1f} s"
            )
        under = unit.path
        branches = Unit.objects.filter(kind=Unit.Kind.BRANCH, path__startswith=under).count()
        self.stdout.write(
            f"{campaign.name} over {unit.name}: {branches} branches, "
            f"{Member.objects.filter(is_active=True, branch__path__startswith=under).count()} "
            f"members, {StudyWork.objects.filter(campaign=campaign).count()} study works, "
            f"{Attendance.objects.filter(session__campaign=campaign).count()} attendance rows, "
            f"{Meeting.objects.filter(campaign=campaign).count()} meetings"
        )
        return campaign

    def time_page(self, label: str, username: str, url: str, runs: int) -> None:
        client = Client(HTTP_HOST="localhost")
        client.force_login(User.objects.get_by_natural_key(username))
        client.get(url)  # warm up: templates, translations, the session
        timings = []
        queries = 0
        for _run in range(runs):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                timings.append(time.perf_counter() - started)
            queries = len(captured)
            if response.status_code != 200:
                raise CommandError(f"{label}: {url} answered {response.status_code}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{label} ({username}): median {statistics.median(timings) * 1000:.0f} ms "
                f"over {runs} runs (min {min(timings) * 1000:.0f} ms, "
                f"max {max(timings) * 1000:.0f} ms), {queries} queries, "
                f"{len(response.content) / 1024:.0f} KB"
            )
        )


def _requirements(phase: Phase, specs: tuple[tuple[str, dict], ...]) -> list[Requirement]:
    return [
        Requirement(
            phase=phase,
            kind=kind,
            scope=requirements.scope_of(kind),
            params=requirements.validate_params(kind, params),
            label=requirements.default_label(kind, params),
            order=order,
        )
        for order, (kind, params) in enumerate(specs, start=1)
    ]


@transaction.atomic
def campaign_data_build(*, root: Unit, seed: int = 2005) -> Campaign:
    """A campaign in progress over `root`'s organisation, written in bulk. The study
    phase ended a month ago; the analysis phase is open. About four branches in five
    did the study phase fully and moved on; the rest lag, some with nothing at all."""
    rng = random.Random(seed)  # noqa: S311 - benchmark data, not security
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="保持共产党员先进性教育活动",
        kind=Campaign.Kind.EDUCATION,
        unit=root,
        year=today.year,
        status=Campaign.Status.ACTIVE,
    )
    study = Phase.objects.create(
        campaign=campaign,
        key=Phase.Key.STUDY,
        name="学习动员",
        order=1,
        starts_on=today - datetime.timedelta(days=100),
        ends_on=today - datetime.timedelta(days=30),
        status=Phase.Status.CLOSED,
    )
    analysis = Phase.objects.create(
        campaign=campaign,
        key=Phase.Key.ANALYSIS,
        name="分析评议",
        order=2,
        starts_on=today - datetime.timedelta(days=29),
        ends_on=today + datetime.timedelta(days=15),
        status=Phase.Status.OPEN,
    )
    rectification = Phase.objects.create(
        campaign=campaign,
        key=Phase.Key.RECTIFICATION,
        name="整改提高",
        order=3,
        starts_on=today + datetime.timedelta(days=16),
        ends_on=today + datetime.timedelta(days=80),
    )
    Requirement.objects.bulk_create(
        _requirements(study, STUDY_REQUIREMENTS)
        + _requirements(analysis, ANALYSIS_REQUIREMENTS)
        + _requirements(rectification, RECTIFICATION_REQUIREMENTS)
    )

    def moment(start: datetime.date, end: datetime.date) -> datetime.datetime:
        day = start + datetime.timedelta(days=rng.randint(0, (end - start).days))
        naive = datetime.datetime.combine(
            day, datetime.time(rng.randint(8, 20), rng.randint(0, 59))
        )
        return timezone.make_aware(naive)

    branches = list(
        Unit.objects.filter(path__startswith=root.path, kind=Unit.Kind.BRANCH, is_active=True)
    )
    members: dict[int, list[int]] = {}
    for member_id, branch_id in Member.objects.filter(
        branch__path__startswith=root.path, is_active=True
    ).values_list("id", "branch_id"):
        members.setdefault(branch_id, []).append(member_id)

    plans, sessions, works, transitions, meetings = [], [], [], [], []
    attendance_plan: list[tuple[int, list[int]]] = []  # (index of session, members present)
    study_end = study.ends_on
    for branch in branches:
        roll = rng.random()
        diligent = roll < 0.8  # did the whole study phase
        silent = roll > 0.95  # did nothing at all
        ids = members.get(branch.pk, [])
        if silent:
            continue
        if diligent or rng.random() < 0.5:
            plans.append(
                StudyPlan(
                    campaign=campaign,
                    branch=branch,
                    title=f"{branch.name}学习讨论计划",
                    body="<p>集中学习与个人自学相结合。</p>",
                    submitted_at=moment(study.starts_on, study.starts_on + datetime.timedelta(10)),
                )
            )
        for n in range(2 if diligent else rng.randint(0, 1)):
            sessions.append(
                StudySession(
                    campaign=campaign,
                    unit=branch,
                    topic=f"学习讨论（第{n + 1}次）",
                    materials=rng.choice(BOOKS),
                    starts_at=moment(study.starts_on, study_end),
                )
            )
            present = [m for m in ids if rng.random() < (0.92 if diligent else 0.6)]
            attendance_plan.append((len(sessions) - 1, present))
        for member_id in ids:
            notes = 2 if diligent and rng.random() < 0.95 else rng.randint(0, 2)
            reflections = 1 if diligent and rng.random() < 0.9 else rng.randint(0, 1)
            for kind, count in (("reading_note", notes), ("reflection", reflections)):
                for _n in range(count):
                    works.append(
                        StudyWork(
                            campaign=campaign,
                            member_id=member_id,
                            kind=kind,
                            title="学习"
                            + rng.choice(BOOKS)
                            + ("笔记" if kind == "reading_note" else "心得"),
                            material=rng.choice(BOOKS),
                            body=f"<p>{NOTE_TEXT}</p>",
                            submitted_at=moment(study.starts_on, study_end),
                        )
                    )
        if diligent:
            transitions.append(
                PhaseTransition(
                    campaign=campaign,
                    branch=branch,
                    from_phase=study,
                    to_phase=analysis,
                    reason="学习动员阶段各项要求均已完成",
                )
            )
            held = rng.randint(0, 3)
            for kind in ("mobilisation", "democratic_appraisal", "grade_rating")[:held]:
                meetings.append(
                    Meeting(
                        campaign=campaign,
                        phase=analysis,
                        unit=branch,
                        kind=kind,
                        title=f"{branch.name}{Meeting.Kind(kind).label}",
                        held_at=moment(analysis.starts_on, today - datetime.timedelta(days=1)),
                    )
                )

    StudyPlan.objects.bulk_create(plans, batch_size=500)
    StudySession.objects.bulk_create(sessions, batch_size=500)
    attendance = [
        Attendance(
            session=sessions[index],
            member_id=member_id,
            status=Attendance.Status.PRESENT,
            method=Attendance.Method.QR,
        )
        for index, present in attendance_plan
        for member_id in present
    ]
    Attendance.objects.bulk_create(attendance, batch_size=1000)
    with dated(StudyWork, "submitted_at"):  # keep the generated dates (for the weekly chart)
        StudyWork.objects.bulk_create(works, batch_size=1000)
    PhaseTransition.objects.bulk_create(transitions, batch_size=500)
    Meeting.objects.bulk_create(meetings, batch_size=500)
    return campaign
