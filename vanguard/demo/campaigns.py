"""The demo's second step, the campaign: 信息学院's education campaign (先进性教育活动)
standing where the seed's stood in May.

Run by `vanguard.demo.build.demo_build` once the organisation is built, inside the
same transaction. Only 信息学院 gets campaign data, whatever the size, so that the L
organisation stays quick to build.

What it writes, all from `random.Random(SEED)` and fixed dates (never the clock):

* the campaign, from the education blueprint, starting 20 February 2026: the study
  phase (学习动员) closed on 1 May, the analysis-and-appraisal phase (分析评议) open
  since 2 May, rectification (整改提高) pending;
* the study phase done in almost every branch: a submitted study plan
  (学习讨论计划), two to four study sessions with attendance, the college lecture
  by 褚健 (专题报告) with QR sign-ins, and each member's reading notes (读书笔记) and
  reflection (学习心得) on the materials of the time, in text assembled from
  sentence fragments;
* the meetings the seed lists for the study phase — two all-member meetings, three
  branch-secretary meetings, five general-branch-secretary and leading-group
  meetings — each with its attendance;
* the demo secretary's branch's own meetings of the study phase (a branch meeting
  that set its study going, an organisational-life meeting that shared the notes:
  DEMO_BRANCH_MEETINGS), recorded through the meetings service as its secretary would
  have, with start and end, place, host, recorder, agenda, minutes, decisions and who
  was absent and why — what its meeting record book (支部大会记录本) holds;
* every branch moved to the analysis phase on 2 May by the committee
  (`PhaseTransition`, reason 学院党委统一转段), and most branches' mobilisation
  meeting (支部动员会) held in the days after;
* a few branches deliberately behind (LAGGING_BRANCHES): no mobilisation meeting,
  and members with no notes or only one — the blind spots (死角) the dashboards show.

Rows are written with `bulk_create`. Their dates (submitted, signed in, moved on)
are the demo's dates, not the time of the build: see `vanguard.demo.common.dated`.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from vanguard.accounts.models import Role, RoleAssignment, User
from vanguard.campaigns import services
from vanguard.campaigns.blueprints import EDUCATION
from vanguard.campaigns.models import Campaign, Phase, PhaseTransition
from vanguard.demo.common import (
    COLLEGE_NAME,
    DEMO_BRANCH,
    LAGGING_BRANCHES,
    TZ,
    YEAR,
    absence_reason,
    absences,
    dated,
    demo_time,
    meeting_keepers,
    on_day,
    unaudited,
)
from vanguard.meetings import services as meeting_services
from vanguard.meetings.models import Meeting, MeetingAttendance
from vanguard.organization.models import Member, Unit
from vanguard.study.models import Attendance, StudyPlan, StudySession, StudyWork

SEED = 2005 * 3
CAMPAIGN_NAME = "信息学院保持共产党员先进性教育活动"
CAMPAIGN_YEAR = YEAR
CAMPAIGN_START = datetime.date(2026, 2, 20)  # the analysis phase then opens on 2 May
TRANSITION_DAY = datetime.date(2026, 5, 2)
TRANSITION_REASON = "学院党委统一转段"

# Besides the lagging branches (LAGGING_BRANCHES: no mobilisation meeting yet, members
# missing their notes), behind only in having not yet held the mobilisation meeting (the
# demo secretary's branch among them, so that recording it is the next thing to do).
MEETING_PENDING_BRANCHES = (DEMO_BRANCH, "控制系机关党支部")
# The branches the seed praises for their members' study: every member wrote well.
PRAISED_BRANCHES = (
    "光学工程教工第一党支部",
    "光学工程教工第二党支部",
    "光电研究生第二党支部",
    "光电研究生第三党支部",
    "光电博士生党支部",
    "信电本科生第五党支部",
    "控制系本科生党支部",
    "退休党支部",
)


# The demo secretary's branch's own meetings of the study phase, as its meeting record
# book (支部大会记录本) holds them: recorded through the meetings service by the branch
# secretary (主持人), with a branch committee member as 记录人. Each is (start as
# month, day, hour, minute; end as hour, minute; title; agenda; minutes; decisions;
# how many were absent). The minutes name the host and the recorder: {host}, {recorder}.
DEMO_BRANCH_MEETINGS = (
    (
        (2, 27, 19, 0),
        (21, 0),
        "支部党员大会：传达学院动员大会精神，部署学习动员阶段工作",
        "一、传达学院保持共产党员先进性教育活动动员大会精神和学校试点工作方案\n"
        "二、讨论支部学习讨论计划\n"
        "三、布置读书笔记和学习心得的撰写要求",
        "支部书记{host}传达了2月24日学院动员大会的精神和学校试点工作方案，"
        "要求全体党员端正态度、以学习为基础，把先进性教育与教学科研工作结合起来。"
        "与会党员逐条讨论了支部学习讨论计划，建议结合学科建设确定讨论专题，"
        "由党小组分头组织学习、支部集中交流。"
        "支部委员{recorder}介绍了读书笔记的几种写法。",
        "一、支部学习讨论计划按讨论意见修改后报学院党委。\n"
        "二、每名党员撰写读书笔记不少于两篇、学习心得一篇，4月底前交支部。",
        2,
    ),
    (
        (4, 23, 19, 0),
        (21, 30),
        "支部组织生活会：交流读书笔记和学习心得",
        "一、通报学院督查组对本支部学习情况的检查意见\n"
        "二、党员交流读书笔记和学习心得\n"
        "三、对照党章查找差距，布置学习阶段收尾工作",
        "支部书记{host}传达4月21日支部书记会议精神，通报学院督查组对本支部学习讨论"
        "记录和读书笔记的检查意见。八位党员交流了读书笔记和学习心得，"
        "结合学科建设和本科教学谈保持先进性的体会；大家对照党章的要求，"
        "查找了在理论学习、联系群众方面的差距，发言坦诚、联系实际。"
        "记录人：{recorder}。",
        "一、4月30日前每名党员完成学习心得的修改。\n"
        "二、支部整理学习讨论记录和党员学习材料，做好转入分析评议阶段的准备。",
        1,
    ),
)


MOBILISATION_AGENDA = (
    "一、传达学院党委关于党性分析、民主评议阶段的部署\n"
    "二、布置征求意见、自我剖析和个人总结\n"
    "三、明确开好三次会议、个人总结三上三下和上交三份材料的要求"
)


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=TZ)


def _d(month: int, day: int) -> datetime.date:
    return datetime.date(CAMPAIGN_YEAR, month, day)


# --- What was studied, and what was written -----------------------------------------

MATERIALS = (
    "《保持共产党员先进性教育读本》",
    "《中国共产党章程》",
    "《“三个代表”重要思想学习纲要》",
    "胡锦涛同志在新时期保持共产党员先进性专题报告会上的讲话",
    "《中共中央关于加强党的执政能力建设的决定》",
    "《江泽民论加强和改进执政党建设》",
)
SESSION_TOPICS = (
    ("学习党章，增强党员意识", "《中国共产党章程》"),
    ("新时期共产党员先进性的具体要求", "《保持共产党员先进性教育读本》第一、二部分"),
    ("“三个代表”重要思想与高校工作", "《“三个代表”重要思想学习纲要》"),
    ("发展是第一要务：联系学科建设谈先进性", "《保持共产党员先进性教育读本》第三部分"),
    ("加强党的执政能力建设", "《中共中央关于加强党的执政能力建设的决定》"),
    ("交流读书笔记，畅谈学习体会", "党员读书笔记"),
)
PLACES = (
    "支部活动室",
    "玉泉校区教十二 201",
    "行政楼 305 会议室",
    "研究所会议室",
    "学生活动中心 102",
    "系办公楼三楼会议室",
)

OPENINGS = (
    "这段时间认真学习了{material}，对照学习内容反复思考，有以下几点体会。",
    "按照支部的学习计划，我通读了{material}，并做了摘录。",
    "通过学习{material}，我对新时期保持共产党员先进性有了更深的认识。",
    "先进性教育活动开始以来，我利用业余时间学习了{material}。",
    "这次重读{material}，与当年入党时相比，体会更加深刻。",
)
POINTS = (
    "共产党员的先进性不是抽象的，它体现在每一名党员的日常工作和学习之中。",
    "“三个代表”重要思想是我们党的立党之本、执政之基、力量之源，必须在实践中始终坚持。",
    "发展是党执政兴国的第一要务，衡量党员先进性，归根到底要看是否促进了事业的发展。",
    "党章是党的根本大法，每名党员都要自觉学习党章、遵守党章、贯彻党章、维护党章。",
    "保持先进性，首先要坚定理想信念，在大是大非面前保持清醒的头脑。",
    "全心全意为人民服务是党的根本宗旨，党员要时刻把群众的利益放在第一位。",
    "科技是第一生产力，高校党员应当在科技创新和人才培养中走在前面。",
    "党员的先进性要经得起群众的检验，群众满意不满意是最重要的标准。",
    "读本中列举的先进典型，让我看到了差距，也找到了努力的方向。",
    "加强党的执政能力建设，对每一名基层党员也提出了更高的要求。",
)
DUTIES = {
    "faculty": (
        "作为一名教师，要把先进性落实到教书育人上，认真上好每一堂课，关心每一个学生。",
        "在科研工作中，要敢于承担重大课题，把论文写在祖国大地上，推动学科建设。",
        "要处理好教学与科研的关系，不能只顾自己的课题而忽视本科教学。",
    ),
    "staff": (
        "作为机关工作人员，要增强服务意识，提高工作效率，让师生少跑路。",
        "在日常管理和服务工作中，要做到热情、耐心、规范，树立党员的良好形象。",
    ),
    "student": (
        "作为学生党员，首先要学好专业知识，在学习和科研中起带头作用。",
        "要在班级和宿舍中发挥模范作用，主动帮助学习和生活上有困难的同学。",
        "毕业在即，要树立正确的择业观，到祖国最需要的地方去建功立业。",
    ),
    "retired": (
        "虽然已经退休，但共产党员的身份没有退休，要继续关心学院的发展。",
        "要保持晚节，发挥余热，在社区和老同志中宣传党的方针政策。",
    ),
}
SHORTCOMINGS = (
    "对照这些要求，我感到自己在理论学习上还不够系统，有时满足于一知半解。",
    "反思自己，工作中有时存在畏难情绪，对集体的事情关心不够。",
    "检查自己，平时业务工作忙，参加组织生活的主动性还不够强。",
    "对照检查，我在联系群众、倾听意见方面做得还不够。",
)
CLOSINGS = (
    "今后我将继续深入学习，以实际行动保持共产党员的先进性。",
    "我要把这次学习的收获落实到今后的工作中去，努力做一名合格的共产党员。",
    "学习永无止境，我将在下一阶段认真查找不足，切实加以改进。",
    "我将以这次教育活动为契机，严格要求自己，在本职岗位上发挥先锋模范作用。",
)
REFLECTION_TITLES = (
    "立足本职岗位，保持共产党员先进性",
    "发展才是硬道理——学习“三个代表”重要思想的体会",
    "做一名新时期合格的共产党员",
    "以发展的眼光认识党员的先进性",
    "听褚健教授专题报告有感",
    "学习党章，重温入党誓词",
    "先进性教育学习阶段个人心得",
)
LECTURE_POINTS = (
    "听了褚健教授“贯彻‘三个代表’重要思想，促进科研与学科建设”的专题报告，深受启发。",
    "褚健教授和他的团队“我们的事业刚刚开始”的口号，让我体会到了共产党员的进取精神。",
    "科技成果转化为生产力的事实，使我深刻体会到“科技是第一生产力”的巨大作用。",
)


def _category_group(member: Member) -> str:
    category = member.category
    if category in (
        Member.Category.UNDERGRADUATE,
        Member.Category.MASTERS,
        Member.Category.DOCTORAL,
    ):
        return "student"
    if category == Member.Category.RETIRED:
        return "retired"
    if category == Member.Category.STAFF:
        return "staff"
    return "faculty"


def _paragraphs(parts: Sequence[str]) -> str:
    return "".join(f"<p>{part}</p>" for part in parts)


def _note_body(rng: random.Random, member: Member, material: str) -> str:
    points = rng.sample(POINTS, rng.randint(2, 3))
    return _paragraphs(
        [
            rng.choice(OPENINGS).format(material=material),
            *(f"{index}. {point}" for index, point in enumerate(points, start=1)),
            rng.choice(DUTIES[_category_group(member)]),
            rng.choice(CLOSINGS),
        ]
    )


def _reflection_body(rng: random.Random, member: Member, heard_lecture: bool) -> str:
    duties = DUTIES[_category_group(member)]
    parts = [
        rng.choice(OPENINGS).format(material=rng.choice(MATERIALS[:3])),
        *rng.sample(POINTS, 2),
    ]
    if heard_lecture:
        parts.append(rng.choice(LECTURE_POINTS))
    parts += [
        *rng.sample(duties, min(2, len(duties))),
        rng.choice(SHORTCOMINGS),
        rng.choice(CLOSINGS),
    ]
    return _paragraphs(parts)


# --- The builder -----------------------------------------------------------------


@dataclass
class DemoCampaignResult:
    campaign: Campaign
    branches: int
    works: int
    meetings: int


class _Builder:
    def __init__(self, college: Unit) -> None:
        self.rng = random.Random(SEED)
        self.college = college
        units = list(Unit.objects.filter(path__startswith=college.path, is_active=True))
        # By name and number, never by primary key or path: a rebuilt demo has other keys.
        self.branches = sorted(
            (u for u in units if u.kind == Unit.Kind.BRANCH), key=lambda u: u.name
        )
        self.by_name = {b.name: b for b in self.branches}
        members = Member.objects.filter(
            branch__path__startswith=college.path, is_active=True
        ).order_by("number")
        self.members_of: dict[int, list[Member]] = defaultdict(list)
        for member in members:
            self.members_of[member.branch_id].append(member)
        self.roles: dict[tuple[str, int], list[int]] = defaultdict(list)  # (role, unit) -> users
        for user_id, role, unit_id in (
            RoleAssignment.objects.filter(unit__path__startswith=college.path)
            .order_by("pk")
            .values_list("user_id", "role", "unit_id")
        ):
            self.roles[(role, unit_id)].append(user_id)
        self.member_of_user = {
            m.user_id: m for ms in self.members_of.values() for m in ms if m.user_id
        }
        self.committee_user = User.objects.filter(username="committee").first()

    def user(self, role: str, unit: Unit) -> int | None:
        found = self.roles.get((role, unit.pk))
        return found[0] if found else None

    def holders(self, roles: Sequence[str], units: Sequence[Unit]) -> list[Member]:
        """Members holding any of the roles over any of the units, once each."""
        seen: dict[int, Member] = {}
        for unit in units:
            for role in roles:
                for user_id in self.roles.get((role, unit.pk), []):
                    member = self.member_of_user.get(user_id)
                    if member is not None:
                        seen.setdefault(member.pk, member)
        return sorted(seen.values(), key=lambda m: m.number)

    # -- the campaign

    def campaign(self) -> tuple[Campaign, dict[str, Phase]]:
        campaign = services.campaign_create_from_blueprint(
            kind=EDUCATION.kind,
            name=CAMPAIGN_NAME,
            year=CAMPAIGN_YEAR,
            unit=self.college,
            start_on=CAMPAIGN_START,
            description="学院党委按照学校先进性教育活动试点工作方案组织实施。",
        )
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.ACTIVE)
        campaign.status = Campaign.Status.ACTIVE
        phases = {phase.key: phase for phase in campaign.phases.all()}
        statuses = {
            Phase.Key.STUDY: Phase.Status.CLOSED,
            Phase.Key.ANALYSIS: Phase.Status.OPEN,
            Phase.Key.RECTIFICATION: Phase.Status.PENDING,
        }
        for key, status in statuses.items():
            Phase.objects.filter(pk=phases[key].pk).update(status=status)
            phases[key].status = status
        return campaign, phases

    # -- the study phase

    def plans(self, campaign: Campaign) -> dict[int, StudyPlan]:
        rows = []
        for branch in self.branches:
            day = _d(3, self.rng.randint(1, 10))
            weeks = self.rng.sample(SESSION_TOPICS, 4)
            body = _paragraphs(
                [
                    f"{branch.name}按照学院党委的部署，制定学习动员阶段学习讨论计划如下。",
                    *(
                        f"第{index}次：{topic}（学习材料：{material}）"
                        for index, (topic, material) in enumerate(weeks, start=1)
                    ),
                    "每名党员撰写读书笔记不少于两篇、学习心得一篇，支部组织交流。",
                ]
            )
            submitted = _at(day, self.rng.randint(9, 20))
            rows.append(
                StudyPlan(
                    campaign=campaign,
                    branch=branch,
                    title=f"{branch.name}学习讨论计划",
                    body=body,
                    submitted_at=submitted,
                    submitted_by_id=self.user(Role.BRANCH_SECRETARY, branch),
                    created_at=submitted - datetime.timedelta(days=1),
                    updated_at=submitted,
                )
            )
        with dated(StudyPlan, "created_at", "updated_at"):
            StudyPlan.objects.bulk_create(rows)
        return {plan.branch_id: plan for plan in rows}

    def absent_reason(self, member: Member) -> str:
        return absence_reason(self.rng, member)

    def sessions(self, campaign: Campaign, plans: dict[int, StudyPlan]) -> None:
        sessions: list[StudySession] = []
        for branch in self.branches:
            count = self.rng.randint(2, 4)
            topics = self.rng.sample(SESSION_TOPICS, count)
            days = sorted(self.rng.sample(range(0, 52), count))  # 8 March – 28 April
            place = self.rng.choice(PLACES)
            for (topic, material), offset in zip(topics, days, strict=True):
                day = _d(3, 8) + datetime.timedelta(days=offset)
                starts = _at(day, self.rng.choice((14, 15, 19)), self.rng.choice((0, 30)))
                sessions.append(
                    StudySession(
                        campaign=campaign,
                        plan=plans[branch.pk],
                        unit=branch,
                        kind=StudySession.Kind.SESSION,
                        topic=topic,
                        materials=material,
                        place=place,
                        starts_at=starts,
                        created_at=starts - datetime.timedelta(days=3),
                    )
                )
        lecture = StudySession(
            campaign=campaign,
            unit=self.college,
            kind=StudySession.Kind.LECTURE,
            topic="贯彻‘三个代表’重要思想，促进科研与学科建设",
            materials="专题报告",
            speaker="褚健（先进控制研究所所长、长江特聘教授、十届全国人大代表）",
            place="学院报告厅",
            starts_at=_at(_d(3, 24), 14, 30),
            created_at=_at(_d(3, 17), 10),
        )
        with dated(StudySession, "created_at"):
            StudySession.objects.bulk_create([*sessions, lecture])
        self.lecture_heard: set[int] = set()

        rows: list[Attendance] = []
        for session in sessions:
            for member in self.members_of[session.unit_id]:
                absent = self.rng.random() < (
                    0.2 if member.category == Member.Category.RETIRED else 0.08
                )
                rows.append(
                    Attendance(
                        session=session,
                        member=member,
                        status=Attendance.Status.ABSENT if absent else Attendance.Status.PRESENT,
                        reason=self.absent_reason(member) if absent else "",
                        method=Attendance.Method.MANUAL,
                        recorded_at=session.starts_at + datetime.timedelta(hours=2),
                    )
                )
        # The lecture: members signed in with the QR code as they came in.
        for branch in self.branches:
            share = 0.35 if branch.branch_type == Unit.BranchType.RETIRED else 0.82
            for member in self.members_of[branch.pk]:
                if self.rng.random() < share:
                    self.lecture_heard.add(member.pk)
                    rows.append(
                        Attendance(
                            session=lecture,
                            member=member,
                            status=Attendance.Status.PRESENT,
                            method=Attendance.Method.QR,
                            recorded_at=lecture.starts_at
                            - datetime.timedelta(minutes=self.rng.randint(1, 25)),
                        )
                    )
        with dated(Attendance, "recorded_at"):
            Attendance.objects.bulk_create(rows, batch_size=1000)

    def works(self, campaign: Campaign) -> int:
        lagging = {self.by_name[name].pk for name in LAGGING_BRANCHES if name in self.by_name}
        rows: list[StudyWork] = []
        for branch in self.branches:
            supervisor = self.user(Role.SUPERVISOR, branch)
            for member in self.members_of[branch.pk]:
                # The blind spots: in a lagging branch, some wrote nothing, some one note.
                roll = self.rng.random()
                if branch.pk in lagging and roll < 0.3:
                    wanted = []
                elif branch.pk in lagging and roll < 0.5:
                    wanted = [StudyWork.Kind.READING_NOTE]
                else:
                    wanted = [
                        StudyWork.Kind.READING_NOTE,
                        StudyWork.Kind.READING_NOTE,
                        StudyWork.Kind.REFLECTION,
                    ]
                    if member.category == Member.Category.DOCTORAL and self.rng.random() < 0.2:
                        wanted.append(StudyWork.Kind.ESSAY)
                materials = self.rng.sample(MATERIALS, 2)
                for index, kind in enumerate(wanted):
                    day = _d(3, 10) + datetime.timedelta(days=self.rng.randint(0, 50) + 4 * index)
                    submitted = _at(
                        min(day, _d(4, 30)), self.rng.randint(8, 22), self.rng.randint(0, 59)
                    )
                    if kind == StudyWork.Kind.READING_NOTE:
                        material = materials[index % 2]
                        title = self.rng.choice(
                            ("学习{m}读书笔记", "读{m}有感", "{m}学习笔记")
                        ).format(m=material)
                        body = _note_body(self.rng, member, material)
                    else:
                        material = self.rng.choice(MATERIALS[:3])
                        title = self.rng.choice(REFLECTION_TITLES)
                        body = _reflection_body(self.rng, member, member.pk in self.lecture_heard)
                    # The supervision group sampled about half of all reading notes (the
                    # demo member's are left unread, so that they can still edit them).
                    reviewed = (
                        kind == StudyWork.Kind.READING_NOTE
                        and supervisor is not None
                        and member.user_id is None
                        and self.rng.random() < 0.5
                    )
                    rows.append(
                        StudyWork(
                            campaign=campaign,
                            member=member,
                            kind=kind,
                            title=title[:200],
                            material=material,
                            body=body,
                            submitted_at=submitted,
                            updated_at=submitted,
                            reviewed_at=_at(_d(4, 26), 16) if reviewed else None,
                            reviewed_by_id=supervisor if reviewed else None,
                        )
                    )
        with dated(StudyWork, "submitted_at", "updated_at"):
            StudyWork.objects.bulk_create(rows, batch_size=1000)
        return len(rows)

    # -- meetings

    def meeting(
        self,
        campaign: Campaign,
        phase: Phase,
        *,
        unit: Unit,
        kind: str,
        title: str,
        held_at: datetime.datetime,
        attendees: Sequence[Member],
        minutes: str,
        decisions: str = "",
        host: str = "",
        place: str = "",
        recorder: str = "",
        agenda: str = "",
        hours: float = 2,
    ) -> tuple[Meeting, list[MeetingAttendance]]:
        meeting = Meeting(
            campaign=campaign,
            phase=phase,
            unit=unit,
            kind=kind,
            title=title,
            held_at=held_at,
            place=place or self.rng.choice(PLACES),
            ends_at=held_at + datetime.timedelta(hours=hours),
            host=host,
            recorder=recorder,
            agenda=agenda,
            minutes=minutes,
            decisions=decisions,
            created_by=self.committee_user,
            created_at=held_at + datetime.timedelta(hours=3),
            updated_at=held_at + datetime.timedelta(hours=3),
        )
        rows = []
        for member in attendees:
            absent = self.rng.random() < 0.07
            rows.append(
                MeetingAttendance(
                    meeting=meeting,
                    member=member,
                    status=MeetingAttendance.Status.ABSENT
                    if absent
                    else MeetingAttendance.Status.PRESENT,
                    reason=self.absent_reason(member) if absent else "",
                )
            )
        return meeting, rows

    def meetings(self, campaign: Campaign, phases: dict[str, Phase]) -> int:
        study, analysis = phases[Phase.Key.STUDY], phases[Phase.Key.ANALYSIS]
        everyone = [m for b in self.branches for m in self.members_of[b.pk]]
        secretaries = self.holders((Role.BRANCH_SECRETARY,), self.branches)
        general_branches = list(
            Unit.objects.filter(parent=self.college, kind=Unit.Kind.GENERAL_BRANCH)
        )
        leaders = self.holders(
            (Role.COMMITTEE_ADMIN, Role.GENERAL_BRANCH_SECRETARY), [self.college, *general_branches]
        )
        chair = self.member_of_user.get(self.committee_user.pk) if self.committee_user else None
        host = chair.name if chair else ""
        K = Meeting.Kind
        college = [
            (
                K.ALL_MEMBER,
                "学院保持共产党员先进性教育活动动员大会",
                _at(_d(2, 24), 14, 30),
                everyone,
                "学院党委书记作动员报告，传达学校先进性教育活动试点工作方案，部署学习动员阶段工作。",
                "各支部于3月10日前制定并上报学习讨论计划。",
            ),
            (
                K.ALL_MEMBER,
                "学习动员阶段总结暨分析评议阶段动员大会",
                _at(_d(4, 28), 14, 30),
                everyone,
                "总结学习动员阶段工作，通报督查情况，部署党性分析、民主评议阶段工作，明确开好三次会议、个人总结三上三下、支部上交三份材料的要求。",
                "5月2日起全院转入分析评议阶段。",
            ),
            (
                K.SECRETARY,
                "支部书记会议：学习动员阶段工作部署",
                _at(_d(3, 3), 16),
                secretaries,
                "布置学习讨论计划的制定和读书笔记、学习心得的撰写要求。",
                "",
            ),
            (
                K.SECRETARY,
                "支部书记会议：学习情况交流",
                _at(_d(3, 31), 16),
                secretaries,
                "学院督查组通报第一次检查情况，四位支部书记分别代表教工、研究生、本科生支部介绍本支部的学习情况。",
                "",
            ),
            (
                K.SECRETARY,
                "支部书记会议：督查情况通报",
                _at(_d(4, 21), 16),
                secretaries,
                "通报第二次全面检查情况：检查41个支部的学习讨论计划和记录，抽查近二分之一党员的读书笔记；对进度滞后的支部提出具体要求。",
                "质量不合格的读书笔记限期补课。",
            ),
        ]
        for index, day in enumerate(
            (_d(2, 21), _d(3, 9), _d(3, 27), _d(4, 14), _d(4, 27)), start=1
        ):
            college.append(
                (
                    K.LEADING_GROUP,
                    f"党总支书记和领导小组会议（第{'一二三四五'[index - 1]}次）",
                    _at(day, 12, 30),
                    leaders,
                    self.rng.choice(
                        (
                            "分析各支部学习进展，研究下一步督查安排。",
                            "研讨学习阶段存在的问题，确定重点支部和重点人的工作。",
                            "听取督查组汇报，研究对进度滞后支部的个别指导。",
                            "研究分析评议阶段工作方案和时间安排。",
                        )
                    ),
                    "",
                )
            )
        made: list[tuple[Meeting, list[MeetingAttendance]]] = []
        for kind, title, held_at, attendees, minutes, decisions in college:
            made.append(
                self.meeting(
                    campaign,
                    study,
                    unit=self.college,
                    kind=kind,
                    title=title,
                    held_at=held_at,
                    attendees=attendees,
                    minutes=minutes,
                    decisions=decisions,
                    host=host,
                    place="学院报告厅" if kind == K.ALL_MEMBER else "学院党委会议室",
                    hours=1 if kind == K.LEADING_GROUP else 2,
                )
            )
        # The first branch meeting of the analysis phase (支部动员会), in most branches.
        skipped = set(LAGGING_BRANCHES) | set(MEETING_PENDING_BRANCHES)
        for branch in self.branches:
            if branch.name in skipped:
                continue
            day = TRANSITION_DAY + datetime.timedelta(days=self.rng.randint(3, 12))
            secretary = self.member_of_user.get(self.user(Role.BRANCH_SECRETARY, branch) or 0)
            recorder = self.member_of_user.get(self.user(Role.BRANCH_COMMITTEE, branch) or 0)
            made.append(
                self.meeting(
                    campaign,
                    analysis,
                    unit=branch,
                    kind=K.MOBILISATION,
                    title=f"{branch.name}动员会",
                    held_at=_at(day, self.rng.choice((12, 16, 19)), 0),
                    attendees=self.members_of[branch.pk],
                    minutes="传达学院党委关于分析评议阶段的部署，对广泛征求党内外群众意见、自我剖析和个人总结提出具体要求。",
                    decisions="两周内完成征求意见；个人总结初稿于5月25日前交支部。",
                    host=secretary.name if secretary else "",
                    recorder=recorder.name if recorder else "",
                    agenda=MOBILISATION_AGENDA,
                    hours=1.5,
                )
            )
        with dated(Meeting, "created_at", "updated_at"):
            Meeting.objects.bulk_create([meeting for meeting, _rows in made])
        MeetingAttendance.objects.bulk_create(
            [row for meeting, rows in made for row in rows], batch_size=1000
        )
        return len(made)

    def demo_branch_meetings(self) -> int:
        """The demo secretary's branch's meetings of the study phase (DEMO_BRANCH_MEETINGS),
        recorded through the meetings service as its secretary would have, each on its
        day, with the absent members and their reasons. Drawn from a seed of their own,
        so that nothing else of the demo changes with them."""
        branch = self.by_name.get(DEMO_BRANCH)
        keepers = meeting_keepers(branch) if branch is not None else None
        if branch is None or keepers is None or keepers.secretary is None:
            return 0
        rng = random.Random(SEED + 1)
        attendees = self.members_of[branch.pk]
        place = rng.choice(PLACES)
        with unaudited():
            for start, end, title, agenda, minutes, decisions, absent in DEMO_BRANCH_MEETINGS:
                month, day = start[:2]
                with on_day(month, day, end[0] + 1):
                    meeting_services.meeting_create(
                        unit=branch,
                        kind=Meeting.Kind.ALL_MEMBER,
                        title=title,
                        held_at=demo_time(*start),
                        ends_at=demo_time(month, day, *end),
                        actor=keepers.secretary,
                        place=place,
                        host=keepers.host,
                        recorder=keepers.recorder,
                        agenda=agenda,
                        minutes=minutes.format(host=keepers.host, recorder=keepers.recorder),
                        decisions=decisions,
                        absences=absences(rng, attendees, absent, spare=keepers.secretary),
                    )
        return len(DEMO_BRANCH_MEETINGS)

    def transitions(
        self, campaign: Campaign, phases: dict[str, Phase], incomplete: set[int]
    ) -> None:
        rows = [
            PhaseTransition(
                campaign=campaign,
                branch=branch,
                from_phase=phases[Phase.Key.STUDY],
                to_phase=phases[Phase.Key.ANALYSIS],
                approved_by=self.committee_user,
                reason=TRANSITION_REASON,
                requirements_met=branch.pk not in incomplete,
                at=_at(TRANSITION_DAY, 9),
            )
            for branch in self.branches
        ]
        with dated(PhaseTransition, "at"):
            PhaseTransition.objects.bulk_create(rows)

    def build(self) -> DemoCampaignResult:
        campaign, phases = self.campaign()
        plans = self.plans(campaign)
        self.sessions(campaign, plans)
        works = self.works(campaign)
        meetings = self.meetings(campaign, phases) + self.demo_branch_meetings()
        lagging = {self.by_name[name].pk for name in LAGGING_BRANCHES if name in self.by_name}
        self.transitions(campaign, phases, lagging)
        return DemoCampaignResult(
            campaign=campaign, branches=len(self.branches), works=works, meetings=meetings
        )


def demo_campaign_build() -> DemoCampaignResult | None:
    """Build the demo campaign in 信息学院 (call inside the demo's transaction, after the
    organisation; the opinions, reviews and grading steps follow with its campaign).
    Does nothing (None) when the college is not there."""
    college = (
        Unit.objects.filter(name=COLLEGE_NAME, kind=Unit.Kind.COMMITTEE).order_by("pk").first()
    )
    if college is None:
        return None
    return _Builder(college).build()
