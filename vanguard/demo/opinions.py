"""The demo's third step, the opinions (征求意见): what 信息学院's branches gathered in
May through the five channels, most of it sorted (梳理) and attached to members, as the
seed tells it.

Run by `vanguard.demo.build.demo_build` with the demo campaign, after the campaign
step, inside the demo's transaction, for 信息学院 only. Everything comes from
`random.Random(SEED)` and fixed dates in May; rows are written with `bulk_create`
and no audit actor.

What it writes:

* the campaign's opinion settings (N = 3 respondents, criticism threshold 20 %) and
  its eight aspects;
* in every branch but the lagging ones, opinions through the suggestion box
  (意见箱), e-mail (电子信箱, with the sender kept as the source), typed-in survey
  comments (书面调查), individual talks (个人交谈) and symposia (座谈会, each with its
  record and participants): most sorted and attached to a member, some about the
  branch or the committee, a few set aside with a reason, one duplicate merged;
  about a quarter of the members have none (the dashboard lists them);
* 光学工程教工第一党支部 (the demo secretary's branch): several new opinions still to
  sort, and several sorted ones about the demo `member`;
* 光电硕士生第二党支部, as in the seed: the first round by e-mail brought mostly
  praise, so the branch committee opened a second round and six groups asked face
  to face (six symposia in round 2, with more criticism);
* 信电系硕士生党支部: mostly praise and no second round yet — the dashboard flags it;
* a written survey on the eight aspects (书面调查) in three branches, with one-time
  invitations (hashes only) and answers that carry no respondent: most members rated
  by five respondents, some by only two (below N, so their sheet shows no summary).
"""

from __future__ import annotations

import datetime
import hashlib
import random
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vanguard.accounts.models import Role, RoleAssignment
from vanguard.campaigns.models import Campaign
from vanguard.demo.common import DEMO_BRANCH, YEAR, dated
from vanguard.opinions.intake.services import aspects_for
from vanguard.opinions.models import (
    Aspect,
    EmailMessage,
    Opinion,
    OpinionRecord,
    OpinionRound,
    OpinionSettings,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
)
from vanguard.organization.models import Member, Unit

SEED = 2005 * 5
FIRST_DAY = datetime.date(YEAR, 5, 4)
LAST_DAY = datetime.date(YEAR, 5, 24)
SECOND_ROUND_BRANCH = "光电硕士生第二党支部"
SECOND_ROUND_OPENED = datetime.date(YEAR, 5, 14)
SECOND_ROUND_REASON = (
    "首轮电子信箱征求意见时，肯定和表扬的意见多，不足意见反馈少；"
    "支委和党小组组织6个小组，分头面对面与党内外群众征求意见。"
)
SECOND_ROUND_GROUPS = 6
FLAGGED_BRANCH = "信电系硕士生党支部"  # mostly praise, no second round yet
SURVEY_BRANCHES = (DEMO_BRANCH, "信电系光电子所党支部", "信电系机关党支部")
SURVEY_TITLE = "党员意见征求表（八个方面）"
SURVEY_RESPONDENTS = 6  # invitations per survey branch; five of them answered
FEW_RESPONDENTS = 2  # every third member is rated by only this many
# Lagging branches (see `common.LAGGING_BRANCHES`) with hardly any opinions yet.
QUIET_BRANCHES = ("光电硕士生第一党支部", "控制系智能系统所党支部")

# --- What people said, by aspect and kind --------------------------------------------

