"""The demo's fourth step, the self-analyses and personal summaries (党性分析材料、个人
总结), going up and down the three rounds (三上三下) in 信息学院 in May, as the seed
tells it.

Run by `vanguard.demo.build.demo_build` with the demo campaign, after the opinions,
inside the demo's transaction. Everything comes from `random.Random(SEED)` and fixed
dates in May; rows are written with `bulk_create` and no audit actor, in states that
agree with the state machine of `reviews.services` (a test checks every document
against it).

What it writes:

* a document for nearly every member, at every round and state: most members
  writing a draft or with a round-1 submission waiting for the branch; many whose
  first round the branch passed (with the committee, or back with its guidance as
  a round-2 draft); some with a round-2 submission and the grade facts of the
  democratic appraisal recorded; a few in round 3 and approved by the committee;
* returned documents (退回修改), each with two reasons from the three criteria, and
  the revision that followed — visibly different from the returned version;
* 光电本科生第二党支部, as in the seed: the branch checked every summary against the
  three criteria, returned the unqualified ones for revision and reviewed them a
  second time — more than half show a return and then a pass;
* the demo accounts: `member`'s document submitted and waiting, so that the
  `secretary` has it to review on login; in the same branch a document returned
  and resubmitted (the comparison of two versions), and one returned;
* the lagging branches behind: many members have not started.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field

from vanguard.accounts.models import Role, RoleAssignment, User
from vanguard.campaigns.models import Campaign
from vanguard.demo.common import (
    BAD_POINTS,
    BRANCH_PACE,
    DEMO_BRANCH,
    GOOD_POINTS,
    LAGGING_BRANCHES,
    STRICT_BRANCH,
    dated,
    demo_time,
)
from vanguard.organization.models import Member, Unit
from vanguard.reviews.models import (
    BranchReview,
    CommitteeResponse,
    ReviewRound,
    SelfAnalysis,
    SubmittedVersion,
)

SEED = 2005 * 7
# How far each branch has got is BRANCH_PACE (in `common`), on the ladder below; the
# lagging branches stand here.
LAGGING_PACE = 0.7

S = SelfAnalysis.State
# The ladder a document climbs: (round, state); None is "not opened yet".
LADDER: tuple[tuple[int, str] | None, ...] = (
    None,
    (1, S.DRAFT),
    (1, S.SUBMITTED),
    (1, S.WITH_COMMITTEE),
    (2, S.DRAFT),
    (2, S.SUBMITTED),
    (2, S.WITH_COMMITTEE),
    (3, S.DRAFT),
    (3, S.SUBMITTED),
    (3, S.WITH_COMMITTEE),
    (3, S.APPROVED),
)
# When each round's work starts (the committee's timetable for May).
ROUND_OPENS = {1: (5, 10), 2: (5, 21), 3: (5, 26)}

# --- What the members wrote --------------------------------------------------------

NUMBERS = "一二三四五六"

# (heading, what it means for this member): the returned first drafts list only the
# headings; the revisions say what the heading means in the member's own work.
PROBLEMS = (
    (
        "理论学习不够系统",
        "满足于参加支部组织的集中学习，自学时间少，对“三个代表”重要思想的科学内涵理解不深，"
        "学用结合不够。",
    ),
    ("工作标准不够高", "有时满足于完成任务，缺乏开拓创新的劲头，遇到难题有畏难情绪。"),
    (
        "联系群众不够紧密",
        "与身边同志谈心交流少，对他们在工作、学习和生活中的困难了解不多、帮助不够。",
    ),
    ("参加组织生活不够主动", "有时以业务忙为由请假，在支部活动中发言不多，很少提出建议。"),
    ("批评与自我批评开展得不够", "对身边同志的缺点碍于情面不愿指出，对自己的不足认识也不深。"),
)
GROUP_PROBLEMS = {
    "faculty": (
        ("教书育人投入不够", "科研任务重时，对本科教学投入的精力不够，备课不够充分，课后辅导少。"),
        ("关心研究生不够", "指导研究生的时间偏少，对学生的思想状况和就业压力关心不够。"),
    ),
    "staff": (
        ("服务意识不够强", "办事有时让师生多跑路，对来办事的同志解释不够耐心，工作效率有待提高。"),
    ),
    "student": (
        ("学习上钻研精神不够", "满足于考试过关，对专业前沿了解不多，在学习上的带头作用不明显。"),
        ("模范作用发挥得不够", "在班级和宿舍中主动帮助同学不够，参加集体活动的积极性不高。"),
    ),
    "retired": (("关心学院发展不够", "退休后参加组织生活少了，对学院的改革和发展关心不够。"),),
}
ROOTS = (
    (
        "宗旨意识有所淡化",
        "对全心全意为人民服务的根本宗旨认识不深，考虑个人的事多，考虑集体和群众的事少。",
    ),
    (
        "理论学习的自觉性不够",
        "认为搞好业务就行了，把政治理论学习当作“软任务”，没有真正用理论武装头脑。",
    ),
    ("党性修养有所放松", "有时以普通群众的标准要求自己，党员意识不够强，没有处处体现先进性。"),
    ("进取精神有所减退", "满足于现状，缺乏紧迫感和责任感，对更高的目标追求不够。"),
    ("自我要求不够严格", "对自己的缺点和不足有时找客观原因，自我反省和自我改进不够。"),
)
DIRECTIONS = (
    (
        "加强理论学习",
        "认真学习“三个代表”重要思想和党章，每月至少精读一本理论书籍，做好读书笔记，"
        "并结合本职工作写出体会。",
    ),
    (
        "牢固树立宗旨意识",
        "时刻把群众的利益放在第一位，每月至少与两名同志谈心，了解并帮助解决困难。",
    ),
    ("严格组织生活", "按时参加支部活动，认真开展批评与自我批评，主动向支部汇报思想和工作情况。"),
    ("增强进取精神", "对照先进典型找差距，为自己定下明确的年度目标，年底对照检查。"),
)
GROUP_DIRECTIONS = {
    "faculty": (
        ("立足教书育人", "每学期至少听同事两次课、改进一门课程的讲义，每周固定两个晚上答疑。"),
        ("关心研究生成长", "每两周与研究生面谈一次，了解他们的学习、思想和就业情况。"),
    ),
    "staff": (
        (
            "提高服务质量",
            "推行一次性告知，办事流程上墙公开，本学期内把常办事项的办理时间缩短一半。",
        ),
    ),
    "student": (
        ("学好专业知识", "本学期主要课程成绩达到优良，参加一项科研训练或学科竞赛。"),
        ("发挥模范作用", "在宿舍和班级中结对帮助一名学习有困难的同学，带头参加志愿服务。"),
    ),
    "retired": (
        ("继续发挥余热", "参加社区关心下一代工作，每季度至少参加一次学院组织的老同志活动。"),
    ),
}
GROUPS_OF: dict[str, str] = {
    Member.Category.UNDERGRADUATE: "student",
    Member.Category.MASTERS: "student",
    Member.Category.DOCTORAL: "student",
    Member.Category.RETIRED: "retired",
    Member.Category.STAFF: "staff",
}
SUMMARY_OPENINGS = (
    "先进性教育活动开始以来，我按照学院党委和支部的部署，认真参加了学习动员阶段的各项活动，"
    "撰写读书笔记两篇、学习心得一篇。",
    "在学习动员阶段，我参加了支部组织的学习讨论和褚健教授的专题报告，"
    "认真学习了《保持共产党员先进性教育读本》。",
    "这次先进性教育活动中，我重新学习了党章，重温了入党誓词，思想上受到了一次深刻的教育。",
)
SUMMARY_OPINIONS = (
    "分析评议阶段，我通过意见箱、电子信箱和个人交谈广泛征求了党内外群众的意见，"
    "共收到意见和建议{count}条，对照这些意见进行了认真反思。",
    "支部把梳理后的群众意见反馈给我，其中肯定的{praise}条，提出不足和建议的{critical}条，"
    "我逐条作了对照检查。",
)
SUMMARY_CLOSINGS = (
    "我将以这次教育活动为契机，严格要求自己，在本职岗位上发挥先锋模范作用。",
    "今后我将把整改措施落到实处，请组织和同志们监督。",
    "我决心以实际行动保持共产党员的先进性，努力做一名合格的共产党员。",
)
# What the revision adds: the reference to the opinions and the measures with dates.
REVISION_PROBLEM = (
    "对照支部反馈的群众意见，有同志指出我“{opinion}”，这个问题确实存在，是我今后整改的重点。"
)
FEEDBACK_OPINIONS = (
    "参加组织生活不够主动",
    "对学生关心不够",
    "理论学习抓得不紧",
    "与同事交流少",
    "办事效率不高",
    "对集体的事情关心不够",
)
REVISION_DEADLINE = (
    "以上整改措施，我将在{month}月底前制定具体计划，于年底前逐项落实，请支部监督检查。"
)
ROUND2_SUMMARY = (
    "根据学院党委的指导意见，我进一步对照群众意见修改了个人总结。"
    "在支部民主评议会上，同志们肯定了我的{good}，也指出了{bad}的不足，我诚恳接受。"
)
ROUND2_WEAK = "在民主评议会上，同志们对我提出了一些意见，我将认真改正。"
ROUND3_WEAK = "支部大会对我进行了等级评定。"
ROUND3_SUMMARY = (
    "支部大会对我进行了等级评定。我将按照党委意见，在整改提高阶段把各项整改措施落实到位。"
)
# GOOD_POINTS and BAD_POINTS (in `common`) fill in ROUND2_SUMMARY.

# --- What the branch and the committee wrote -------------------------------------------

CRITERION_FAULTS = {
    "problem_found": (
        "查找问题泛泛而谈，只列了标题，没有联系本人的思想和工作实际，也没有回应支部反馈的群众意见。",
        "问题未找准",
    ),
    "understanding_clear": (
        "剖析根源停留在表面，没有从理想信念、宗旨意识、党性修养上深挖思想根源。",
        "认识不够深刻",
    ),
    "direction_clear": (
        "努力方向不够明确，缺少具体的整改措施和完成时限。",
        "整改方向不具体",
    ),
}
ROUND_FAULTS = {
    "problem_found": (
        "没有如实写明民主评议中同志们提出的具体意见，只写了“提出了一些意见”。",
        "未回应评议意见",
    ),
}
ACHIEVEMENTS = (
    "能认真参加学习动员阶段的各项活动，学习笔记完整。",
    "工作认真负责，在本职岗位上做出了成绩，群众评价较好。",
    "态度端正，能正视自己的不足，自我剖析比较诚恳。",
    "积极参加支部活动，主动承担支部工作。",
)
POINTED_PROBLEMS = (
    "联系群众还不够紧密，需进一步增强宗旨意识。",
    "理论学习的系统性有待加强。",
    "参加组织生活的主动性还要提高。",
    "对群众意见的回应还可以更具体。",
)
RECTIFICATION = (
    "建议结合群众意见，制定切实可行的整改计划，明确时限。",
    "建议在整改提高阶段把学习与本职工作紧密结合起来。",
    "建议多与群众谈心，主动听取意见，接受监督。",
)
GUIDANCE = (
    "学院党委审阅了你的自我总结，认为查找问题比较具体，剖析根源比较深入。"
    "请结合支部反馈的群众意见，{advice}，在民主评议会前进一步完善个人总结。",
    "经审阅，你的自我总结态度端正、内容实在。指导意见：{advice}，"
    "并在民主评议会上认真听取同志们的意见。",
)
GUIDANCE_ADVICE = (
    "把整改措施写得更具体一些",
    "对思想根源再作深入剖析",
    "把理论学习与本职工作结合起来",
    "对群众意见逐条作出回应",
)
OPINION = (
    "同意支部的民主评议和等级初评意见。请根据民主评议中提出的意见修改个人总结，做好等级评定的准备。",
    "同意支部意见。希望正视民主评议中指出的不足，在等级评定前进一步完善整改措施。",
)
APPROVAL = (
    "同意支部评定意见，评定等级为{grade}。"
    "希望在整改提高阶段认真落实整改措施，保持共产党员的先进性。"
)


def _numbered(items: list[tuple[str, str]], *, full: bool) -> str:
    lines = []
    for index, (heading, detail) in enumerate(items):
        line = f"{NUMBERS[index]}是{heading}。"
        lines.append(line + detail if full else line)
    return "\n".join(lines)


@dataclass
class _Writer:
    """One member's material: the fragments chosen once, and the text of each
    moment (a first draft the branch returned, the revision, the later rounds)."""

    problems: list[tuple[str, str]]
    roots: list[tuple[str, str]]
    directions: list[tuple[str, str]]
    opening: str
    opinions: str
    closing: str
    revision_problem: str
    deadline: str
    round2: str
    round3: str = ROUND3_SUMMARY

    @classmethod
    def for_member(cls, rng: random.Random, member: Member) -> _Writer:
        group = GROUPS_OF.get(member.category, "faculty")
        problems = rng.sample(PROBLEMS, rng.randint(2, 3)) + rng.sample(GROUP_PROBLEMS[group], 1)
        rng.shuffle(problems)
        directions = rng.sample(DIRECTIONS, 2) + list(GROUP_DIRECTIONS[group][:1])
        count = rng.randint(6, 19)
        critical = rng.randint(2, count - 2)
        return cls(
            problems=problems,
            roots=rng.sample(ROOTS, rng.randint(2, 3)),
            directions=directions,
            opening=rng.choice(SUMMARY_OPENINGS),
            opinions=rng.choice(SUMMARY_OPINIONS).format(
                count=count, praise=count - critical, critical=critical
            ),
            closing=rng.choice(SUMMARY_CLOSINGS),
            revision_problem=REVISION_PROBLEM.format(opinion=rng.choice(FEEDBACK_OPINIONS)),
            deadline=REVISION_DEADLINE.format(month=rng.choice((6, 7))),
            round2=ROUND2_SUMMARY.format(good=rng.choice(GOOD_POINTS), bad=rng.choice(BAD_POINTS)),
        )

    def text(self, round_number: int, stage: str = "full") -> dict[str, str]:
        """The four sections as sent up in `round_number`. The branch returned the
        "weak" first attempt of a round (round 1: headings only; later rounds: the
        round's new part vague) and sometimes a "partial" second one (round 1: no
        measures with dates yet)."""
        first = round_number == 1
        headings_only = first and stage == "weak"
        problems = _numbered(self.problems, full=not headings_only)
        directions = _numbered(self.directions, full=not headings_only)
        roots = _numbered(self.roots, full=not headings_only)
        # The returned first draft did not yet say what the opinions were.
        summary = [self.opening] if headings_only else [self.opening, self.opinions]
        if not headings_only:
            problems += "\n" + self.revision_problem
            if not (first and stage == "partial"):
                directions += "\n" + self.deadline
        if round_number >= 2:
            vague = round_number == 2 and stage != "full"
            summary.append(ROUND2_WEAK if vague else self.round2)
        if round_number >= 3:
            summary.append(ROUND3_WEAK if stage != "full" else self.round3)
        summary.append(self.closing)
        return {
            "problems": problems,
            "roots": roots,
            "direction": directions,
            "summary": "\n".join(summary),
        }


@dataclass
class DemoReviewsResult:
    documents: int
    versions: int
    reviews: int
    returned: int
    states: dict[tuple[int, str], int] = field(default_factory=dict)


@dataclass
class _Plan:
    """Where one member's document ends up, and how many times each round was returned."""

    position: int  # index into LADDER
    returns: dict[int, int]  # round -> returns before the round's pass or current state
    revising: bool = False  # returned, and the member is already revising the draft


