"""The kinds of requirement (检查项) a phase can set, and how each is checked.

A `Requirement` row names a kind (its `kind` field is a key of `REGISTRY`) and
carries parameters. Each kind says what it applies to (every member or every
branch), how its parameters are checked, how it reads as a sentence, and how it is
evaluated — in bulk: an evaluator answers for every member or branch of the scope
at once with one aggregate query, never one query per branch.

Campaigns defines no kind itself: the app that owns the data registers its kinds by
calling `register(...)` from its own `requirements` module, which its
`AppConfig.ready` imports (study, meetings, reviews, grading). The same modules fill
the dashboard's figures (`SUBMISSION_READINGS` and the lists beside it). The
progress engine (`campaigns/progress.py`) only ever looks kinds and figures up here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext

if TYPE_CHECKING:
    from vanguard.campaigns.models import Campaign

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
class FormField:
    """Where a choice parameter is entered on the requirement form: a field of its own,
    named apart from the parameter (every kind's parameters share one form)."""

    name: str
    label: Promise | str
    help_text: Promise | str = ""


@dataclass(frozen=True)
class ChoiceParam:
    name: str
    label: Promise | str
    choices: Callable[[], Iterable[tuple[str, Any]]]  # lazily: the models load after us
    default: str | None = None
    allow_none: bool = False  # None stands for "any"
    field: FormField | None = None  # None: not on the requirement form

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

    campaign: Campaign
    paths: list[str]
    now: datetime.datetime = field(default_factory=timezone.now)
    _cache: dict[Any, Any] = field(default_factory=dict)
    _changes: list[datetime.datetime] = field(default_factory=list)
    # Every unit under `paths` (any kind, active or not), when the caller has read them
    # and they are few: rows are then found by their unit's id, through the index on
    # it, instead of by their unit's path, which walks every row of the campaign (a
    # branch's page read the whole university's study works).
    unit_ids: list[int] | None = None

    @property
    def until(self) -> datetime.datetime:
        """Until when what was read stays true without any write: the next local
        midnight (what is due "today"), or sooner, the start of a meeting or session
        entered ahead (`changes_at`), which counts once it has begun."""
        tomorrow = timezone.localdate(self.now) + datetime.timedelta(days=1)
        midnight = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time.min))
        return min([midnight, *self._changes])

    def changes_at(self, when: datetime.datetime) -> None:
        """What was read changes at `when` (a reading that compares with `now`)."""
        if when > self.now:
            self._changes.append(when)

    def under(self, lookup: str) -> Q:
        """Rows whose `lookup` (a unit's path) lies in the scope."""
        if self.unit_ids is not None and (lookup == "path" or lookup.endswith("__path")):
            return Q(**{f"{lookup.removesuffix('path') or 'pk__'}in": self.unit_ids})
        query = Q(pk__in=[])
        for path in self.paths:
            query |= Q(**{f"{lookup}__startswith": path})
        return query

    def shared(self, key: Any, compute: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]


def count_by(queryset: QuerySet, *group_by: str) -> dict[Any, int]:
    """{group: count} in one GROUP BY query (the default ordering would split the groups)."""
    rows = queryset.order_by().values(*group_by).annotate(n=Count("pk")).values_list(*group_by, "n")
    if len(group_by) == 1:
        return {row[0]: row[1] for row in rows}
    return {tuple(row[:-1]): row[-1] for row in rows}


# --- The dashboard's figures, filled by the apps that own them -------------------------
# Beside the requirements the progress dashboard shows figures of its own. Each is a
# list of readings that the app owning the data appends to at start-up (its
# `AppConfig.ready` imports its `requirements` module), so campaigns names none of
# those apps: with nobody to read it, a figure is zero everywhere.

# {member or unit id: count}, for the scope of a Context.
Reading = Callable[[Context], Mapping[int, int]]

# What counts as "having submitted something" for the blind spots (死角):
# {member id: things submitted in the campaign}.
SUBMISSION_READINGS: list[Reading] = []

# Study works (reading notes, reflections, essays) submitted in the campaign, as the
# study page lists a member's works: {member id: works}. One of the submissions above,
# and the only one the member's page and the branch's table call "study works".
STUDY_WORK_READINGS: list[Reading] = []

# Branches with a study plan submitted in the campaign: {branch id: plans}.
PLAN_READINGS: list[Reading] = []

# Meetings held so far in the campaign: {unit id: meetings}.
MEETING_READINGS: list[Reading] = []


@dataclass(frozen=True)
class WeeklyReading:
    """Submissions per week, for the dashboard's chart: one line per kind of submission.

    `count(ctx, bounds)` answers [(kind, [count in each week])] for the kinds with any
    submission in the scope, where week i runs from bounds[i] to bounds[i + 1];
    `kinds()` gives every kind's code and name, in the order the chart lists them."""

    kinds: Callable[[], Iterable[tuple[str, Any]]]
    count: Callable[[Context, Sequence[datetime.datetime]], Iterable[tuple[str, list[int]]]]


WEEKLY_READINGS: list[WeeklyReading] = []


def summed(readings: Iterable[Reading], ctx: Context) -> dict[int, int]:
    """The readings of one figure added up: {id: total}."""
    totals: dict[int, int] = {}
    for reading in readings:
        for key, count in reading(ctx).items():
            totals[key] = totals.get(key, 0) + count
    return totals


# --- The records counted -----------------------------------------------------------------
# Every model whose rows a kind, a figure or the engine reads, registered by the app that
# owns it: after `migrate` each table's writes change the records' version
# (`campaigns.records`), under which the computed progress is kept.

COUNTED_MODELS: list[str] = []  # "app_label.Model"


def counts_records_of(*models: str) -> None:
    """Register models ("app_label.Model") whose rows the app's readings read, or a
    page kept whole shows (campaigns.kept_pages): their writes move the records' version."""
    COUNTED_MODELS.extend(model for model in models if model not in COUNTED_MODELS)


# What the engine itself reads (campaigns.progress and campaigns.selectors).
counts_records_of(
    "campaigns.Campaign",
    "campaigns.Phase",
    "campaigns.Requirement",
    "campaigns.PhaseTransition",
    "organization.Unit",
    "organization.Member",
)
# What every kept page's navigation reads of the person beside their member record: the
# roles they hold (campaigns.kept_pages).
counts_records_of("accounts.RoleAssignment")


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
    # A branch kind's value as the dashboard writes it beside the requirement (e.g.
    # "50%" of a share); None: the dashboard says only whether it is met.
    figure: Callable[[int], str] | None = None


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
