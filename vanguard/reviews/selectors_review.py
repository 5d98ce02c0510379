"""Reads of the reviewers' side: the branch review queue, the committee's list, the
per-branch progress of the three rounds (三上三下) with return rates, and the
documents that reminders are about.

Every function starts from what `reviews.access` lets the person see, and
reads with a fixed number of queries whatever the number of branches or members
(grouped counts instead of a query per branch).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from vanguard.accounts.access import Person
from vanguard.campaigns import access as campaigns_access
from vanguard.campaigns.models import Campaign
from vanguard.organization.models import Member, Unit
from vanguard.reviews import access
from vanguard.reviews.models import (
    BranchReview,
    CommitteeResponse,
    ReviewRound,
    SelfAnalysis,
    SubmittedVersion,
)

State = SelfAnalysis.State
ROUNDS = (1, 2, 3)
# The states a document passes through within one round; "approved" ends round 3.
ROUND_STATES = (State.DRAFT, State.SUBMITTED, State.RETURNED, State.WITH_COMMITTEE)
RESPONSE_LABELS = {1: _("党委指导意见"), 2: _("党委意见"), 3: _("党委审批意见")}


def _latest_submission() -> Subquery:
    return Subquery(
        SubmittedVersion.objects.filter(document=OuterRef("pk"))
        .order_by("-number")
        .values("submitted_at")[:1]
    )


def _latest_pass() -> Subquery:
    return Subquery(
        BranchReview.objects.filter(
            version__document=OuterRef("pk"), verdict=BranchReview.Verdict.PASS
        )
        .order_by("-at", "-pk")
        .values("at")[:1]
    )


# --- The branch review queue ------------------------------------------------------


@dataclass
class MemberLine:
    member: Member
    document: SelfAnalysis | None


@dataclass
class BranchQueue:
    branch: Unit
    waiting: list[Any]  # documents annotated with `submitted_at`
    members: list[MemberLine]
    responses: list[CommitteeResponse]


def review_queue(user: Person) -> list[BranchQueue]:
    """For each branch the person reviews: the documents waiting for the branch's
    review (oldest submission first), every member with the state of their document
    in the active campaign, and the committee's latest words that came back down.
    Four queries, whatever the size of the branches."""
    branches = list(access.branch_review_units(user).order_by("path"))
    if not branches:
        return []
    documents = (
        SelfAnalysis.objects.filter(
            member__branch__in=branches, campaign__status=Campaign.Status.ACTIVE
        )
        .select_related("member", "member__branch", "campaign")
        .annotate(submitted_at=_latest_submission())
        .order_by("campaign__year", "campaign_id")
    )
    by_member: dict[int, Any] = {}
    for document in documents:
        by_member[document.member_id] = document  # the latest campaign wins
    members = Member.objects.filter(branch__in=branches, is_active=True).order_by(
        "branch_id", "number"
    )
    responses = (
        CommitteeResponse.objects.filter(
            round__document__member__branch__in=branches,
            round__document__campaign__status=Campaign.Status.ACTIVE,
        )
        .select_related("round", "round__document", "round__document__member")
        .order_by("-at", "-pk")
    )
    queues = {b.pk: BranchQueue(branch=b, waiting=[], members=[], responses=[]) for b in branches}
    for member in members:
        queues[member.branch_id].members.append(
            MemberLine(member=member, document=by_member.get(member.pk))
        )
    for document in by_member.values():
        if document.state == State.SUBMITTED and access.can_branch_review(user, document):
            queues[document.member.branch_id].waiting.append(document)
    for queue in queues.values():
        queue.waiting.sort(key=lambda d: (d.submitted_at is None, d.submitted_at, d.pk))
    for response in responses:
        queue = queues[response.round.document.member.branch_id]
        if len(queue.responses) < 10:
            queue.responses.append(response)
    return list(queues.values())


# --- One document as the reviewers see it -------------------------------------------


@dataclass
class ReviewContext:
    document: SelfAnalysis
    versions: list[SubmittedVersion]
    rounds: list[ReviewRound]
    reviews: list[BranchReview]

    @property
    def latest(self) -> SubmittedVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def previous(self) -> SubmittedVersion | None:
        return self.versions[-2] if len(self.versions) > 1 else None

    @property
    def current_round(self) -> ReviewRound | None:
        return next((r for r in self.rounds if r.number == self.document.current_round), None)


def review_context(document: SelfAnalysis) -> ReviewContext:
    """The document's versions, rounds (with the committee's words) and branch reviews
    (who reviewed what, when, with which verdict). Three queries."""
    versions = list(
        SubmittedVersion.objects.filter(document=document)
        .select_related("submitted_by")
        .order_by("number")
    )
    rounds = list(
        ReviewRound.objects.filter(document=document)
        .select_related("committee_response", "committee_response__author")
        .order_by("number")
    )
    reviews = list(
        BranchReview.objects.filter(round__document=document)
        .select_related("reviewer", "version", "round")
        .order_by("-at", "-pk")
    )
    return ReviewContext(document=document, versions=versions, rounds=rounds, reviews=reviews)


# --- The committee's list ---------------------------------------------------------


def committee_units(user: Person) -> QuerySet[Unit]:
    """General branches and branches the committee's list can be narrowed to."""
    return (
        access.committee_review_units(user)
        .filter(kind__in=[Unit.Kind.GENERAL_BRANCH, Unit.Kind.BRANCH])
        .order_by("path")
    )


