"""Reads for self-analysis documents: a document's history (versions, branch
reviews, committee responses, in order) and, for the member, what happens next."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from vanguard.lib.people import person_name
from vanguard.reviews.models import (
    CRITERIA,
    BranchReview,
    ReviewRound,
    SelfAnalysis,
    SubmittedVersion,
)


def versions(document: SelfAnalysis) -> QuerySet[SubmittedVersion]:
    return document.versions.select_related("submitted_by").order_by("number")


def rounds(document: SelfAnalysis) -> list[ReviewRound]:
    """The rounds with their branch reviews (and reviewers, versions) and the committee's
    response: three queries, whatever the number of reviews."""
    reviews = BranchReview.objects.select_related("reviewer", "version").order_by("at", "pk")
    return list(
        document.rounds.order_by("number")
        .select_related("committee_response", "committee_response__author")
        .prefetch_related(Prefetch("branch_reviews", queryset=reviews))
    )


def response_of(round_: ReviewRound) -> Any:
    try:
        return round_.committee_response
    except ReviewRound.committee_response.RelatedObjectDoesNotExist:
        return None


@dataclass(frozen=True)
class Event:
    at: Any
    kind: str  # "submitted" | "review" | "committee"
    round: int
    who: Any
    version: SubmittedVersion | None = None
    review: BranchReview | None = None
    response: Any = None
    criteria: tuple = ()  # (label, yes/no, comment) for a review

    @property
    def who_name(self) -> str:
        """Who acted; “（账号已删除）” when their account is gone (`who` is None)."""
        return person_name(self.who)


def criteria_rows(review: BranchReview) -> list[tuple[str, bool | None, str]]:
    """(criterion label, yes/no, comment) in the fixed order of the three criteria."""
    rows = []
    for name, label in CRITERIA:
        item = review.criteria.get(name) or {}
        rows.append((str(label), item.get("ok"), item.get("comment", "")))
    return rows


def history(document: SelfAnalysis) -> list[Event]:
    """Everything that happened to the document, oldest first."""
    events = [
        Event(at=v.submitted_at, kind="submitted", round=v.round, who=v.submitted_by, version=v)
        for v in versions(document)
    ]
    for round_ in rounds(document):
        for review in round_.branch_reviews.all():
            events.append(
                Event(
                    at=review.at,
                    kind="review",
                    round=round_.number,
                    who=review.reviewer,
                    version=review.version,
                    review=review,
                    criteria=tuple(criteria_rows(review)),
                )
            )
        response = response_of(round_)
        if response is not None:
            events.append(
                Event(
                    at=response.at,
                    kind="committee",
                    round=round_.number,
                    who=response.author,
                    response=response,
                )
            )
    kinds = {"submitted": 0, "review": 1, "committee": 2}
    events.sort(key=lambda e: (e.at, kinds[e.kind]))
    return events


def latest_return(document: SelfAnalysis) -> BranchReview | None:
    """The branch's latest review of the current round when it returned the document."""
    if document.state != SelfAnalysis.State.RETURNED:
        return None
    return (
        BranchReview.objects.filter(round__document=document, round__number=document.current_round)
        .select_related("reviewer")
        .order_by("-at", "-pk")
        .first()
    )


def committee_guidance(document: SelfAnalysis) -> list[tuple[ReviewRound, Any]]:
    """(round, committee response) for each closed round, newest first."""
    result = []
    for round_ in reversed(rounds(document)):
        response = response_of(round_)
        if response is not None:
            result.append((round_, response))
    return result


def next_step(document: SelfAnalysis) -> str:
    """What happens next, in plain words for the member."""
    state, number = document.state, document.current_round
    if state == SelfAnalysis.State.DRAFT and number == 1:
        return _("请写好四个部分，写完后点“提交给支部”。提交前可以随时保存，系统也会自动保存。")
    if state == SelfAnalysis.State.DRAFT:
        return _(
            "党委的意见已经下达（见下方）。请根据意见修改材料，再点“提交给支部”，进入第%(number)s轮。"
        ) % {"number": number}
    if state == SelfAnalysis.State.SUBMITTED:
        return _("材料已提交，正在等支部审阅。审阅结束前不能修改。支部审阅后会通知您。")
    if state == SelfAnalysis.State.RETURNED:
        return _("支部把材料退回给您修改，退回理由见下方。请修改后再次提交。")
    if state == SelfAnalysis.State.WITH_COMMITTEE:
        return _("支部已经通过您的材料，并报送党委。请等待党委的意见。")
    if state == SelfAnalysis.State.APPROVED:
        return _("党委已审批，三轮审阅全部完成。材料不能再修改。")
    return ""
