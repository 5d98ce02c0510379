"""Progress (进展) against phase requirements: per member, per branch, rolled up to
general branches and the college along `Unit.path`, with the blind spots (死角)
and the lagging branches.

The engine reads a scope — one or more subtrees of the campaign's unit — with a
fixed number of queries, whatever the number of branches or members: the
units, the members, where each branch stands (`selectors.current_phases`), the
requirements, one aggregate query per kind of reading, and one for submissions by
week. The readings come from the apps that own the data, through the registry in
`requirements.py`; everything else is arithmetic in Python.

Contract used by phase gating:
    branch_requirements_met(*, campaign, branch, phase) -> tuple[bool, list[str]]
returns whether every requirement of `phase` is met for `branch` (and all its
members), and the labels of those that are not.

A computed run is kept in the cache under the records' version (`records.py`: the
database adds one to it at every write to a table the engine reads), so the next
page asking the same question of the same scope reads it instead of computing it
again, until a counted write, midnight or the start of the next meeting or study
session already entered (what counts as held depends on the hour: `Context.until`).
Only outside a transaction: inside one, what is read may not be committed yet.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language

from vanguard.campaigns import kept_pages, records
from vanguard.campaigns import requirements as kinds
from vanguard.campaigns.models import Campaign, Phase, Requirement
from vanguard.campaigns.selectors import current_phases
from vanguard.lib.paths import path_ids
from vanguard.organization.models import Member, Unit

ROLLUP_KINDS = (Unit.Kind.COMMITTEE, Unit.Kind.GENERAL_BRANCH, Unit.Kind.BRANCH)
# Up to this many units, rows of the scope are found by their units' ids (an index
# lookup per unit) rather than by a prefix of their paths (a walk over every row of
# the organisation or the campaign); past it the scope is much of the organisation
# and a long list of ids would cost more than the walk.
SCOPE_ID_LIMIT = 64


@dataclass
class RequirementResult:
    requirement: Requirement
    target: int
    done: int  # members (or 1 for the branch) who meet it
    total: int  # members (or 1 for the branch) it applies to
    value: int | None = None  # a branch requirement: what the branch has reached

    @property
    def label(self) -> str:
        return self.requirement.label

    @property
    def is_member_scope(self) -> bool:
        return self.requirement.scope == Requirement.Scope.MEMBER

    @property
    def met(self) -> bool:
        return self.done >= self.total

    @property
    def share(self) -> float:
        return self.done / self.total if self.total else 1.0

    @property
    def percent(self) -> int:
        return round(self.share * 100)

    @property
    def figure(self) -> str:
        """What a branch has reached, as its kind writes it ("50%"); "" when the kind
        only says met or not."""
        if self.is_member_scope or self.value is None:
            return ""
        spec = kinds.REGISTRY.get(self.requirement.kind)
        return spec.figure(self.value) if spec is not None and spec.figure else ""


@dataclass
class MemberItem:
    label: str
    value: int
    target: int
    # The requirement it answers (its kind and parameters say where the member does it:
    # the home page's to-do links each item there).
    requirement: Requirement | None = None

    @property
    def done(self) -> bool:
        return self.value >= self.target


@dataclass
class MemberProgress:
    id: int
    name: str
    number: str
    branch_id: int
    items: list[MemberItem] = field(default_factory=list)
    submitted: int = 0  # everything submitted in the campaign (notes, reflections, …)
    study_works: int = 0  # of which study works, as the study page lists them

    @property
    def has_requirements(self) -> bool:
        """Whether the phase judged sets this member any individual requirement."""
        return bool(self.items)

    @property
    def complete(self) -> bool:
        return all(item.done for item in self.items)

    @property
    def counts_complete(self) -> bool:
        """Counted among the members who completed their individual requirements: a
        phase that sets none leaves the member out of the figure (counting them would
        put members who submitted nothing among those who completed everything)."""
        return self.has_requirements and self.complete

    @property
    def missing(self) -> list[MemberItem]:
        return [item for item in self.items if not item.done]

    @property
    def is_blind_spot(self) -> bool:
        return self.submitted == 0


@dataclass
class UnitProgress:
    """A unit's progress. A branch carries its own results; every unit carries the
    rollup of the branches in its subtree (a branch's rollup is itself)."""

    id: int
    name: str
    kind: str
    path: str
    depth: int
    parent_id: int | None
    children: list[UnitProgress] = field(default_factory=list)
    # Branches only.
    phase: Phase | None = None
    results: list[RequirementResult] = field(default_factory=list)
    members: list[MemberProgress] = field(default_factory=list)
    has_plan: bool = False
    has_meeting: bool = False
    behind: float = 0.0  # phases behind the campaign, plus the share not yet done
    # Rollup over the branches of the subtree.
    branch_shares: list[float] = field(default_factory=list)
    branches_met: int = 0
    members_total: int = 0
    members_required: int = 0  # members the judged phase sets individual requirements
    members_complete: int = 0  # of those, the ones who met every one
    silent_members: int = 0
    without_plan: int = 0
    without_meeting: int = 0
    phase_counts: dict[Phase, int] = field(default_factory=dict)  # phase -> branches in it

    @property
    def is_branch(self) -> bool:
        return self.kind == Unit.Kind.BRANCH

    @property
    def branch_count(self) -> int:
        return len(self.branch_shares)

    @property
    def share(self) -> float:
        if not self.branch_shares:
            return 1.0
        return sum(self.branch_shares) / len(self.branch_shares)

    @property
    def percent(self) -> int:
        return round(self.share * 100)

    @property
    def met(self) -> bool:
        return self.branches_met == self.branch_count

    @property
    def unmet_labels(self) -> list[str]:
        return [result.label for result in self.results if not result.met]

    @property
    def blind_spot_members(self) -> list[MemberProgress]:
        return [member for member in self.members if member.is_blind_spot]

    @property
    def phase_summary(self) -> list[tuple[Phase, int]]:
        return sorted(self.phase_counts.items(), key=lambda item: item[0].order)


@dataclass
class Progress:
    campaign: Campaign
    phases: list[Phase]
    lead_phase: Phase | None  # where the campaign as a whole stands
    judged_phase: Phase | None  # the phase every branch was judged against; None: its own
    roots: list[UnitProgress]
    units: dict[int, UnitProgress]
    ancestors: list[UnitProgress] = field(default_factory=list)  # above a single root
    weekly: list[dict[str, Any]] = field(default_factory=list)
    # Until when the run holds without a counted write (Context.until).
    until: datetime.datetime | None = None

    # The lists below are worked out once per run (a dashboard's template asks for
    # some of them twice, over every branch and member of a university).

    @cached_property
    def branches(self) -> list[UnitProgress]:
        return sorted(
            (unit for unit in self.units.values() if unit.is_branch), key=lambda u: u.path
        )

    def members(self) -> list[MemberProgress]:
        return [member for branch in self.branches for member in branch.members]

    @cached_property
    def blind_spot_members(self) -> list[MemberProgress]:
        """The members who submitted nothing (empty for a run without members: count
        them with `silent_members`)."""
        return [member for member in self.members() if member.is_blind_spot]

    @cached_property
    def silent_members(self) -> int:
        """How many members submitted nothing (each branch's own count, added up)."""
        return sum(branch.silent_members for branch in self.branches)

    @cached_property
    def branches_without_plan(self) -> list[UnitProgress]:
        return [branch for branch in self.branches if not branch.has_plan]

    @cached_property
    def branches_without_meeting(self) -> list[UnitProgress]:
        return [branch for branch in self.branches if not branch.has_meeting]

    @cached_property
    def blind_spot_branches(self) -> list[tuple[UnitProgress, int]]:
        """Branches with members who submitted nothing, and how many (a branch's rollup
        is itself: its `silent_members` are its own)."""
        return [
            (branch, branch.silent_members) for branch in self.branches if branch.silent_members
        ]

    @cached_property
    def lagging(self) -> list[UnitProgress]:
        """Branches that have not met their phase's requirements, furthest behind first."""
        behind = [branch for branch in self.branches if not branch.met]
        return sorted(behind, key=lambda branch: (-branch.behind, branch.share, branch.path))

    def member(self, member_id: int) -> MemberProgress | None:
        for branch in self.branches:
            for member in branch.members:
                if member.id == member_id:
                    return member
        return None


def lead_phase(phases: list[Phase], today: datetime.date | None = None) -> Phase | None:
    """The campaign's phase now: the latest open one, else the one whose dates hold today."""
    if not phases:
        return None
    open_phases = [phase for phase in phases if phase.status == Phase.Status.OPEN]
    if open_phases:
        return max(open_phases, key=lambda phase: phase.order)
    today = today or timezone.localdate()
    for phase in phases:
        if phase.starts_on <= today <= phase.ends_on:
            return phase
    started = [phase for phase in phases if phase.starts_on <= today]
    return max(started, key=lambda phase: phase.order) if started else phases[0]


def _minimal_paths(paths: Iterable[str]) -> list[str]:
    """Drop the paths that lie under another one (a subtree counted once)."""
    found: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(kept) for kept in found):
            found.append(path)
    return found