MEMBER_TEXTS: dict[str, dict[str, tuple[str, ...]]] = {
    "political": {
        "praise": (
            "政治立场坚定，能自觉用“三个代表”重要思想指导工作。",
            "关心国家大事，在大是大非面前头脑清醒。",
        ),
        "criticism": (
            "政治理论学习抓得不紧，满足于参加集中学习。",
            "对时事政治关心不够，很少参与支部的讨论。",
        ),
        "suggestion": (
            "建议多结合本职工作谈学习体会，不要只停留在书本上。",
            "希望在组织生活中多发表自己的看法。",
        ),
    },
    "party_spirit": {
        "praise": (
            "党员意识强，处处以党员标准严格要求自己。",
            "能主动亮明党员身份，在群众中威信较高。",
        ),
        "criticism": (
            "平时党员意识不够强，与普通群众看不出区别。",
            "参加组织生活不够主动，有时以业务忙为由请假。",
        ),
        "suggestion": (
            "希望更多参加支部活动，发挥党员的带头作用。",
            "建议多和入党积极分子谈心，帮助他们进步。",
        ),
    },
    "work": {
        "praise": (
            "教学认真负责，备课充分，学生评价很高。",
            "科研工作勤奋，带领课题组取得了好的成果。",
            "学习刻苦，成绩优秀，在同学中起到了带头作用。",
        ),
        "criticism": (
            "科研任务重，对本科教学投入的精力不够。",
            "指导研究生的时间偏少，学生有问题时不容易找到。",
            "上课有时照本宣科，与学生互动不多。",
        ),
        "suggestion": (
            "希望在指导研究生方面多花些时间。",
            "建议多开一些面向本科生的讲座，介绍学科前沿。",
            "希望把科研成果更多地引入课堂教学。",
        ),
    },
    "service": {
        "praise": (
            "热心为大家服务，主动承担了许多公益性工作。",
            "工作作风扎实，服务热情，师生满意。",
        ),
        "criticism": (
            "对集体的事情关心不够，只顾自己的工作。",
            "服务意识有待加强，办事有时让人多跑路。",
        ),
        "suggestion": (
            "希望多关心家庭经济困难的学生。",
            "建议在实验室安全管理上多出些力。",
        ),
    },
    "discipline": {
        "praise": (
            "组织纪律观念强，按时参加组织生活，按时交纳党费。",
            "遵守学校的各项规章制度，起到了表率作用。",
        ),
        "criticism": (
            "组织生活有时迟到早退。",
            "请假手续不够规范，有时事后才补假。",
        ),
        "suggestion": (
            "希望严格遵守支部的学习制度，按时完成读书笔记。",
            "建议外出时及时向支部报告。",
        ),
    },
    "style": {
        "praise": (
            "工作作风踏实，说到做到，从不推诿。",
            "为人谦虚，联系群众，善于听取不同意见。",
        ),
        "criticism": (
            "有时工作方法简单，批评学生时态度生硬。",
            "开会时间偏长，效率有待提高。",
        ),
        "suggestion": (
            "希望多深入学生宿舍，了解同学们的实际困难。",
            "建议工作中多征求老师们的意见再做决定。",
        ),
    },
    "unity": {
        "praise": (
            "团结同事，乐于帮助青年教师成长。",
            "与同学关系融洽，能调动大家的积极性。",
        ),
        "criticism": (
            "与其他课题组交流合作不多，有门户之见。",
            "有时只顾自己的小集体，大局意识不强。",
        ),
        "suggestion": (
            "建议多组织跨课题组的学术交流。",
            "希望在团结协作上多做表率。",
        ),
    },
    "integrity": {
        "praise": (
            "廉洁自律，科研经费使用规范。",
            "生活朴素，不搞特殊化。",
        ),
        "criticism": ("报销手续有时不够规范，需要提醒才补齐材料。",),
        "suggestion": ("建议课题组的经费使用情况定期向组内公开。",),
    },
}
BRANCH_TEXTS = {
    "praise": (
        "支部学习活动组织得好，形式多样，大家收获很大。",
        "支部书记工作认真，组织生活按时开展。",
    ),
    "criticism": (
        "支部活动形式比较单一，以读文件为主。",
        "支部与群众联系不够，很多群众不了解支部在做什么。",
    ),
    "suggestion": (
        "建议支部多组织一些结合专业的实践活动。",
        "希望支部定期通报工作，听取群众意见。",
    ),
}
COMMITTEE_TEXTS = {
    "criticism": (
        "学院各种会议和表格太多，占用了教学科研时间。",
        "学院的管理服务效率有待提高，办事流程繁琐。",
    ),
    "suggestion": (
        "建议学院调整机制、理顺关系，提高管理和服务的效率。",
        "希望学院为青年教师的发展创造更多条件。",
        "建议学院在研究生招生名额分配上更加公开透明。",
    ),
    "praise": ("学院党委对先进性教育活动抓得实，督查及时。",),
}
UNSORTED_TEXTS = (
    "某老师上课经常调课，希望能提前通知学生。",
    "实验室的老师工作很辛苦，晚上经常加班指导学生，应当表扬。",
    "希望支部的党员老师多关心一下青年教师的职称问题。",
    "王老师的课讲得很生动，深受学生欢迎。",
    "有的党员老师对学生的科研训练要求不严。",
    "建议支部组织一次与研究生的座谈，听听学生的想法。",
    "食堂的饭菜价格偏高。",
)
SET_ASIDE = (
    ("食堂的饭菜价格偏高，希望学校管一管。", "反映的是学校后勤问题，已转交后勤部门"),
    ("学校的网速太慢了。", "与本次活动无关，已转交网络中心"),
    ("对某人有意见。", "内容过于笼统，无法核实"),
)
SURVEY_COMMENT = {
    "work": ("教学科研都很认真。", "指导学生还可以多花些时间。"),
    "style": ("作风踏实。", "有时说话比较急。"),
    "service": ("乐于助人。",),
}
RATINGS = ("good", "fair", "average", "poor")
RATING_WEIGHTS = (55, 30, 12, 3)
EMAIL_SUBJECTS = ("对党员的意见和建议", "先进性教育活动意见", "意见", "关于支部工作的建议")
EMAIL_DOMAINS = ("zju.edu.cn", "163.com", "126.com", "sina.com")
PLACES = ("支部活动室", "研究所会议室", "学生活动中心 102", "系办公楼三楼会议室")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙"
GROUP_NAMES = ("第一小组", "第二小组", "第三小组", "第四小组", "第五小组", "第六小组")