def committee_queue(
    user: Person, *, unit: Unit | None = None, round_number: int | None = None
) -> QuerySet[SelfAnalysis]:
    """Documents the branches passed up and the committee has yet to answer, those
    waiting longest first, optionally within one unit and one round."""
    branches = access.committee_review_units(user).filter(kind=Unit.Kind.BRANCH)
    documents = SelfAnalysis.objects.filter(
        member__branch__in=branches.values("pk"),
        state=State.WITH_COMMITTEE,
        campaign__status=Campaign.Status.ACTIVE,
    )
    if unit is not None:
        documents = documents.filter(member__branch__path__startswith=unit.path)
    if round_number in ROUNDS:
        documents = documents.filter(current_round=round_number)
    return (
        documents.select_related("member", "member__branch", "member__branch__parent", "campaign")
        .annotate(passed_at=_latest_pass())
        .prefetch_related(
            Prefetch(
                "rounds",
                queryset=ReviewRound.objects.order_by("number"),
                to_attr="round_list",
            )
        )
        .order_by("passed_at", "pk")
    )


# --- Progress ---------------------------------------------------------------------


@dataclass
class BranchProgress:
    unit: Unit
    members: int = 0
    counts: dict[tuple[int, str], int] = field(default_factory=dict)
    approved: int = 0
    reviews: int = 0
    returns: int = 0

    @property
    def started(self) -> int:
        return sum(self.counts.values()) + self.approved

    @property
    def not_started(self) -> int:
        return max(self.members - self.started, 0)

    @property
    def return_rate(self) -> int | None:
        """Returns per branch review, in per cent (None before any review)."""
        if not self.reviews:
            return None
        return round(100 * self.returns / self.reviews)

    def cells(self) -> list[int]:
        """The counts in the order of `progress_columns()`."""
        return [self.counts.get((n, s), 0) for n in ROUNDS for s in ROUND_STATES]


def progress_columns() -> list[tuple[int, str, Any]]:
    labels = dict(State.choices)
    return [(n, s, labels[s]) for n in ROUNDS for s in ROUND_STATES]


def progress_campaigns(user: Person) -> QuerySet[Campaign]:
    return (
        campaigns_access.visible_campaigns(user)
        .filter(status=Campaign.Status.ACTIVE)
        .order_by("-year", "-pk")
    )


def progress_filter_units(user: Person) -> QuerySet[Unit]:
    """Units the progress page can be narrowed to (general branches and branches)."""
    return (
        campaigns_access.progress_units(user)
        .filter(kind__in=[Unit.Kind.GENERAL_BRANCH, Unit.Kind.BRANCH])
        .order_by("path")
    )


