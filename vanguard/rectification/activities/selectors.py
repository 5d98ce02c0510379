"""Reads of branch activities (整改活动), already limited by `rectification.access`:
the activities a person sees with their public totals, the ideas with the author a
page may name, and the donation lines a person may read with their amounts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from vanguard.accounts.access import Person
from vanguard.accounts.models import User
from vanguard.campaigns.models import Campaign
from vanguard.organization.access import member_of
from vanguard.organization.models import Member, Unit
from vanguard.rectification import access
from vanguard.rectification.models import Activity, Donation, Idea


def _total_of_activity() -> Coalesce:
    lines = (
        Donation.objects.filter(activity=OuterRef("pk"))
        .order_by()
        .values("activity")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    money: DecimalField = DecimalField(max_digits=12, decimal_places=2)
    return Coalesce(Subquery(lines, output_field=money), Value(Decimal("0")), output_field=money)


def _idea_count() -> Coalesce:
    ideas = (
        Idea.objects.filter(activity=OuterRef("pk"))
        .order_by()
        .values("activity")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(ideas), Value(0))


def with_figures(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    """Each activity with its public `total` (the donations' sum) and `idea_count`: one
    query for a list, however many lines and ideas."""
    return activities.annotate(total=_total_of_activity(), idea_count=_idea_count())


def campaign_activities(
    user: Person, campaign: Campaign, *, branch: Unit | None = None
) -> QuerySet[Activity]:
    found = access.visible_activities(user).filter(campaign=campaign)
    if branch is not None:
        found = found.filter(branch=branch)
    return with_figures(found).order_by("branch__path", "-held_on", "-pk")


def activity_list_branches(user: Person, campaign: Campaign) -> QuerySet[Unit]:
    """The branches of the activities the person sees in the campaign (for a filter)."""
    ids = access.visible_activities(user).filter(campaign=campaign).values("branch_id")
    return Unit.objects.filter(pk__in=ids).order_by("path")


def branch_members(branch: Unit) -> QuerySet[Member]:
    """The active members of the branch: who may take part, give, or be responsible."""
    return (
        Member.objects.filter(branch__path__startswith=branch.path, is_active=True)
        .select_related("branch")
        .order_by("branch__path", "number", "pk")
    )


def treasurer_choices(branch: Unit) -> QuerySet[User]:
    """Who may be named the donation's keeper (经管人): the logins of the branch's members."""
    logins = branch_members(branch).filter(user__isnull=False).values("user_id")
    return User.objects.filter(pk__in=logins, is_active=True).select_related("member")


def kept_lines(user: Person, activity: Activity) -> QuerySet[Donation]:
    """The donation lines this person may read with their amounts (`access`)."""
    return access.visible_donations(user, activity).order_by("member__number", "pk")


def own_line(user: Person, activity: Activity) -> Donation | None:
    """The person's own donation line, if they gave."""
    member = member_of(user)
    if member is None:
        return None
    return Donation.objects.filter(activity=activity, member=member).first()


@dataclass(frozen=True)
class IdeaRow:
    idea: Idea
    author: Member | None  # None for an anonymous idea, whoever reads it


def activity_ideas(user: Person, activity: Activity) -> list[IdeaRow]:
    """The activity's ideas in the order they came (by date; within a day the random key
    decides, so the order says nothing of who gave an anonymous one)."""
    ideas = (
        access.visible_ideas(user)
        .filter(activity=activity)
        .select_related("became", "became__plan")
        .order_by("received_on", "id")
    )
    return [IdeaRow(idea, access.idea_author_shown(idea)) for idea in ideas]


def decision_counts(rows: list[IdeaRow]) -> dict[str, int]:
    counts = {value: 0 for value in Idea.Decision.values}
    for row in rows:
        counts[row.idea.decision] += 1
    return counts
