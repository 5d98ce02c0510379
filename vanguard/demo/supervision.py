"""The demo's sixth step, supervision (督查) in 信息学院, as the seed tells it: "学院督查组
…督查与指导相结合，重在落实".

Run by `vanguard.demo.build.demo_build` with the demo campaign, after the grading,
inside the demo's transaction. Choices come from `random.Random(SEED)`; everything is
written through the supervision and meetings SERVICES with the person who would have
done it as the actor, each on its fixed day of the demo (`_on`: the services and the
audit trail read the clock, so the clock reads the demo's day while they run) — but the
readings of notes, each reading's assessments made at its end in one `bulk_create` as
`notes.assessment_save` would have made them one by one (`_Builder.save_assessments`).

What it writes:

* the study-phase supervision group (学院督查小组), formed on 21 February: the
  college's supervisors but the demo `supervisor`, over all 41 branches;
* the inspection at the end of study step one (a round over every branch with the
  study items, every branch checked, closed), and the branch secretaries' meeting of
  31 March, whose minutes now name the four secretaries who presented their
  branch's study (teachers, graduate students, undergraduates);
* the fuller mid-phase inspection of all 41 branches: a real sample of about half
  the members with reading notes (`notes.services.sample_draw`, seed SAMPLE_SEED),
  READ_TARGET of them read by the group, the four note types, the demo general
  branch's own reading of its members' notes first (six branches so far), two
  exemplars (one signed with the author's consent, one anonymised), and make-up
  orders (补课) for notes not good enough: verified, reported and waiting, open,
  one of them overdue;
* a lagging branch given individual guidance, and one key person (重点人) on the
  watch list with the talk by the campaign's first responsible person;
* the analysis phase: three groups (one per general branch, each of two of the
  college's supervisors; the demo `supervisor` in the first and seeing only its
  branches), face-to-face guidance for some branch committees, and the two passes
  over all 41 branches: the first checked and closed with branch make-up orders
  (opinions lacking breadth), the second still open, the demo `supervisor`'s group
  partly through it, with a reported order waiting for his re-check.

The sample is drawn with a fixed seed, but `sampling.draw_stratified_v1` seeds each
branch's draw with the branch's id: a demo rebuilt in place (new ids) draws other
members, with the same numbers per branch.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from random import Random
from typing import Any

from django.utils import timezone

from vanguard.accounts.models import Role, RoleAssignment, User
from vanguard.ballots.models import AppraisalSession
from vanguard.campaigns.models import Campaign, Phase
from vanguard.demo.common import DEMO_BRANCH, LAGGING_BRANCHES, YEAR, DemoError, dated, demo_time
from vanguard.demo.common import on_day as _on
from vanguard.demo.common import unaudited as _unaudited
from vanguard.meetings import services as meetings
from vanguard.meetings.models import Meeting
from vanguard.organization.models import Member, Unit
from vanguard.supervision.inspection import services as inspection
from vanguard.supervision.models import (
    Check,
    CheckItem,
    Exemplar,
    Finding,
    NoteAssessment,
    NoteType,
    RemediationOrder,
    Round,
    SampledMember,
    SupervisionGroup,
    WatchEntry,
)
from vanguard.supervision.notes import selectors as notes_selectors
from vanguard.supervision.notes import services as notes
from vanguard.supervision.remediation import services as remediation
from vanguard.supervision.watch import services as watch

SEED = 2005 * 13
SAMPLE_SEED = 20050412  # the mid-phase draw: anyone can draw it again with this seed
READ_TARGET = 306  # "查阅了300多位党员的读书笔记"
GB_READ_BRANCHES = 6  # of the demo general branch's, read by it before the college
SUPERVISION_NOTE = "学院督查组"  # the note on the organisation step's supervisor grants

STUDY_GROUP = "学院督查小组"
ANALYSIS_GROUPS = ("分析评议阶段第一督查组", "分析评议阶段第二督查组", "分析评议阶段第三督查组")
STEP_ONE_ROUND = "学习阶段第一步检查"
MIDTERM_ROUND = "学习阶段中期全面检查"
ANALYSIS_ROUND_ONE = "分析评议阶段第一轮督查"
ANALYSIS_ROUND_TWO = "分析评议阶段第二轮督查"
SAMPLE_TITLE = "学习阶段中期读书笔记抽查"
SECRETARY_MEETING = "支部书记会议：学习情况交流"
# The four branches whose secretaries presented their study (teachers, graduate
# students, undergraduates), among the branches the seed praises.
PRESENTING_BRANCHES = (
    "光学工程教工第二党支部",
    "光电研究生第二党支部",
    "光电博士生党支部",
    "信电本科生第五党支部",
)
GUIDED_BRANCH = LAGGING_BRANCHES[0]
NOTE_TYPES = (
    ("摘录型", "摘抄学习材料中的重要论述，条理清楚，个人思考较少。"),
    ("心得型", "围绕学习内容谈认识和体会，有一定的思考。"),
    ("联系实际型", "结合本职工作和思想实际谈学习收获，查找差距，提出努力方向。"),
    ("专题研究型", "围绕一个专题深入研读，有分析、有观点，可供交流。"),
)
TYPE_WEIGHTS = (30, 35, 27, 8)
GRADES = NoteAssessment.Grade
GRADE_WEIGHTS = ((GRADES.EXCELLENT, 18), (GRADES.GOOD, 40), (GRADES.PASS, 36))
# The members whose notes were not good enough at the college's reading (需补课), and
# what became of their make-up work: (status, ordered, deadline, reported, verified).
MEMBER_ORDERS = (
    ("verified", (4, 17), (4, 27), (4, 24), (4, 27)),
    ("verified", (4, 17), (4, 27), (4, 25), (4, 27)),
    ("verified", (4, 17), (4, 27), (4, 26), (4, 28)),
    ("reported", (4, 17), (4, 30), (4, 29), None),
    ("open", (4, 17), (4, 28), None, None),  # overdue: never reported
)
BRANCH_ORDER_DEADLINE = (6, 3)
COMMENTS = {
    GRADES.EXCELLENT: (
        "书目齐全，摘录与思考结合，联系教学科研实际谈体会，认识深刻。",
        "笔记内容充实，有自己的见解，联系思想和工作实际好。",
    ),
    GRADES.GOOD: (
        "笔记认真，覆盖规定书目，体会较具体，联系实际还可加强。",
        "学习内容完整，有一定体会，建议多结合本职工作谈认识。",
    ),
    GRADES.PASS: (
        "按要求完成了笔记，以摘录为主，个人体会较少。",
        "笔记基本完整，联系实际不够，今后应加强思考。",
    ),
    GRADES.INSUFFICIENT: (
        "笔记篇数不足，仅有零星摘录，缺少学习体会，须按要求补写。",
        "规定书目未读完，笔记内容空泛，没有联系思想实际，须补课。",
    ),
}
CHECK_NOTES = {
    CheckItem.STUDY_PLAN: (
        "学习讨论计划按时上报，安排具体。",
        "学习讨论计划不够具体，缺少时间安排。",
        "未见学习讨论计划。",
    ),
    CheckItem.STUDY_RECORDS: (
        "学习记录完整，有讨论发言要点。",
        "学习记录较简单，未记录讨论情况。",
        "学习记录缺失。",
    ),
    CheckItem.STUDY_MATERIALS: (
        "学习材料齐全，发放到人。",
        "部分党员学习材料未到位。",
        "学习材料未发放。",
    ),
    CheckItem.NOTES: (
        "读书笔记质量较好，普遍联系实际。",
        "部分党员读书笔记篇数不足、内容单薄。",
        "多名党员尚无读书笔记。",
    ),
    CheckItem.OPINIONS: (
        "征求意见渠道多样，覆盖党内外群众。",
        "征求意见广度不够，以表扬性意见为主。",
        "尚未开展征求意见。",
    ),
    CheckItem.SUMMARY_DRAFTS: (
        "个人总结初稿查找问题具体，剖析较深。",
        "部分党员自我剖析深度不够，需修改。",
        "个人总结初稿尚未上交。",
    ),
    CheckItem.APPRAISAL_MEETING: (
        "民主评议会已召开，程序规范。",
        "民主评议会尚未召开，已明确时间安排。",
        "民主评议会未作安排。",
    ),
    CheckItem.GRADING: ("等级初评已完成，材料齐全。", "等级评定尚在进行中。", "等级评定未作安排。"),
}
SUMMARIES = (
    "支部工作按计划推进，材料较齐全。",
    "支部重视，党员参与积极，个别环节需加强。",
    "整体进展正常，已当场反馈改进意见。",
)


def _date(month: int, day: int) -> datetime.date:
    return datetime.date(YEAR, month, day)


@dataclass
class DemoSupervisionResult:
    groups: int
    rounds: int
    sampled: int
    read: int
    orders: int


class _Builder:
    def __init__(self, campaign: Campaign) -> None:
        self.rng = Random(SEED)
        self.campaign = campaign
        self.assessments: list[NoteAssessment] = []  # a reading's, until it is saved
        self.phases = {p.key: p for p in campaign.phases.all()}
        college = campaign.unit
        # Units in the tree's own order (each level by its sort order, then name), never
        # by path or primary key: the path is made of primary keys, which a rebuilt demo
        # has others of, and as text ("/1/10/" < "/1/9/") they sort apart differently.
        self.units = {u.pk: u for u in Unit.objects.filter(path__startswith=college.path)}
        self.branches = sorted(inspection.campaign_branches(campaign), key=self.tree_order)
        self.by_name = {b.name: b for b in self.branches}
        grants = RoleAssignment.objects.filter(unit__path__startswith=college.path).select_related(
            "user", "unit"
        )
        self.committee = grants.get(role=Role.COMMITTEE_ADMIN, user__username="committee").user
        self.secretary_of: dict[int, User] = {}
        self.gb_secretary_of: dict[int, User] = {}
        # The organisation step's supervisors, each over half of a general branch.
        self.supervised: dict[int, list[Unit]] = defaultdict(list)
        self.users: dict[int, User] = {}
        for grant in grants.order_by("pk"):
            if grant.role == Role.BRANCH_SECRETARY:
                self.secretary_of.setdefault(grant.unit_id, grant.user)
            elif grant.role == Role.GENERAL_BRANCH_SECRETARY:
                self.gb_secretary_of.setdefault(grant.unit_id, grant.user)
            elif grant.role == Role.SUPERVISOR and grant.note == SUPERVISION_NOTE:
                self.supervised[grant.user_id].append(grant.unit)
                self.users[grant.user_id] = grant.user
        self.names = dict(
            Member.objects.filter(
                user__isnull=False, branch__path__startswith=college.path
            ).values_list("user_id", "name")
        )

    def tree_order(self, unit: Unit) -> tuple[tuple[int, str], ...]:
        """Where `unit` stands in the college's tree: its ancestors' and its own sort
        order and name, from the college down."""
        chain: list[tuple[int, str]] = []
        current: Unit | None = unit
        while current is not None:
            chain.append((current.sort_order, current.name))
            current = self.units.get(current.parent_id) if current.parent_id else None
        return tuple(reversed(chain))

    def name(self, user: User) -> str:
        return self.names.get(user.pk, user.get_username())

    # -- groups

    def groups(self) -> tuple[SupervisionGroup, list[SupervisionGroup]]:
        demo_supervisor = next(u for u in self.users.values() if u.username == "supervisor")
        others = sorted(
            (u for u in self.users.values() if u.pk != demo_supervisor.pk),
            key=lambda u: u.get_username(),
        )
        with _on(2, 21):
            study = inspection.group_save(
                campaign=self.campaign,
                name=STUDY_GROUP,
                phase=self.phases[Phase.Key.STUDY],
                leader=others[0],
                members=others,
                branches=self.branches,
                remit="全面负责学院层面的督查工作，督查与指导相结合，重在落实。",
                formed_on=_date(2, 21),
                actor=self.committee,
            )
        # Three groups over the supervisors' halves of the general branches, in order:
        # the demo `supervisor`'s half alone (what he sees stays his), the next three
        # halves, the last two; each group's members are the supervisors of its halves,
        # and the first also has the next half's supervisor.
        ordered = sorted(
            self.supervised, key=lambda pk: min(self.tree_order(b) for b in self.supervised[pk])
        )
        ordered.remove(demo_supervisor.pk)
        ordered.insert(0, demo_supervisor.pk)
        split = ((0,), (1, 2, 3), (4, 5))
        people_of = [[self.users[ordered[i]] for i in part] for part in split]
        people_of[0].append(self.users[ordered[1]])
        units_of = [
            sorted((b for i in part for b in self.supervised[ordered[i]]), key=self.tree_order)
            for part in split
        ]
        analysis = []
        with _on(5, 2):
            for name, people, units in zip(ANALYSIS_GROUPS, people_of, units_of, strict=True):
                analysis.append(
                    inspection.group_save(
                        campaign=self.campaign,
                        name=name,
                        phase=self.phases[Phase.Key.ANALYSIS],
                        leader=people[0],
                        members=people,
                        branches=units,
                        remit="检查征求意见、个人总结初稿、支部大会评议和等级测评情况，"
                        "对征求意见广度、自我剖析深度不够的支部要求补课。",
                        formed_on=_date(5, 2),
                        actor=self.committee,
                    )
                )
        return study, analysis

    # -- rounds and checks

    def round(
        self,
        title: str,
        phase: str,
        template: str,
        starts: tuple[int, int],
        due: tuple[int, int],
        note: str,
    ) -> Round:
        with _on(*starts, hour=8):
            made = inspection.round_create(
                campaign=self.campaign,
                title=title,
                phase=self.phases[phase],
                items=list(inspection.TEMPLATES[template][1]),
                branches=self.branches,
                starts_on=_date(*starts),
                due_on=_date(*due),
                note=note,
                actor=self.committee,
            )
            return inspection.round_open(round=made, actor=self.committee)

    def finding(self, item: str, branch: Unit, voted: set[int]) -> str:
        if item in (CheckItem.APPRAISAL_MEETING, CheckItem.GRADING):
            return Finding.GOOD if branch.pk in voted else Finding.NEEDS_WORK
        behind = branch.name in LAGGING_BRANCHES
        weights = (40, 45, 15) if behind else (80, 18, 2)
        return self.rng.choices(Finding.values, weights=weights)[0]

    def check(self, check: Check, day: tuple[int, int], voted: set[int]) -> Check:
        assert check.group is not None
        people = sorted(check.group.members.all(), key=lambda u: u.get_username())
        checker = people[self.rng.randrange(len(people))]
        findings = {}
        for item in check.round.items:
            found = self.finding(item, check.branch, voted)
            note = CHECK_NOTES[CheckItem(item)][Finding.values.index(found)]
            findings[item] = inspection.ItemFinding(found, note)
        with _on(*day, hour=self.rng.choice((9, 10, 14, 15))):
            return inspection.check_save(
                check=check,
                findings=findings,
                summary=self.rng.choice(SUMMARIES),
                done=True,
                version=check.version,
                actor=checker,
            )

    def checks(
        self, round: Round, days: Sequence[tuple[int, int]], *, skip_group: int | None = None
    ) -> list[Check]:
        voted = set(
            AppraisalSession.objects.filter(
                campaign=self.campaign, status=AppraisalSession.Status.CLOSED
            ).values_list("unit_id", flat=True)
        )
        done = []
        rows = sorted(
            round.checks.select_related("round", "branch", "group"),
            key=lambda check: self.tree_order(check.branch),
        )
        for index, check in enumerate(rows):
            if skip_group is not None and check.group_id == skip_group and index % 3 != 0:
                continue  # still to do
            done.append(self.check(check, days[index * len(days) // len(rows)], voted))
        return done

    # -- the study phase

    def secretaries_meeting(self) -> None:
        """The meeting of 31 March: the four presenting secretaries by name."""
        meeting = Meeting.objects.filter(
            campaign=self.campaign, kind=Meeting.Kind.SECRETARY, title=SECRETARY_MEETING
        ).first()
        speakers = []
        for name in PRESENTING_BRANCHES:
            branch = self.by_name.get(name)
            secretary = self.secretary_of.get(branch.pk) if branch else None
            if branch is not None and secretary is not None:
                speakers.append(f"{branch.name}书记{self.name(secretary)}")
        minutes = (
            "学院督查组通报学习阶段第一步检查情况。四位支部书记作为典型分别代表教工、研究生、"
            "本科生支部介绍本支部的学习情况：" + "；".join(speakers) + "。"
            "典型支部的发言起到了启发和深化工作的作用。"
        )
        with _on(3, 31, 18):
            if meeting is None:
                meetings.meeting_create(
                    unit=self.campaign.unit,
                    kind=Meeting.Kind.SECRETARY,
                    title=SECRETARY_MEETING,
                    held_at=demo_time(3, 31, 16),
                    actor=self.committee,
                    minutes=minutes,
                    place="学院党委会议室",
                )
                return
            absent = {
                row.member_id: row.reason
                for row in meeting.attendance.filter(status="absent").order_by("pk")
            }
            meetings.meeting_update(
                meeting=meeting, actor=self.committee, data={"minutes": minutes}, absences=absent
            )

    def note_types(self) -> list[NoteType]:
        with _on(4, 8):
            return [
                notes.note_type_add(campaign=self.campaign, name=name, description=text)
                for name, text in NOTE_TYPES
            ]

    def assess(
        self,
        member: Member,
        level: str,
        grade: str,
        types: list[NoteType],
        actor: User,
        sampled: SampledMember | None = None,
    ) -> NoteAssessment:
        score = {
            GRADES.EXCELLENT: ("good", "good", "good"),
            GRADES.GOOD: ("good", "good", "fair"),
            GRADES.PASS: ("good", "fair", "fair"),
            GRADES.INSUFFICIENT: ("fair", "poor", "poor"),
        }[GRADES(grade)]
        books, content, practice = (self.rng.choice(score) for _ in range(3))
        if grade == GRADES.INSUFFICIENT:
            note_type = types[0]
        else:
            note_type = self.rng.choices(types, weights=TYPE_WEIGHTS)[0]
        attitude = "poor" if grade == GRADES.INSUFFICIENT else self.rng.choice(score[:2])
        if sampled is not None and sampled.member_id != member.pk:
            raise DemoError("a college reading reads a sampled member")
        # `notes.assessment_save`'s new row, made with the others of the reading
        # (`save_assessments`): one by one, the readings were a third of this step.
        assessment = NoteAssessment(
            campaign=self.campaign,
            member=member,
            level=level,
            sampled=sampled,
            books=books,
            content=content,
            practice=practice,
            attitude=attitude,
            grade=grade,
            note_type=note_type,
            comment=self.rng.choice(COMMENTS[GRADES(grade)]).strip(),
            assessed_by=actor,
            assessed_at=timezone.now(),
        )
        self.assessments.append(assessment)
        return assessment

    def save_assessments(self) -> None:
        """Write the reading's assessments (`assess`), each read member having handed
        in reading notes as `notes.assessment_save` requires, and none assessed before
        at its level."""
        made, self.assessments = self.assessments, []
        members = {a.member_id for a in made}
        wrote = set(
            notes_selectors.reading_notes(self.campaign)
            .filter(member_id__in=members)
            .values_list("member_id", flat=True)
        )
        assessed = NoteAssessment.objects.filter(
            campaign=self.campaign, member_id__in=members
        ).values_list("member_id", "level")
        if wrote != members or {(a.member_id, a.level) for a in made} & set(assessed):
            raise DemoError("an assessment of notes never handed in, or made twice")
        with dated(NoteAssessment, "assessed_at"):
            NoteAssessment.objects.bulk_create(made)

    def grade(self) -> str:
        grades = [grade for grade, _weight in GRADE_WEIGHTS]
        weights = [weight for _grade, weight in GRADE_WEIGHTS]
        return self.rng.choices(grades, weights=weights)[0]

    def general_branch_reading(self, types: list[NoteType]) -> int:
        """The demo general branch reads its members' notes before the college does:
        branch by branch, GB_READ_BRANCHES of them so far (the rest, the demo branch's
        among them, left for the demo `gbsecretary`)."""
        gb = self.by_name[DEMO_BRANCH].parent
        assert gb is not None
        reader = self.gb_secretary_of[gb.pk]
        strata = notes_selectors.sample_population(
            self.campaign, [b for b in self.branches if b.parent_id == gb.pk]
        )
        members = Member.objects.in_bulk([m for s in strata for m in s.member_ids])
        read = 0
        # The branches in the tree's order and their members by number (the strata hold
        # ids, which a rebuilt demo has others of).
        strata = sorted(
            (s for s in strata if s.branch_id != self.by_name[DEMO_BRANCH].pk),
            key=lambda s: self.tree_order(self.units[s.branch_id]),
        )
        for stratum in strata[:GB_READ_BRANCHES]:
            written = sorted((members[i] for i in stratum.member_ids), key=lambda m: m.number)
            for index, member in enumerate(written):
                with _on(4, 8 + index % 3, 19):
                    self.assess(
                        member,
                        NoteAssessment.Level.GENERAL_BRANCH,
                        self.grade(),
                        types,
                        reader,
                    )
                read += 1
        self.save_assessments()
        return read

    def college_reading(
        self, sample_rows: list[SampledMember], types: list[NoteType], study: SupervisionGroup
    ) -> list[NoteAssessment]:
        """The study group's day of reading: READ_TARGET of the sampled members, the
        rest still in the queue; a few not good enough (需补课)."""
        readers = sorted(study.members.all(), key=lambda u: u.get_username())

        # Which members were drawn changes with a rebuild (the draw is seeded with the
        # branches' ids), how many per branch does not: read the drawn by branch in the
        # tree's order and member number, so the same places are read every time.
        def place(row: SampledMember) -> tuple[Any, ...]:
            return (self.tree_order(row.branch), row.member.number)

        ordered = sorted(sample_rows, key=place)
        chosen = self.rng.sample(ordered, min(READ_TARGET, len(ordered)))
        chosen.sort(key=place)
        lagging = [row for row in chosen if row.branch.name in LAGGING_BRANCHES]
        pool = lagging if len(lagging) >= len(MEMBER_ORDERS) else chosen
        poor = {id(row) for row in self.rng.sample(pool, len(MEMBER_ORDERS))}
        made = []
        for index, row in enumerate(chosen):
            grade = GRADES.INSUFFICIENT if id(row) in poor else self.grade()
            with _on(4, 16, 9 + index * 9 // len(chosen)):
                made.append(
                    self.assess(
                        row.member,
                        NoteAssessment.Level.COLLEGE,
                        grade,
                        types,
                        readers[index % len(readers)],
                        sampled=row,
                    )
                )
        self.save_assessments()
        return made

    def exemplars(self, read: list[NoteAssessment], types: list[NoteType]) -> None:
        """Two notes published as forms worth learning from."""
        best = [a for a in read if a.grade == GRADES.EXCELLENT]
        picks = (
            (
                types[2],
                Exemplar.Consent.CONSENTED,
                "结合本职工作谈体会，查找差距具体，整改方向明确，值得学习。",
            ),
            (
                types[3],
                Exemplar.Consent.ANONYMISED,
                "围绕一个专题深入研读，有分析、有观点，可作专题研究型笔记的参考。",
            ),
        )
        used: set[int] = set()
        for note_type, consent, comment in picks:
            assessment = next(
                (a for a in best if a.note_type_id == note_type.pk and a.member_id not in used),
                next(a for a in best if a.member_id not in used),
            )
            used.add(assessment.member_id)
            work = notes_selectors.member_notes(self.campaign, assessment.member).last()
            assert work is not None
            with _on(4, 20):
                notes.exemplar_publish(
                    campaign=self.campaign,
                    work=work,
                    consent=consent,
                    comment=comment,
                    note_type=note_type,
                    actor=self.committee,
                )

    def member_orders(self, read: list[NoteAssessment]) -> list[RemediationOrder]:
        poor = [a for a in read if a.grade == GRADES.INSUFFICIENT]
        made = []
        for assessment, (status, ordered, deadline, reported, verified) in zip(
            poor, MEMBER_ORDERS, strict=False
        ):
            member = assessment.member
            orderer = assessment.assessed_by
            assert orderer is not None
            with _on(*ordered, hour=17):
                order = remediation.order_create(
                    campaign=self.campaign,
                    branch=member.branch,
                    member=member,
                    assessment=assessment,
                    reason=f"读书笔记质量不合格：{assessment.comment}",
                    deadline=_date(*deadline),
                    actor=orderer,
                )
            if reported is not None:
                with _on(*reported, hour=20):
                    order = remediation.order_report(
                        order=order,
                        report="已补读规定书目，补写读书笔记三篇，并结合本职工作写出学习体会，交支部审阅。",
                        actor=order.responsible or self.secretary_of[member.branch_id],
                    )
            if verified is not None and status == "verified":
                with _on(*verified, hour=11):
                    order = remediation.order_verify(
                        order=order,
                        passed=True,
                        note="补写的笔记内容充实，联系了实际，复查通过。",
                        actor=orderer,
                    )
            made.append(order)
        return made

    def guidance_and_watch(self, study: SupervisionGroup) -> None:
        lagging = self.by_name[GUIDED_BRANCH]
        chair = self.name(self.committee)
        with _on(4, 19, 16):
            remediation.guidance_record(
                campaign=self.campaign,
                branch=lagging,
                held_on=_date(4, 19),
                given_by=f"{chair}（学院党委）",
                attendees="支部书记、组织委员、宣传委员",
                report="支部学习讨论安排偏少，部分党员读书笔记尚未完成，支委分工不够明确。",
                instructions="按学院要求补齐学习讨论，每名党员完成读书笔记和学习心得。",
                agreed="4月25日前补开一次专题学习讨论会；支委分工联系党员，督促补写读书笔记；"
                "学院督查组下周复查。",
                lagging=True,
                actor=self.committee,
            )
        # One key person: in a branch of the demo `supervisor`'s analysis group (he
        # keeps the watch list there too), never the demo branch.
        mine = sorted(
            next(u for pk, u in self.supervised.items() if self.users[pk].username == "supervisor"),
            key=self.tree_order,
        )
        candidates = [
            b for b in mine if b.name != DEMO_BRANCH and b.name not in PRESENTING_BRANCHES
        ]
        branch = candidates[len(candidates) // 3]
        member = (
            Member.objects.filter(branch=branch, is_active=True, user__isnull=True)
            .order_by("number")
            .first()
        )
        assert member is not None
        with _on(4, 6, 11):
            entry = watch.watch_add(
                campaign=self.campaign,
                kind=WatchEntry.Kind.PERSON,
                branch=branch,
                member=member,
                reason="对先进性教育活动认识上疑虑较重，认为影响教学科研，学习态度尚不够端正，"
                "读书笔记未按要求完成。",
                actor=self.committee,
            )
        with _on(4, 8, 17):
            watch.talk_record(
                entry=entry,
                held_on=_date(4, 8),
                talked_by=f"{chair}（学院党委书记，先进性教育活动第一责任人）",
                gist="听取本人对教育活动的想法，讲清先进性教育与教学科研相互促进的关系，"
                "帮助其提高认识；本人表示将按计划参加学习讨论，补写读书笔记。",
                follow_up="支部书记每周了解其学习情况；学习阶段结束前由督查组复查其读书笔记。",
                actor=self.committee,
            )

    # -- the analysis phase

    def face_to_face(self) -> None:
        """The committee's face-to-face guidance, branch committee by branch committee."""
        faculty = [b for b in self.branches if "教工" in b.name or "所党支部" in b.name][:4]
        for index, branch in enumerate(faculty):
            with _on(5, 16 + index // 2, 15):
                remediation.guidance_record(
                    campaign=self.campaign,
                    branch=branch,
                    held_on=_date(5, 16 + index // 2),
                    given_by=f"{self.name(self.committee)}（学院党委）",
                    attendees="支部委员会全体委员",
                    report="支部已完成征求意见，多数党员个人总结初稿已交支部。",
                    instructions="传达学校第七次院级单位党委书记会议精神，"
                    "重点深化党员的自我剖析，开好民主评议大会。",
                    agreed="个人总结增加查找问题、剖析思想根源和整改措施的内容；"
                    "民主评议会前支委逐一谈心。",
                    actor=self.committee,
                )

    def branch_orders(
        self, checks: list[Check], demo_group: SupervisionGroup
    ) -> list[RemediationOrder]:
        """From the first pass: branches whose opinion gathering lacked breadth make up
        for it; one of the demo `supervisor`'s reported and waiting for his re-check."""
        lacking = [
            c
            for c in checks
            if c.findings.filter(item=CheckItem.OPINIONS).exclude(finding=Finding.GOOD).exists()
        ]
        mine = [c for c in lacking if c.group_id == demo_group.pk]
        others = [c for c in lacking if c.group_id != demo_group.pk]
        supervisor = next(u for u in demo_group.members.all() if u.username == "supervisor")
        made = []
        for index, check in enumerate(mine[:2] + others[:2]):
            orderer = supervisor if check in mine else check.checked_by
            assert orderer is not None
            with _on(5, 20, 17):
                order = remediation.order_create(
                    campaign=self.campaign,
                    branch=check.branch,
                    check=check,
                    reason="征求意见广度不够，反馈的意见以表扬为主，要求补充征求党外群众和服务对象的意见。",
                    deadline=_date(*BRANCH_ORDER_DEADLINE),
                    actor=orderer,
                )
            if index == 0:
                with _on(5, 26, 20):
                    order = remediation.order_report(
                        order=order,
                        report="支委分6个小组面对面征求党内外群众意见，补充收集意见21条，已反馈到个人。",
                        actor=order.responsible or self.secretary_of[check.branch_id],
                    )
            made.append(order)
        return made

    def build(self) -> DemoSupervisionResult:
        study, analysis = self.groups()
        # The analysis group of the demo `supervisor`: the one still part way through.
        mine = next(g for g in analysis if g.members.filter(username="supervisor").exists())

        step_one = self.round(
            STEP_ONE_ROUND,
            Phase.Key.STUDY,
            "study_step_one",
            (3, 24),
            (3, 28),
            "学习第一阶段结束时对各支部学习情况进行第一次检查。",
        )
        self.checks(step_one, [(3, 24), (3, 25), (3, 26), (3, 27), (3, 28)])
        with _on(3, 29):
            inspection.round_close(round=step_one, actor=self.committee)
        self.secretaries_meeting()

        types = self.note_types()
        self.general_branch_reading(types)
        midterm = self.round(
            MIDTERM_ROUND,
            Phase.Key.STUDY,
            "study_midterm",
            (4, 12),
            (4, 18),
            "检查41个党支部的学习讨论计划、记录和相关材料，抽查近二分之一党员的读书笔记。",
        )
        with _on(4, 12, 9):
            sample = notes.sample_draw(
                campaign=self.campaign,
                title=SAMPLE_TITLE,
                round=midterm,
                seed=SAMPLE_SEED,
                actor=self.committee,
            )
        self.checks(midterm, [(4, 13), (4, 14), (4, 15)])
        sample_rows = list(
            SampledMember.objects.filter(sample=sample).select_related("member", "branch")
        )
        read = self.college_reading(sample_rows, types, study)
        with _on(4, 18, 17):
            inspection.round_close(round=midterm, actor=self.committee)
        self.exemplars(read, types)
        orders = self.member_orders(read)
        self.guidance_and_watch(study)

        self.face_to_face()
        first = self.round(
            ANALYSIS_ROUND_ONE,
            Phase.Key.ANALYSIS,
            "analysis",
            (5, 18),
            (5, 21),
            "三个督查小组对全院41个支部的征求意见、个人总结初稿、支部大会评议、等级测评情况进行第一次检查。",
        )
        first_checks = self.checks(first, [(5, 18), (5, 19), (5, 20), (5, 21)])
        with _on(5, 21, 18):
            inspection.round_close(round=first, actor=self.committee)
        orders += self.branch_orders(first_checks, mine)
        second = self.round(
            ANALYSIS_ROUND_TWO,
            Phase.Key.ANALYSIS,
            "analysis",
            (5, 27),
            (5, 30),
            "三个督查小组对全院41个支部进行第二次检查。",
        )
        self.checks(second, [(5, 27), (5, 28), (5, 29)], skip_group=mine.pk)
        return DemoSupervisionResult(
            groups=1 + len(analysis),
            rounds=4,
            sampled=len(sample_rows),
            read=len(read),
            orders=len(orders),
        )


def demo_supervision_build(campaign: Campaign) -> DemoSupervisionResult:
    """Build the demo campaign's supervision (call inside the demo's transaction, after
    the grading step)."""
    with _unaudited():
        return _Builder(campaign).build()
