"""The demo's seventh step, rectification (整改提高) in 信息学院, as the seed tells it:
"各党支部和每位党员……都认真完成了书面的整改计划，落实了整改的措施".

Run by `vanguard.demo.build.demo_build` with the demo campaign, after the supervision,
inside the demo's transaction. Choices come from `random.Random(SEED)`; everything is
written through the rectification SERVICES (`plans.services`, `activities.services`)
with the person who would have done it as the actor, each on its fixed day of June or
July (`common.on_day`: the services read the clock), and unaudited like every step —
but the members' plans, whose service calls are kept and made as the same rows in bulk
(`_MemberPlansInBulk`: 700 plans one call at a time were four fifths of the demo's build).

The campaign itself stays where the other steps leave it — in May, its analysis phase
open and rectification pending (the demo accounts' journeys vote, review and inspect in
it) — and the plans are what the branches wrote from early June ("六月初……开始进行整改、
巩固提高阶段"): the services do not gate plans by phase.

What it writes:

* a plan for every active member of the 41 branches: an item answering a point of
  their own feedback sheet (a criticism or suggestion about them) where they have one,
  and one of their own — teachers' tied to the annual assessment (年度考核) or post
  appointment (聘岗) and to teaching, research or training students, students' about
  study and service, answering the branch's review of their self-analysis where there
  is one. Members without a login hand in a written
  plan that their branch secretary types in. Most plans were submitted and approved by
  the branch's officers, some returned once with a reason, changed and approved; in the
  lagging branches some are still drafts or waiting. Items in every state: verified,
  done and waiting for verification, in progress with an update, not started, and
  overdue;
* in the demo branch (`common.DEMO_BRANCH`): the demo `member`'s plan — returned once,
  then approved — with one item done and verified, one in progress with an update (due
  at the end of the appointment term), one overdue; a few members' plans waiting for
  the demo `secretary`'s review and items waiting for his verification;
* every branch's plan, answering its sorted opinions and the supervision's findings
  and make-up orders; approved by the `committee` account (two returned once), two
  waiting for it, the lagging branches' still drafts;
* the measures the seed names: 光电系本科生党支部's special Party dues (交一次特殊党费，
  资助贫困地区学生入学), 1,310 元 for a pupil in 磐安县, its lines kept by the branch's
  keeper; 信电系硕士生党支部's 金点子 collection — named and anonymous ideas, adopted,
  declined and pending, one become an item of the branch plan; the graduating
  branch's 文明离校 initiative; 控制系工控所党支部's measures for the branch's own role;
  薄膜与显示技术研究所党支部's new research direction;
* the committee's own plan from the members' suggestions (提出调整机制、理顺关系、提高效率、
  认真做好学院管理和服务工作的意见), answering the opinions about the committee,
  published.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from random import Random
from typing import Any

from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from vanguard.accounts.models import Role, RoleAssignment, User
from vanguard.campaigns.models import Campaign
from vanguard.demo.common import (
    DEMO_BRANCH,
    LAGGING_BRANCHES,
    YEAR,
    DemoError,
    dated,
    on_day,
    unaudited,
)
from vanguard.notices import reminders
from vanguard.notices.models import Notification
from vanguard.notices.services import site_language
from vanguard.opinions.feedback.selectors import AGGREGATE_ONLY_CHANNELS
from vanguard.opinions.models import Opinion
from vanguard.organization.models import Member, Unit
from vanguard.rectification import access
from vanguard.rectification.activities import services as activities
from vanguard.rectification.models import (
    Activity,
    Idea,
    Item,
    ItemLink,
    Plan,
    PlanDecision,
    Tag,
    Update,
)
from vanguard.rectification.plans import selectors, versions
from vanguard.rectification.plans import services as plans
from vanguard.reviews.models import BranchReview
from vanguard.supervision.models import Finding

SEED = 2005 * 19

DONATION_BRANCH = "光电系本科生党支部"
DONATION_TITLE = "交一次特殊党费，资助贫困地区学生入学"
DONATION_TOTAL = 1310  # 元: "为资助磐安县一国小生完成国小6年学习捐款1310元"
IDEAS_BRANCH = "信电系硕士生党支部"
IDEAS_TITLE = "“金点子”征集活动"
# A graduating class's branch: most of its members finish this summer.
GRADUATING_BRANCH = "信电本科生第四党支部"
INITIATIVE_TITLE = "毕业生党员文明离校倡议"
BRANCH_ROLE_BRANCH = "控制系工控所党支部"  # "着眼于加强党支部的作用，制定了可行的措施"
RESEARCH_BRANCH = "薄膜与显示技术研究所党支部"
RESEARCH_TITLE = "集中资金投入光电显示材料新的研究方向"
# Branch plans still waiting for the committee's review (the `committee` account's to-do).
BRANCH_PLANS_WAITING = ("光学工程教工第三党支部", "控制系机关党支部")
# Branch plans the committee returned once, with its reason, before approving them.
BRANCH_PLANS_RETURNED = {
    "光电博士生党支部": "对督查指出的问题没有提出整改措施，请补充后再报。",
    "信电系通信所党支部": "整改时限偏松，请结合学期安排明确完成时间。",
}
# Members' plans in the demo branch waiting for the demo `secretary`'s review.
DEMO_BRANCH_WAITING = 3
DEMO_BRANCH_TO_VERIFY = 2

ANNUAL, POST = Tag.ANNUAL_ASSESSMENT, Tag.POST_APPOINTMENT
TEACHING, RESEARCH, TRAINING = Tag.TEACHING, Tag.RESEARCH, Tag.TRAINING_STUDENTS
TEACHERS = (Member.Category.FACULTY, Member.Category.POSTDOC)
STUDENTS = (Member.Category.UNDERGRADUATE, Member.Category.MASTERS, Member.Category.DOCTORAL)


def _d(month: int, day: int, year: int = YEAR) -> datetime.date:
    return datetime.date(year, month, day)


# The end of the year's annual assessment (年度考核) and of the appointment term (聘期).
ANNUAL_DUE = _d(12, 31)
TERM_DUE = _d(6, 30, YEAR + 3)
# Members report on their items from mid-June, once their plans are approved.
PROGRESS_FROM = _d(6, 15)
# Items due after the summer are still under way in July.
LONG_AFTER = _d(9, 30)


@dataclass(frozen=True)
class Text:
    problem: str
    measure: str
    standard: str
    tags: tuple[str, ...] = ()
    due: datetime.date = _d(7, 15)


# --- What a member answers on their sheet, by the point's aspect ------------------------

TEACHER_POINTS: dict[str, Text] = {
    "political": Text(
        "理论学习抓得不紧，满足于参加集中学习。",
        "每月自学一篇理论文章并写出体会，在支部学习会上交流一次。",
        "学习笔记不少于五篇，支部交流发言一次。",
        (ANNUAL,),
    ),
    "party_spirit": Text(
        "党员意识不够强，参加组织生活不够主动。",
        "按时参加支部组织生活，主动联系一名入党积极分子，每学期谈心两次。",
        "组织生活全勤，谈心记录交支部。",
        (ANNUAL,),
    ),
    "work": Text(
        "科研任务重，对本科教学和指导学生投入的精力不够。",
        "每周固定半天与研究生讨论课题，本学期为本科生开一次学科前沿讲座。",
        "讲座按时开出，研究生组会不间断，学生座谈反映良好。",
        (ANNUAL, TEACHING, TRAINING),
    ),
    "service": Text(
        "服务意识有待加强，对集体的事情关心不够。",
        "主动承担研究所的一项公共事务，参加学院的招生咨询和迎新工作。",
        "承担的事务按时完成，群众评价满意。",
        (ANNUAL,),
    ),
    "discipline": Text(
        "组织纪律观念有所松懈，请假手续不够规范。",
        "严格执行请销假制度，外出前向支部报告。",
        "本年度组织生活无迟到早退、无事后补假。",
        (ANNUAL,),
    ),
    "style": Text(
        "工作方法有时简单，与学生沟通不够耐心。",
        "每月到学生实验室听取一次学生的意见，批评学生先谈心后指正。",
        "学生座谈评价良好。",
        (TRAINING,),
    ),
    "unity": Text(
        "与其他课题组交流合作不多，大局意识不强。",
        "每学期组织一次跨课题组的学术交流，与兄弟课题组联合申报项目。",
        "交流会按时举行，联合申报项目一项。",
        (RESEARCH, POST),
    ),
    "integrity": Text(
        "科研经费报销手续不够规范。",
        "学习学校经费管理办法，课题组经费使用情况每学期在组内公开一次。",
        "经费使用无违规，组内按时公开。",
        (RESEARCH,),
    ),
}
STUDENT_POINTS: dict[str, Text] = {
    "political": Text(
        "政治理论学习不够深入，对时事关心不够。",
        "每周读时事新闻，每月在党小组学习会上作一次时事发言。",
        "学习笔记五篇，发言两次。",
    ),
    "party_spirit": Text(
        "党员意识不够强，在同学中带头作用不明显。",
        "主动联系一名入党积极分子，班级活动中带头承担任务。",
        "积极分子评价良好，班级活动全部参加。",
    ),
    "work": Text(
        "学习上满足于完成任务，钻研精神不够。",
        "制定学期学习计划，每周固定时间自习和阅读专业文献。",
        "期末各门课程合格，成绩不低于上学期。",
    ),
    "service": Text(
        "对集体的事情关心不够，服务同学不够主动。",
        "参加学院志愿服务队，每月至少参加一次志愿服务。",
        "志愿服务不少于十小时。",
    ),
    "discipline": Text(
        "组织生活有时迟到，请假手续不规范。",
        "按时参加组织生活，有事提前向支部书记请假。",
        "组织生活无迟到、无事后补假。",
    ),
    "style": Text(
        "与同学交流不多，了解同学的困难不够。",
        "每月到同学宿舍走访一次，帮助有困难的同学。",
        "走访有记录，同学评价良好。",
    ),
    "unity": Text(
        "只顾自己的小集体，大局意识不强。",
        "积极参加班级和支部的集体活动，主动协调同学关系。",
        "集体活动全部参加。",
    ),
    "integrity": Text(
        "生活上有攀比现象，艰苦朴素不够。",
        "合理安排生活开支，参加一次勤工助学或公益活动。",
        "完成一次公益活动。",
    ),
}
OTHER_POINT = Text(
    "联系群众不够，听取意见不够主动。",
    "每月主动找身边群众谈一次心，听取对自己的意见。",
    "谈心记录交支部，群众评价良好。",
)

# --- Each member's own item ---------------------------------------------------------------

TEACHER_OWN = (
    Text(
        "对本科教学投入不足，课堂与学生互动不多。",
        "主讲的本科课程更新教学内容，把科研成果引入课堂，增加课堂讨论。",
        "学生评教良好以上，教学工作量达到年度考核要求。",
        (ANNUAL, TEACHING),
        ANNUAL_DUE,
    ),
    Text(
        "科研方向不够集中，高水平成果偏少。",
        "围绕研究所新的研究方向，本聘期内申报并主持一项科研项目。",
        "主持项目一项，列入聘岗考核。",
        (POST, RESEARCH),
        TERM_DUE,
    ),
    Text(
        "对研究生的指导不够细致。",
        "每周与研究生讨论一次，每学期与每名学生谈心一次。",
        "所带研究生按期开题、中期考核全部通过。",
        (ANNUAL, TRAINING),
        ANNUAL_DUE,
    ),
    Text(
        "对青年教师的传帮带做得不够。",
        "指导一名青年教师备课和申报项目，每学期听课两次。",
        "青年教师完成试讲并申报项目一项，列入聘岗考核。",
        (POST, TEACHING),
        TERM_DUE,
    ),
)
STUDENT_OWN = (
    Text(
        "专业学习不够扎实，有的课程成绩不理想。",
        "制定复习计划，期末前与学习有困难的同学结对互助。",
        "期末各门课程合格，结对同学成绩提高。",
        due=_d(7, 10),
    ),
    Text(
        "为同学服务的意识不强。",
        "参加学院迎新志愿服务，担任一名新生的学业引导人。",
        "完成迎新服务，新生评价良好。",
        due=_d(9, 15),
    ),
    Text(
        "科研训练不够主动，与导师沟通少。",
        "按计划推进课题，每两周向导师书面汇报一次进展。",
        "按期完成开题或中期考核。",
        due=_d(9, 30),
    ),
)
RETIRED_OWN = (
    Text(
        "身体原因参加组织生活少，学习不够经常。",
        "不能到场时请党小组长送学上门，坚持每周读书看报。",
        "全年参加或补学支部学习不少于八次。",
        due=_d(12, 31),
    ),
    Text(
        "对学院发展关心不够，发挥余热不够。",
        "为学生党员讲一次校史和入党经历，参加关心下一代工作。",
        "讲课一次，学生反映良好。",
        due=_d(10, 31),
    ),
)
STAFF_OWN = (
    Text(
        "服务意识和工作效率有待提高，办事有时让师生多跑路。",
        "公开本岗位的办事流程和时限，做到一次告知、限时办结。",
        "流程上墙上网，年度考核中师生满意度良好以上。",
        (ANNUAL,),
        _d(9, 30),
    ),
)

# --- How an item's progress reads ------------------------------------------------------------

STARTED = (
    "已制定具体安排，正在按计划落实。",
    "已落实了第一步，向支部汇报了进展。",
    "已经开始，本月完成了计划的一半。",
)
FINISHED = (
    "按计划完成，已向支部提交小结。",
    "已全部落实，群众反映良好。",
    "按完成标准逐条落实，材料已交支部。",
)
VERIFIED = (
    "经支委核实，达到完成标准，同意验收。",
    "完成情况属实，效果良好，验收通过。",
)
SUMMARIES = (
    "对照群众意见和支部反馈，查找差距，逐条明确整改措施和时限。",
    "针对征求到的意见，把整改落实到日常工作和学习中去。",
    "从自身做起，能改的马上改，一时改不了的明确时限，逐步落实。",
)
MEMBER_RETURNS = (
    "整改措施不够具体，请写明时间安排和可以检查的完成标准。",
    "没有回应群众提出的主要意见，请对照反馈意见补充整改事项。",
)

# --- The branches' plans ---------------------------------------------------------------------

BRANCH_OPINIONS_ITEM = Text(
    "群众反映支部活动形式比较单一，与群众联系不够。",
    "每学期组织一次结合专业的实践活动，每季度向党内外群众通报一次支部工作、听取意见。",
    "实践活动按时开展，支部工作通报两次。",
    due=_d(9, 30),
)
BRANCH_FINDINGS_ITEM = Text(
    "督查指出的薄弱环节：学习记录不完整，征求意见的广度不够。",
    "对照督查意见逐项整改：补齐学习和会议记录，扩大征求意见的范围，支委分工联系党员。",
    "记录齐全，复查时各项达到“较好”。",
    due=_d(6, 30),
)
BRANCH_OWN: dict[str, Text] = {
    "faculty": Text(
        "支部工作与学科建设、教学科研结合不够紧密。",
        "把整改落脚点放在学科和研究所的发展上：支部与系、所共同研究教学、科研和人才培养中的问题，"
        "党员教师带头承担本科教学和青年教师培养。",
        "形成支部参与学科建设的工作制度，党员教师年度考核中教学科研任务全部完成。",
        (ANNUAL, TEACHING, RESEARCH, TRAINING),
        ANNUAL_DUE,
    ),
    "student": Text(
        "学生党员在学习和服务中的带头作用发挥得不够。",
        "开展党员“一帮一”学习互助，组织党员志愿服务队，每名党员联系一个寝室。",
        "互助对象期末成绩提高，志愿服务每月一次。",
        due=_d(7, 10),
    ),
    "retired": Text(
        "老同志居住分散，参加组织生活有困难。",
        "按居住地划分学习小组，行动不便的同志由党小组长送学上门，每季度通报一次学院发展情况。",
        "每名老同志每季度至少参加一次学习。",
        due=_d(12, 31),
    ),
    "office": Text(
        "机关服务意识和工作效率有待提高。",
        "公开办事流程和时限，推行首问负责、一次告知、限时办结。",
        "服务承诺上墙上网，师生满意度调查良好以上。",
        (ANNUAL,),
        _d(9, 30),
    ),
}
# Which of BRANCH_OWN a branch writes, by its type (students' branches: "student").
BRANCH_KINDS: dict[str, str] = {
    Unit.BranchType.FACULTY: "faculty",
    Unit.BranchType.INSTITUTE: "faculty",
    Unit.BranchType.RETIRED: "retired",
    Unit.BranchType.OFFICE: "office",
}
DONATION_ITEM = Text(
    "学生党员的社会责任意识有待加强。",
    "开展“交一次特殊党费，资助贫困地区学生入学”活动，资助磐安县一名小学生完成小学六年学习。",
    "捐款全部到位并交付受助学生，支部每学期与受助学生联系一次。",
    due=_d(6, 30),
)
INITIATIVE_ITEM = Text(
    "毕业生离校前后存在损坏公物、拖欠费用等不文明现象，党员带头作用不明显。",
    "支部向全体毕业生发出文明离校倡议，党员带头清理宿舍、按时办理离校手续、向学弟学妹赠书。",
    "毕业生党员全部文明离校，无拖欠、无损坏公物。",
    due=_d(7, 5),
)
BRANCH_ROLE_ITEM = Text(
    "支部在研究所工作中的作用发挥得不够。",
    "支部书记列席所务会，研究所重大事项先听取支部意见；支委分工联系青年教师和研究生。",
    "形成支部参与所务的制度，本学期执行到位。",
    (ANNUAL,),
    _d(9, 30),
)
RESEARCH_ITEM = Text(
    "骨干教师中入党积极分子的培养和新的研究方向布点需要加强。",
    "支部联系两名骨干教师积极分子；研究所集中资金投入光电显示材料新的研究方向。",
    "积极分子培养有计划、有记录；新方向完成布点并开始招收研究生。",
    (RESEARCH, TRAINING, POST),
    _d(12, 31),
)
IDEAS = (
    ("建议支部每月组织一次学术沙龙，由高年级同学介绍科研经验。", False, "adopted"),
    ("在实验室推行党员责任区，党员带头做好实验室安全。", False, "adopted"),
    ("建议建立研究生党员与本科生结对辅导制度。", True, "adopted"),
    ("支部活动可以和社会实践结合，到企业参观学习。", False, "adopted"),
    ("建议每周组织集体晨跑。", True, "declined"),
    ("希望支部统一购买专业书籍放在活动室借阅。", False, "declined"),
    ("组织一次与导师的座谈会，交流培养中的问题。", False, "pending"),
    ("在网上开设支部论坛，方便大家交流意见。", True, "pending"),
)
DECLINED_NOTES = (
    "大家作息差别较大，难以统一组织，鼓励自愿参加学校的晨跑活动。",
    "学院图书分馆已能借阅，可由支部整理推荐书目。",
)

# --- The committee's plan ----------------------------------------------------------------------

COMMITTEE_SUMMARY = (
    "学院党委结合学院发展和现状，把这次教育活动作为促进学院发展、理顺关系的机遇；"
    "根据广大党员提出的建议，提出调整机制、理顺关系、提高效率、认真做好学院管理和服务工作的意见。"
)
# (text, the words of the opinions about the committee it answers)
COMMITTEE_ITEMS = (
    (
        Text(
            "会议和表格太多，占用了教学科研时间（调整机制）。",
            "精简会议和表格：能合并的会议合并，各类表格由学院办公室统一在网上收集，一表多用。",
            "全院性会议比上学期减少三分之一，重复填报的表格取消。",
            due=_d(9, 30),
        ),
        ("会议和表格",),
    ),
    (
        Text(
            "学院、系和研究所之间职责不够清晰（理顺关系）。",
            "理顺学院、系、研究所三级的职责，制定职责清单并向全院公布。",
            "职责清单公布，师生办事找得到人。",
            due=_d(12, 31),
        ),
        ("调整机制",),
    ),
    (
        Text(
            "管理服务效率有待提高，办事流程繁琐（提高效率）。",
            "公布办事流程和时限，推行首问负责和限时办结，学院办公室集中办公。",
            "办事流程全部公开，师生满意度调查良好以上。",
            due=_d(7, 31),
        ),
        ("效率",),
    ),
    (
        Text(
            "对青年教师发展和研究生培养的服务不够（做好学院管理和服务工作）。",
            "设立青年教师发展基金；研究生招生名额分配办法公开征求意见后公布。",
            "基金设立，名额分配办法公布执行。",
            (TEACHING, TRAINING),
            _d(12, 31),
        ),
        ("青年教师", "招生名额"),
    ),
)


@dataclass
class DemoRectificationResult:
    member_plans: int
    branch_plans: int
    items: int
    activities: int
    donated: int  # 元


def _tree_key(unit: Unit, units: dict[int, Unit]) -> tuple[tuple[int, str], ...]:
    """Where `unit` stands in the tree: its ancestors' and its own sort order and name
    (never the path or a primary key, which a rebuilt demo has others of)."""
    chain: list[tuple[int, str]] = []
    current: Unit | None = unit
    while current is not None:
        chain.append((current.sort_order, current.name))
        current = units.get(current.parent_id) if current.parent_id else None
    return tuple(reversed(chain))


class _Services:
    """The rectification services (`plans.services`) as the builder calls them, with the
    two reads `_Builder.review` needs for a returned plan."""

    plan_start = staticmethod(plans.plan_start)
    plan_submit = staticmethod(plans.plan_submit)
    plan_review = staticmethod(plans.plan_review)
    item_create = staticmethod(plans.item_create)
    item_change = staticmethod(plans.item_change)
    item_verify = staticmethod(plans.item_verify)
    update_create = staticmethod(plans.update_create)

    def first_item(self, plan: Plan) -> Item | None:
        return plan.items.order_by("order").first()

    def link_keys(self, plan: Plan, item: Item) -> list[str]:
        return [selectors.link_key(plan, link) for link in item.links.all()]


class _MemberPlansInBulk:
    """The services' writes for the members' plans, kept in memory and made at the end
    with one `bulk_create` per table (`write`): the same rows, in the same order, with
    the same dates and versions, and the same notifications, as `plans.services` writes
    them one service call at a time — which took 40 of the demo's 50 seconds (about
    seventy queries for each of 700 members). Only what the members' plans do is kept:
    a plan started, items added (linked to a point of the member's sheet or the
    branch's review of them), submitted, returned with the first item changed,
    approved, updates that start or finish an item, and verification. The services'
    checks that the demo could fail are kept too; the others (access to links, the
    plan's lock) hold by construction, as the builder gives only what the member may
    link.

    Each method has its service's keyword arguments. Times are `timezone.now()`, which
    `common.on_day` sets, as the services read it."""

    def __init__(self, points: dict[int, list[Any]], reviews: dict[int, BranchReview]) -> None:
        self.points = points
        self.reviews = reviews
        self.plans: list[Plan] = []
        self.items: dict[int, list[Item]] = defaultdict(list)  # id(plan) -> its items
        self.item_list: list[Item] = []
        self.links: list[tuple[Item, ItemLink, str]] = []  # with the key that named it
        self.updates: list[Update] = []
        # A decision and its plan's items' texts as they were then (ids come at write).
        self.decisions: list[tuple[PlanDecision, str, list[tuple[Item, dict[str, Any]]]]] = []
        # (user ids, text, url and key made once the rows have ids, when)
        self.notices: list[tuple[list[int], str, Any, Any, datetime.datetime]] = []
        self.officers = reminders.Reminders().officers

    # -- the services

    def plan_start(self, *, campaign: Campaign, member: Member, actor: User) -> Plan:
        now = timezone.now()
        plan = Plan(campaign=campaign, level=Plan.Level.MEMBER, member=member)
        plan.created_at = plan.updated_at = now
        self.plans.append(plan)
        return plan

    def item_create(
        self,
        *,
        plan: Plan,
        problem: str,
        measure: str,
        standard: str,
        deadline: datetime.date,
        actor: User,
        tags: Sequence[str] = (),
        links: Sequence[str] = (),
    ) -> Item:
        self._editable(plan)
        now = timezone.now()
        items = self.items[id(plan)]
        item = Item(
            plan=plan,
            order=len(items) + 1,
            submission_token=None,
            responsible=plan.member,
            deadline=deadline,
            tags=[t for t in Tag.values if t in tags],
            **self._texts(problem=problem, measure=measure, standard=standard),
        )
        item.created_at = item.updated_at = now
        items.append(item)
        self.item_list.append(item)
        for key, record in self._resolve(plan, links):
            target = (
                ItemLink.Target.OPINION
                if key.startswith(selectors.OPINION)
                else ItemLink.Target.REVIEW
            )
            field = "opinion" if target == ItemLink.Target.OPINION else "review"
            self.links.append((item, ItemLink(item=item, target=target, **{field: record}), key))
        return item

    def item_change(
        self,
        *,
        item: Item,
        problem: str,
        measure: str,
        standard: str,
        deadline: datetime.date,
        actor: User,
        responsible: Member | None,
        tags: Sequence[str],
        links: Sequence[str],
    ) -> Item:
        self._editable(item.plan)
        if responsible is not None or list(links) != self.link_keys(item.plan, item):
            raise DemoError("a member's item changes only its texts in the demo")
        for name, value in self._texts(problem=problem, measure=measure, standard=standard).items():
            setattr(item, name, value)
        item.deadline = deadline
        item.tags = [t for t in Tag.values if t in tags]
        item.version += 1
        item.updated_at = timezone.now()
        return item

    def plan_submit(self, *, plan: Plan, summary: str, actor: User) -> Plan:
        self._editable(plan)
        if not self.items[id(plan)]:
            raise DemoError("a plan without items cannot be submitted")
        resubmitted = plan.status == Plan.Status.RETURNED
        now = timezone.now()
        plan.summary = summary.strip()
        plan.status = Plan.Status.SUBMITTED
        plan.submitted_at = plan.updated_at = now
        plan.version += 1
        with site_language():
            if resubmitted:
                text = gettext("%(owner)s按退回理由修改后重新提交了整改计划，请审阅。") % {
                    "owner": plans.owner_name(plan)
                }
            else:
                text = gettext("%(owner)s提交了整改计划，请审阅。") % {
                    "owner": plans.owner_name(plan)
                }
        version = plan.version
        self._tell(
            plans.plan_reviewers(plan, find=self.officers),
            text,
            lambda: plans.plan_detail_url(plan),
            lambda: f"plan-submitted:{plan.pk}:{version}",
            actor,
        )
        return plan

    def plan_review(self, *, plan: Plan, approve: bool, reason: str, actor: User) -> None:
        if plan.status != Plan.Status.SUBMITTED:
            raise DemoError("only a submitted plan is reviewed")
        now = timezone.now()
        decision = PlanDecision(
            plan=plan,
            verdict=PlanDecision.Verdict.APPROVE if approve else PlanDecision.Verdict.RETURN,
            reason=reason.strip(),
            reviewer=actor,
            at=now,
        )
        texts = [(item, versions.item_texts(item)) for item in self.items[id(plan)]]
        self.decisions.append((decision, plan.summary, texts))
        if approve:
            plan.status, plan.approved_at, plan.approved_by = Plan.Status.APPROVED, now, actor
            plan.return_reason = ""
        else:
            plan.status, plan.return_reason = Plan.Status.RETURNED, decision.reason
        plan.version += 1
        plan.updated_at = now
        with site_language():
            if approve:
                text = gettext("整改计划已审核通过。")
            else:
                text = gettext("整改计划被退回修改：%(reason)s") % {"reason": decision.reason}
        url, key = plans.plan_url(plan), f"plan-{plan.status}:{{pk}}:{plan.version}"
        self._tell(
            plans.plan_writers(plan, find=self.officers),
            text,
            lambda: url,
            lambda: key.format(pk=plan.pk),
            actor,
        )

    def update_create(
        self, *, item: Item, on: datetime.date, actor: User, text: str, status: str = ""
    ) -> Update:
        if on > timezone.localdate() or item.status == Item.Status.VERIFIED:
            raise DemoError("an update after its day, or on a verified item")
        update = Update(item=item, on=on, text=text.strip(), author=actor, submission_token=None)
        update.created_at = timezone.now()
        self.updates.append(update)
        if status:
            self._set_status(item, status, actor)
        elif item.status == Item.Status.PLANNED:
            self._set_status(item, Item.Status.IN_PROGRESS, actor)
        return update

    def item_verify(self, *, item: Item, passed: bool, note: str, actor: User) -> Item:
        if item.status != Item.Status.DONE or not passed:
            raise DemoError("the demo verifies done items and passes them")
        now = timezone.now()
        item.status, item.verified_at, item.verified_by = Item.Status.VERIFIED, now, actor
        item.verify_note = note.strip()
        item.version += 1
        item.updated_at = now
        plan = item.plan
        with site_language():
            text = gettext("整改计划第%(number)s项已验收。") % {"number": item.order}
        told: list[reminders.Recipient | None] = [
            *plans.plan_writers(plan, find=self.officers),
            reminders.member_recipient(item.responsible) if item.responsible else None,
        ]
        url, version = plans.plan_url(plan), item.version
        self._tell(
            told,
            text,
            lambda: url,
            lambda: f"item-{Item.Status.VERIFIED}:{item.pk}:{version}",
            actor,
        )
        return item

    def first_item(self, plan: Plan) -> Item | None:
        return next(iter(self.items[id(plan)]), None)

    def link_keys(self, plan: Plan, item: Item) -> list[str]:
        return [key for owner, _link, key in self.links if owner is item]

    # -- what they share

    def _set_status(self, item: Item, status: str, actor: User) -> None:
        """`plans.item_set_status` from planned, to in progress or done."""
        now = timezone.now()
        item.status = status
        item.done_at = now if status == Item.Status.DONE else None
        item.version += 1
        item.updated_at = now
        if status != Item.Status.DONE:
            return
        plan = item.plan
        with site_language():
            # The item's number in its plan: its order, the items being 1, 2, … here.
            text = gettext("%(owner)s的整改计划第%(number)s项已完成，请验收。") % {
                "owner": plans.owner_name(plan),
                "number": item.order,
            }
        version = item.version
        self._tell(
            plans.plan_reviewers(plan, find=self.officers),
            text,
            lambda: plans.plan_detail_url(plan),
            lambda: f"item-done:{item.pk}:{version}",
            actor,
        )

    @staticmethod
    def _editable(plan: Plan) -> None:
        if plan.status not in plans.EDITABLE:
            raise DemoError("the plan is not editable")

    @staticmethod
    def _texts(**texts: str) -> dict[str, str]:
        return {name: value.strip() for name, value in texts.items()}

    def _resolve(self, plan: Plan, keys: Sequence[str]) -> list[tuple[str, Any]]:
        """`selectors.resolve_link_keys` among the member's sheet points and review:
        opinions first, as it finds them."""
        member_id = plan.member_id or 0
        named = {
            f"{selectors.OPINION}-{selectors.point_token(plan, o.pk)}": o
            for o in self.points.get(member_id, ())
        }
        review = self.reviews.get(member_id)
        if review is not None:
            named[f"{selectors.REVIEW}-{review.pk}"] = review
        unknown = [k for k in keys if k not in named]
        if unknown:
            raise DemoError(f"links the member's plan may not make: {unknown}")
        return sorted(((k, named[k]) for k in dict.fromkeys(keys)), key=lambda kr: kr[0][0] != "o")

    def _tell(
        self,
        users: Sequence[reminders.Recipient | None],
        text: str,
        url: Any,
        key: Any,
        actor: User,
    ) -> None:
        """`plans._tell`: each person but the actor, by id."""
        ids = sorted({r.user_id for r in users if r is not None and r.user_id != actor.pk})
        if ids:
            self.notices.append((ids, text, url, key, timezone.now()))

    # -- the rows

    def write(self) -> None:
        """Make the rows, table by table in the order the services made them."""
        with dated(Plan, "created_at", "updated_at"):
            Plan.objects.bulk_create(self.plans)
        with dated(Item, "created_at", "updated_at"):
            Item.objects.bulk_create(self.item_list)
        ItemLink.objects.bulk_create([link for _item, link, _key in self.links])
        with dated(Update, "created_at"):
            Update.objects.bulk_create(self.updates)
        decisions = []
        for decision, summary, texts in self.decisions:
            decision.snapshot = {
                "summary": summary,
                "items": [{"id": item.pk, **entry} for item, entry in texts],
            }
            decisions.append(decision)
        with dated(PlanDecision, "at"):
            PlanDecision.objects.bulk_create(decisions)
        # `notify_many`'s rows: none of these keys was sent before, and the demo mails
        # nobody (`notices.mail_off`).
        with dated(Notification, "created_at"):
            Notification.objects.bulk_create(
                [
                    Notification(user_id=pk, text=text[:300], url=url(), key=key(), created_at=at)
                    for ids, text, url, key, at in self.notices
                    for pk in ids
                ],
                batch_size=1000,
            )


class _Builder:
    def __init__(self, campaign: Campaign) -> None:
        self.rng = Random(SEED)
        self.campaign = campaign
        college = campaign.unit
        units = {u.pk: u for u in Unit.objects.filter(path__startswith=college.path)}
        self.branches = sorted(
            (u for u in units.values() if u.kind == Unit.Kind.BRANCH and u.is_active),
            key=lambda u: _tree_key(u, units),
        )
        self.by_name = {b.name: b for b in self.branches}
        grants = RoleAssignment.objects.filter(unit__path__startswith=college.path).select_related(
            "user", "unit"
        )
        self.committee = grants.get(role=Role.COMMITTEE_ADMIN, user__username="committee").user
        # The branch's officers, the secretary first, in the order they were appointed.
        self.officers: dict[int, list[User]] = defaultdict(list)
        for grant in grants.filter(
            role__in=(Role.BRANCH_SECRETARY, Role.BRANCH_COMMITTEE)
        ).order_by("role", "user__username"):
            if grant.role == Role.BRANCH_SECRETARY:
                self.officers[grant.unit_id].insert(0, grant.user)
            else:
                self.officers[grant.unit_id].append(grant.user)
        self.members: dict[int, list[Member]] = defaultdict(list)
        for member in (
            Member.objects.filter(branch__in=self.branches, is_active=True)
            .select_related("branch", "user")
            .order_by("number")
        ):
            self.members[member.branch_id].append(member)
        # The points of every member's feedback sheet that a plan may answer (criticisms
        # and suggestions), read at once: `access.linkable_opinions` member by member
        # (which `plans.item_create` checks each link against) would be 700 queries.
        self.points: dict[int, list[Any]] = defaultdict(list)
        for opinion in (
            Opinion.objects.filter(
                campaign=campaign,
                subject_kind=Opinion.SubjectKind.MEMBER,
                status=Opinion.Status.SORTED,
                kind__in=(Opinion.Kind.CRITICISM, Opinion.Kind.SUGGESTION),
            )
            .exclude(channel__in=AGGREGATE_ONLY_CHANNELS)
            .annotate(
                aspect_order=Coalesce("aspect__order", 99),
                aspect_key=Coalesce("aspect__key", Value("")),
            )
            .order_by()
        ):
            self.points[opinion.subject_member_id or 0].append(opinion)
        # The branch's reviews of each member's self-analysis. (Not the make-up orders
        # to members: they go to whoever the supervision's sample drew, which a rebuilt
        # demo draws otherwise; the branches' own orders are answered in their plans.)
        self.reviews: dict[int, BranchReview] = {}
        for review in (
            BranchReview.objects.filter(version__document__campaign=campaign)
            .exclude(problems="")
            .order_by("version__number")
            .select_related("version__document")
        ):
            self.reviews[review.version.document.member_id] = review  # the latest wins
        self.items = 0
        # What the members' plans are written with (`build`): the services, or the
        # same writes kept and made in bulk.
        self.writes: _Services | _MemberPlansInBulk = _Services()

    # -- helpers

    def secretary(self, branch: Unit) -> User:
        return self.officers[branch.pk][0]

    def reviewer(self, member: Member) -> User:
        """Who reviews the member's plan: the branch secretary, or for the secretary's
        own plan another officer of the branch (nobody reviews their own)."""
        own = member.user_id
        return next(u for u in self.officers[member.branch_id] if u.pk != own)

    def writer(self, member: Member) -> User:
        """Who types the plan in: the member, or for a member without a login (a
        written plan handed in) their branch secretary."""
        return member.user if member.user is not None else self.secretary(member.branch)

    def item(self, plan: Plan, text: Text, actor: User, **extra: Any) -> Item:
        self.items += 1
        return self.writes.item_create(
            plan=plan,
            problem=text.problem,
            measure=text.measure,
            standard=text.standard,
            deadline=text.due,
            tags=text.tags,
            actor=actor,
            **extra,
        )

    def progress(
        self,
        item: Item,
        state: str,
        actor: User,
        verifier: User,
        on: datetime.date,
        **evidence: Any,
    ) -> None:
        """Carry the item to `state`: an update on the day `on` (in progress, or done),
        and for verified the reviewer's verification three days later."""
        if state == Item.Status.PLANNED:
            return
        done = state in (Item.Status.DONE, Item.Status.VERIFIED)
        with on_day(on.month, on.day, hour=20):
            self.writes.update_create(
                item=item,
                on=on,
                text=self.rng.choice(FINISHED if done else STARTED),
                actor=actor,
                status=Item.Status.DONE if done else "",
                **evidence,
            )
        if state == Item.Status.VERIFIED:
            checked = on + datetime.timedelta(days=3)
            with on_day(checked.month, checked.day, hour=11):
                self.writes.item_verify(
                    item=item, passed=True, note=self.rng.choice(VERIFIED), actor=verifier
                )

    def review(self, plan: Plan, reviewer: User, day: tuple[int, int], returned: str = "") -> None:
        """Approve the submitted plan on `day`; with `returned`, return it first with
        that reason, have the first item made more concrete, and approve it after."""
        month, date = day
        if returned:
            with on_day(month, date, hour=16):
                self.writes.plan_review(plan=plan, approve=False, reason=returned, actor=reviewer)
            first = self.writes.first_item(plan)
            assert first is not None
            writer = self.writer(plan.member) if plan.member is not None else self.officers_of(plan)
            with on_day(month, date + 1, hour=21):
                self.writes.item_change(
                    item=first,
                    problem=first.problem,
                    measure=first.measure + "每月底对照检查一次，向支部书面汇报。",
                    standard=first.standard,
                    deadline=first.deadline,
                    responsible=first.responsible if plan.member is None else None,
                    tags=first.tags,
                    links=self.writes.link_keys(plan, first),
                    actor=writer,
                )
                self.writes.plan_submit(plan=plan, summary=plan.summary, actor=writer)
            month, date = month, date + 2
        with on_day(month, date, hour=17):
            self.writes.plan_review(plan=plan, approve=True, reason="", actor=reviewer)

    def officers_of(self, plan: Plan) -> User:
        assert plan.unit is not None
        if plan.level == Plan.Level.COMMITTEE:
            return self.committee
        return self.secretary(plan.unit)

    # -- members' plans

    def sheet_choice(self, plan: Plan) -> tuple[str, str] | None:
        """The point of the member's feedback sheet their first item answers: a
        criticism, else a suggestion, by aspect and text (the sheet's own order within
        an aspect follows keys a rebuilt demo has others of). Its link key (the
        point's token, `selectors.point_token`) and aspect key."""
        found = self.points.get(plan.member_id or 0)
        if not found:
            return None
        opinion = min(
            found, key=lambda o: (o.kind != Opinion.Kind.CRITICISM, o.aspect_order, o.text)
        )
        return f"{selectors.OPINION}-{selectors.point_token(plan, opinion.pk)}", opinion.aspect_key

    def point_text(self, member: Member, aspect: str) -> Text:
        """What the member writes to answer a point of the aspect: teachers and
        students their own; staff and retired members the teachers' where it fits them
        (retired members have no annual assessment), else a general one."""
        if member.category in TEACHERS:
            return TEACHER_POINTS.get(aspect, OTHER_POINT)
        if member.category in STUDENTS:
            return STUDENT_POINTS.get(aspect, OTHER_POINT)
        if aspect not in ("political", "party_spirit", "discipline"):
            return OTHER_POINT
        text = TEACHER_POINTS[aspect]
        return replace(text, tags=()) if member.category == Member.Category.RETIRED else text

    def own_text(self, member: Member) -> Text:
        if member.category in TEACHERS:
            return self.rng.choice(TEACHER_OWN)
        if member.category in STUDENTS:
            own = (
                STUDENT_OWN if member.category != Member.Category.UNDERGRADUATE else STUDENT_OWN[:2]
            )
            return self.rng.choice(own)
        if member.category == Member.Category.RETIRED:
            return self.rng.choice(RETIRED_OWN)
        return self.rng.choice(STAFF_OWN)

    def member_plan(
        self, member: Member, day: int, *, fate: str, states: Sequence[str], return_reason: str = ""
    ) -> Plan:
        """Write the member's plan on 3–8 June and carry it to `fate` (draft, submitted,
        approved); `states` are the items' progress, in order."""
        writer = self.writer(member)
        with on_day(6, day, hour=21):
            plan = self.writes.plan_start(campaign=self.campaign, member=member, actor=writer)
            written = []
            chosen = self.sheet_choice(plan)
            if chosen is not None:
                key, aspect = chosen
                text = self.point_text(member, aspect)
                written.append(self.item(plan, text, writer, links=[key]))
            # A written plan handed in (no login) is short: the sheet's point it answers,
            # or the member's own item when the sheet has none.
            if member.user is not None or not written:
                review = self.reviews.get(member.pk)
                links = [f"{selectors.REVIEW}-{review.pk}"] if review is not None else []
                written.append(self.item(plan, self.own_text(member), writer, links=links))
        if fate == Plan.Status.DRAFT:
            return plan
        with on_day(6, day + 1, hour=9):
            self.writes.plan_submit(plan=plan, summary=self.rng.choice(SUMMARIES), actor=writer)
        if fate == Plan.Status.SUBMITTED:
            return plan
        self.review(plan, self.reviewer(member), (6, day + 3), return_reason)
        verifier = self.reviewer(member)
        for item, state in zip(written, states, strict=False):
            if item.deadline > LONG_AFTER and state != Item.Status.PLANNED:
                state = Item.Status.IN_PROGRESS  # under way, due at the year's end or later
            on = PROGRESS_FROM + datetime.timedelta(days=self.rng.randrange(26))
            self.progress(item, state, writer, verifier, on)
        return plan

    def short_state(self) -> str:
        return self.rng.choices(
            (Item.Status.VERIFIED, Item.Status.DONE, Item.Status.IN_PROGRESS, Item.Status.PLANNED),
            weights=(55, 15, 18, 12),
        )[0]

    def long_state(self) -> str:
        return self.rng.choice((Item.Status.IN_PROGRESS, Item.Status.PLANNED))

    def demo_member(self, member: Member) -> Plan:
        """The demo `member`'s plan: returned once, approved; one item verified, one in
        progress with an update, one overdue."""
        writer = self.writer(member)
        secretary = self.reviewer(member)
        with on_day(6, 4, hour=21):
            plan = self.writes.plan_start(campaign=self.campaign, member=member, actor=writer)
            chosen = self.sheet_choice(plan)
            links = [chosen[0]] if chosen else []
            first = self.item(plan, TEACHER_POINTS["work"], writer, links=links)
            second = self.item(plan, TEACHER_OWN[1], writer)
            # The third, not started: overdue since 25 June.
            self.item(
                plan,
                Text(
                    "对本科生毕业设计的指导不够细致。",
                    "每周检查一次所带本科生的毕业设计进度，答辩前逐一审阅论文。",
                    "所带学生按时通过答辩，论文无返工。",
                    (ANNUAL, TRAINING),
                    _d(6, 25),
                ),
                writer,
            )
        with on_day(6, 5, hour=9):
            self.writes.plan_submit(plan=plan, summary=SUMMARIES[0], actor=writer)
        self.review(plan, secretary, (6, 7), MEMBER_RETURNS[0])
        self.progress(first, Item.Status.VERIFIED, writer, secretary, _d(6, 26))
        self.progress(second, Item.Status.IN_PROGRESS, writer, secretary, _d(7, 3))
        return plan

    def member_plans(self) -> int:
        made = 0
        for branch in self.branches:
            lagging = branch.name in LAGGING_BRANCHES
            waiting = 0
            to_verify = 0
            for index, member in enumerate(self.members[branch.pk]):
                day = 3 + index % 5
                if member.user is not None and member.user.username == "member":
                    self.demo_member(member)
                    made += 1
                    continue
                fate = Plan.Status.APPROVED
                if lagging:
                    fate = self.rng.choice(
                        (Plan.Status.DRAFT, Plan.Status.SUBMITTED, Plan.Status.APPROVED)
                    )
                elif (
                    branch.name == DEMO_BRANCH
                    and waiting < DEMO_BRANCH_WAITING
                    and member.user is None
                    and index % 4 == 1
                ):
                    fate, waiting = Plan.Status.SUBMITTED, waiting + 1
                reason = ""
                if fate == Plan.Status.APPROVED and self.rng.random() < 0.06:
                    reason = self.rng.choice(MEMBER_RETURNS)
                states = [self.short_state(), self.short_state()]
                if branch.name == DEMO_BRANCH and fate == Plan.Status.APPROVED:
                    # Its first item answers a sheet point, due in July: done, to verify.
                    if (
                        to_verify < DEMO_BRANCH_TO_VERIFY
                        and index % 3 == 2
                        and self.points.get(member.pk)
                    ):
                        states[0], to_verify = Item.Status.DONE, to_verify + 1
                    elif states[0] == Item.Status.DONE:
                        states[0] = Item.Status.VERIFIED
                self.member_plan(member, day, fate=fate, states=states, return_reason=reason)
                made += 1
        return made

    # -- activities

    def donation(self, branch: Unit) -> Activity:
        members = self.members[branch.pk]
        secretary = self.secretary(branch)
        keepers = [m.user for m in members if m.user is not None and m.user.pk != secretary.pk]
        keeper = keepers[0] if keepers else None
        with on_day(6, 9, hour=20):
            activity = activities.activity_create(
                campaign=self.campaign,
                branch=branch,
                kind=Activity.Kind.DONATION,
                title=DONATION_TITLE,
                description="为强化学生党员的社会责任意识，支部党员每人交一次特殊党费，"
                "资助浙江省磐安县一名家庭困难的小学生完成小学六年的学习。",
                held_on=_d(6, 10),
                participants=members,
                outcomes=f"全支部{len(members)}名党员共捐款{DONATION_TOTAL}元，"
                "资助磐安县一名小学生完成小学6年学习。",
                treasurer=keeper,
                actor=secretary,
            )
        # 1,310 元 in tens: every member gives at least 50 元, the rest falls where it falls.
        tens = [5] * len(members)
        for _ in range(DONATION_TOTAL // 10 - sum(tens)):
            tens[self.rng.randrange(len(tens))] += 1
        with on_day(6, 10, hour=18):
            for member, amount in zip(members, tens, strict=True):
                activities.donation_record(
                    activity=activity,
                    member=member,
                    amount=amount * 10,
                    given_on=_d(6, 10),
                    actor=keeper or secretary,
                )
        return activity

    def ideas(self, branch: Unit) -> Activity:
        """The golden ideas: collected 5–9 June, decided on the 10th, one turned into an
        item of the branch's plan (still a draft then)."""
        members = self.members[branch.pk]
        secretary = self.secretary(branch)
        with on_day(6, 4, hour=20):
            activity = activities.activity_create(
                campaign=self.campaign,
                branch=branch,
                kind=Activity.Kind.IDEAS,
                title=IDEAS_TITLE,
                description="围绕支部建设和研究生培养，请每位党员提一条“金点子”，可以署名，也可以匿名。",
                held_on=_d(6, 5),
                participants=members,
                actor=secretary,
            )
        authors = self.rng.sample(members, len(IDEAS))
        given = []
        for index, ((text, anonymous, decision), author) in enumerate(
            zip(IDEAS, authors, strict=True)
        ):
            with on_day(6, 5 + index % 5, hour=22):
                given.append(
                    (
                        activities.idea_submit(
                            activity=activity, author=author, text=text, anonymous=anonymous
                        ),
                        decision,
                    )
                )
        declined = iter(DECLINED_NOTES)
        with on_day(6, 10, hour=16):
            for idea, decision in given:
                if decision == Idea.Decision.ADOPTED:
                    activities.idea_decide(
                        idea=idea, decision=decision, note="支委会研究，予以采纳。", actor=secretary
                    )
                elif decision == Idea.Decision.DECLINED:
                    activities.idea_decide(
                        idea=idea, decision=decision, note=next(declined), actor=secretary
                    )
            first = next(idea for idea, decision in given if decision == Idea.Decision.ADOPTED)
            self.items += 1
            activities.idea_to_item(
                idea=first,
                measure="每月最后一周组织一次学术沙龙，由高年级研究生党员轮流主讲科研经验。",
                standard="本学期举办沙龙三次以上，每次有记录。",
                deadline=_d(9, 30),
                responsible=members[0],
                actor=secretary,
            )
        with on_day(6, 12, hour=20):
            activities.activity_update(
                activity=activity,
                kind=activity.kind,
                title=activity.title,
                description=activity.description,
                held_on=activity.held_on,
                participants=members,
                outcomes=f"共收到金点子{len(IDEAS)}条，采纳4条，暂不采纳2条，2条待研究；"
                "学术沙龙已列入支部整改计划。",
                actor=secretary,
            )
        return activity

    def initiative(self, branch: Unit) -> Activity:
        members = self.members[branch.pk]
        # The graduating class: the branch's earliest intake (the numbers begin with it).
        intake = min(m.number[:4] for m in members)
        graduating = [m for m in members if m.number.startswith(intake)]
        with on_day(6, 20, hour=20):
            return activities.activity_create(
                campaign=self.campaign,
                branch=branch,
                kind=Activity.Kind.INITIATIVE,
                title=INITIATIVE_TITLE,
                description="结合毕业离校的实际，支部向全体毕业生发出文明离校倡议：爱护公物、"
                "清理宿舍、按时办理离校手续、向学弟学妹赠送书籍，党员带头。",
                held_on=_d(6, 20),
                participants=graduating,
                participants_note="全体毕业班同学",
                outcomes="毕业生党员全部文明离校，向低年级同学赠书三百余册。",
                actor=self.secretary(branch),
            )

    def research(self, branch: Unit) -> Activity:
        with on_day(6, 16, hour=20):
            return activities.activity_create(
                campaign=self.campaign,
                branch=branch,
                kind=Activity.Kind.OTHER,
                title=RESEARCH_TITLE,
                description="支部与研究所共同研究，着眼于骨干教师积极分子的培养和新的研究方向布点，"
                "研究所集中资金投入光电显示材料新的研究方向。",
                held_on=_d(6, 16),
                participants=self.members[branch.pk][:6],
                actor=self.secretary(branch),
            )

    # -- branches' plans

    def branch_links(self, plan: Plan) -> tuple[list[str], list[str]]:
        """Keys of what the branch plan answers: its sorted opinions (criticisms and
        suggestions, by text), and the supervision's findings short of good and make-up
        orders to the branch."""
        opinions = (
            access.linkable_opinions(plan)
            .filter(kind__in=(Opinion.Kind.CRITICISM, Opinion.Kind.SUGGESTION))
            .order_by("text", "kind")
        )
        seen: set[str] = set()
        opinion_keys = []
        for opinion in opinions:
            if opinion.text not in seen:
                seen.add(opinion.text)
                opinion_keys.append(
                    f"{selectors.OPINION}-{selectors.point_token(plan, opinion.pk)}"
                )
        findings = (
            access.linkable_check_findings(plan)
            .exclude(finding=Finding.GOOD)
            .order_by("check_record__round__starts_on", "item")
        )
        found = [f"{selectors.FINDING}-{f.pk}" for f in findings[:2]]
        found += [
            f"{selectors.ORDER}-{o.pk}"
            for o in access.linkable_remediation_orders(plan).order_by("deadline", "reason")
        ]
        return opinion_keys[:2], found

    def branch_plan(self, branch: Unit, index: int) -> Plan:
        secretary = self.secretary(branch)
        members = self.members[branch.pk]
        day = 3 + index % 4
        special: list[tuple[Item, Activity]] = []
        with on_day(6, day, hour=20):
            plan = plans.plan_start(campaign=self.campaign, unit=branch, actor=secretary)
            opinion_keys, found = self.branch_links(plan)
            first = self.item(
                plan, BRANCH_OPINIONS_ITEM, secretary, links=opinion_keys, responsible=members[0]
            )
            second = self.item(
                plan, BRANCH_FINDINGS_ITEM, secretary, links=found, responsible=members[-1]
            )
            kind = BRANCH_KINDS.get(str(branch.branch_type), "student")
            own = self.item(
                plan, BRANCH_OWN[kind], secretary, responsible=members[len(members) // 2]
            )
            if branch.name == DONATION_BRANCH:
                item = self.item(plan, DONATION_ITEM, secretary, responsible=members[1])
                special.append((item, self.donation(branch)))
            elif branch.name == GRADUATING_BRANCH:
                item = self.item(plan, INITIATIVE_ITEM, secretary, responsible=members[1])
                special.append((item, self.initiative(branch)))
            elif branch.name == BRANCH_ROLE_BRANCH:
                self.item(plan, BRANCH_ROLE_ITEM, secretary, responsible=members[1])
            elif branch.name == RESEARCH_BRANCH:
                item = self.item(plan, RESEARCH_ITEM, secretary, responsible=members[1])
                special.append((item, self.research(branch)))
        if branch.name == IDEAS_BRANCH:
            self.ideas(branch)
        if branch.name in LAGGING_BRANCHES:
            return plan  # still a draft
        with on_day(6, 11, hour=9):
            plans.plan_submit(
                plan=plan,
                summary="对照党内外群众的意见和学院督查组的检查意见，逐条明确整改措施、责任人和时限。",
                actor=secretary,
            )
        if branch.name in BRANCH_PLANS_WAITING:
            return plan
        returned = BRANCH_PLANS_RETURNED.get(branch.name, "")
        self.review(plan, self.committee, (6, 13 + index % 3), returned)
        committee = self.committee
        self.progress(first, self.long_state(), secretary, committee, _d(7, 2 + index % 6))
        # A few reported done, waiting for the `committee` account to verify them.
        checked = Item.Status.DONE if index % 9 == 4 else Item.Status.VERIFIED
        self.progress(second, checked, secretary, committee, _d(6, 26 + index % 3))
        self.progress(own, self.long_state(), secretary, committee, _d(7, 6))
        for item, activity in special:
            # Reported once the plan is approved, with the activity as the evidence.
            assert activity.held_on is not None
            on = max(activity.held_on + datetime.timedelta(days=1), _d(6, 20))
            self.progress(item, Item.Status.VERIFIED, secretary, committee, on, activity=activity)
        return plan

    # -- the committee's plan

    def committee_plan(self) -> Plan:
        college = self.campaign.unit
        office = sorted(
            (m for b in self.branches if b.parent_id == college.pk for m in self.members[b.pk]),
            key=lambda m: (m.branch.name != "学院机关党支部", m.number),
        )
        # The committee's items are carried out by the college office, never by the
        # committee admin, who verifies them.
        responsible = [m for m in office if m.user_id != self.committee.pk]
        with on_day(6, 15, hour=20):
            plan = plans.plan_start(campaign=self.campaign, unit=college, actor=self.committee)
            opinions = list(access.linkable_opinions(plan).order_by("text", "kind"))
            written = []
            for index, (text, words) in enumerate(COMMITTEE_ITEMS):
                # Up to three of the opinions it answers, one of each text.
                texts = {o.text: o for o in reversed(opinions) if any(w in o.text for w in words)}
                keys = [
                    f"{selectors.OPINION}-{selectors.point_token(plan, o.pk)}"
                    for o in sorted(texts.values(), key=lambda o: o.text)[:3]
                ]
                written.append(
                    self.item(
                        plan, text, self.committee, links=keys, responsible=responsible[index]
                    )
                )
        with on_day(6, 18, hour=9):
            plans.plan_submit(plan=plan, summary=COMMITTEE_SUMMARY, actor=self.committee)
        with on_day(6, 19, hour=15):
            plans.plan_review(plan=plan, approve=True, reason="", actor=self.committee)
        committee = self.committee
        self.progress(written[0], Item.Status.VERIFIED, committee, committee, _d(7, 8))
        self.progress(written[2], Item.Status.IN_PROGRESS, committee, committee, _d(7, 10))
        return plan

    def build(self) -> DemoRectificationResult:
        # The members' plans, written in bulk (_MemberPlansInBulk), then the rest
        # through the services.
        in_bulk = _MemberPlansInBulk(self.points, self.reviews)
        self.writes = in_bulk
        members = self.member_plans()
        in_bulk.write()
        self.writes = _Services()
        for index, branch in enumerate(self.branches):
            self.branch_plan(branch, index)
        self.committee_plan()
        return DemoRectificationResult(
            member_plans=members,
            branch_plans=len(self.branches),
            items=self.items,
            activities=Activity.objects.filter(campaign=self.campaign).count(),
            donated=DONATION_TOTAL,
        )


def demo_rectification_build(campaign: Campaign) -> DemoRectificationResult:
    """Write the demo campaign's rectification (see the module's docstring). Call once,
    inside the demo's transaction, after the supervision."""
    with unaudited():
        return _Builder(campaign).build()