@dataclass
class _Scope:
    """One read of a scope: what judging it against any phase needs — the units, the
    active members by branch, where each branch stands, every requirement's readings
    and the figures beside them. Judging it (`_judged`) makes no query, so several
    phases judged on one read (the workbook's sheets) cost one read."""

    campaign: Campaign
    ctx: kinds.Context
    phases: list[Phase]
    lead: Phase | None
    # The committees, general branches and branches of the scope (and above a single
    # root, the ones inside the campaign), active ones only, in path order.
    unit_rows: list[tuple[int, str, str, str, int, int | None]]
    above: set[int]
    groups_of: dict[int, list[int]]  # branch -> its party groups
    branch_ids: list[int]
    where: dict[int, Phase]  # branch -> the phase it is in
    by_phase: dict[int, list[Requirement]]
    member_ids: dict[int, list[int]]  # branch -> its active members (by number with rows)
    # branch -> (id, name, number) by number; None: the members are counted, not listed.
    member_rows: dict[int, list[tuple[int, str, str]]] | None
    values: dict[int, dict[Any, int]]  # requirement -> {member or branch id: value reached}
    targets: dict[int, int]
    submitted: dict[int, int]
    study_works: dict[int, int]
    plans: dict[int, int]
    meetings: dict[int, int]


