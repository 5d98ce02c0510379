"""Reads for the home page: what each person's home page shows.

One home page for everybody, with a section for each kind of role held (a
person may hold several): a member sees first their to-do (`todo.py`), an officer
what waits for them (`waiting.py`); below, a member sees their own profile and branch; branch
officers and party-group leaders their roster; committee admins, general-branch
secretaries and observers the organisation tree; supervisors their assigned
branches. The number of queries depends on the roles held, never on the size
of the organisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from vanguard.accounts import access
from vanguard.accounts.access import Person
from vanguard.accounts.models import Role
from vanguard.home.todo import member_todo
from vanguard.home.waiting import waiting_for
from vanguard.organization import access as organization_access
from vanguard.organization import selectors as org
from vanguard.organization.models import Member, Unit
from vanguard.supervision.remediation import selectors as remediation_selectors

HOME_ROSTER_SIZE = 50

ROSTER_SECTION_ROLES = (Role.BRANCH_SECRETARY, Role.BRANCH_COMMITTEE, Role.GROUP_LEADER)
TREE_SECTION_ROLES = (Role.COMMITTEE_ADMIN, Role.GENERAL_BRANCH_SECRETARY, Role.OBSERVER)


@dataclass
class RoleHeld:
    role: str
    label: str
    unit: Unit


@dataclass
class RoleGroup:
    """One role and the units it is held over, for the line under the greeting."""

    label: str
    units: list[Unit]


@dataclass
class RosterSection:
    unit: Unit
    roles: list[str]
    counts: org.Counts
    members: list[Member]

    @property
    def more(self) -> bool:
        return self.counts.total > len(self.members)


@dataclass
class SupervisedUnit:
    node: org.TreeNode
    secretaries: list[str]


def _roles_held(user: Person) -> list[RoleHeld]:
    scopes = [s for s in access.scopes(user) if s.unit_id]
    units = Unit.objects.in_bulk([s.unit_id for s in scopes])
    labels = dict(Role.choices)
    order = {role: index for index, role in enumerate(Role.values)}
    held = [
        RoleHeld(role=s.role, label=str(labels.get(s.role, s.role)), unit=units[s.unit_id])
        for s in scopes
        if s.unit_id in units
    ]
    held.sort(key=lambda h: (order.get(h.role, 99), h.unit.path))
    return held


def _role_groups(held: list[RoleHeld]) -> list[RoleGroup]:
    groups: dict[str, RoleGroup] = {}
    for h in held:
        groups.setdefault(h.role, RoleGroup(label=h.label, units=[])).units.append(h.unit)
    return list(groups.values())


def _member_section(user: Person) -> dict[str, Any]:
    member = organization_access.member_of(user)
    if member is None:
        return {"member": None}
    member = Member.objects.select_related("branch", "branch__parent", "party_group").get(
        pk=member.pk
    )
    return {
        "member": member,
        "member_secretaries": org.secretaries_of([member.branch_id]).get(member.branch_id, []),
        # What the member's branch expects of them now (我的待办).
        "todo": member_todo(user, member),
    }


def _roster_sections(user: Person, held: list[RoleHeld]) -> list[RosterSection]:
    sections: dict[int, RosterSection] = {}
    for h in held:
        if h.role not in ROSTER_SECTION_ROLES:
            continue
        if h.unit.pk in sections:
            sections[h.unit.pk].roles.append(h.label)
            continue
        members = org.unit_roster(user, h.unit)
        totals = members.aggregate(
            total=Count("pk"),
            probationary=Count("pk", filter=Q(standing=Member.Standing.PROBATIONARY)),
        )
        sections[h.unit.pk] = RosterSection(
            unit=h.unit,
            roles=[h.label],
            counts=org.Counts(totals["total"], totals["probationary"]),
            members=list(members[:HOME_ROSTER_SIZE]),
        )
    return list(sections.values())


def _supervised(user: Person) -> list[SupervisedUnit]:
    supervised = access.paths(user, {Role.SUPERVISOR})
    if not supervised:
        return []
    roots = org.tree_under(supervised)
    # The roots are the assigned units; their parents (the general branches) in one query.
    parents = Unit.objects.in_bulk({r.unit.parent_id for r in roots if r.unit.parent_id})
    for root in roots:
        if root.unit.parent_id in parents:
            root.unit.parent = parents[root.unit.parent_id]
    secretaries = org.secretaries_of([r.unit.pk for r in roots])
    return [SupervisedUnit(node=r, secretaries=secretaries.get(r.unit.pk, [])) for r in roots]


def home_context(user: Person) -> dict[str, Any]:
    held = _roles_held(user)
    tree_paths = access.paths(user, set(TREE_SECTION_ROLES))
    tree = org.tree_under(tree_paths) if tree_paths else []
    return {
        **_member_section(user),
        "roles_held": held,
        "role_groups": _role_groups(held),
        "rosters": _roster_sections(user, held),
        "tree": tree,
        "tree_summary": org.summarize(tree) if tree else None,
        "tree_read_only": not (
            access.paths(user, {Role.COMMITTEE_ADMIN, Role.GENERAL_BRANCH_SECRETARY})
        ),
        "supervised": _supervised(user),
        # What waits for the person as an officer (等待您处理).
        "waiting": waiting_for(user),
        # Make-up work (补课) the person may report done now: theirs, or their branch's.
        "makeup_todo": remediation_selectors.orders_to_report(user),
    }