def review_progress(
    user: Person, *, campaign: Campaign, unit: Unit | None = None
) -> list[BranchProgress]:
    """For each branch in the person's progress scope (within `unit` if given): its
    members, how many documents are at each round and state, and its branch reviews
    and returns. Four queries, whatever the number of branches."""
    branches_qs = campaigns_access.progress_units(user).filter(kind=Unit.Kind.BRANCH)
    if unit is not None:
        branches_qs = branches_qs.filter(path__startswith=unit.path)
    branches_qs = branches_qs.filter(path__startswith=campaign.unit.path)
    branches = list(branches_qs.select_related("parent").order_by("path"))
    if not branches:
        return []
    found = {b.pk: BranchProgress(unit=b) for b in branches}
    ids = list(found)
    in_branches = _branch_filter(ids, branches_qs)
    for branch_id, n in (
        Member.objects.filter(is_active=True)
        .filter(in_branches("branch_id"))
        .values_list("branch_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        if branch_id in found:
            found[branch_id].members = n
    for branch_id, round_number, state, n in (
        SelfAnalysis.objects.filter(campaign=campaign, member__is_active=True)
        .filter(in_branches("member__branch_id"))
        .values_list("member__branch_id", "current_round", "state")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        if branch_id not in found:
            continue
        if state == State.APPROVED:
            found[branch_id].approved += n
        else:
            key = (round_number, state)
            found[branch_id].counts[key] = found[branch_id].counts.get(key, 0) + n
    for branch_id, verdict, n in (
        BranchReview.objects.filter(version__document__campaign=campaign)
        .filter(in_branches("version__document__member__branch_id"))
        .values_list("version__document__member__branch_id", "verdict")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        if branch_id not in found:
            continue
        found[branch_id].reviews += n
        if verdict == BranchReview.Verdict.RETURN:
            found[branch_id].returns += n
    return list(found.values())


def _branch_filter(ids: list[int], branches_qs: QuerySet[Unit]) -> Any:
    """Limit rows to the branches: by id for a few, by a subquery for many (a long IN
    list costs more than the join)."""

    def limit(field_name: str) -> Q:
        if len(ids) <= 500:
            return Q(**{f"{field_name}__in": ids})
        return Q(**{f"{field_name}__in": branches_qs.values("pk")})

    return limit


def progress_totals(rows: list[BranchProgress]) -> BranchProgress:
    total = BranchProgress(unit=Unit(name=str(_("合计"))))
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for row in rows:
        total.members += row.members
        total.approved += row.approved
        total.reviews += row.reviews
        total.returns += row.returns
        for key, n in row.counts.items():
            counts[key] += n
    total.counts = dict(counts)
    return total


# --- Reminders --------------------------------------------------------------------


def returned_documents() -> QuerySet[SelfAnalysis]:
    """Documents returned for revision in an active campaign, with the latest return."""
    latest_return = Subquery(
        BranchReview.objects.filter(
            version__document=OuterRef("pk"), verdict=BranchReview.Verdict.RETURN
        )
        .order_by("-at", "-pk")
        .values("pk")[:1]
    )
    return (
        SelfAnalysis.objects.filter(
            state=State.RETURNED,
            campaign__status=Campaign.Status.ACTIVE,
            member__is_active=True,
            member__user__isnull=False,
            member__user__is_active=True,
        )
        .select_related("member", "member__user", "campaign")
        .annotate(return_id=latest_return)
        .order_by("pk")
    )


def waiting_for_branch(before: datetime.datetime) -> QuerySet[SelfAnalysis]:
    """Submitted documents whose latest version went up before `before`."""
    return (
        SelfAnalysis.objects.filter(state=State.SUBMITTED, campaign__status=Campaign.Status.ACTIVE)
        .annotate(
            submitted_at=_latest_submission(),
            version_id=Subquery(
                SubmittedVersion.objects.filter(document=OuterRef("pk"))
                .order_by("-number")
                .values("pk")[:1]
            ),
        )
        .filter(submitted_at__lt=before)
        .select_related("member", "member__branch")
        .order_by("member__branch_id", "submitted_at", "pk")
    )


def waiting_for_committee(before: datetime.datetime) -> QuerySet[SelfAnalysis]:
    """Documents passed up by their branch before `before`, not yet answered."""
    return (
        SelfAnalysis.objects.filter(
            state=State.WITH_COMMITTEE, campaign__status=Campaign.Status.ACTIVE
        )
        .annotate(
            passed_at=_latest_pass(),
            pass_id=Subquery(
                BranchReview.objects.filter(
                    version__document=OuterRef("pk"), verdict=BranchReview.Verdict.PASS
                )
                .order_by("-at", "-pk")
                .values("pk")[:1]
            ),
        )
        .filter(passed_at__lt=before)
        .select_related("member", "member__branch")
        .order_by("member__branch_id", "passed_at", "pk")
    )