def _scope_read(*, campaign: Campaign, roots: Iterable[Unit], members: bool = True) -> _Scope:
    paths = _minimal_paths(root.path for root in roots)
    ctx = kinds.Context(campaign=campaign, paths=paths)

    # The units above a single root, inside the campaign, come in the same query
    # (for the breadcrumbs).
    above: set[int] = set()
    if len(paths) == 1:
        ids = path_ids(paths[0])
        campaign_depth = campaign.unit.path.count("/") - 2
        above = set(ids[campaign_depth:-1]) if paths[0].startswith(campaign.unit.path) else set()
    # The party groups come too, in the same query: their meetings are their branch's.
    # Every unit of the scope comes, inactive ones too: their ids let the readings
    # find the scope's rows by unit (Context.unit_ids).
    rows = (
        Unit.objects.filter(ctx.under("path") | Q(pk__in=above))
        .order_by("path")
        .values_list("id", "name", "kind", "path", "depth", "parent_id", "is_active")
    )
    unit_rows: list[tuple[int, str, str, str, int, int | None]] = []
    groups_of: dict[int, list[int]] = defaultdict(list)
    scope_ids: list[int] = []
    branch_ids: list[int] = []
    for pk, name, kind, path, depth, parent_id, is_active in rows:
        if pk not in above:
            scope_ids.append(pk)
        if not is_active or kind not in (*ROLLUP_KINDS, Unit.Kind.PARTY_GROUP):
            continue
        if kind == Unit.Kind.PARTY_GROUP:
            if parent_id is not None:
                groups_of[parent_id].append(pk)
            continue
        unit_rows.append((pk, name, kind, path, depth, parent_id))
        if kind == Unit.Kind.BRANCH and pk not in above:
            branch_ids.append(pk)
    if len(scope_ids) <= SCOPE_ID_LIMIT:
        ctx.unit_ids = scope_ids

    phases = sorted(campaign.phases.all(), key=lambda p: p.order)
    where = current_phases(campaign=campaign, branch_ids=branch_ids) if branch_ids else {}
    by_phase: dict[int, list[Requirement]] = defaultdict(list)
    # Every phase's requirements are evaluated, not only those of the phases the
    # branches are in: the number of queries then depends on the campaign's
    # requirements alone, never on where the branches stand.
    for requirement in Requirement.objects.filter(phase__campaign=campaign).select_related("phase"):
        by_phase[requirement.phase_id].append(requirement)

    # Found by their branch's id when the scope is small (Context.unit_ids): by the
    # branch's path, a member's own page read every member of the organisation.
    branches = set(branch_ids)
    member_ids: dict[int, list[int]] = defaultdict(list)
    member_rows: dict[int, list[tuple[int, str, str]]] | None = None
    active = Member.objects.filter(ctx.under("branch__path"), is_active=True)
    if members:
        member_rows = defaultdict(list)
        for pk, name, number, branch_id in active.order_by("number").values_list(
            "id", "name", "number", "branch_id"
        ):
            if branch_id in branches:
                member_ids[branch_id].append(pk)
                member_rows[branch_id].append((pk, name, number))
    else:
        for pk, branch_id in active.order_by().values_list("id", "branch_id"):
            if branch_id in branches:
                member_ids[branch_id].append(pk)

    # One evaluation per requirement over the whole scope (its readings are shared).
    values: dict[int, dict[Any, int]] = {}
    targets: dict[int, int] = {}
    for requirement_list in by_phase.values():
        for requirement in requirement_list:
            try:
                spec = kinds.get_kind(requirement.kind)
                params = kinds.validate_params(requirement.kind, requirement.params)
            except ValidationError:
                # A kind that no longer exists, or bad stored parameters: nobody meets it.
                values[requirement.pk], targets[requirement.pk] = {}, 1
                continue
            values[requirement.pk] = dict(spec.evaluate(ctx, requirement, params))
            targets[requirement.pk] = spec.target(params)

    return _Scope(
        campaign=campaign,
        ctx=ctx,
        phases=phases,
        lead=lead_phase(phases),
        unit_rows=unit_rows,
        above=above,
        groups_of=groups_of,
        branch_ids=branch_ids,
        where=where,
        by_phase=by_phase,
        member_ids=member_ids,
        member_rows=member_rows,
        values=values,
        targets=targets,
        # The figures beside the requirements, read by the apps that own them.
        submitted=kinds.summed(kinds.SUBMISSION_READINGS, ctx),
        study_works=kinds.summed(kinds.STUDY_WORK_READINGS, ctx),
        plans=kinds.summed(kinds.PLAN_READINGS, ctx),
        meetings=kinds.summed(kinds.MEETING_READINGS, ctx),
    )


