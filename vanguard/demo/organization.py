"""The demo's first step, the organisation: the demo college (演示学院) 信息学院, as
the seed describes it, and larger organisations of the same shape for benchmarks.

`demo_organization_build` (run by `vanguard.demo.build.demo_build`, in its
transaction) makes:

* size ``demo`` — 信息学院党委 with three general branches (光电系, 信电系, 控制系)
  and two branches directly under the committee (退休, 学院机关): 41 branches,
  about 700 members, party groups in the large branches, and a holder for every
  role, including the six demo accounts (password ``vanguard-demo``);
* size ``M`` / ``L`` — a university committee (校党委) above 信息学院 (the same
  data as the demo size) and 6 / 34 generated colleges: about 5,000 members in
  300 branches, and 30,000 members in 1,500 branches.

Everything comes from seeded generators (Faker zh_CN and `random.Random`) and a
fixed reference date, so the same size always gives the same names, numbers and
branches. Rows are written with `bulk_create`; a unit's materialised path needs
its primary key, so units are inserted level by level and their paths set after.

The builder acts as no person: nothing it writes is audited.
"""

from __future__ import annotations

import datetime
import math
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from vanguard.accounts.models import Role, RoleAssignment, User
from vanguard.demo.common import COLLEGE_NAME, DEMO_BRANCH, DemoError, new_faker
from vanguard.organization.models import Member, Unit

DEMO_PASSWORD = "vanguard-demo"  # noqa: S105 — demo data only, documented in the README
SEED = 2005  # the year of the seed's campaign
# "Today" for the demo: dates are drawn relative to this, never to the clock.
REFERENCE_DATE = datetime.date(2026, 10, 15)
REFERENCE_DATETIME = datetime.datetime(2026, 10, 15, 8, 0, tzinfo=datetime.UTC)
# Written on the demo committee admin's role assignment: it marks the database as
# holding the demo (and which size), so that a real organisation is never touched.
DEMO_MARK = "演示数据 · build_demo --size "

Kind = Unit.Kind
BT = Unit.BranchType
Cat = Member.Category


# --- The demo college ------------------------------------------------------------

COLLEGE_CODE = 31  # the college's code inside student numbers
GENERAL_BRANCHES = ("光电系党总支", "信电系党总支", "控制系党总支")


@dataclass(frozen=True)
class BranchSpec:
    name: str
    branch_type: str
    size: int
    general_branch: str | None  # None: directly under the committee


def _b(gb: str | None, name: str, branch_type: str, size: int) -> BranchSpec:
    return BranchSpec(name=name, branch_type=branch_type, size=size, general_branch=gb)


