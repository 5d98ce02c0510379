"""Reads of the plans workflow, already limited by access: a member's sheet points to
answer, what a plan may link (each shown through `selectors.link_shown`, never a
source), a plan's items with their links and updates, the review queues.

An opinion is never named by its primary key (a pk follows the order of intake, which
the feedback sheet hides): it is a keyed token (`point_token`), the same for the
plan's owner in every campaign, that only the server can turn back into an opinion.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac

from vanguard.accounts.access import Person
from vanguard.campaigns.models import Campaign
from vanguard.meetings.models import Meeting
from vanguard.opinions.feedback.selectors import (
    FeedbackItem,
    sheet_group_name,
    sheet_item,
    sheet_opinions,
)
from vanguard.opinions.models import Opinion
from vanguard.organization.models import Member
from vanguard.rectification import access
from vanguard.rectification.models import Activity, Item, ItemLink, Plan, Update
from vanguard.rectification.selectors import OPEN_STATUSES, LinkShown, link_shown
from vanguard.study.models import StudySession

# The link keys' prefixes: an opinion by its token, the others by their id (they are
# not secret: a review, a finding or an order names its author anyway).
OPINION, REVIEW, FINDING, ORDER = "o", "v", "f", "r"


def _owner_key(plan: Plan) -> str:
    return f"m{plan.member_id}" if plan.member_id is not None else f"u{plan.unit_id}"


def point_token(plan: Plan, opinion_pk: int) -> str:
    """The keyed name of an opinion on this plan's owner's sheet (or unit's list)."""
    salt = "vanguard.rectification.point"
    return salted_hmac(salt, f"{_owner_key(plan)}:{opinion_pk}").hexdigest()[:24]


def member_plan_draft(campaign: Campaign, member: Member) -> Plan:
    """The member's plan as it would be before it is saved: for reading what it may
    link while nothing is written yet."""
    return Plan(campaign=campaign, level=Plan.Level.MEMBER, member=member)


# --- The sheet's points -----------------------------------------------------------------


@dataclass(frozen=True)
class SheetPoint:
    token: str
    item: FeedbackItem  # exactly what the feedback sheet shows of it
    answered: int  # how many of the plan's items answer it


@dataclass
class PointGroup:
    name: str
    points: list[SheetPoint]


def sheet_points(plan: Plan) -> list[PointGroup]:
    """The points of the member's own feedback sheet, grouped and ordered as the sheet
    shows them, each with its token and how many items answer it."""
    assert plan.member is not None
    answered: dict[int, int] = {}
    if plan.pk is not None:
        rows = (
            ItemLink.objects.filter(item__plan=plan, opinion__isnull=False)
            .values("opinion_id")
            .annotate(n=Count("pk"))
        )
        answered = {row["opinion_id"]: row["n"] for row in rows}
    groups: list[PointGroup] = []
    for opinion in sheet_opinions(plan.member, plan.campaign):
        name = sheet_group_name(opinion)
        if not groups or groups[-1].name != name:
            groups.append(PointGroup(name, []))
        groups[-1].points.append(
            SheetPoint(
                point_token(plan, opinion.pk), sheet_item(opinion), answered.get(opinion.pk, 0)
            )
        )
    return groups


# --- What a plan may link ---------------------------------------------------------------


@dataclass(frozen=True)
class LinkChoice:
    key: str
    shown: LinkShown


def _opinions_in_order(plan: Plan) -> list[Opinion]:
    if plan.level == Plan.Level.MEMBER:
        assert plan.member is not None
        return sheet_opinions(plan.member, plan.campaign)
    return list(access.linkable_opinions(plan).select_related("aspect").order_by("aspect", "kind"))


def link_choices(plan: Plan) -> list[LinkChoice]:
    """Everything the plan may answer, each shown as `link_shown` shows it."""
    found: list[LinkChoice] = []
    for opinion in _opinions_in_order(plan):
        link = ItemLink(target=ItemLink.Target.OPINION, opinion=opinion)
        found.append(LinkChoice(f"{OPINION}-{point_token(plan, opinion.pk)}", link_shown(link)))
    for review in access.linkable_reviews(plan).order_by("pk"):
        link = ItemLink(target=ItemLink.Target.REVIEW, review=review)
        found.append(LinkChoice(f"{REVIEW}-{review.pk}", link_shown(link)))
    for finding in access.linkable_check_findings(plan).order_by("pk"):
        link = ItemLink(target=ItemLink.Target.CHECK_FINDING, check_finding=finding)
        found.append(LinkChoice(f"{FINDING}-{finding.pk}", link_shown(link)))
    for order in access.linkable_remediation_orders(plan).order_by("pk"):
        link = ItemLink(target=ItemLink.Target.REMEDIATION, remediation=order)
        found.append(LinkChoice(f"{ORDER}-{order.pk}", link_shown(link)))
    return found


def resolve_link_keys(plan: Plan, keys: list[str]) -> tuple[list[tuple[str, Any]], list[str]]:
    """The records the keys name among what the plan may link, as (target, record),
    and the keys that name nothing it may link."""
    wanted = {k for k in keys if k}
    found: list[tuple[str, Any]] = []
    if any(k.startswith(f"{OPINION}-") for k in wanted):
        for opinion in access.linkable_opinions(plan):
            key = f"{OPINION}-{point_token(plan, opinion.pk)}"
            if key in wanted:
                found.append((ItemLink.Target.OPINION, opinion))
                wanted.discard(key)
    for prefix, target, queryset in (
        (REVIEW, ItemLink.Target.REVIEW, access.linkable_reviews(plan)),
        (FINDING, ItemLink.Target.CHECK_FINDING, access.linkable_check_findings(plan)),
        (ORDER, ItemLink.Target.REMEDIATION, access.linkable_remediation_orders(plan)),
    ):
        ids = {
            int(k[2:]): k
            for k in wanted
            if k.startswith(f"{prefix}-") and k[2:].isdigit() and len(k) < 14
        }
        if ids:
            for record in queryset.filter(pk__in=list(ids)):
                found.append((target, record))
                wanted.discard(ids[record.pk])
    return found, sorted(wanted)


def link_key(plan: Plan, link: ItemLink) -> str:
    if link.opinion_id is not None:
        return f"{OPINION}-{point_token(plan, link.opinion_id)}"
    if link.review_id is not None:
        return f"{REVIEW}-{link.review_id}"
    if link.check_finding_id is not None:
        return f"{FINDING}-{link.check_finding_id}"
    return f"{ORDER}-{link.remediation_id}"


# --- A plan's items ---------------------------------------------------------------------


@dataclass
class ItemView:
    item: Item
    links: list[LinkShown]
    link_keys: list[str]
    updates: list[Update]
    overdue: bool


def item_number(item: Item) -> int:
    """The item's number as its plan lists it (1, 2, …). Notices and mails name an item
    by it, never by its text: a member's problems may quote the feedback sheet, and a
    mail leaves the system."""
    earlier = Q(order__lt=item.order) | Q(order=item.order, pk__lt=item.pk)
    return Item.objects.filter(earlier, plan_id=item.plan_id).count() + 1


def is_overdue(item: Item, today: Any = None) -> bool:
    today = today or timezone.localdate()
    return item.status in OPEN_STATUSES and item.deadline < today


def plan_items(plan: Plan, *, reader: Person | None = None) -> list[ItemView]:
    """The plan's items in order, each with its links shown (never a source) and its
    updates: a fixed number of queries whatever the plan holds. With `reader`, each
    link carries where that person may follow it back to (`access.trace_urls`)."""
    if plan.pk is None:
        return []
    links = ItemLink.objects.select_related(
        "opinion__aspect",
        "review",
        "check_finding",
        "remediation",
    ).order_by("pk")
    updates = Update.objects.select_related("meeting", "study_session", "activity").order_by(
        "on", "pk"
    )
    items = list(
        plan.items.select_related("responsible", "verified_by", "activity")
        .prefetch_related(Prefetch("links", queryset=links), Prefetch("updates", queryset=updates))
        .order_by("order", "pk")
    )
    traces = (
        access.trace_urls(reader, [link for item in items for link in item.links.all()])
        if reader is not None
        else {}
    )
    today = timezone.localdate()
    return [
        ItemView(
            item=item,
            links=[
                replace(link_shown(link), url=traces.get(link.pk, "")) for link in item.links.all()
            ],
            link_keys=[link_key(plan, link) for link in item.links.all()],
            updates=list(item.updates.all()),
            overdue=is_overdue(item, today),
        )
        for item in items
    ]


def status_counts(plan: Plan) -> dict[str, int]:
    rows = plan.items.values("status").annotate(n=Count("pk")) if plan.pk else []
    counts = {status: 0 for status in Item.Status.values}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


# --- Who may be responsible, what an update may point at ---------------------------------


def responsible_choices(plan: Plan) -> QuerySet[Member]:
    """A member's plan: the member alone — it answers what was said about them, and
    whoever is named responsible for an item reads the plan (access.visible_plans), so
    a colleague named there would read it too; a branch's plan: the branch's members;
    the committee's: any active member under the campaign's unit."""
    members = Member.objects.filter(is_active=True).select_related("branch")
    if plan.level == Plan.Level.MEMBER:
        assert plan.member_id is not None
        return members.filter(pk=plan.member_id)
    assert plan.unit is not None
    return members.filter(branch__path__startswith=plan.unit.path).order_by("name", "pk")


def meeting_choices(plan: Plan, member: Member | None) -> QuerySet[Meeting]:
    """Meetings of the campaign an update may point at: those the member attended; for
    a unit's plan, also the unit's own meetings."""
    query = Q(pk__in=[])
    if member is not None:
        query |= Q(attendance__member=member, attendance__status="present")
    if plan.unit_id is not None:
        query |= Q(unit_id=plan.unit_id)
    return (
        Meeting.objects.filter(query, campaign_id=plan.campaign_id).distinct().order_by("-held_at")
    )


def study_session_choices(plan: Plan, member: Member | None) -> QuerySet[StudySession]:
    query = Q(pk__in=[])
    if member is not None:
        query |= Q(attendance__member=member, attendance__status="present")
    if plan.unit_id is not None:
        query |= Q(unit_id=plan.unit_id)
    return (
        StudySession.objects.filter(query, campaign_id=plan.campaign_id)
        .distinct()
        .order_by("-starts_at")
    )


def activity_choices(plan: Plan) -> QuerySet[Activity]:
    """A unit's plan may point at the unit's own activities."""
    if plan.unit_id is None:
        return Activity.objects.none()
    return Activity.objects.filter(campaign_id=plan.campaign_id, branch_id=plan.unit_id)


# --- Lists and queues -------------------------------------------------------------------


def campaign_plans(user: Person, campaign: Campaign) -> QuerySet[Plan]:
    return (
        access.visible_plans(user)
        .filter(campaign=campaign)
        .annotate(item_count=Count("items"))
        .order_by("level", "unit__path", "member__branch__path", "member__name", "pk")
    )


def review_queue(user: Person, campaign: Campaign) -> QuerySet[Plan]:
    """Submitted plans waiting for this person's decision, the oldest first."""
    return (
        access.reviewable_plans(user)
        .filter(campaign=campaign, status=Plan.Status.SUBMITTED)
        .order_by("submitted_at", "pk")
    )


def verify_queue(user: Person, campaign: Campaign) -> list[Item]:
    """Done items waiting for this person's verification (never their own)."""
    items = (
        access.visible_items(user)
        .filter(plan__in=access.reviewable_plans(user), plan__campaign=campaign)
        .filter(status=Item.Status.DONE)
        .order_by("done_at", "pk")
    )
    return [item for item in items if access.can_verify_item(user, item)]