def _judged(scope: _Scope, phase: Phase | None) -> Progress:
    """The scope's progress with every branch judged against `phase` (None: its own).
    Arithmetic only; a run of its own objects, which callers may keep. Without the
    scope's member rows, branches list no members (`UnitProgress.members` is empty)
    but every count is the same."""
    units: dict[int, UnitProgress] = {}
    ancestors: list[UnitProgress] = []
    for pk, name, kind, path, depth, parent_id in scope.unit_rows:
        unit = UnitProgress(
            id=pk, name=name, kind=kind, path=path, depth=depth, parent_id=parent_id
        )
        if pk in scope.above:
            ancestors.append(unit)
        else:
            units[pk] = unit

    where, values, targets, lead = scope.where, scope.values, scope.targets, scope.lead
    submitted, study_works = scope.submitted, scope.study_works
    # The phase whose requirements each branch is judged against: its own, or `phase`.
    judged_in = where if phase is None else dict.fromkeys(scope.branch_ids, phase)
    member_scope = Requirement.Scope.MEMBER
    for branch_id in scope.branch_ids:
        branch = units[branch_id]
        branch.phase = where.get(branch_id)
        ids = scope.member_ids.get(branch_id, [])
        members = [
            MemberProgress(
                id=pk,
                name=name,
                number=number,
                branch_id=branch_id,
                submitted=submitted.get(pk, 0),
                study_works=study_works.get(pk, 0),
            )
            for pk, name, number in (
                scope.member_rows.get(branch_id, ()) if scope.member_rows is not None else ()
            )
        ]
        branch.members = members
        branch.has_plan = bool(scope.plans.get(branch_id))
        # Held a meeting: the branch, or one of its party groups (as the workbook's
        # line of the branch counts them, materials.figures).
        branch.has_meeting = any(
            scope.meetings.get(unit_id)
            for unit_id in (branch_id, *scope.groups_of.get(branch_id, ()))
        )
        judged = judged_in.get(branch_id)
        # Members who fall short of some individual requirement (by their place).
        short: set[int] = set()
        required = 0
        for requirement in scope.by_phase.get(judged.pk, []) if judged else []:
            reached, target = values[requirement.pk], targets[requirement.pk]
            if requirement.scope == member_scope:
                required = len(ids)
                label = requirement.label
                done = 0
                for index, pk in enumerate(ids):
                    value = reached.get(pk, 0)
                    if members:
                        members[index].items.append(MemberItem(label, value, target, requirement))
                    if value >= target:
                        done += 1
                    else:
                        short.add(index)
                result = RequirementResult(requirement, target, done, len(ids))
            else:
                value = reached.get(branch_id, 0)
                result = RequirementResult(requirement, target, int(value >= target), 1, value)
            branch.results.append(result)
        share = (
            sum(result.share for result in branch.results) / len(branch.results)
            if branch.results
            else 1.0
        )
        phases_behind = (lead.order - branch.phase.order) if lead and branch.phase else 0
        branch.behind = max(phases_behind, 0) + (1 - share)
        met = all(result.met for result in branch.results)
        # MemberProgress.has_requirements, .counts_complete and .is_blind_spot, counted.
        complete = required - len(short) if required else 0
        silent = sum(1 for pk in ids if not submitted.get(pk, 0))
        # Roll the branch up to itself and every unit above it in the scope.
        for unit_id in path_ids(branch.path):
            rolled = units.get(unit_id)
            if rolled is None:
                continue
            rolled.branch_shares.append(share)
            rolled.branches_met += met
            rolled.members_total += len(ids)
            rolled.members_required += required
            rolled.members_complete += complete
            rolled.silent_members += silent
            rolled.without_plan += not branch.has_plan
            rolled.without_meeting += not branch.has_meeting
            if branch.phase:
                rolled.phase_counts[branch.phase] = rolled.phase_counts.get(branch.phase, 0) + 1

    tops: list[UnitProgress] = []
    for unit in units.values():
        parent = units.get(unit.parent_id) if unit.parent_id else None
        if parent is not None:
            parent.children.append(unit)
        else:
            tops.append(unit)

    return Progress(
        campaign=scope.campaign,
        phases=scope.phases,
        lead_phase=lead,
        judged_phase=phase,
        roots=tops,
        units=units,
        ancestors=sorted(ancestors, key=lambda unit: unit.depth),
    )


