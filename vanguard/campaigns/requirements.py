"""The kinds of requirement (检查项) a phase can set, and how each is checked.

A `Requirement` row names a kind (its `kind` field is a key of `REGISTRY`) and
carries parameters. Each kind here says what it applies to (every member or
every branch), how its parameters are checked, how it reads as a sentence, and
how it is evaluated — in bulk: an evaluator answers for every member or branch
of the scope at once with one aggregate query, never one query per branch.

Later parts of the system (opinions, self-analysis, ballots) add kinds by
calling `register(...)` from their own module; the progress engine
(`campaigns/progress.py`) only ever looks kinds up here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

MEMBER = "member"
BRANCH = "branch"


# --- Parameters -------------------------------------------------------------------


@dataclass(frozen=True)
class IntParam:
    name: str
    label: Promise | str
    default: int = 1
    min_value: int = 0
    max_value: int = 100

    def clean(self, value: Any) -> int:
        if isinstance(value, bool):
            value = None  # JSON true/false is not a number
        try:
            number = int(value) if not isinstance(value, float) or value.is_integer() else None
        except (TypeError, ValueError):
            number = None
        if number is None:
            raise ValidationError(
                gettext("参数“%(label)s”应为整数，收到的是“%(value)s”。")
                % {"label": self.label, "value": value}
            )
        if not self.min_value <= number <= self.max_value:
            raise ValidationError(
                gettext("参数“%(label)s”应在 %(low)d 到 %(high)d 之间，收到的是 %(value)d。")
                % {
                    "label": self.label,
                    "low": self.min_value,
                    "high": self.max_value,
                    "value": number,
                }
            )
        return number


@dataclass(frozen=True)
class ChoiceParam:
    name: str
    label: Promise | str
    choices: Callable[[], Iterable[tuple[str, Any]]]  # lazily: the models load after us
    default: str | None = None
    allow_none: bool = False  # None stands for "any"

    def clean(self, value: Any) -> str | None:
        if value in (None, "") and self.allow_none:
            return None
        valid = {str(code): label for code, label in self.choices()}
        if value not in valid:
            raise ValidationError(
                gettext("参数“%(label)s”的值“%(value)s”不是可选的值（可选：%(choices)s）。")
                % {
                    "label": self.label,
                    "value": value,
                    "choices": gettext("、").join(str(label) for label in valid.values()),
                }
            )
        return str(value)

    def display(self, value: str | None) -> str:
        if value is None:
            return ""
        return str(dict(self.choices()).get(value, value))


Param = IntParam | ChoiceParam


# --- The evaluation context ----------------------------------------------------------


@dataclass
class Context:
    """What an evaluator may read: the campaign, the scope (the subtrees under the
    given unit paths) and a cache shared by the evaluators of one progress run, so
    that two requirements reading the same numbers cost one query."""

    campaign: Any
    paths: list[str]
    now: Any = field(default_factory=timezone.now)
    _cache: dict[Any, Any] = field(default_factory=dict)

    def under(self, lookup: str) -> Q:
        """Rows whose `lookup` (a unit's path) lies in the scope."""
        query = Q(pk__in=[])
        for path in self.paths:
            query |= Q(**{f"{lookup}__startswith": path})
        return query

    def shared(self, key: Any, compute: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]


def _counts(queryset: QuerySet, *group_by: str) -> dict[Any, int]:
    """{group: count} in one GROUP BY query (the default ordering would split the groups)."""
    rows = queryset.order_by().values(*group_by).annotate(n=Count("pk")).values_list(*group_by, "n")
    if len(group_by) == 1:
        return {row[0]: row[1] for row in rows}
    return {tuple(row[:-1]): row[-1] for row in rows}


# --- Shared readings (also used for the blind spots) -------------------------------------


def study_work_counts(ctx: Context) -> dict[tuple[int, str], int]:
    """{(member id, work kind): number submitted in the campaign}, active members only."""
    from vanguard.study.models import StudyWork

    def compute() -> dict[tuple[int, str], int]:
        works = StudyWork.objects.filter(campaign=ctx.campaign, member__is_active=True).filter(
            ctx.under("member__branch__path")
        )
        return _counts(works, "member_id", "kind")

    return ctx.shared("study_work_counts", compute)


def attendance_counts(ctx: Context) -> dict[int, int]:
    """{member id: study sessions attended (present) in the campaign}."""
    from vanguard.study.models import Attendance

    def compute() -> dict[int, int]:
        rows = Attendance.objects.filter(
            session__campaign=ctx.campaign,
            status=Attendance.Status.PRESENT,
            member__is_active=True,
        ).filter(ctx.under("member__branch__path"))
        return _counts(rows, "member_id")

    return ctx.shared("attendance_counts", compute)


def submitted_plans(ctx: Context) -> dict[int, int]:
    """{branch id: 1} for each branch with a submitted study plan in the campaign."""
    from vanguard.study.models import StudyPlan

    def compute() -> dict[int, int]:
        plans = StudyPlan.objects.filter(campaign=ctx.campaign, submitted_at__isnull=False).filter(
            ctx.under("branch__path")
        )
        return dict.fromkeys(plans.values_list("branch_id", flat=True), 1)

    return ctx.shared("submitted_plans", compute)


def sessions_held(ctx: Context) -> dict[int, int]:
    """{unit id: study sessions held so far in the campaign}."""
    from vanguard.study.models import StudySession

    def compute() -> dict[int, int]:
        sessions = StudySession.objects.filter(
            campaign=ctx.campaign, kind=StudySession.Kind.SESSION, starts_at__lte=ctx.now
        ).filter(ctx.under("unit__path"))
        return _counts(sessions, "unit_id")

    return ctx.shared("sessions_held", compute)


def meetings(ctx: Context) -> list[tuple[int, str, Any]]:
    """[(unit id, meeting kind, local date)] of every meeting held so far in the campaign
    in the scope: one query, read by the meeting requirements and the blind spots."""
    from vanguard.meetings.models import Meeting

    def compute() -> list[tuple[int, str, Any]]:
        rows = (
            Meeting.objects.filter(campaign=ctx.campaign, held_at__lte=ctx.now)
            .filter(ctx.under("unit__path"))
            .order_by()
            .values_list("unit_id", "kind", "held_at")
        )
        return [(unit_id, kind, timezone.localdate(held)) for unit_id, kind, held in rows]

    return ctx.shared("meetings", compute)


def meetings_held(ctx: Context) -> dict[int, int]:
    """{unit id: meetings of any kind held so far in the campaign}."""
    held: dict[int, int] = {}
    for unit_id, _kind, _day in meetings(ctx):
        held[unit_id] = held.get(unit_id, 0) + 1
    return held


# What counts as "having submitted something" for the blind spots (死角). Later
# issues append their own readings ({member id: count}) here.
SUBMISSION_READINGS: list[Callable[[Context], Mapping[int, int]]] = []


def _study_work_totals(ctx: Context) -> dict[int, int]:
    totals: dict[int, int] = {}
    for (member_id, _kind), count in study_work_counts(ctx).items():
        totals[member_id] = totals.get(member_id, 0) + count
    return totals


SUBMISSION_READINGS.append(_study_work_totals)


# --- Kinds -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequirementKind:
    code: str
    scope: str  # MEMBER or BRANCH (Requirement.Scope values)
    name: Promise | str  # what the kind is, for the editing form's choice list
    params: tuple[Param, ...]
    describe: Callable[[dict[str, Any]], str]  # cleaned params -> the default label
    # (context, requirement, cleaned params) -> {member or branch id: value reached}
    evaluate: Callable[[Context, Any, dict[str, Any]], Mapping[int, int]]
    target: Callable[[dict[str, Any]], int] = lambda params: int(params.get("min", 1))


REGISTRY: dict[str, RequirementKind] = {}


def register(kind: RequirementKind) -> RequirementKind:
    if kind.code in REGISTRY:
        raise ValueError(f"requirement kind {kind.code!r} is registered twice")
    REGISTRY[kind.code] = kind
    return kind


def get_kind(code: str) -> RequirementKind:
    try:
        return REGISTRY[code]
    except KeyError:
        raise ValidationError(gettext("未知的检查项“%(kind)s”。") % {"kind": code}) from None


def kind_choices() -> list[tuple[str, str]]:
    return [(code, str(kind.name)) for code, kind in REGISTRY.items()]


def scope_of(code: str) -> str:
    return get_kind(code).scope


def validate_params(kind: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """The parameters of a requirement, checked and completed with defaults.

    Raises ValidationError (every problem, each with a Chinese message naming the
    parameter) for an unknown kind, an unknown parameter or a bad value."""
    spec = get_kind(kind)
    params = dict(params or {})
    known = {param.name: param for param in spec.params}
    errors: list[ValidationError] = [
        ValidationError(
            gettext("检查项“%(kind)s”没有参数“%(name)s”。") % {"kind": spec.name, "name": name}
        )
        for name in params
        if name not in known
    ]
    cleaned: dict[str, Any] = {}
    for name, param in known.items():
        try:
            cleaned[name] = param.clean(params[name]) if name in params else param.default
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationError(errors)
    return cleaned


def default_label(kind: str, params: Mapping[str, Any] | None) -> str:
    """How a requirement reads when nobody wrote a label for it."""
    return get_kind(kind).describe(validate_params(kind, params))


def target_of(requirement: Any) -> int:
    spec = get_kind(requirement.kind)
    return spec.target(validate_params(requirement.kind, requirement.params))


# --- The kinds of issue 3 ----------------------------------------------------------------


def _work_kinds() -> list[tuple[str, Any]]:
    from vanguard.study.models import StudyWork

    return list(StudyWork.Kind.choices)


def _meeting_kinds() -> list[tuple[str, Any]]:
    from vanguard.meetings.models import Meeting

    return list(Meeting.Kind.choices)


WORK_KIND = ChoiceParam("kind", _("成果类型"), _work_kinds, default=None, allow_none=True)
MEETING_KIND = ChoiceParam("kind", _("会议类型"), _meeting_kinds, default="mobilisation")


def _describe_works(params: dict[str, Any]) -> str:
    kind = WORK_KIND.display(params["kind"]) or gettext("学习成果")
    return gettext("每名党员提交%(kind)s不少于 %(min)d 篇") % {"kind": kind, "min": params["min"]}


def _evaluate_works(ctx: Context, requirement: Any, params: dict[str, Any]) -> dict[int, int]:
    counts = study_work_counts(ctx)
    wanted = params["kind"]
    values: dict[int, int] = {}
    for (member_id, kind), count in counts.items():
        if wanted is None or kind == wanted:
            values[member_id] = values.get(member_id, 0) + count
    return values


register(
    RequirementKind(
        code="member_study_works",
        scope=MEMBER,
        name=_("党员提交学习成果（读书笔记、心得、论文）"),
        params=(WORK_KIND, IntParam("min", _("最少篇数"), default=1, min_value=1)),
        describe=_describe_works,
        evaluate=_evaluate_works,
    )
)

register(
    RequirementKind(
        code="member_attendance",
        scope=MEMBER,
        name=_("党员参加学习讨论"),
        params=(IntParam("min", _("最少次数"), default=1, min_value=1),),
        describe=lambda params: gettext("每名党员参加学习讨论不少于 %(min)d 次") % params,
        evaluate=lambda ctx, requirement, params: attendance_counts(ctx),
    )
)

register(
    RequirementKind(
        code="branch_study_plan",
        scope=BRANCH,
        name=_("支部提交学习讨论计划"),
        params=(),
        describe=lambda params: gettext("支部提交学习讨论计划"),
        evaluate=lambda ctx, requirement, params: submitted_plans(ctx),
        target=lambda params: 1,
    )
)

register(
    RequirementKind(
        code="branch_study_sessions",
        scope=BRANCH,
        name=_("支部组织学习讨论"),
        params=(IntParam("min", _("最少次数"), default=1, min_value=1),),
        describe=lambda params: gettext("支部组织学习讨论不少于 %(min)d 次") % params,
        evaluate=lambda ctx, requirement, params: sessions_held(ctx),
    )
)


def _evaluate_meeting(ctx: Context, requirement: Any, params: dict[str, Any]) -> dict[int, int]:
    """Meetings of the kind held within the dates of the requirement's phase."""
    phase = requirement.phase
    held: dict[int, int] = {}
    for unit_id, kind, day in meetings(ctx):
        if kind == params["kind"] and phase.starts_on <= day <= phase.ends_on:
            held[unit_id] = held.get(unit_id, 0) + 1
    return held


register(
    RequirementKind(
        code="branch_meeting",
        scope=BRANCH,
        name=_("支部召开会议"),
        params=(MEETING_KIND,),
        describe=lambda params: (
            gettext("支部召开%(kind)s") % {"kind": MEETING_KIND.display(params["kind"])}
        ),
        evaluate=_evaluate_meeting,
        target=lambda params: 1,
    )
)