GD, XD, KZ = GENERAL_BRANCHES
# Every branch the seed names is here, under the general branch its name points to;
# the others are filled in the same style. Sizes follow the seed where it gives one
# (信电系机关: 8 members; 信电本科生第四: three party groups; 光电博士生: a 第二党小组).
COLLEGE_BRANCHES: tuple[BranchSpec, ...] = (
    _b(GD, "光学工程教工第一党支部", BT.FACULTY, 28),
    _b(GD, "光学工程教工第二党支部", BT.FACULTY, 21),
    _b(GD, "光学工程教工第三党支部", BT.FACULTY, 17),
    _b(GD, "薄膜与显示技术研究所党支部", BT.INSTITUTE, 16),
    _b(GD, "光电系光学仪器所党支部", BT.INSTITUTE, 14),
    _b(GD, "光电系机关党支部", BT.OFFICE, 9),
    _b(GD, "光电博士生党支部", BT.DOCTORAL, 34),
    _b(GD, "光电硕士生第一党支部", BT.MASTERS, 18),
    _b(GD, "光电硕士生第二党支部", BT.MASTERS, 26),
    _b(GD, "光电研究生第一党支部", BT.MASTERS, 15),
    _b(GD, "光电研究生第二党支部", BT.MASTERS, 21),
    _b(GD, "光电研究生第三党支部", BT.MASTERS, 17),
    _b(GD, "光电系本科生党支部", BT.UNDERGRADUATE, 15),
    _b(GD, "光电本科生第一党支部", BT.UNDERGRADUATE, 19),
    _b(GD, "光电本科生第二党支部", BT.UNDERGRADUATE, 20),
    _b(GD, "光电本科生第三党支部", BT.UNDERGRADUATE, 12),
    _b(XD, "信电系机关党支部", BT.OFFICE, 8),
    _b(XD, "信电系光电子所党支部", BT.INSTITUTE, 15),
    _b(XD, "信电系微电子所党支部", BT.INSTITUTE, 13),
    _b(XD, "信电系通信所党支部", BT.INSTITUTE, 17),
    _b(XD, "信电系电路与系统所党支部", BT.INSTITUTE, 12),
    _b(XD, "信电系实验中心党支部", BT.FACULTY, 10),
    _b(XD, "信电系博士生党支部", BT.DOCTORAL, 19),
    _b(XD, "信电系硕士生党支部", BT.MASTERS, 24),
    _b(XD, "信电本科生第一党支部", BT.UNDERGRADUATE, 14),
    _b(XD, "信电本科生第二党支部", BT.UNDERGRADUATE, 16),
    _b(XD, "信电本科生第三党支部", BT.UNDERGRADUATE, 15),
    _b(XD, "信电本科生第四党支部", BT.UNDERGRADUATE, 31),
    _b(XD, "信电本科生第五党支部", BT.UNDERGRADUATE, 21),
    _b(KZ, "控制系仪表所党支部", BT.INSTITUTE, 14),
    _b(KZ, "控制系工控所党支部", BT.INSTITUTE, 16),
    _b(KZ, "控制系先进控制所党支部", BT.INSTITUTE, 13),
    _b(KZ, "控制系智能系统所党支部", BT.INSTITUTE, 11),
    _b(KZ, "控制系实验教学中心党支部", BT.FACULTY, 7),
    _b(KZ, "控制系机关党支部", BT.OFFICE, 6),
    _b(KZ, "控制系博士生党支部", BT.DOCTORAL, 18),
    _b(KZ, "控制系硕士生第一党支部", BT.MASTERS, 15),
    _b(KZ, "控制系硕士生第二党支部", BT.MASTERS, 13),
    _b(KZ, "控制系本科生党支部", BT.UNDERGRADUATE, 19),
    _b(None, "退休党支部", BT.RETIRED, 40),
    _b(None, "学院机关党支部", BT.OFFICE, 11),
)

# People the seed names, in the roles it gives them.
SEED_SECRETARIES = {"信电本科生第四党支部": "赵颂平", "退休党支部": "曹向群"}
SEED_BRANCH_COMMITTEE = {"退休党支部": ("徐兴潮", "诸葛玲")}
OBSERVER_NAME = "茹惠祥"
OBSERVER_NOTE = "省蹲点组组长"
SUPERVISION_NOTE = "学院督查组"

# The demo accounts, in the order they are printed.
DEMO_USERNAMES = ("committee", "supervisor", "gbsecretary", "secretary", "member", "observer")
DEMO_GENERAL_BRANCH = GD

# --- Larger sizes: a university of generated colleges --------------------------

UNIVERSITY_NAME = "示范大学党委"
UNIVERSITY_ADMIN = "zuzhibu"  # the organisation department (组织部); no usable password
COLLEGES: tuple[tuple[str, str], ...] = (
    ("人文学院", "人文"),
    ("外国语学院", "外语"),
    ("传媒与国际文化学院", "传媒"),
    ("经济学院", "经济"),
    ("光华法学院", "法学"),
    ("教育学院", "教育"),
    ("管理学院", "管理"),
    ("公共管理学院", "公管"),
    ("马克思主义学院", "马院"),
    ("数学科学学院", "数学"),
    ("物理学院", "物理"),
    ("化学学院", "化学"),
    ("地球科学学院", "地科"),
    ("心理与行为科学学院", "心理"),
    ("机械工程学院", "机械"),
    ("材料科学与工程学院", "材料"),
    ("能源工程学院", "能源"),
    ("电气工程学院", "电气"),
    ("建筑工程学院", "建工"),
    ("化学工程与生物工程学院", "化工"),
    ("海洋学院", "海洋"),
    ("航空航天学院", "航空航天"),
    ("高分子科学与工程学院", "高分子"),
    ("计算机科学与技术学院", "计算机"),
    ("软件学院", "软件"),
    ("生物医学工程与仪器科学学院", "生仪"),
    ("生命科学学院", "生科"),
    ("生物系统工程与食品科学学院", "生工食品"),
    ("环境与资源学院", "环资"),
    ("农业与生物技术学院", "农学"),
    ("动物科学学院", "动科"),
    ("医学院", "医学"),
    ("药学院", "药学"),
    ("艺术与考古学院", "艺考"),
    ("哲学学院", "哲学"),
    ("历史学院", "历史"),
    ("集成电路学院", "集成电路"),
)
INSTITUTE_TOPICS = ("基础理论", "应用技术", "交叉科学", "工程技术", "前沿科学", "系统科学")
# Per generated college: how many branches of each type (inclusive range), and the
# relative size of one branch of that type before scaling to the college's total.
GENERATED_MIX = {
    BT.FACULTY: ((7, 11), (12, 30)),
    BT.INSTITUTE: ((3, 6), (10, 24)),
    BT.MASTERS: ((8, 12), (14, 34)),
    BT.DOCTORAL: ((4, 7), (12, 30)),
    BT.UNDERGRADUATE: ((10, 14), (14, 34)),
}


