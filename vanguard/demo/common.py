"""What more than one step of the demo needs: the college and its branches that the
steps single out, the demo's calendar, and writing rows with the demo's own dates.

Each step (`organization`, `campaigns`, `opinions`, `reviews`, `grading`, `supervision`,
`rectification`, `materials`) imports from here and from no other step; `build` runs
them in order.
"""

from __future__ import annotations

import contextlib
import datetime
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.accounts.models import Role, RoleAssignment, User
from vanguard.audit import signals as audit_signals
from vanguard.audit.models import AuditEntry
from vanguard.organization.models import Member, Unit

if TYPE_CHECKING:
    from faker import Faker

# --- The college and the branches the steps single out -----------------------------

COLLEGE_NAME = "信息学院党委"
# The demo `secretary`'s branch, where the demo `member` belongs: every step leaves
# something in it for the demo accounts to do.
DEMO_BRANCH = "光学工程教工第一党支部"
# Behind on purpose: no mobilisation meeting yet, members missing their notes
# (campaigns), and many members who have not started their self-analysis (reviews).
LAGGING_BRANCHES = (
    "光电硕士生第一党支部",
    "信电本科生第二党支部",
    "控制系硕士生第二党支部",
    "控制系智能系统所党支部",
)
# The seed's branch that returned unqualified summaries and reviewed them again.
STRICT_BRANCH = "光电本科生第二党支部"
# How far each branch has got in the analysis phase (分析评议), as a position on the
# self-analysis ladder of `reviews` (members spread around it); the fastest branches
# (the demo branch aside) are the ones that have held their appraisal vote (`grading`).
BRANCH_PACE = {
    DEMO_BRANCH: 2.0,
    STRICT_BRANCH: 3.6,
    "光学工程教工第二党支部": 8.8,
    "光电博士生党支部": 7.6,
    "光电研究生第二党支部": 6.0,
    "光电研究生第三党支部": 5.4,
    "信电本科生第五党支部": 5.0,
    "控制系本科生党支部": 4.6,
}
# What the democratic appraisal said of a member, good and bad: the round-2 summaries
# (`reviews`) and the grade proposals' rationales (`grading`) use the same phrases.
GOOD_POINTS = ("工作认真负责", "教学效果好", "学习刻苦", "为人正派、团结同志", "服务热情")
BAD_POINTS = ("理论学习不够深入", "参加组织生活不够主动", "联系群众不够", "创新意识不强")
# Why a member missed a meeting or a study session.
ABSENCE_REASONS = (
    "出差",
    "外出参加学术会议",
    "生病请假",
    "带学生实习",
    "在外地调研",
    "家中有事请假",
    "上课冲突",
)
RETIRED_ABSENCE_REASONS = ("身体原因", "住院治疗", "在外地子女处", "行动不便")


class DemoError(Exception):
    """The demo cannot be built here; the message says why, in Chinese."""


def new_faker(locale: str = "zh_CN") -> Faker:
    """A Faker for the demo's names, imported here and only when a builder runs.

    Faker is the `demo` extra, not a production dependency: a server installed with
    `make install` (requirements/base.lock) has none, and starts without it."""
    try:
        from faker import Faker
    except ModuleNotFoundError as error:
        raise DemoError(
            _(
                "生成演示数据需要 Faker，生产环境的安装不含它：请运行 make demo，"
                "或 .venv/bin/pip install --require-hashes -r requirements/demo.lock。"
            )
        ) from error
    return Faker(locale)


# --- Who keeps a branch's meetings ----------------------------------------------------


@dataclass(frozen=True)
class MeetingKeepers:
    """Who records a branch's meeting: its secretary (the actor, and 主持人 by name) and
    a member of its branch committee (记录人), "" where the branch has none."""

    secretary: User | None
    host: str
    recorder: str