# The longest a computed run is kept (a counted write, midnight or the next meeting's
# start end it sooner).
KEPT_SECONDS = 3600


def kept(parts: tuple[Any, ...], compute: Callable[[], tuple[Any, datetime.datetime]]) -> Any:
    """`compute()`'s result — (result, valid until) — kept in the cache under the
    records' version, read before anything it counts, and `parts`: a run of the engine,
    or a page made from one (views_progress). Outside a transaction only."""
    if transaction.get_connection().in_atomic_block:
        return compute()[0]
    described = repr((records.stamp(), get_language(), *parts)).encode()
    key = "vanguard:progress:" + hashlib.sha256(described).hexdigest()
    found = cache.get(key)
    if found is not None:
        return found
    result, until = compute()
    seconds = min(KEPT_SECONDS, int((until - timezone.now()).total_seconds()))
    if seconds > 0:
        cache.set(key, result, seconds)
    return result


def campaign_progress(
    *,
    campaign: Campaign,
    roots: Iterable[Unit],
    phase: Phase | None = None,
    weekly: bool = False,
    members: bool = True,
    kept_run: bool = True,
) -> Progress:
    """Progress of the subtrees under `roots` (units inside the campaign's unit).

    With `phase`, every branch is judged against that phase's requirements instead
    of the phase it is in (phase gating asks "are the requirements of X met?"; the
    dashboards look ahead or back); `UnitProgress.phase` stays the phase it is in.
    With `weekly`, also the submissions per week (for the chart). Without `members`,
    the branches' members are counted but not listed (`UnitProgress.members` and
    `Progress.members()` are empty): what a page above the branches shows, for less
    work over a university's members. `kept_run=False`: computed, not kept (a caller
    that keeps what it makes of it)."""
    roots = list(roots)

    def compute() -> tuple[Progress, datetime.datetime]:
        scope = _scope_read(campaign=campaign, roots=roots, members=members)
        progress = _judged(scope, phase)
        if weekly:
            phases = scope.phases
            since = phases[0].starts_on if phases else timezone.localdate(campaign.created_at)
            # The chart ends today, or where the started phases end if that is earlier
            # (a campaign looked at after its time shows its own weeks, not empty ones).
            started = [p.ends_on for p in phases if p.status != Phase.Status.PENDING]
            until = min([timezone.localdate(scope.ctx.now), *started[-1:]])
            progress.weekly = submissions_by_week(scope.ctx, since=since, until=until)
        progress.until = scope.ctx.until
        return progress, progress.until

    if not kept_run:
        progress = compute()[0]
    else:
        paths = tuple(_minimal_paths(root.path for root in roots))
        key = ("one", campaign.pk, paths, members, phase.pk if phase else None, weekly)
        progress = kept(key, compute)
    # A page kept whole that shows this run is kept no longer than the run holds.
    kept_pages.valid_until(progress.until)
    return progress