@dataclass
class DemoOpinionsResult:
    opinions: int
    sorted: int
    new: int
    survey_answers: int


def _day(rng: random.Random, first: datetime.date = FIRST_DAY, last: datetime.date = LAST_DAY):
    return first + datetime.timedelta(days=rng.randrange((last - first).days + 1))


def _kind(rng: random.Random, criticism: int = 22, suggestion: int = 28) -> str:
    roll = rng.randrange(100)
    if roll < criticism:
        return Opinion.Kind.CRITICISM
    if roll < criticism + suggestion:
        return Opinion.Kind.SUGGESTION
    return Opinion.Kind.PRAISE


def _hash(*parts: Any) -> str:
    return hashlib.sha256("/".join(str(p) for p in parts).encode()).hexdigest()


class _Builder:
    def __init__(self, campaign: Campaign) -> None:
        self.rng = random.Random(SEED)
        self.campaign = campaign
        self.college = campaign.unit
        OpinionSettings.objects.get_or_create(campaign=campaign)
        self.aspects: list[Aspect] = aspects_for(campaign)
        self.aspect_by_key = {a.key: a for a in self.aspects}
        self.branches = sorted(
            Unit.objects.filter(
                path__startswith=self.college.path, kind=Unit.Kind.BRANCH, is_active=True
            ),
            key=lambda u: u.name,
        )
        self.members_of: dict[int, list[Member]] = defaultdict(list)
        for member in Member.objects.filter(
            branch__path__startswith=self.college.path, is_active=True
        ).order_by("number"):
            self.members_of[member.branch_id].append(member)
        self.officers: dict[int, int] = {}  # branch -> the user of its secretary
        for user_id, unit_id in (
            RoleAssignment.objects.filter(unit__in=self.branches, role=Role.BRANCH_SECRETARY)
            .order_by("pk")
            .values_list("user_id", "unit_id")
        ):
            self.officers.setdefault(unit_id, user_id)
        self.opinions: list[Opinion] = []
        self.emails: list[tuple[EmailMessage, Opinion]] = []
        self.records: list[tuple[OpinionRecord, list[Opinion]]] = []
        self.email_no = 0

    # -- one opinion

    def opinion(
        self,
        branch: Unit,
        *,
        channel: str,
        text: str,
        day: datetime.date,
        subject: Member | Unit | str | None = None,
        aspect: Aspect | None = None,
        kind: str = Opinion.Kind.UNSORTED,
        status: str = Opinion.Status.SORTED,
        round_number: int = 1,
        contact: str = "",
        source: str = "",
    ) -> Opinion:
        opinion = Opinion(
            campaign=self.campaign,
            branch=branch,
            round=round_number,
            channel=channel,
            text=text,
            received_on=day,
            contact=contact,
            source=source,
            aspect=aspect,
            kind=kind,
            status=status,
        )
        if isinstance(subject, Member):
            opinion.subject_kind = Opinion.SubjectKind.MEMBER
            opinion.subject_member = subject
        elif isinstance(subject, Unit):
            opinion.subject_kind = (
                Opinion.SubjectKind.COMMITTEE
                if subject.kind == Unit.Kind.COMMITTEE
                else Opinion.SubjectKind.BRANCH
            )
            opinion.subject_unit = subject
        self.opinions.append(opinion)
        return opinion

    def email(self, opinion: Opinion) -> None:
        self.email_no += 1
        rng = self.rng
        name = f"{rng.choice('abcdefghjkmnpqrstwxyz')}{rng.randrange(1000, 99999)}"
        sender = f"{name}@{rng.choice(EMAIL_DOMAINS)}"
        message = EmailMessage(
            campaign=self.campaign,
            message_id_hash=_hash("demo-mail", self.email_no),
            subject=rng.choice(EMAIL_SUBJECTS),
            sender=sender,
            received_on=opinion.received_on,
        )
        opinion.source = sender
        self.emails.append((message, opinion))

    def record(
        self, branch: Unit, kind: str, day: datetime.date, participants: str, round_number: int = 1
    ) -> tuple[OpinionRecord, list[Opinion]]:
        record = OpinionRecord(
            campaign=self.campaign,
            branch=branch,
            kind=kind,
            held_on=day,
            place=self.rng.choice(PLACES) if kind == OpinionRecord.Kind.SYMPOSIUM else "",
            participants=participants,
            notes="",
            recorded_by_id=self.officers.get(branch.pk),
            round=round_number,
        )
        entry: tuple[OpinionRecord, list[Opinion]] = (record, [])
        self.records.append(entry)
        return entry

    def about_member(
        self,
        branch: Unit,
        member: Member,
        *,
        channel: str,
        day: datetime.date,
        kind: str | None = None,
        aspect_key: str | None = None,
        round_number: int = 1,
    ) -> Opinion:
        rng = self.rng
        aspect = self.aspect_by_key.get(aspect_key or rng.choice(list(MEMBER_TEXTS)))
        key = aspect.key if aspect else "work"
        kind = kind or _kind(rng)
        text = rng.choice(MEMBER_TEXTS[key][kind])
        return self.opinion(
            branch,
            channel=channel,
            text=text,
            day=day,
            subject=member,
            aspect=aspect,
            kind=kind,
            round_number=round_number,
        )

    # -- branches

    def ordinary_branch(self, branch: Unit, *, criticism: int = 35) -> None:
        rng = self.rng
        members = self.members_of.get(branch.pk, [])
        if not members:
            return
        quiet = branch.name in QUIET_BRANCHES
        covered = (
            members[: max(1, len(members) // 6)]
            if quiet
            else [m for m in members if rng.random() < 0.75]
        )
        talk = symposium = None
        for member in covered:
            for _n in range(rng.choice((1, 1, 2, 2, 3))):
                channel = rng.choice(
                    (
                        Opinion.Channel.SUGGESTION_BOX,
                        Opinion.Channel.EMAIL,
                        Opinion.Channel.TALK,
                        Opinion.Channel.SYMPOSIUM,
                        Opinion.Channel.SYMPOSIUM,
                        Opinion.Channel.SURVEY,
                    )
                )
                day = _day(rng)
                opinion = self.about_member(
                    branch,
                    member,
                    channel=channel,
                    day=day,
                    kind=_kind(rng, criticism=criticism),
                )
                self.attach_channel(branch, opinion, talk_symposium=(talk, symposium))
                if opinion.record is not None:
                    if channel == Opinion.Channel.TALK:
                        talk = opinion.record
                    else:
                        symposium = opinion.record
        if quiet:
            return
        for _n in range(rng.choice((1, 2))):
            kind = _kind(rng, criticism=30, suggestion=40)
            self.opinion(
                branch,
                channel=Opinion.Channel.SUGGESTION_BOX,
                text=rng.choice(BRANCH_TEXTS[kind]),
                day=_day(rng),
                subject=branch,
                kind=kind,
            )
        if rng.random() < 0.35:
            kind = rng.choice((Opinion.Kind.CRITICISM, Opinion.Kind.SUGGESTION))
            opinion = self.opinion(
                branch,
                channel=Opinion.Channel.SYMPOSIUM,
                text=rng.choice(COMMITTEE_TEXTS[kind]),
                day=_day(rng),
                subject=self.college,
                kind=kind,
            )
            self.attach_channel(branch, opinion, talk_symposium=(talk, symposium))

    def attach_channel(self, branch: Unit, opinion: Opinion, *, talk_symposium: tuple) -> None:
        """Give an opinion what its channel keeps: the sender, the record, a contact."""
        rng = self.rng
        talk, symposium = talk_symposium
        if opinion.channel == Opinion.Channel.EMAIL:
            self.email(opinion)
        elif opinion.channel == Opinion.Channel.SUGGESTION_BOX:
            if rng.random() < 0.15:
                opinion.contact = f"139{rng.randrange(10**7, 10**8)}"
        elif opinion.channel == Opinion.Channel.SURVEY:
            opinion.source = "书面意见征求表（纸质）"
        elif opinion.channel == Opinion.Channel.TALK:
            if talk is None or rng.random() < 0.5:
                talk = self.record(
                    branch,
                    OpinionRecord.Kind.TALK,
                    opinion.received_on,
                    f"{rng.choice('王李张刘陈杨赵黄周吴')}老师（群众）",
                )[0]
            opinion.record = talk
            opinion.received_on = talk.held_on
        elif opinion.channel == Opinion.Channel.SYMPOSIUM:
            if symposium is None:
                symposium = self.record(
                    branch,
                    OpinionRecord.Kind.SYMPOSIUM,
                    opinion.received_on,
                    "党外教师、学生代表共 8 人",
                )[0]
            opinion.record = symposium
            opinion.received_on = symposium.held_on

    def demo_branch(self, branch: Unit) -> None:
        """The demo secretary's branch: sorted opinions about the demo member, a few
        still to sort, one set aside, one duplicate merged."""
        rng = self.rng
        member = Member.objects.filter(user__username="member", branch=branch).first()
        if member is not None:
            plan = (
                (Opinion.Channel.SUGGESTION_BOX, "work", Opinion.Kind.SUGGESTION),
                (Opinion.Channel.EMAIL, "style", Opinion.Kind.PRAISE),
                (Opinion.Channel.SYMPOSIUM, "work", Opinion.Kind.CRITICISM),
                (Opinion.Channel.SYMPOSIUM, "unity", Opinion.Kind.PRAISE),
                (Opinion.Channel.TALK, "party_spirit", Opinion.Kind.SUGGESTION),
                (Opinion.Channel.SURVEY, "service", Opinion.Kind.PRAISE),
            )
            talk_symposium: tuple = (None, None)
            for channel, key, kind in plan:
                opinion = self.about_member(
                    branch, member, channel=channel, day=_day(rng), kind=kind, aspect_key=key
                )
                self.attach_channel(branch, opinion, talk_symposium=talk_symposium)
                if opinion.channel == Opinion.Channel.SYMPOSIUM:
                    talk_symposium = (talk_symposium[0], opinion.record)
        for index, text in enumerate(UNSORTED_TEXTS[:6]):
            channel = (Opinion.Channel.SUGGESTION_BOX, Opinion.Channel.EMAIL)[index % 2]
            opinion = self.opinion(
                branch,
                channel=channel,
                text=text,
                day=_day(rng, datetime.date(YEAR, 5, 18), LAST_DAY),
                status=Opinion.Status.NEW,
            )
            self.attach_channel(branch, opinion, talk_symposium=(None, None))
        text, reason = SET_ASIDE[0]
        aside = self.opinion(
            branch,
            channel=Opinion.Channel.SUGGESTION_BOX,
            text=text,
            day=_day(rng),
            status=Opinion.Status.SET_ASIDE,
        )
        aside.set_aside_reason = reason
        self.merged_pairs.append(
            (
                self.opinion(
                    branch,
                    channel=Opinion.Channel.SUGGESTION_BOX,
                    text="建议支部多组织一些结合专业的实践活动。",
                    day=_day(rng),
                    subject=branch,
                    kind=Opinion.Kind.SUGGESTION,
                ),
                self.opinion(
                    branch,
                    channel=Opinion.Channel.EMAIL,
                    text="希望支部多搞一些和专业结合的实践活动，不要只读文件。",
                    day=_day(rng),
                    subject=branch,
                    kind=Opinion.Kind.SUGGESTION,
                    status=Opinion.Status.MERGED,
                ),
            )
        )
        self.email(self.merged_pairs[-1][1])

    def second_round_branch(self, branch: Unit) -> OpinionRound:
        """The seed's branch: round 1 by e-mail, mostly praise; round 2 face to face."""
        rng = self.rng
        members = self.members_of.get(branch.pk, [])
        round_one_last = SECOND_ROUND_OPENED - datetime.timedelta(days=1)
        for index, member in enumerate(members):
            kind = Opinion.Kind.CRITICISM if index == 3 else Opinion.Kind.PRAISE
            opinion = self.about_member(
                branch,
                member,
                channel=Opinion.Channel.EMAIL,
                day=_day(rng, FIRST_DAY, round_one_last),
                kind=kind,
            )
            self.email(opinion)
        opened = OpinionRound(
            campaign=self.campaign,
            branch=branch,
            number=2,
            reason=SECOND_ROUND_REASON,
            opened_by_id=self.officers.get(branch.pk),
            opened_on=SECOND_ROUND_OPENED,
        )
        groups = [members[i::SECOND_ROUND_GROUPS] for i in range(SECOND_ROUND_GROUPS)]
        for index, group in enumerate(groups):
            day = SECOND_ROUND_OPENED + datetime.timedelta(days=1 + index // 2)
            record, _opinions = self.record(
                branch,
                OpinionRecord.Kind.SYMPOSIUM,
                day,
                f"{GROUP_NAMES[index]}：党内外同学 {rng.randrange(5, 10)} 人",
                round_number=2,
            )
            for member in group:
                opinion = self.about_member(
                    branch,
                    member,
                    channel=Opinion.Channel.SYMPOSIUM,
                    day=day,
                    kind=_kind(rng, criticism=45, suggestion=35),
                    round_number=2,
                )
                opinion.record = record
        return opened

    def flagged_branch(self, branch: Unit) -> None:
        rng = self.rng
        for member in self.members_of.get(branch.pk, []):
            opinion = self.about_member(
                branch,
                member,
                channel=rng.choice((Opinion.Channel.EMAIL, Opinion.Channel.SUGGESTION_BOX)),
                day=_day(rng),
                kind=_kind(rng, criticism=4, suggestion=10),
            )
            self.attach_channel(branch, opinion, talk_symposium=(None, None))

    # -- the survey

    def surveys(self) -> tuple[list[Survey], list[SurveyInvitation], list[SurveyAnswer]]:
        rng = self.rng
        surveys, invitations, answers = [], [], []
        by_name = {b.name: b for b in self.branches}
        keys = [a.key for a in self.aspects]
        for name in SURVEY_BRANCHES:
            branch = by_name.get(name)
            if branch is None:
                continue
            survey = Survey(
                campaign=self.campaign, branch=branch, title=SURVEY_TITLE, is_open=False
            )
            surveys.append(survey)
            answered = SURVEY_RESPONDENTS - 1
            for index in range(SURVEY_RESPONDENTS):
                invitations.append(
                    SurveyInvitation(
                        survey=survey,
                        token_hash=_hash("demo-survey", name, index, rng.random()),
                        respondent=rng.choice(SURNAMES) + rng.choice(("老师", "同学", "师傅")),
                        inside_party=index % 2 == 0,
                        used=index < answered,
                    )
                )
            for position, member in enumerate(self.members_of.get(branch.pk, [])):
                # Every third member is rated by too few to be summarised (those with
                # a login, the demo accounts among them, always by enough).
                few = position % 3 == 2 and member.user_id is None
                raters = FEW_RESPONDENTS if few else answered
                for _r in range(raters):
                    ratings = {key: rng.choices(RATINGS, weights=RATING_WEIGHTS)[0] for key in keys}
                    comments = {
                        key: rng.choice(texts)
                        for key, texts in SURVEY_COMMENT.items()
                        if key in ratings and rng.random() < 0.3
                    }
                    answers.append(
                        SurveyAnswer(
                            id=uuid.UUID(int=rng.getrandbits(128), version=4),
                            survey=survey,
                            subject_member=member,
                            ratings=ratings,
                            comments=comments,
                        )
                    )
        rng.shuffle(answers)  # nothing in the table follows the order of answering
        return surveys, invitations, answers

    # -- all of it

    def build(self) -> DemoOpinionsResult:
        self.merged_pairs: list[tuple[Opinion, Opinion]] = []
        rounds: list[OpinionRound] = []
        set_aside_left = list(SET_ASIDE[1:])
        for branch in self.branches:
            if branch.name == DEMO_BRANCH:
                self.ordinary_branch(branch)
                self.demo_branch(branch)
            elif branch.name == SECOND_ROUND_BRANCH:
                rounds.append(self.second_round_branch(branch))
            elif branch.name == FLAGGED_BRANCH:
                self.flagged_branch(branch)
            else:
                self.ordinary_branch(branch)
                if set_aside_left and self.rng.random() < 0.15:
                    text, reason = set_aside_left.pop(0)
                    aside = self.opinion(
                        branch,
                        channel=Opinion.Channel.SUGGESTION_BOX,
                        text=text,
                        day=_day(self.rng),
                        status=Opinion.Status.SET_ASIDE,
                    )
                    aside.set_aside_reason = reason
        return self.save(rounds)

    def save(self, rounds: Sequence[OpinionRound]) -> DemoOpinionsResult:
        EmailMessage.objects.bulk_create([message for message, _o in self.emails])
        for message, opinion in self.emails:
            opinion.email = message
        OpinionRecord.objects.bulk_create([record for record, _o in self.records])
        Opinion.objects.bulk_create(self.opinions, batch_size=1000)
        for survivor, duplicate in self.merged_pairs:
            Opinion.objects.filter(pk=duplicate.pk).update(merged_into=survivor)
        with dated(OpinionRound, "opened_on"):
            OpinionRound.objects.bulk_create(rounds)
        surveys, invitations, answers = self.surveys()
        Survey.objects.bulk_create(surveys)
        SurveyInvitation.objects.bulk_create(invitations)
        SurveyAnswer.objects.bulk_create(answers, batch_size=1000)
        statuses = [o.status for o in self.opinions]
        return DemoOpinionsResult(
            opinions=len(self.opinions),
            sorted=statuses.count(Opinion.Status.SORTED),
            new=statuses.count(Opinion.Status.NEW),
            survey_answers=len(answers),
        )


def demo_opinions_build(campaign: Campaign) -> DemoOpinionsResult:
    """Write the demo campaign's opinions, rounds and surveys (see the module's
    docstring). Call once, inside the demo's transaction, after the campaign."""
    return _Builder(campaign).build()
