"""Reads for sorting (梳理) and the opinion dashboards.

Every list starts from `access.visible_opinions(user)`, so nobody reads an
opinion about themself here, and counts are aggregate queries: a page costs the
same number of queries whatever the number of opinions, members or branches.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from vanguard.accounts.access import Person
from vanguard.accounts.models import User
from vanguard.campaigns import access as campaigns_access
from vanguard.campaigns.models import Campaign
from vanguard.lib.paths import path_ids
from vanguard.opinions import access
from vanguard.opinions.models import Opinion, OpinionRound, SurveyAnswer
from vanguard.organization.models import Member, Unit

# Fewer sorted opinions than this in a branch says nothing about its share of criticism.
MIN_OPINIONS_FOR_FLAG = 5
# A select of more members than this is not put on every card of the list.
CARD_MEMBER_LIMIT = 150

Status = Opinion.Status
Kind = Opinion.Kind


def campaign_opinions(user: Person, campaign: Campaign) -> QuerySet[Opinion]:
    return access.visible_opinions(user).filter(campaign=campaign)


def sorting_queue(
    user: Person,
    *,
    campaign: Campaign,
    status: str = "",
    channel: str = "",
    round_number: int | None = None,
    subject_kind: str = "",
    unit: Unit | None = None,
) -> QuerySet[Opinion]:
    """The opinions a person sorts or reads, newest first, with what a card shows
    (and whether it may show their sources: `access.with_sources_shown`)."""
    opinions = access.with_sources_shown(
        campaign_opinions(user, campaign).select_related("email", "record"), user
    )
    if status:
        opinions = opinions.filter(status=status)
    if channel:
        opinions = opinions.filter(channel=channel)
    if round_number:
        opinions = opinions.filter(round=round_number)
    if subject_kind:
        opinions = opinions.filter(subject_kind=subject_kind)
    if unit is not None:
        opinions = opinions.filter(branch__path__startswith=unit.path)
    return opinions.order_by("-received_on", "-pk")


def status_counts(opinions: QuerySet[Opinion]) -> dict[str, int]:
    counts = dict.fromkeys(Status.values, 0)
    for row in opinions.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    counts["total"] = sum(counts[s] for s in Status.values)
    return counts


def sorting_units(user: Person, campaign: Campaign) -> QuerySet[Unit]:
    """The branches a person may filter the sorting list by."""
    return (
        campaigns_access.progress_units(user)
        .filter(path__startswith=campaign.unit.path, kind=Unit.Kind.BRANCH)
        .order_by("path")
    )


# --- The choices of a card's sorting form ------------------------------------------


@dataclass
class SubjectChoices:
    """What an opinion gathered in one unit may be attached to."""

    members: list[Member] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    committee: Unit | None = None

    @property
    def too_many(self) -> bool:
        return len(self.members) > CARD_MEMBER_LIMIT

    def choices(self) -> list[tuple[Any, Any]]:
        from django.utils.translation import gettext as _

        groups: list[tuple[Any, Any]] = [("", _("— 请选择 —"))]
        if self.members:
            by_branch: dict[str, list[tuple[str, str]]] = defaultdict(list)
            for member in self.members:
                by_branch[member.branch.name].append((f"member:{member.pk}", member.name))
            if len(by_branch) == 1:
                groups.append((_("党员个人"), next(iter(by_branch.values()))))
            else:
                for name, options in by_branch.items():
                    groups.append((name, options))
        if self.units:
            groups.append((_("党支部"), [(f"branch:{u.pk}", u.name) for u in self.units]))
        if self.committee is not None:
            groups.append((_("党委"), [("committee", self.committee.name)]))
        return groups


def subject_choices(units: Iterable[Unit]) -> dict[int, SubjectChoices]:
    """For each unit that gathered opinions, its members, its branches and its
    committee: three queries, whatever the number of units."""
    by_pk: dict[int, Unit] = {unit.pk: unit for unit in units}
    found = {pk: SubjectChoices() for pk in by_pk}
    if not by_pk:
        return found
    paths = {unit.path: pk for pk, unit in by_pk.items()}
    prefix = Q(pk__in=[])
    for path in paths:
        prefix |= Q(branch__path__startswith=path)
    members = (
        Member.objects.filter(prefix, is_active=True)
        .select_related("branch")
        .order_by("branch__path", "name", "number")
    )
    for member in members:
        for path, pk in paths.items():
            if member.branch.path.startswith(path):
                found[pk].members.append(member)
    unit_prefix = Q(pk__in=[])
    for path in paths:
        unit_prefix |= Q(path__startswith=path)
    below = Unit.objects.filter(
        unit_prefix,
        is_active=True,
        kind__in=[Unit.Kind.BRANCH, Unit.Kind.GENERAL_BRANCH],
    ).order_by("path")
    for unit in below:
        for path, pk in paths.items():
            if unit.path.startswith(path):
                found[pk].units.append(unit)
    above_ids = {unit_id for path in paths for unit_id in path_ids(path)}
    committees = sorted(
        Unit.objects.filter(pk__in=above_ids, kind=Unit.Kind.COMMITTEE),
        key=lambda u: -u.depth,
    )
    for path, pk in paths.items():
        found[pk].committee = next((c for c in committees if path.startswith(c.path)), None)
    return found


def merge_candidates(user: Person, opinion: Opinion, limit: int = 60) -> list[Opinion]:
    """Opinions this one may be merged into: the same unit and campaign, not merged,
    those about the same subject first."""
    others = (
        access.visible_opinions(user)
        .filter(campaign_id=opinion.campaign_id, branch_id=opinion.branch_id)
        .exclude(pk=opinion.pk)
        .exclude(status=Status.MERGED)
    )
    same = []
    if opinion.subject_kind != Opinion.SubjectKind.UNASSIGNED:
        same = list(
            others.filter(
                subject_kind=opinion.subject_kind,
                subject_member_id=opinion.subject_member_id,
                subject_unit_id=opinion.subject_unit_id,
            ).order_by("-received_on", "-pk")[:limit]
        )
    rest = list(
        others.exclude(pk__in=[o.pk for o in same]).order_by("-received_on", "-pk")[
            : max(0, limit - len(same))
        ]
    )
    return same + rest


def audit_history(opinion: Opinion) -> QuerySet[Any]:
    """Who entered, sorted, merged or set aside the opinion, and when (the audit trail
    keeps no source: `Opinion.audit_hidden_fields`)."""
    from vanguard.audit.models import AuditEntry

    return AuditEntry.objects.filter(object_type="opinions.opinion", object_id=str(opinion.pk))


# --- Second round ------------------------------------------------------------------


@dataclass
class BranchBalance:
    """A branch's sorted opinions by kind, and whether a further round is called for."""

    branch_id: int
    name: str
    path: str
    total: int
    praise: int
    criticism: int
    suggestion: int
    new: int
    current_round: int
    flagged: bool = False
    can_open: bool = False

    @property
    def criticism_percent(self) -> int:
        return round(100 * self.criticism / self.total) if self.total else 0


