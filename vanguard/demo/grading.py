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
  held their appraisal vote on 21 May: a few members absent, every present member
  voting with a card. Where the reviews demo recorded a member's vote in round 2
  ("民主测评：优秀 n 票、合格 m 票"), the ballots give exactly those counts, with as
  many present as it recorded; otherwise the ballots lean to the member's recorded
  grade, or to a grade drawn for them;
* their grade proposals (等级初评) for every formal member, with a rationale: the
  grade the reviews demo recorded last for the member (round 3's over round 2's),
  else the most-voted grade. The first branch's are approved by the `committee`
  account; the second's are submitted and wait for it, with one member proposed
  basically qualified (基本合格);
* the third-fastest branch has held its vote too and is drafting its proposals, one
  member proposed unqualified (不合格), the talk with them recorded by the branch
  secretary, the case waiting for the level above's pre-review;
* the demo secretary's branch (`common.DEMO_BRANCH`) has its vote set up but
  not opened, so that the demo `secretary` can print the cards, open it and run the
  whole vote.
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
    dated,
    demo_time,
)
from vanguard.grading import selectors
from vanguard.grading.models import BranchGrading, GradeProposal, UnqualifiedCase
from vanguard.organization.models import Member, Unit
from vanguard.reviews.models import ReviewRound

SEED = 2005 * 11
SPARE_CARDS = 2

# The fastest branches other than the demo secretary's, fastest first.
_FASTEST = sorted((n for n in BRANCH_PACE if n != DEMO_BRANCH), key=lambda n: -BRANCH_PACE[n])
APPROVED_BRANCH, SUBMITTED_BRANCH, DRAFT_BRANCH = _FASTEST[:3]
HELD_BRANCHES = (APPROVED_BRANCH, SUBMITTED_BRANCH, DRAFT_BRANCH)

# When each branch's appraisal meeting voted (before any round-2 summary reports it).
VOTED_AT = {
    APPROVED_BRANCH: (5, 21, 8, 30),
    SUBMITTED_BRANCH: (5, 21, 9, 0),
    DRAFT_BRANCH: (5, 21, 9, 30),
}
VOTE_MINUTES = 45
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
        session = ballots.session_create(campaign=self.campaign, unit=branch)
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
