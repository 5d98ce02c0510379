"""The demo's fifth step, the democratic appraisal (民主评议投票) and grading (等级评定)
in 信息学院, late in May, picking up where the self-analyses step
(`vanguard.demo.reviews`) left each branch.

Run by `vanguard.demo.build.demo_build` with the demo campaign, after the reviews,
inside the demo's transaction. Choices come from `random.Random(SEED)` and the dates
are fixed days in May; nothing is written with an audit actor. The secret ballot is
written ONLY through `ballots.services` (sessions opened, cards issued, members ticked
present, votes cast by card, sessions closed); the voting cards' codes and receipts are
random (`secrets`), as in real use, and never kept. Grading rows are written directly,
in states that `grading.services` could have reached (a test runs its submission check
on them).

What it writes:

* the two fastest branches of `common.BRANCH_PACE` (the demo branch aside) have
  held their appraisal vote on the evening of 20 May: a few members absent, every
  present member voting with a card. Where the reviews demo recorded a member's vote
  in round 2 ("民主测评：优秀 n 票、合格 m 票"), the ballots give exactly those counts,
  with as many present as it recorded; otherwise the ballots lean to the member's recorded
  grade, or to a grade drawn for them;
* their grade proposals (等级初评) for every formal member, with a rationale: the
  grade the reviews demo recorded last for the member (round 3's over round 2's),
  else the most-voted grade. The first branch's are approved by the `committee`
  account; the second's are submitted and wait for it, with one member proposed
  basically qualified (基本合格);
* the third-fastest branch has held its vote too and is drafting its proposals, one
  member proposed unqualified (不合格), the talk with them recorded by the branch
  secretary, the case waiting for the level above's pre-review;
* each branch that voted has its democratic appraisal meeting (民主评议会) recorded,
  the vote linked to it: place, host, recorder, start and end, agenda, minutes and
  decisions, but no attendance of its own — the vote's door roll is its attendance
  and the tally its result (the meeting record book reads them from there), so
  nothing is entered twice. The vote is held within the meeting (APPRAISAL_TIMES);
  the two branches whose proposals have gone up have their grade rating meeting
  (等级评定会) too, recorded through the meetings service with as many present as
  round 3 of the reviews recorded;
* the demo secretary's branch (`common.DEMO_BRANCH`) has its vote set up but
  not opened, so that the demo `secretary` can print the cards, open it and run the
  whole vote.

The meetings draw from a seed of their own (MEETINGS_SEED), so that the votes and
proposals are the same with or without them.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from random import Random
from typing import Any

from vanguard.accounts.models import Role, RoleAssignment, User
from vanguard.ballots import services as ballots
from vanguard.ballots.models import AppraisalSession, Ballot, Grade, RollEntry
from vanguard.campaigns.models import Campaign
from vanguard.demo.common import (
    BAD_POINTS,
    BRANCH_PACE,
    DEMO_BRANCH,
    GOOD_POINTS,
    YEAR,
    absences,
    dated,
    demo_time,
    meeting_keepers,
    on_day,
    unaudited,
)
from vanguard.grading import selectors
from vanguard.grading.models import BranchGrading, GradeProposal, UnqualifiedCase
from vanguard.meetings import selectors as meeting_selectors
from vanguard.meetings import services as meetings
from vanguard.meetings.models import Meeting
from vanguard.organization.models import Member, Unit
from vanguard.reviews.models import ReviewRound

SEED = 2005 * 11
MEETINGS_SEED = SEED + 1
SPARE_CARDS = 2

# The fastest branches other than the demo secretary's, fastest first.
_FASTEST = sorted((n for n in BRANCH_PACE if n != DEMO_BRANCH), key=lambda n: -BRANCH_PACE[n])
APPROVED_BRANCH, SUBMITTED_BRANCH, DRAFT_BRANCH = _FASTEST[:3]
HELD_BRANCHES = (APPROVED_BRANCH, SUBMITTED_BRANCH, DRAFT_BRANCH)

# Each branch's democratic appraisal meeting (民主评议会), on the evening before the
# round-2 summaries that report its vote, running late as the seed's did ("from 6 pm
# until after 11"): (the meeting starts, the vote opens, the meeting ends) as (hour,
# minute). The vote closes VOTE_MINUTES after it opens.
APPRAISAL_DAY = (5, 20)
APPRAISAL_TIMES = {
    APPROVED_BRANCH: ((18, 0), (21, 0), (22, 40)),
    SUBMITTED_BRANCH: ((18, 30), (21, 15), (23, 10)),
    DRAFT_BRANCH: ((19, 0), (21, 40), (23, 20)),
}
VOTED_AT = {name: (*APPRAISAL_DAY, *times[1]) for name, times in APPRAISAL_TIMES.items()}
VOTE_MINUTES = 45
APPRAISAL_AGENDA = (
    "一、支部书记通报征求意见和党员个人总结审阅情况，说明民主评议的要求和投票办法\n"
    "二、党员逐一汇报个人总结，开展批评与自我批评\n"
    "三、无记名投票，民主测评\n"
    "四、通报测评汇总情况，布置等级评定工作"
)
APPRAISAL_MINUTES = (
    "支部书记{host}通报本支部征求党内外群众意见和党员个人总结审阅情况，说明民主评议的"
    "要求和投票办法。党员逐一汇报个人总结，对照征求到的意见查找问题、剖析思想根源、"
    "明确整改方向；与会同志逐一评议，开展批评与自我批评，态度诚恳、气氛热烈，"
    "不少同志会后表示意犹未尽。随后领取投票卡，以无记名方式进行民主测评，"
    "计票人、监票人当场计票。"
)
APPRAISAL_DECISIONS = (
    "一、民主测评汇总结果报学院党委。\n"
    "二、支部委员会根据测评结果和评议情况提出党员等级初评意见，提交等级评定会讨论。"
)
# The grade rating meeting (等级评定会) of the branches whose proposals have gone up,
# held before the proposals were written down: (month, day, hour, minute) and
# its end as (hour, minute). Its attendance is what round 3 of the reviews recorded.
RATING_AT = {
    APPROVED_BRANCH: ((5, 25, 19, 0), (21, 0)),
    SUBMITTED_BRANCH: ((5, 25, 19, 30), (21, 20)),
}
RATING_AGENDA = (
    "一、通报民主测评汇总情况和学院党委关于优秀比例的要求\n"
    "二、支部委员会提出党员等级初评意见，逐一讨论\n"
    "三、表决等级初评意见"
)
RATING_MINUTES = (
    "支部书记{host}通报民主测评的汇总情况和学院党委关于等级评定的要求。支部委员会"
    "根据民主测评结果和民主评议情况，结合党员平时表现，逐一提出等级初评意见；"
    "与会党员逐一讨论后举手表决。记录人：{recorder}。"
)
RATING_DECISIONS = "全体正式党员的等级初评意见经支部大会表决通过，连同民主评议情况报学院党委审批。"
PLACES = ("支部活动室", "行政楼 305 会议室", "研究所会议室", "系办公楼三楼会议室")
SET_UP_AT = (5, 26, 10, 0)  # the demo branch's vote, created and not yet opened
# (proposals written, submitted, decided)
APPROVED_DATES = ((5, 26, 9, 30), (5, 26, 11, 30), (5, 27, 17, 0))
SUBMITTED_DATES = ((5, 27, 20, 0), (5, 28, 10, 0))
DRAFT_WRITTEN = (5, 27, 21, 0)
TALK_ON = datetime.date(YEAR, 5, 28)

E, Q = Grade.EXCELLENT.value, Grade.QUALIFIED.value
B, U = Grade.BASICALLY_QUALIFIED.value, Grade.UNQUALIFIED.value
LABELS = {E: "优秀", Q: "合格", B: "基本合格", U: "不合格"}
GRADE_OF_LABEL = {label: value for value, label in LABELS.items()}
# The grades the rest of a member's ballots give, once the grade they lean to has a
# majority: mostly the neighbouring grade.
SPREAD = {
    E: ((Q, 9), (B, 1)),
    Q: ((E, 8), (B, 2)),
    B: ((Q, 7), (U, 2), (E, 1)),
    U: ((B, 6), (Q, 4)),
}

# What the reviews step wrote in each round's grade facts (`vanguard.demo.reviews`).
_GRADE = re.compile(r"等级(?:：|为)(优秀|基本合格|不合格|合格)")
_VOTES = re.compile(r"优秀(\d+)票、合格(\d+)票")
_PRESENT = re.compile(r"实到(\d+)人")

RATIONALES = {
    # Most ballots said excellent.
    E: (
        "民主测评优秀{e}票、合格{q}票。该同志{good}，在先进性教育活动中学习认真、"
        "党性分析深刻，群众评价高，支部建议评为优秀。",
        "该同志{good}，在本职岗位上发挥了先锋模范作用；民主测评优秀{e}票，支部大会讨论同意评为优秀。",
        "学习教育各环节完成得好，个人总结查找问题准、整改措施具体；{good}。民主测评以优秀票为主。",
    ),
    Q: (
        "该同志{good}，能履行党员义务；民主评议中同志们指出其{bad}，还需改进。"
        "民主测评合格{q}票、优秀{e}票，评为合格。",
        "参加学习教育认真，个人总结符合要求。民主测评合格{q}票，支部评为合格；"
        "同志们指出其{bad}，希望加以改进。",
        "能按要求参加组织生活，完成学习教育各环节；同志们指出其{bad}。评为合格。",
    ),
}
# Excellent without most ballots saying so: the branch meeting weighed the whole year.
RATIONALE_EXCELLENT_DISCUSSED = (
    "民主测评优秀{e}票、合格{q}票。该同志{good}，在教育活动中带头查找问题、带头整改，"
    "经支部大会讨论，评为优秀。"
)
# Most ballots said excellent, but the branch meeting kept to the cap on excellent.
RATIONALE_CAPPED = (
    "民主测评优秀{e}票、合格{q}票。该同志{good}；经支部大会讨论，按照优秀比例的要求，评为合格。",
    "民主测评优秀票较多（{e}票）。支部大会综合平时表现，按优秀名额控制的要求评为合格。",
)
RATIONALE_BASIC = (
    "民主测评基本合格{b}票、合格{q}票。该同志发挥党员作用不够明显，民主评议中同志们指出其{bad}；"
    "支部建议评为基本合格，帮助其制定改进措施、限期改进。"
)
RATIONALE_UNQUALIFIED = (
    "民主测评不合格{u}票、基本合格{b}票。该同志党员意识淡薄，多次无故不参加组织生活，"
    "经支部提醒教育仍无明显转变，拟评为不合格。"
)
TALK_NOTE = (
    "支部书记与本人谈话，指出其多次无故不参加组织生活、在教育活动中没有发挥党员作用的问题，"
    "转达了民主评议中党员群众的意见。本人承认问题，表示因课题和实习任务重放松了要求，"
    "愿意接受组织处理，今后按时参加组织生活。"
)
EXPLANATION = (
    "本支部党员在本次教育活动中普遍表现突出，民主测评中得优秀票过半的党员较多。"
    "经支部大会逐一讨论，拟评优秀的均为民主测评优秀票占多数、平时表现公认突出的同志，"
    "故优秀人数超过规定比例，请党委审核。"
)


def _has_grade(recorded: dict[int, Any], member: Member) -> bool:
    record = recorded.get(member.pk)
    return record is not None and bool(record.grade)


@dataclass
class Recorded:
    """What the reviews step recorded for one member: the grade of their latest round
    with grade facts, and their round-2 vote (优秀, 合格) with the number present."""

    grade: str = ""
    votes: tuple[int, int] | None = None
    present: int | None = None


def recorded_grades(campaign: Campaign, branch: Unit) -> dict[int, Recorded]:
    """What the reviews step recorded for the branch's members (by member id), read
    back from the grade facts of their review rounds."""
    found: dict[int, Recorded] = defaultdict(Recorded)
    rounds = (
        ReviewRound.objects.filter(document__campaign=campaign, document__member__branch=branch)
        .exclude(grade_fact="")
        .order_by("document__member_id", "number")
        .values_list("document__member_id", "number", "grade_fact")
    )
    for member_id, number, fact in rounds:
        entry = found[member_id]
        grade = _GRADE.search(fact)
        if grade:
            entry.grade = GRADE_OF_LABEL[grade.group(1)]  # the latest round wins
        votes, present = _VOTES.search(fact), _PRESENT.search(fact)
        if number == 2 and votes and present:
            entry.votes = (int(votes.group(1)), int(votes.group(2)))
            entry.present = int(present.group(1))
    return dict(found)


def rating_present(campaign: Campaign, branch: Unit) -> int | None:
    """How many were present at the branch's grade rating meeting, as round 3 of the
    reviews recorded it ("等级评定会已召开 … 实到 n 人"), or None when it did not."""
    said: Counter[int] = Counter()
    for fact in ReviewRound.objects.filter(
        document__campaign=campaign, document__member__branch=branch, number=3
    ).values_list("grade_fact", flat=True):
        present = _PRESENT.search(fact or "")
        if present:
            said[int(present.group(1))] += 1
    return said.most_common(1)[0][0] if said else None


@dataclass
class DemoGradingResult:
    sessions: int
    ballots: int
    gradings: int
    states: dict[str, str] = field(default_factory=dict)  # branch name -> grading status


class _Builder:
    def __init__(self, campaign: Campaign) -> None:
        self.rng = Random(SEED)
        self.campaign = campaign
        college = campaign.unit
        self.branches = {
            u.name: u
            for u in Unit.objects.filter(
                path__startswith=college.path, kind=Unit.Kind.BRANCH, is_active=True
            )
        }
        self.secretaries: dict[int, User] = {}
        for assignment in (
            RoleAssignment.objects.filter(
                unit__in=self.branches.values(), role=Role.BRANCH_SECRETARY
            )
            .select_related("user")
            .order_by("pk")
        ):
            self.secretaries.setdefault(assignment.unit_id, assignment.user)
        admins = list(
            RoleAssignment.objects.filter(unit=college, role=Role.COMMITTEE_ADMIN)
            .select_related("user")
            .order_by("pk")
        )
        by_name = {a.user.username: a.user for a in admins}
        self.committee = by_name.get("committee") or (admins[0].user if admins else None)
        self.rule = selectors.rule_for(campaign)
        self.meetings_rng = Random(MEETINGS_SEED)
        self.sessions = 0
        self.gradings: list[BranchGrading] = []

    # -- the vote

    def column(self, voters: int, record: Recorded | None, lean: str | None) -> list[str]:
        """One candidate's grades on the `voters` ballots, in a random order."""
        rng = self.rng
        if lean is None and record is not None and record.votes and record.present == voters:
            excellent, qualified = record.votes
            grades = [E] * excellent + [Q] * qualified
        else:
            if lean is None:
                lean = (record.grade if record else "") or (E if rng.random() < 0.25 else Q)
            top = voters // 2 + 1 + rng.randint(0, voters // 4)  # a clear majority
            others, weights = zip(*SPREAD[lean], strict=True)
            grades = [lean] * top + rng.choices(others, weights=weights, k=voters - top)
        rng.shuffle(grades)
        return grades

    def hold_vote(
        self, branch: Unit, recorded: dict[int, Recorded], leans: dict[int, str]
    ) -> AppraisalSession:
        """Open the branch's vote, tick the members present at the door, let each vote
        with a card, and close it — through the ballot's services only."""
        rng = self.rng
        session = ballots.session_create(
            campaign=self.campaign, unit=branch, meeting=self.appraisal_meeting(branch)
        )
        ballots.session_open(session=session)
        cards = ballots.cards_issue(session=session, spares=SPARE_CARDS)
        roll = list(
            RollEntry.objects.filter(session=session)
            .select_related("member")
            .order_by("member__number")
        )
        # As many present as the reviews demo recorded for the meeting, if it did.
        said = Counter(r.present for r in recorded.values() if r.present)
        present = said.most_common(1)[0][0] if said else len(roll) - rng.randint(1, 3)
        present = max(1, min(len(roll), present))
        secretary = self.secretaries.get(branch.pk)
        may_miss = [e for e in roll if secretary is None or e.member.user_id != secretary.pk]
        absent = {e.pk for e in rng.sample(may_miss, min(len(may_miss), len(roll) - present))}
        attending = [e for e in roll if e.pk not in absent]
        for entry in attending:
            ballots.roll_mark_present(session=session, member=entry.member)
        columns = {
            e.member_id: self.column(
                len(attending), recorded.get(e.member_id), leans.get(e.member_id)
            )
            for e in roll
            if e.is_candidate
        }
        for index, card in enumerate(cards[: len(attending)]):
            grades = {str(member_id): column[index] for member_id, column in columns.items()}
            ballots.vote_by_card(session=session, code=card.code, grades=grades)
        ballots.session_close(session=session)
        # The session's own times (they say nothing about any ballot): the meeting's.
        opened = demo_time(*VOTED_AT[branch.name])
        AppraisalSession.objects.filter(pk=session.pk).update(
            created_at=opened - datetime.timedelta(days=2),
            opened_at=opened,
            closed_at=opened + datetime.timedelta(minutes=VOTE_MINUTES),
        )
        self.sessions += 1
        return session

    # -- the meetings

    def appraisal_meeting(self, branch: Unit) -> Meeting:
        """The branch's democratic appraisal meeting (民主评议会), recorded without
        attendance of its own: the vote held at it is linked to it, and its door roll
        is the meeting's attendance (the meeting service would record everyone's
        attendance a second time, so the row is written here)."""
        keepers = meeting_keepers(branch)
        start, _vote, end = APPRAISAL_TIMES[branch.name]
        held_at = demo_time(*APPRAISAL_DAY, *start)
        ends_at = demo_time(*APPRAISAL_DAY, *end)
        meeting = Meeting(
            campaign=self.campaign,
            phase=meeting_selectors.phase_for_kind(
                campaign=self.campaign, kind=Meeting.Kind.DEMOCRATIC_APPRAISAL
            ),
            unit=branch,
            kind=Meeting.Kind.DEMOCRATIC_APPRAISAL,
            title=f"{branch.name}民主评议会",
            held_at=held_at,
            ends_at=ends_at,
            place=self.meetings_rng.choice(PLACES),
            host=keepers.host,
            recorder=keepers.recorder,
            agenda=APPRAISAL_AGENDA,
            minutes=APPRAISAL_MINUTES.format(host=keepers.host),
            decisions=APPRAISAL_DECISIONS,
            created_by=keepers.secretary,
            created_at=ends_at + datetime.timedelta(hours=10),
            updated_at=ends_at + datetime.timedelta(hours=10),
        )
        with dated(Meeting, "created_at", "updated_at"):
            Meeting.objects.bulk_create([meeting])
        return meeting

    def rating_meeting(self, branch: Unit, present: int | None) -> None:
        """The branch's grade rating meeting (等级评定会), recorded through the meetings
        service by its secretary, with as many present as round 3 recorded."""
        keepers = meeting_keepers(branch)
        if keepers.secretary is None:
            return
        (month, day, hour, minute), end = RATING_AT[branch.name]
        attendees = list(
            meeting_selectors.expected_attendees(unit=branch, kind=Meeting.Kind.GRADE_RATING)
        )
        rng = self.meetings_rng
        missing = len(attendees) - present if present is not None else rng.randint(1, 2)
        with unaudited(), on_day(month, day, end[0] + 1):
            meetings.meeting_create(
                unit=branch,
                kind=Meeting.Kind.GRADE_RATING,
                title=f"{branch.name}等级评定会",
                held_at=demo_time(month, day, hour, minute),
                ends_at=demo_time(month, day, *end),
                actor=keepers.secretary,
                place=rng.choice(PLACES),
                host=keepers.host,
                recorder=keepers.recorder,
                agenda=RATING_AGENDA,
                minutes=RATING_MINUTES.format(host=keepers.host, recorder=keepers.recorder),
                decisions=RATING_DECISIONS,
                absences=absences(rng, attendees, missing, spare=keepers.secretary),
            )

    # -- the proposals

    def rationale(self, grade: str, counts: dict[str, int]) -> str:
        rng = self.rng
        words = {
            "e": counts[E],
            "q": counts[Q],
            "b": counts[B],
            "u": counts[U],
            "good": rng.choice(GOOD_POINTS),
            "bad": rng.choice(BAD_POINTS),
        }
        mostly_excellent = 2 * counts[E] > sum(counts.values())
        if grade == B:
            return RATIONALE_BASIC.format(**words)
        if grade == U:
            return RATIONALE_UNQUALIFIED.format(**words)
        if grade == E and not mostly_excellent:
            return RATIONALE_EXCELLENT_DISCUSSED.format(**words)
        if grade == Q and counts[E] > counts[Q]:
            return rng.choice(RATIONALE_CAPPED).format(**words)
        return rng.choice(RATIONALES[grade]).format(**words)

    def grading(
        self,
        branch: Unit,
        recorded: dict[int, Recorded],
        overrides: dict[int, str],
        *,
        status: str,
        written: datetime.datetime,
        submitted: datetime.datetime | None = None,
        decided: datetime.datetime | None = None,
    ) -> tuple[BranchGrading, list[GradeProposal]]:
        tallies = selectors.tallies_for_branch(self.campaign, branch)
        members = list(selectors.formal_members(branch))
        grading = BranchGrading(campaign=self.campaign, branch=branch, status=status)
        proposals = []
        for member in members:
            counts = tallies[member.pk].counts
            # Ties go to the better grade (Grade's order).
            most_voted = max(Grade.values, key=lambda g: (counts[g], -Grade.values.index(g)))
            record = recorded.get(member.pk)
            grade = overrides.get(member.pk) or (record.grade if record else "") or most_voted
            proposals.append(
                GradeProposal(
                    grading=grading,
                    member=member,
                    grade=grade,
                    rationale=self.rationale(grade, counts),
                    updated_at=written,
                )
            )
        if submitted is not None:
            excellent = sum(1 for p in proposals if p.grade == E)
            if excellent > self.rule.excellent_cap(len(members)):
                grading.excellent_explanation = EXPLANATION
            grading.submitted_at = submitted
            grading.submitted_by = self.secretaries.get(branch.pk)
        if decided is not None:
            grading.decided_at, grading.decided_by = decided, self.committee
        self.gradings.append(grading)
        return grading, proposals

    def lowest(
        self,
        branch: Unit,
        recorded: dict[int, Recorded],
        exclude: set[int] | frozenset = frozenset(),
    ) -> Member | None:
        """The member to propose below qualified: a formal member without an account
        (not an officer), preferably one the reviews demo recorded no grade for, else
        the one with the fewest excellent votes among those it recorded as qualified."""
        members = [
            m for m in selectors.formal_members(branch) if m.user_id is None and m.pk not in exclude
        ]

        def weakness(member: Member) -> tuple:
            record = recorded.get(member.pk)
            if record is None or not record.grade:
                return (0, 0, member.number)
            votes = record.votes[0] if record.votes else 0
            return (1 if record.grade == Q else 2, votes, member.number)

        return min(members, key=weakness) if members else None

    # -- all of it

    def build(self) -> DemoGradingResult:
        held = [self.branches[name] for name in HELD_BRANCHES if name in self.branches]
        recorded = {branch.pk: recorded_grades(self.campaign, branch) for branch in held}
        overrides: dict[int, dict[int, str]] = defaultdict(dict)
        for branch in held:
            # Below qualified only where the reviews demo recorded no grade, so that the
            # member's summary and their vote never disagree.
            rec = recorded[branch.pk]
            if branch.name == DRAFT_BRANCH:
                weakest = self.lowest(branch, rec)
                if weakest is not None:
                    overrides[branch.pk][weakest.pk] = U
                    second = self.lowest(branch, rec, exclude={weakest.pk})
                    if second is not None and not _has_grade(rec, second):
                        overrides[branch.pk][second.pk] = B
            elif branch.name == SUBMITTED_BRANCH:
                weakest = self.lowest(branch, rec)
                if weakest is not None and not _has_grade(rec, weakest):
                    overrides[branch.pk][weakest.pk] = B
        for branch in held:
            self.hold_vote(branch, recorded[branch.pk], overrides[branch.pk])
        for branch in held:
            if branch.name in RATING_AT:
                self.rating_meeting(branch, rating_present(self.campaign, branch))
        made: list[tuple[BranchGrading, list[GradeProposal]]] = []
        unqualified: list[GradeProposal] = []
        for branch in held:
            args = (branch, recorded[branch.pk], overrides[branch.pk])
            if branch.name == APPROVED_BRANCH:
                written, submitted, decided = (demo_time(*d) for d in APPROVED_DATES)
                made.append(
                    self.grading(
                        *args,
                        status=BranchGrading.Status.APPROVED,
                        written=written,
                        submitted=submitted,
                        decided=decided,
                    )
                )
            elif branch.name == SUBMITTED_BRANCH:
                written, submitted = (demo_time(*d) for d in SUBMITTED_DATES)
                made.append(
                    self.grading(
                        *args,
                        status=BranchGrading.Status.SUBMITTED,
                        written=written,
                        submitted=submitted,
                    )
                )
            else:
                grading, proposals = self.grading(
                    *args, status=BranchGrading.Status.DRAFT, written=demo_time(*DRAFT_WRITTEN)
                )
                made.append((grading, proposals))
                unqualified += [p for p in proposals if p.grade == U]
        BranchGrading.objects.bulk_create([grading for grading, _p in made])
        with dated(GradeProposal, "updated_at"):
            GradeProposal.objects.bulk_create([p for _g, ps in made for p in ps])
        UnqualifiedCase.objects.bulk_create(
            UnqualifiedCase(
                proposal=proposal,
                talk_on=TALK_ON,
                talk_note=TALK_NOTE,
                talk_by=self.secretaries.get(proposal.grading.branch_id),
            )
            for proposal in unqualified
        )
        demo_branch = self.branches.get(DEMO_BRANCH)
        if demo_branch is not None:
            session = ballots.session_create(campaign=self.campaign, unit=demo_branch)
            AppraisalSession.objects.filter(pk=session.pk).update(created_at=demo_time(*SET_UP_AT))
            self.sessions += 1
        return DemoGradingResult(
            sessions=self.sessions,
            ballots=Ballot.objects.filter(session__campaign=self.campaign).count(),
            gradings=len(self.gradings),
            states={g.branch.name: g.status for g in self.gradings},
        )


def demo_grading_build(campaign: Campaign) -> DemoGradingResult:
    """Write the demo campaign's appraisal votes and grade proposals (see the module's
    docstring). Call once, inside the demo's transaction, after the reviews."""
    return _Builder(campaign).build()
