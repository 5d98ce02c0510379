"""Reads for the organisation pages: the unit tree with member counts, rosters,
officers, transfer history and search.

Query counts never grow with the size of the organisation: a tree is two
queries (its units, then one aggregate of members per branch and party group),
and the counts are rolled up to every ancestor in Python along `Unit.path`.
Callers pass querysets already limited by `organization.access`; who holds a role
over a unit comes from the vocabulary in `accounts.access`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from vanguard.accounts import access as accounts_access
from vanguard.accounts.access import Person
from vanguard.accounts.models import Role, RoleAssignment
from vanguard.lib.paths import path_ids
from vanguard.organization import access
from vanguard.organization.models import Member, MemberTransfer, Unit

ROSTER_PAGE_SIZE = 50
SEARCH_LIMIT = 20

# The roles that make someone an officer (干部) of a unit, in the order a page lists them.
OFFICER_ROLES = (
    Role.COMMITTEE_ADMIN,
    Role.GENERAL_BRANCH_SECRETARY,
    Role.BRANCH_SECRETARY,
    Role.BRANCH_COMMITTEE,
    Role.GROUP_LEADER,
)


@dataclass
class Counts:
    total: int = 0
    probationary: int = 0

    @property
    def formal(self) -> int:
        return self.total - self.probationary

    def add(self, total: int, probationary: int) -> None:
        self.total += total
        self.probationary += probationary


@dataclass
class TreeNode:
    unit: Unit
    counts: Counts = field(default_factory=Counts)
    children: list[TreeNode] = field(default_factory=list)
    counts_visible: bool = True

    @property
    def total(self) -> int:
        return self.counts.total

    @property
    def probationary(self) -> int:
        return self.counts.probationary

    @property
    def formal(self) -> int:
        return self.counts.formal

    def walk(self) -> Iterable[TreeNode]:
        yield self
        for child in self.children:
            yield from child.walk()


def under_paths(paths: Iterable[str], field_name: str = "path") -> Q:
    """Rows whose `field_name` lies under any of the paths (nothing if there are none)."""
    query = Q(pk__in=[])
    for prefix in paths:
        query |= Q(**{f"{field_name}__startswith": prefix})
    return query


def outermost(paths: Iterable[str]) -> list[str]:
    """Drop every path that lies under another one of the list."""
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(prefix) for prefix in kept):
            kept.append(path)
    return kept


def member_counts(units: QuerySet[Unit], members: Q | None = None) -> list[dict[str, Any]]:
    """Active members per (branch, party group) within the given units (or matching
    `members`): one aggregate query."""
    if members is None:
        ids = units.order_by().values("pk")
        members = Q(branch_id__in=ids) | Q(party_group_id__in=ids)
    return list(
        Member.objects.filter(is_active=True)
        .filter(members)
        .order_by()
        .values("branch_id", "branch__path", "party_group_id")
        .annotate(
            total=Count("pk"),
            probationary=Count("pk", filter=Q(standing=Member.Standing.PROBATIONARY)),
        )
    )


def _sort_key(node: TreeNode) -> tuple[int, int]:
    return (node.unit.sort_order, node.unit.pk)


def build_tree(units: QuerySet[Unit], members: Q | None = None) -> list[TreeNode]:
    """The given units as a forest (a unit whose parent is not among them is a root),
    each node counting the active members in its subtree. Two queries. Pass `members`
    when the units leave out branches whose members must still be counted."""
    nodes = {unit.pk: TreeNode(unit) for unit in units.order_by("path")}
    for row in member_counts(units, members):
        credited = {pk for pk in path_ids(row["branch__path"]) if pk in nodes}
        if row["party_group_id"] in nodes:
            credited.add(row["party_group_id"])
        for pk in credited:
            nodes[pk].counts.add(row["total"], row["probationary"])
    roots: list[TreeNode] = []
    for node in nodes.values():
        parent = nodes.get(node.unit.parent_id) if node.unit.parent_id else None
        (parent.children if parent else roots).append(node)
    for node in nodes.values():
        node.children.sort(key=_sort_key)
    roots.sort(key=lambda node: (node.unit.path.count("/"), *_sort_key(node)))
    return roots


@dataclass
class TreeSummary:
    counts: Counts
    branches: int


def summarize(roots: list[TreeNode]) -> TreeSummary:
    """Totals over a forest: its members (roots are disjoint subtrees) and its branches."""
    counts = Counts()
    for root in roots:
        counts.add(root.total, root.probationary)
    branches = sum(
        1 for root in roots for node in root.walk() if node.unit.kind == Unit.Kind.BRANCH
    )
    return TreeSummary(counts=counts, branches=branches)


def mark_visible_counts(user: Person, roots: list[TreeNode]) -> list[TreeNode]:
    """Counts show only where the user may list the members (a member sees their branch's name)."""
    for root in roots:
        for node in root.walk():
            node.counts_visible = access.can_list_unit_members(user, node.unit)
    return roots


def tree_under(paths: Iterable[str]) -> list[TreeNode]:
    """The active units under the given paths, as a tree with counts."""
    return build_tree(Unit.objects.filter(under_paths(outermost(paths)), is_active=True))


def unit_counts(unit: Unit) -> tuple[Counts, list[TreeNode]]:
    """A unit's own counts and its direct children with theirs (without their own subtrees,
    so that a university committee's page does not list every branch)."""
    roots = build_tree(
        unit.subtree().filter(is_active=True, depth__lte=unit.depth + 1),
        members=Q(branch__path__startswith=unit.path) | Q(party_group__path__startswith=unit.path),
    )
    for root in roots:
        if root.unit.pk == unit.pk:
            return root.counts, root.children
    return Counts(), []


# --- Rosters ------------------------------------------------------------------


def unit_members(unit: Unit) -> Q:
    """The members who belong to a unit: its own (branch or party group) or those below it."""
    if unit.kind == Unit.Kind.BRANCH:
        return Q(branch_id=unit.pk)
    if unit.kind == Unit.Kind.PARTY_GROUP:
        return Q(party_group_id=unit.pk)
    return Q(branch__path__startswith=unit.path)


def unit_roster(user: Person, unit: Unit, *, include_inactive: bool = False) -> QuerySet[Member]:
    """The roster of a unit as this user may see it, with what a roster table shows."""
    members = access.visible_members(user).filter(unit_members(unit))
    if not include_inactive:
        members = members.filter(is_active=True)
    return members.select_related("branch", "party_group").order_by(
        "branch__path", "party_group__path", "number"
    )


# --- Officers -----------------------------------------------------------------


@dataclass
class Officer:
    role: str
    role_label: str
    name: str
    unit: Unit
    member_id: int | None


def _officer(assignment: RoleAssignment) -> Officer:
    try:
        member = assignment.user.member
    except Member.DoesNotExist:
        member = None
    return Officer(
        role=assignment.role,
        role_label=assignment.get_role_display(),
        name=member.name if member else str(assignment.user),
        unit=assignment.unit,
        member_id=member.pk if member else None,
    )


def unit_officers(unit: Unit) -> list[Officer]:
    """Officers of a unit and of the party groups directly under it, by rank."""
    units = Unit.objects.filter(Q(pk=unit.pk) | Q(parent=unit, kind=Unit.Kind.PARTY_GROUP))
    assignments = (
        accounts_access.grants_over(units.values("pk"), OFFICER_ROLES)
        .select_related("user", "user__member", "unit")
        .order_by("unit__path", "pk")
    )
    officers = [_officer(a) for a in assignments]
    rank: dict[str, int] = {str(role): index for index, role in enumerate(OFFICER_ROLES)}
    officers.sort(key=lambda o: (o.unit.depth, rank[o.role]))
    return officers


def secretaries_of(branch_ids: Iterable[int]) -> dict[int, list[str]]:
    """The names of the branch secretaries of each branch: one query."""
    found: dict[int, list[str]] = {}
    assignments = accounts_access.grants_over(branch_ids, [Role.BRANCH_SECRETARY]).select_related(
        "user", "user__member", "unit"
    )
    for assignment in assignments.order_by("pk"):
        found.setdefault(assignment.unit_id, []).append(_officer(assignment).name)
    return found


# --- Members ------------------------------------------------------------------


def member_transfers(member: Member) -> QuerySet[MemberTransfer]:
    return member.transfers.select_related("from_branch", "to_branch", "moved_by")


def movable_branches(user: Person) -> QuerySet[Unit]:
    """Branches this user may move a member into (those whose roster they keep)."""
    return access.roster_units(user).filter(kind=Unit.Kind.BRANCH).order_by("path")


def groups_of(branch: Unit | None) -> QuerySet[Unit]:
    if branch is None:
        return Unit.objects.none()
    return Unit.objects.filter(parent=branch, kind=Unit.Kind.PARTY_GROUP, is_active=True).order_by(
        "sort_order", "pk"
    )


# --- Search -------------------------------------------------------------------


@dataclass
class SearchResults:
    query: str
    units: list[Unit]
    members: list[Member]

    @property
    def empty(self) -> bool:
        return not self.units and not self.members


def search(user: Person, query: str) -> SearchResults:
    """Units by name and members by name or number, only within what the user may see."""
    query = query.strip()[:50]
    if not query:
        return SearchResults(query="", units=[], members=[])
    units = list(
        access.visible_units(user)
        .filter(name__icontains=query)
        .select_related("parent")
        .order_by("depth", "path")[:SEARCH_LIMIT]
    )
    members = list(
        access.visible_members(user)
        .filter(Q(name__icontains=query) | Q(number__istartswith=query))
        .select_related("branch", "party_group")
        .order_by("-is_active", "name", "number")[:SEARCH_LIMIT]
    )
    return SearchResults(query=query, units=units, members=members)