@dataclass(frozen=True)
class SizeSpec:
    colleges: int  # generated colleges beside 信息学院 (0: no university level)
    members_per_college: int


SIZES = {
    "demo": SizeSpec(colleges=0, members_per_college=0),
    "M": SizeSpec(colleges=6, members_per_college=717),
    "L": SizeSpec(colleges=34, members_per_college=862),
}


def normalise_size(size: str) -> str:
    for key in SIZES:
        if key.lower() == size.strip().lower():
            return key
    raise DemoError(_("未知的规模 “%(size)s”：可选 demo、M、L。") % {"size": size})


# --- Small helpers ---------------------------------------------------------------

_DIGITS = "零一二三四五六七八九"


def chinese_ordinal(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (enough for branch and group names)."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def party_group_count(size: int) -> int:
    """Large branches (more than 25 members) are split into party groups of about a dozen."""
    return max(2, math.ceil(size / 13)) if size > 25 else 0


def _date_between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    if end <= start:
        return end
    return datetime.date.fromordinal(rng.randint(start.toordinal(), end.toordinal()))


ONE_YEAR_AGO = REFERENCE_DATE - datetime.timedelta(days=366)


def _probation_joined(rng: random.Random) -> datetime.date:
    # A probationary member (预备党员) joined within the last year.
    return REFERENCE_DATE - datetime.timedelta(days=rng.randint(20, 355))


class _Numbers:
    """Staff and student numbers (工号/学号), unique, in a realistic format:
    staff 6 digits (hiring year + sequence), undergraduates 10 digits starting
    with 3, master's students 8 digits starting with 2, doctoral students 8 digits
    starting with 1 (entry year, college code, sequence)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.counters: dict[tuple, int] = defaultdict(int)

    def _next(self, key: tuple) -> int:
        self.counters[key] += self.rng.randint(1, 3)
        return self.counters[key]

    def staff(self, year: int) -> str:
        return f"{year % 100:02d}{self._next(('staff', year)):04d}"

    def student(self, prefix: str, year: int, college: int) -> str:
        seq = self._next((prefix, year, college))
        width = 5 if prefix == "3" else 3
        return f"{prefix}{year % 100:02d}{college:02d}{seq:0{width}d}"


@dataclass
class _College:
    committee: Unit
    code: int
    branches: list[Unit] = field(default_factory=list)
    members_by_branch: dict[int, list[Member]] = field(default_factory=dict)
    groups_by_branch: dict[int, list[Unit]] = field(default_factory=dict)
    general_branches: list[Unit] = field(default_factory=list)


# --- The builder -----------------------------------------------------------------


class _Builder:
    def __init__(self, size: str) -> None:
        self.size = size
        self.spec = SIZES[size]
        self.fake = new_faker("zh_CN")
        self.numbers = _Numbers(random.Random(SEED * 7))
        self.levels: dict[int, list[Unit]] = defaultdict(list)
        self.level_of: dict[int, int] = {}
        self.members: list[Member] = []
        self.users: list[User] = []
        self.user_of: dict[int, User] = {}  # id(member) -> user
        self.holders: set[int] = set()  # id(member) of everyone who holds a role
        self.assignments: list[RoleAssignment] = []
        self.granted: set[tuple[int, str, int]] = set()
        self.sort_counter: dict[int, int] = defaultdict(int)

    # -- units

    def unit(self, name: str, kind: str, parent: Unit | None, branch_type: str = "") -> Unit:
        level = 0 if parent is None else self.level_of[id(parent)] + 1
        self.sort_counter[id(parent)] += 1
        unit = Unit(
            name=name,
            kind=kind,
            parent=parent,
            branch_type=branch_type,
            sort_order=self.sort_counter[id(parent)],
        )
        self.level_of[id(unit)] = level
        self.levels[level].append(unit)
        return unit

    # -- people

    def person(self, rng: random.Random, branch: Unit, college: int) -> Member:
        """One member whose category, number, standing and dates fit the branch type."""
        kind = branch.branch_type
        roll = rng.random()
        if kind == BT.UNDERGRADUATE:
            category = Cat.UNDERGRADUATE
        elif kind == BT.MASTERS:
            category = Cat.MASTERS
        elif kind == BT.DOCTORAL:
            category = Cat.DOCTORAL
        elif kind == BT.RETIRED:
            category = Cat.RETIRED
        elif kind == BT.OFFICE:
            category = Cat.STAFF if roll < 0.85 else Cat.FACULTY
        elif kind == BT.INSTITUTE:
            category = Cat.FACULTY if roll < 0.78 else (Cat.POSTDOC if roll < 0.95 else Cat.STAFF)
        else:
            category = Cat.FACULTY if roll < 0.82 else Cat.STAFF

        probation_rate = {
            Cat.UNDERGRADUATE: 0.4,
            Cat.MASTERS: 0.13,
            Cat.DOCTORAL: 0.05,
            Cat.POSTDOC: 0.04,
            Cat.FACULTY: 0.02,
            Cat.STAFF: 0.03,
            Cat.RETIRED: 0.0,
        }[category]
        probationary = rng.random() < probation_rate
        y = REFERENCE_DATE.year

        if category == Cat.UNDERGRADUATE:
            # Most join in their third or fourth year; freshmen are not yet members.
            if probationary:
                entry = rng.choices((y - 3, y - 2, y - 1), weights=(4, 5, 1))[0]
            else:
                entry = rng.choices((y - 3, y - 2), weights=(4, 1))[0]
            number = self.numbers.student("3", entry, college)
            earliest = datetime.date(entry, 9, 1) + datetime.timedelta(days=200)
            joined = _date_between(rng, earliest, ONE_YEAR_AGO)
        elif category in (Cat.MASTERS, Cat.DOCTORAL):
            if category == Cat.MASTERS:
                entry = rng.choices((y - 2, y - 1, y), weights=(3, 4, 3))[0]
                prefix, before = "2", 5
            else:
                entry = rng.choice(range(y - 5, y + 1))
                prefix, before = "1", 8
            number = self.numbers.student(prefix, entry, college)
            if rng.random() < 0.8:  # most joined before they began graduate study
                start, end = datetime.date(entry - before, 1, 1), datetime.date(entry, 6, 30)
            else:
                start, end = datetime.date(entry, 9, 1), ONE_YEAR_AGO
            joined = _date_between(rng, start, min(end, ONE_YEAR_AGO))
        elif category == Cat.RETIRED:
            # Joined decades ago; many are over seventy now.
            hired = rng.randint(1958, 1990)
            number = self.numbers.staff(hired)
            joined = _date_between(
                rng, datetime.date(hired - 6, 1, 1), datetime.date(min(hired + 18, 1995), 12, 31)
            )
        else:
            if category == Cat.POSTDOC:
                hired = rng.randint(y - 3, y)
            else:
                hired = min(y, int(rng.triangular(1988, y, 2012)))
            number = self.numbers.staff(hired)
            latest = min(ONE_YEAR_AGO, datetime.date(hired + 6, 12, 31))
            joined = _date_between(rng, datetime.date(hired - 12, 1, 1), latest)
        if probationary:
            joined = _probation_joined(rng)

        phone_share, email_share = {
            Cat.RETIRED: (0.55, 0.12),
            Cat.UNDERGRADUATE: (0.8, 0.6),
            Cat.MASTERS: (0.8, 0.65),
            Cat.DOCTORAL: (0.8, 0.7),
        }.get(category, (0.9, 0.85))
        phone = self.fake.phone_number() if rng.random() < phone_share else ""
        email = f"{number}@campus.example.com" if rng.random() < email_share else ""
        return Member(
            name=self.fake.name(),
            number=number,
            category=category,
            standing=Member.Standing.PROBATIONARY if probationary else Member.Standing.FORMAL,
            joined_on=joined,
            phone=phone,
            email=email,
            is_active=rng.random() >= 0.015,
            branch=branch,
        )

    def populate_branch(
        self, rng: random.Random, college: _College, branch: Unit, size: int
    ) -> list[Member]:
        people = [self.person(rng, branch, college.code) for _ in range(size)]
        groups = [
            self.unit(f"第{chinese_ordinal(i + 1)}党小组", Kind.PARTY_GROUP, branch)
            for i in range(party_group_count(size))
        ]
        if groups:
            order = list(range(size))
            rng.shuffle(order)
            for position, index in enumerate(order):
                people[index].party_group = groups[position % len(groups)]
        self.members.extend(people)
        college.branches.append(branch)
        college.members_by_branch[id(branch)] = people
        college.groups_by_branch[id(branch)] = groups
        return people

    # -- roles

    def user_for(self, member: Member | None, *, username: str = "", name: str = "") -> User:
        if member is not None and id(member) in self.user_of:
            return self.user_of[id(member)]
        user = User(
            username=username or (member.number if member else ""),
            display_name=name or (member.name if member else ""),
            email=member.email if member else "",
            date_joined=REFERENCE_DATETIME,
        )
        if username in DEMO_USERNAMES:
            user.set_password(DEMO_PASSWORD)
        else:
            user.set_unusable_password()
        self.users.append(user)
        if member is not None:
            self.user_of[id(member)] = user
            member.user = user
        return user

    def grant(
        self,
        member: Member | None,
        role: str,
        unit: Unit,
        note: str = "",
        *,
        user: User | None = None,
    ) -> None:
        if user is None:
            assert member is not None
            user = self.user_for(member)
        if member is not None:
            self.holders.add(id(member))
        key = (id(user), role, id(unit))
        if key not in self.granted:
            self.granted.add(key)
            self.assignments.append(RoleAssignment(user=user, role=role, unit=unit, note=note))

    def pick(
        self, rng: random.Random, people: Iterable[Member], categories: Sequence[str] | None = None
    ) -> Member:
        """An active, formal member who holds no role yet (and is of a category, if given);
        failing that (a small branch of probationary students), the nearest to it."""
        people = [m for m in people if m.is_active]
        tiers = (
            lambda m: (
                m.standing == Member.Standing.FORMAL
                and id(m) not in self.holders
                and (categories is None or m.category in categories)
            ),
            lambda m: m.standing == Member.Standing.FORMAL and id(m) not in self.holders,
            lambda m: id(m) not in self.holders,
            lambda m: True,
        )
        for fits in tiers:
            candidates = [m for m in people if fits(m)]
            if candidates:
                return rng.choice(candidates)
        raise DemoError("no active member for a role")  # a bug in the demo data, not user input

    def staff_roles(self, rng: random.Random, college: _College) -> None:
        """Secretary, one or two branch committee members, and group leaders in every branch."""
        held: dict[tuple[int, str], int] = defaultdict(int)  # (id(unit), role) -> holders so far
        for assignment in self.assignments:
            held[(id(assignment.unit), assignment.role)] += 1
        for branch in college.branches:
            people = college.members_by_branch[id(branch)]
            if not held[(id(branch), Role.BRANCH_SECRETARY)]:
                self.grant(self.pick(rng, people), Role.BRANCH_SECRETARY, branch)
            wanted = 2 if len(people) >= 15 else 1
            for _i in range(wanted - held[(id(branch), Role.BRANCH_COMMITTEE)]):
                self.grant(self.pick(rng, people), Role.BRANCH_COMMITTEE, branch)
            for group in college.groups_by_branch[id(branch)]:
                in_group = [m for m in people if m.party_group is group]
                self.grant(self.pick(rng, in_group), Role.GROUP_LEADER, group)

    def officers_pool(self, college: _College, types: Iterable[str]) -> list[Member]:
        wanted = set(types)
        return [
            m
            for b in college.branches
            if b.branch_type in wanted
            for m in college.members_by_branch[id(b)]
        ]

    # -- the demo college

    def build_college(self, parent: Unit | None) -> _College:
        rng = random.Random(SEED)
        self.fake.seed_instance(SEED)
        committee = self.unit(COLLEGE_NAME, Kind.COMMITTEE, parent)
        college = _College(committee=committee, code=COLLEGE_CODE)
        gbs = {name: self.unit(name, Kind.GENERAL_BRANCH, committee) for name in GENERAL_BRANCHES}
        college.general_branches = list(gbs.values())
        by_name: dict[str, Unit] = {}
        for spec in COLLEGE_BRANCHES:
            above = gbs[spec.general_branch] if spec.general_branch else committee
            branch = self.unit(spec.name, Kind.BRANCH, above, spec.branch_type)
            by_name[spec.name] = branch
            self.populate_branch(rng, college, branch, spec.size)

        def members(branch_name: str) -> list[Member]:
            return college.members_by_branch[id(by_name[branch_name])]

        def seed_person(branch_name: str, name: str) -> Member:
            person = self.pick(rng, members(branch_name))
            person.name = name
            return person

        # The seed's people first, then the demo accounts, then everyone else.
        for branch_name, name in SEED_SECRETARIES.items():
            self.grant(seed_person(branch_name, name), Role.BRANCH_SECRETARY, by_name[branch_name])
        for branch_name, names in SEED_BRANCH_COMMITTEE.items():
            for name in names:
                person = seed_person(branch_name, name)
                self.grant(person, Role.BRANCH_COMMITTEE, by_name[branch_name])

        demo_branch = by_name[DEMO_BRANCH]
        secretary = self.pick(rng, members(DEMO_BRANCH), (Cat.FACULTY,))
        self.user_for(secretary, username="secretary")
        self.grant(secretary, Role.BRANCH_SECRETARY, demo_branch)
        member = self.pick(rng, members(DEMO_BRANCH), (Cat.FACULTY,))
        self.user_for(member, username="member")
        self.holders.add(id(member))  # an ordinary member: no role for them

        admin = self.pick(rng, members("学院机关党支部"), (Cat.STAFF, Cat.FACULTY))
        self.user_for(admin, username="committee")
        self.grant(admin, Role.COMMITTEE_ADMIN, committee, DEMO_MARK + self.size)

        faculty_types = (BT.FACULTY, BT.INSTITUTE, BT.OFFICE)
        for gb in college.general_branches:
            own = [b for b in college.branches if b.parent is gb and b.branch_type in faculty_types]
            pool = [m for b in own for m in college.members_by_branch[id(b)]]
            holder = self.pick(rng, pool, (Cat.FACULTY, Cat.STAFF))
            if gb.name == DEMO_GENERAL_BRANCH:
                self.user_for(holder, username="gbsecretary")
            self.grant(holder, Role.GENERAL_BRANCH_SECRETARY, gb)

        # The supervision group (督查组): six teachers, each over half of another
        # general branch's branches (the last also over the branches under the
        # committee); the demo `supervisor` has the half with the demo branch.
        chunks: list[list[Unit]] = []
        for gb in college.general_branches:
            own = [b for b in college.branches if b.parent is gb]
            half = (len(own) + 1) // 2
            chunks += [own[:half], own[half:]]
        chunks[-1] += [b for b in college.branches if b.parent is committee]
        for index, chunk in enumerate(chunks):
            home_gb = college.general_branches[(index // 2 + 1) % len(college.general_branches)]
            pool = [
                m
                for b in college.branches
                if b.parent is home_gb and b.branch_type in (BT.FACULTY, BT.INSTITUTE)
                for m in college.members_by_branch[id(b)]
            ]
            supervisor = self.pick(rng, pool, (Cat.FACULTY,))
            if index == 0:
                self.user_for(supervisor, username="supervisor")
            for branch in chunk:
                self.grant(supervisor, Role.SUPERVISOR, branch, SUPERVISION_NOTE)

        observer = self.user_for(None, username="observer", name=OBSERVER_NAME)
        self.grant(None, Role.OBSERVER, committee, OBSERVER_NOTE, user=observer)

        self.staff_roles(rng, college)
        return college

    # -- generated colleges (sizes M and L)

    def build_generated_college(self, index: int, parent: Unit, code: int) -> None:
        rng = random.Random(SEED * 1000 + index)
        self.fake.seed_instance(SEED * 1000 + index)
        name, short = COLLEGES[index]
        committee = self.unit(f"{name}党委", Kind.COMMITTEE, parent)
        college = _College(committee=committee, code=code)
        faculty_gb = self.unit("教工党总支", Kind.GENERAL_BRANCH, committee)
        graduate_gb = self.unit("研究生党总支", Kind.GENERAL_BRANCH, committee)
        undergraduate_gb = self.unit("本科生党总支", Kind.GENERAL_BRANCH, committee)
        college.general_branches = [faculty_gb, graduate_gb, undergraduate_gb]

        plan: list[tuple[str, str, Unit, int]] = []  # name, type, parent, base size
        for branch_type, ((low, high), (small, large)) in GENERATED_MIX.items():
            count = rng.randint(low, high)
            for n in range(1, count + 1):
                if branch_type == BT.INSTITUTE:
                    label, above = f"{short}{INSTITUTE_TOPICS[n - 1]}研究所党支部", faculty_gb
                else:
                    word, above = {
                        BT.FACULTY: ("教工", faculty_gb),
                        BT.MASTERS: ("硕士生", graduate_gb),
                        BT.DOCTORAL: ("博士生", graduate_gb),
                        BT.UNDERGRADUATE: ("本科生", undergraduate_gb),
                    }[branch_type]
                    label = f"{short}{word}第{chinese_ordinal(n)}党支部"
                plan.append((label, branch_type, above, rng.randint(small, large)))
        plan.append((f"{short}机关党支部", BT.OFFICE, committee, rng.randint(6, 14)))
        plan.append((f"{short}退休党支部", BT.RETIRED, committee, rng.randint(25, 60)))
        scale = self.spec.members_per_college / sum(size for *_rest, size in plan)
        for label, kind_of_branch, above, base in plan:
            branch = self.unit(label, Kind.BRANCH, above, kind_of_branch)
            self.populate_branch(rng, college, branch, max(4, round(base * scale)))

        office = next(b for b in college.branches if b.branch_type == BT.OFFICE)
        admin = self.pick(rng, college.members_by_branch[id(office)])
        self.grant(admin, Role.COMMITTEE_ADMIN, committee)
        teachers = self.officers_pool(college, (BT.FACULTY, BT.INSTITUTE, BT.OFFICE))
        for gb in college.general_branches:
            self.grant(
                self.pick(rng, teachers, (Cat.FACULTY, Cat.STAFF)),
                Role.GENERAL_BRANCH_SECRETARY,
                gb,
            )
        quarter = math.ceil(len(college.branches) / 4)
        for start in range(0, len(college.branches), quarter):
            supervisor = self.pick(rng, teachers, (Cat.FACULTY,))
            for branch in college.branches[start : start + quarter]:
                self.grant(supervisor, Role.SUPERVISOR, branch, SUPERVISION_NOTE)
        self.staff_roles(rng, college)

    # -- everything

    def plan(self) -> None:
        if self.spec.colleges == 0:
            self.build_college(None)
            return
        university = self.unit(UNIVERSITY_NAME, Kind.COMMITTEE, None)
        self.build_college(university)
        codes = [code for code in range(1, 100) if code != COLLEGE_CODE]
        for index in range(self.spec.colleges):
            self.build_generated_college(index, university, codes[index])
        self.fake.seed_instance(SEED - 1)
        admin = self.user_for(None, username=UNIVERSITY_ADMIN, name=self.fake.name())
        self.grant(None, Role.COMMITTEE_ADMIN, university, "校党委组织部", user=admin)

    def save(self) -> None:
        every_unit: list[Unit] = []
        for level in sorted(self.levels):
            units = self.levels[level]
            Unit.objects.bulk_create(units, batch_size=500)
            for unit in units:
                parent_path = unit.parent.path if unit.parent is not None else "/"
                unit.path = f"{parent_path}{unit.pk}/"
                unit.depth = unit.path.count("/") - 2
            every_unit += units
        Unit.objects.bulk_update(every_unit, ["path", "depth"], batch_size=500)
        User.objects.bulk_create(self.users, batch_size=500)
        Member.objects.bulk_create(self.members, batch_size=500)
        RoleAssignment.objects.bulk_create(self.assignments, batch_size=500)


def demo_organization_build(size: str) -> None:
    """Write the organisation of `size` (a key of SIZES, see `normalise_size`): its
    units, members, users and role assignments, in bulk. Call inside the demo's
    transaction, on a database that holds no demo (`vanguard.demo.build` sees to both)."""
    builder = _Builder(size)
    builder.plan()
    builder.save()