class _Builder:
    def __init__(self, campaign: Campaign) -> None:
        self.rng = random.Random(SEED)
        self.campaign = campaign
        college = campaign.unit
        self.branches = sorted(
            Unit.objects.filter(
                path__startswith=college.path, kind=Unit.Kind.BRANCH, is_active=True
            ),
            key=lambda u: u.name,
        )
        self.members_of: dict[int, list[Member]] = defaultdict(list)
        for member in Member.objects.filter(
            branch__path__startswith=college.path, is_active=True
        ).order_by("number"):
            self.members_of[member.branch_id].append(member)
        self.reviewers: dict[int, list[int]] = defaultdict(list)  # branch -> secretary first
        for user_id, role, unit_id in (
            RoleAssignment.objects.filter(
                unit__in=self.branches, role__in=(Role.BRANCH_SECRETARY, Role.BRANCH_COMMITTEE)
            )
            .order_by("role", "pk")  # branch_committee < branch_secretary
            .values_list("user_id", "role", "unit_id")
        ):
            if role == Role.BRANCH_SECRETARY:
                self.reviewers[unit_id].insert(0, user_id)
            else:
                self.reviewers[unit_id].append(user_id)
        admins = list(
            RoleAssignment.objects.filter(unit=college, role=Role.COMMITTEE_ADMIN)
            .order_by("pk")
            .values_list("user_id", flat=True)
        )
        committee = User.objects.filter(username="committee").values_list("pk", flat=True).first()
        self.committee_user = committee if committee in admins else (admins[0] if admins else None)
        self.documents: list[SelfAnalysis] = []
        self.rounds: list[ReviewRound] = []
        self.versions: list[SubmittedVersion] = []
        self.reviews: list[BranchReview] = []
        self.responses: list[CommitteeResponse] = []
        self.returned = 0
        self.present: dict[tuple[int, int], int] = {}  # (branch, round) -> at the meeting

    # -- where each member stands

    def plan(self, branch: Unit, member: Member, demo_users: dict[str, int]) -> _Plan:
        rng = self.rng
        if branch.name in LAGGING_BRANCHES:
            pace = LAGGING_PACE
        else:
            pace = BRANCH_PACE.get(branch.name, 1.4 + 2.2 * rng.random())
        position = max(0, min(len(LADDER) - 1, round(pace + rng.gauss(0, 1.1))))
        if position == 0 and branch.name not in LAGGING_BRANCHES and rng.random() < 0.6:
            position = 1  # outside the lagging branches, nearly everyone has started
        strict = branch.name == STRICT_BRANCH
        returns: dict[int, int] = {}
        for number in (1, 2, 3):
            step = LADDER[position]
            if step is None or step[0] < number:
                break
            here = step[0] == number
            if here and step[1] == S.DRAFT:
                break
            chance = 0.6 if strict and number == 1 else 0.12
            returns[number] = 1 if rng.random() < chance else 0
            if returns[number] and rng.random() < 0.15:
                returns[number] = 2
        plan = _Plan(position=position, returns=returns)
        # Some documents in the submitted state are in fact back with the member.
        step = LADDER[position]
        if (
            step is not None
            and step[1] == S.SUBMITTED
            and rng.random() < (0.35 if strict else 0.18)
        ):
            plan.returns[step[0]] = max(1, plan.returns.get(step[0], 0))
            plan.position = -position  # marks "returned" (see `returned_state`)
            plan.revising = rng.random() < 0.5
        user_id = member.user_id
        if user_id is not None and user_id == self.committee_user:
            # The committee admin does not approve their own document.
            plan = _Plan(position=2, returns={1: 0})
        if user_id is not None and user_id == demo_users.get("member"):
            plan = _Plan(position=2, returns={1: 0})  # waiting for the secretary
        return plan

    # -- one document's story

    def document(self, branch: Unit, member: Member, plan: _Plan, writer: _Writer) -> None:
        rng = self.rng
        returned_now = plan.position < 0
        step = LADDER[abs(plan.position)]
        assert step is not None
        final_round, final_state = step
        if returned_now:
            final_state = S.RETURNED
        reviewers = [u for u in self.reviewers.get(branch.pk, []) if u != member.user_id]
        reviewer = reviewers[0] if reviewers else None
        month, day = ROUND_OPENS[1]
        opened = demo_time(month, day - rng.randint(1, 5), rng.randint(8, 21), rng.randint(0, 59))
        document = SelfAnalysis(
            campaign=self.campaign,
            member=member,
            current_round=final_round,
            state=final_state,
        )
        self.documents.append(document)
        t = opened
        number = 0
        draft = {name: "" for name in ("problems", "roots", "direction", "summary")}
        saves = 0

        def later(low: int = 5, high: int = 30) -> datetime.datetime:
            nonlocal t
            t = t + datetime.timedelta(hours=rng.randint(low, high), minutes=rng.randint(0, 59))
            return t

        for round_number in range(1, final_round + 1):
            round_ = ReviewRound(document=document, number=round_number, opened_at=t)
            self.rounds.append(round_)
            month, day = ROUND_OPENS[round_number]
            if t < demo_time(month, day):
                t = demo_time(month, day, rng.randint(8, 12))
            last_round = round_number == final_round
            if last_round and final_state == S.DRAFT:
                if round_number == 1:
                    draft, saves = self.first_draft(writer)
                elif rng.random() < 0.5:  # already revising with the committee's word
                    saves += rng.randint(1, 3)
                    draft = writer.text(round_number)
                    later(4, 40)
                break
            returns = plan.returns.get(round_number, 0)
            if round_number >= 2:
                round_.grade_fact = self.grade_fact(round_number, branch, member)
            for attempt in range(returns):
                text = writer.text(round_number, "weak" if attempt == 0 else "partial")
                number += 1
                saves += rng.randint(1, 4)
                version = self.version(document, number, round_number, text, member, later())
                self.review(round_, version, reviewer, later(), verdict=BranchReview.Verdict.RETURN)
                draft = text
            if last_round and final_state == S.RETURNED:
                self.returned += 1
                if plan.revising:
                    draft = writer.text(round_number)
                    saves += rng.randint(1, 3)
                    later(4, 40)
                break
            text = writer.text(round_number)
            number += 1
            saves += rng.randint(1, 3)
            version = self.version(document, number, round_number, text, member, later())
            draft = text
            if last_round and final_state == S.SUBMITTED:
                break
            self.review(round_, version, reviewer, later(), verdict=BranchReview.Verdict.PASS)
            if last_round and final_state == S.WITH_COMMITTEE:
                break
            answered = later(4, 20)
            round_.closed_at = answered
            self.responses.append(
                CommitteeResponse(
                    round=round_,
                    author_id=self.committee_user,
                    text=self.committee_text(round_number, round_.grade_fact),
                    at=answered,
                )
            )
        for name, value in draft.items():
            setattr(document, name, value)
        document.draft_version = saves
        document.draft_saved_at = t if saves else None

    def first_draft(self, writer: _Writer) -> tuple[dict[str, str], int]:
        """A round-1 draft still being written: nothing yet, or the first sections."""
        written = self.rng.choice((0, 1, 2, 3, 3, 4, 4))
        text = writer.text(1)
        draft = {
            name: (value if index < written else "")
            for index, (name, value) in enumerate(text.items())
        }
        return draft, (self.rng.randint(written, 3 * written) if written else 0)

    def version(
        self,
        document: SelfAnalysis,
        number: int,
        round_number: int,
        text: dict[str, str],
        member: Member,
        at: datetime.datetime,
    ) -> SubmittedVersion:
        version = SubmittedVersion(
            document=document,
            number=number,
            round=round_number,
            submitted_by_id=member.user_id,
            submitted_at=at,
            **text,
        )
        self.versions.append(version)
        return version

    def review(
        self,
        round_: ReviewRound,
        version: SubmittedVersion,
        reviewer: int | None,
        at: datetime.datetime,
        *,
        verdict: str,
    ) -> None:
        rng = self.rng
        criteria = {
            name: {"ok": True, "comment": ""}
            for name in ("problem_found", "understanding_clear", "direction_clear")
        }
        reasons = ""
        if verdict == BranchReview.Verdict.RETURN:
            faults = dict(CRITERION_FAULTS)
            if round_.number >= 2:
                faults.update(ROUND_FAULTS)
            failed = sorted(rng.sample(sorted(faults), 2), key=list(criteria).index)
            for name in failed:
                criteria[name] = {"ok": False, "comment": faults[name][1]}
            reasons = "\n".join(
                f"{index}. {faults[name][0]}" for index, name in enumerate(failed, start=1)
            )
        else:
            for name in criteria:
                criteria[name]["comment"] = rng.choice(("是", "基本做到", "比较清楚"))
        self.reviews.append(
            BranchReview(
                round=round_,
                version=version,
                reviewer_id=reviewer,
                criteria=criteria,
                verdict=verdict,
                reasons=reasons,
                achievements=rng.choice(ACHIEVEMENTS),
                problems=rng.choice(POINTED_PROBLEMS),
                directions=rng.choice(RECTIFICATION),
                at=at,
            )
        )

    def grade_fact(self, round_number: int, branch: Unit, member: Member) -> str:
        rng = self.rng
        size = len(self.members_of[branch.pk])
        present = self.present.setdefault(
            (branch.pk, round_number), max(1, size - rng.randint(0, 3))
        )
        excellent = rng.randint(present // 3, present)
        grade = "优秀" if excellent > present * 0.6 else "合格"
        if round_number == 2:
            return (
                f"民主评议会已召开，应到{size}人，实到{present}人；民主测评：优秀{excellent}票、"
                f"合格{present - excellent}票；初评等级：{grade}。"
            )
        return f"等级评定会已召开，支部大会表决评定等级为{grade}（应到{size}人，实到{present}人）。"

    def committee_text(self, round_number: int, grade_fact: str) -> str:
        rng = self.rng
        if round_number == 1:
            return rng.choice(GUIDANCE).format(advice=rng.choice(GUIDANCE_ADVICE))
        if round_number == 2:
            return rng.choice(OPINION)
        grade = "优秀" if "等级为优秀" in grade_fact else "合格"
        return APPROVAL.format(grade=grade)

    # -- the demo branch's special cases

    def demo_branch_plans(self, members: list[Member], plans: dict[int, _Plan]) -> None:
        """In the demo secretary's branch: one document returned and resubmitted (two
        versions to compare), one returned and being revised."""
        others = [m for m in members if m.user_id is None]
        if others:
            plans[others[0].pk] = _Plan(position=2, returns={1: 1})
        if len(others) > 1:
            plans[others[1].pk] = _Plan(position=-2, returns={1: 1}, revising=True)

    # -- all of it

    def build(self) -> DemoReviewsResult:
        demo_users = dict(
            User.objects.filter(username__in=("member", "secretary")).values_list("username", "pk")
        )
        for branch in self.branches:
            members = self.members_of[branch.pk]
            plans = {member.pk: self.plan(branch, member, demo_users) for member in members}
            if branch.name == DEMO_BRANCH:
                self.demo_branch_plans(members, plans)
            for member in members:
                writer = _Writer.for_member(self.rng, member)
                plan = plans[member.pk]
                if plan.position == 0:
                    continue
                self.document(branch, member, plan, writer)
        return self.save()

    def save(self) -> DemoReviewsResult:
        SelfAnalysis.objects.bulk_create(self.documents, batch_size=500)
        with dated(ReviewRound, "opened_at"):
            ReviewRound.objects.bulk_create(self.rounds, batch_size=500)
        with dated(SubmittedVersion, "submitted_at"):
            SubmittedVersion.objects.bulk_create(self.versions, batch_size=500)
        with dated(BranchReview, "at"):
            BranchReview.objects.bulk_create(self.reviews, batch_size=500)
        with dated(CommitteeResponse, "at"):
            CommitteeResponse.objects.bulk_create(self.responses, batch_size=500)
        states: dict[tuple[int, str], int] = defaultdict(int)
        for document in self.documents:
            states[(document.current_round, document.state)] += 1
        return DemoReviewsResult(
            documents=len(self.documents),
            versions=len(self.versions),
            reviews=len(self.reviews),
            returned=self.returned,
            states=dict(states),
        )


def demo_reviews_build(campaign: Campaign) -> DemoReviewsResult:
    """Write the demo campaign's self-analyses, versions, reviews and committee
    responses (see the module's docstring). Call once, inside the demo's
    transaction, after the opinions."""
    return _Builder(campaign).build()