def campaign_progress_by_phase(
    *,
    campaign: Campaign,
    roots: Iterable[Unit],
    phases: Sequence[Phase | None],
    members: bool = True,
) -> list[Progress]:
    """`campaign_progress(..., phase=p, members=members)` for each p of `phases`, from
    one read of the scope: the same figures as one call per phase, for the queries of
    one. Not kept: the workbook and the reports read it once per file, and a
    university's runs would cost more to store than to compute again."""
    scope = _scope_read(campaign=campaign, roots=roots, members=members)
    return [_judged(scope, phase) for phase in phases]


WEEKS_CHARTED = 26


def submissions_by_week(
    ctx: kinds.Context, *, since: datetime.date, until: datetime.date | None = None
) -> list[dict[str, Any]]:
    """[{"week": Monday, "kind": kind of submission, "count": n}] for the scope's active
    members, from the week of `since` to the week of `until` (default today; at most
    the last WEEKS_CHARTED weeks), as the apps that own the submissions count them
    (`requirements.WEEKLY_READINGS`)."""
    today = until or timezone.localdate(ctx.now)
    this_monday = today - datetime.timedelta(days=today.weekday())
    first = since - datetime.timedelta(days=since.weekday())
    first = max(first, this_monday - datetime.timedelta(weeks=WEEKS_CHARTED - 1))
    mondays = []
    while first <= this_monday:
        mondays.append(first)
        first += datetime.timedelta(weeks=1)
    if not mondays:
        return []
    bounds = [
        timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        for day in [*mondays, mondays[-1] + datetime.timedelta(weeks=1)]
    ]
    return [
        {"week": monday, "kind": kind, "count": counts[index]}
        for reading in kinds.WEEKLY_READINGS
        for kind, counts in reading.count(ctx, bounds)
        for index, monday in enumerate(mondays)
    ]


def branch_requirements_met(
    *, campaign: Campaign, branch: Unit, phase: Phase
) -> tuple[bool, list[str]]:
    progress = campaign_progress(campaign=campaign, roots=[branch], phase=phase)
    result = progress.units.get(branch.pk)
    if result is None:  # an inactive branch, or not a branch
        return False, []
    unmet = result.unmet_labels
    return not unmet, unmet


def member_progress(
    *, campaign: Campaign, member: Member
) -> tuple[UnitProgress | None, MemberProgress | None]:
    """A member's own progress (and their branch's phase), nobody else's."""
    progress = campaign_progress(campaign=campaign, roots=[member.branch])
    branch = progress.units.get(member.branch_id)
    return branch, progress.member(member.pk)