def branch_balances(
    user: Person, campaign: Campaign, *, threshold: int, units: QuerySet[Unit] | None = None
) -> list[BranchBalance]:
    """Each branch in the person's view with its sorted opinions by kind, its current
    round, and a flag where criticism is below `threshold` % of at least
    MIN_OPINIONS_FOR_FLAG sorted opinions and no further round has been opened yet."""
    opinions = campaign_opinions(user, campaign).filter(branch__kind=Unit.Kind.BRANCH)
    if units is not None:
        opinions = opinions.filter(branch__in=units)
    rows = (
        opinions.order_by()
        .values("branch_id", "branch__name", "branch__path")
        .annotate(
            total=Count("pk", filter=Q(status=Status.SORTED)),
            praise=Count("pk", filter=Q(status=Status.SORTED, kind=Kind.PRAISE)),
            criticism=Count("pk", filter=Q(status=Status.SORTED, kind=Kind.CRITICISM)),
            suggestion=Count("pk", filter=Q(status=Status.SORTED, kind=Kind.SUGGESTION)),
            new=Count("pk", filter=Q(status=Status.NEW)),
        )
    )
    rounds = dict(
        OpinionRound.objects.filter(campaign=campaign)
        .values("branch_id")
        .annotate(n=Max("number"))
        .values_list("branch_id", "n")
    )
    balances = []
    for row in rows:
        balance = BranchBalance(
            branch_id=row["branch_id"],
            name=row["branch__name"],
            path=row["branch__path"],
            total=row["total"],
            praise=row["praise"],
            criticism=row["criticism"],
            suggestion=row["suggestion"],
            new=row["new"],
            current_round=rounds.get(row["branch_id"]) or 1,
        )
        balance.flagged = (
            balance.current_round == 1
            and balance.total >= MIN_OPINIONS_FOR_FLAG
            and balance.criticism * 100 < threshold * balance.total
        )
        balance.can_open = balance.flagged and access.can_sort_opinions(
            user, Unit(path=balance.path)
        )
        balances.append(balance)
    return sorted(balances, key=lambda b: b.path)


# --- Dashboard ---------------------------------------------------------------------


def counts_by(opinions: QuerySet[Opinion], *fields: str) -> list[dict[str, Any]]:
    return list(opinions.order_by().values(*fields).annotate(n=Count("pk")).order_by(*fields))


def members_without_feedback(user: Person, campaign: Campaign) -> QuerySet[Member]:
    """Members in the person's view who have neither a sorted opinion attached to them
    nor any survey answer about them. The person themself is left out: their own
    feedback is on their own sheet."""
    units = campaigns_access.progress_units(user).filter(path__startswith=campaign.unit.path)
    with_opinions = Opinion.objects.filter(
        campaign=campaign, status=Status.SORTED, subject_member__isnull=False
    ).values("subject_member_id")
    with_answers = SurveyAnswer.objects.filter(survey__campaign=campaign).values(
        "subject_member_id"
    )
    members = Member.objects.filter(branch__in=units, is_active=True)
    if isinstance(user, User):  # signed in
        members = members.exclude(user=user)
    return (
        members.exclude(pk__in=with_opinions)
        .exclude(pk__in=with_answers)
        .select_related("branch")
        .order_by("branch__path", "number")
    )