def meeting_keepers(branch: Unit) -> MeetingKeepers:
    held = list(
        RoleAssignment.objects.filter(
            unit=branch, role__in=(Role.BRANCH_SECRETARY, Role.BRANCH_COMMITTEE)
        )
        .select_related("user")
        .order_by("pk")
    )
    names = dict(
        Member.objects.filter(user_id__in=[a.user_id for a in held]).values_list("user_id", "name")
    )

    def name(assignment: RoleAssignment | None) -> str:
        if assignment is None:
            return ""
        return names.get(assignment.user_id) or str(assignment.user)

    secretary = next((a for a in held if a.role == Role.BRANCH_SECRETARY), None)
    recorder = next((a for a in held if a.role == Role.BRANCH_COMMITTEE), None)
    return MeetingKeepers(
        secretary=secretary.user if secretary else None,
        host=name(secretary),
        recorder=name(recorder),
    )


def absence_reason(rng: random.Random, member: Member) -> str:
    pool = (
        RETIRED_ABSENCE_REASONS if member.category == Member.Category.RETIRED else ABSENCE_REASONS
    )
    return rng.choice(pool)


def absences(
    rng: random.Random, attendees: Sequence[Member], count: int, *, spare: User | None = None
) -> dict[int, str]:
    """`count` of the attendees absent, each with a reason (member id -> reason), for a
    meeting recorded through `meetings.services`; never `spare` (the person who hosts it)."""
    may_miss = [m for m in attendees if spare is None or m.user_id != spare.pk]
    chosen = rng.sample(may_miss, max(0, min(count, len(may_miss))))
    return {m.pk: absence_reason(rng, m) for m in sorted(chosen, key=lambda m: m.number)}


# --- The demo's calendar --------------------------------------------------------------

TZ = ZoneInfo("Asia/Shanghai")
YEAR = 2026  # the campaign's year: the demo stands in May of it


def demo_time(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime.datetime:
    """A moment of the demo's year, in the college's time zone."""
    return datetime.datetime(YEAR, month, day, hour, minute, tzinfo=TZ)


@contextlib.contextmanager
def dated(model: type[models.Model], *names: str) -> Iterator[None]:
    """Within the block, `bulk_create` keeps the dates set on the objects in the named
    fields of `model`: auto_now / auto_now_add would stamp the time of the build, and
    the demo stands in May."""
    # DateTimeField and DateField: both have auto_now and auto_now_add.
    fields: list[Any] = [model._meta.get_field(name) for name in names]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    try:
        for f in fields:
            f.auto_now = f.auto_now_add = False
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


@contextlib.contextmanager
def on_day(month: int, day: int, hour: int = 10) -> Iterator[datetime.datetime]:
    """Within the block, the clock (`django.utils.timezone.now`, which the services, the
    models' auto dates and the audit trail read) stands at the demo's moment: the steps
    that write through the services (`supervision`, `rectification`) date each write so."""
    moment = demo_time(month, day, hour)
    real = timezone.now
    timezone.now = lambda: moment  # type: ignore[assignment]
    try:
        yield moment
    finally:
        timezone.now = real  # type: ignore[assignment]


@contextlib.contextmanager
def unaudited() -> Iterator[None]:
    """Within the block nothing goes into the audit trail: the demo's builder acts as no
    person, as every step's (the services name their actor, and the trail is
    append-only, so the demo could neither be reset nor kept by the tests). So the
    supervision sample's population is not recorded either, and its check says so.

    The trail's save signals are disconnected too: they would read every row again
    before it is saved (its "before"), only for an entry that is never written."""
    signals = (
        (pre_save, "audit_before_save"),
        (post_save, "audit_after_save"),
        (post_delete, "audit_after_delete"),
    )
    for signal, uid in signals:
        signal.disconnect(dispatch_uid=uid)
    manager = AuditEntry.objects
    real_save = AuditEntry.save

    def save(entry: AuditEntry, *args: Any, **kwargs: Any) -> None:
        return None

    def bulk_create(entries: Iterable[AuditEntry], *args: Any, **kwargs: Any) -> list:
        return []

    AuditEntry.save = save  # type: ignore[method-assign,assignment]
    manager.bulk_create = bulk_create  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        AuditEntry.save = real_save  # type: ignore[method-assign]
        del manager.bulk_create
        audit_signals.connect()
