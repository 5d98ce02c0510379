"""JSON API of the note workflow, under /api/v1/supervision/: samples (list, one with
its members, draw one), assessments (list, record or change one), note types and
exemplars — under the same rules as the pages (`supervision.access`).

An anonymised exemplar carries neither its author nor their branch (both null), for
everyone. A sample's seed is a string: it has up to 63 bits, more than a JavaScript
number holds exactly."""

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from vanguard.accounts.http import AuthenticatedHttpRequest
from vanguard.lib.api.errors import ErrorOut
from vanguard.lib.api.pagination import Pagination
from vanguard.supervision import access
from vanguard.supervision.models import NoteAssessment, NoteType, Sample
from vanguard.supervision.notes import sampling, selectors, services

router = Router()

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
BODY_FIELD_OF = {"round": "round_id", "note_type": "note_type_id", "sampled": "sampled_id"}
CriterionIn = Literal["good", "fair", "poor"]


def _invalid(error: ValidationError) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {BODY_FIELD_OF.get(field, field): found for field, found in error.message_dict.items()}
    )


# --- Samples ---------------------------------------------------------------------------


class NoteSampleOut(Schema):
    id: int
    campaign_id: int
    round_id: int | None
    title: str
    share: str
    minimum_per_branch: int
    seed: str = Field(..., description="The random seed, as a decimal string (up to 63 bits)")
    method: str
    population: int = Field(..., description="Members with reading notes in the sample's scope")
    size: int
    drawn_at: datetime.datetime

    @staticmethod
    def resolve_share(obj: Sample) -> str:
        return str(obj.share)

    @staticmethod
    def resolve_seed(obj: Sample) -> str:
        return str(obj.seed)


class NoteSampledOut(Schema):
    id: int
    member_id: int
    member_name: str | None = Field(None, description="Null outside the caller's branches")
    branch_id: int
    branch_name: str
    position: int = Field(..., description="Order of the draw within its branch, from 1")


class NoteSampleDetailOut(NoteSampleOut):
    branch_ids: list[int]
    members: list[NoteSampledOut]
    verified: bool | None = Field(
        None, description="Drawn again from the recorded seed, method and population: the same?"
    )


class NoteSampleIn(Schema):
    campaign_id: int
    title: str = Field(..., min_length=1, max_length=services.MAX_TITLE)
    share: Decimal = Field(Decimal("0.50"), ge=Decimal("0.01"), le=Decimal("1"), decimal_places=2)
    minimum_per_branch: int = Field(1, ge=0, le=services.MAX_MINIMUM)
    seed: int | None = Field(
        None, ge=0, lt=2**sampling.SEED_BITS, description="Default: a fresh random seed"
    )
    round_id: int | None = None


def _sample_detail(request: HttpRequest, sample: Sample) -> Sample:
    user = request.user
    members = []
    for row in selectors.sample_strata(user, sample):
        for drawn in row.drawn:
            members.append(
                {
                    "id": drawn.pk,
                    "member_id": drawn.member_id,
                    "member_name": drawn.member.name if row.names_shown else None,
                    "branch_id": row.branch.pk,
                    "branch_name": row.branch.name,
                    "position": drawn.position,
                }
            )
    verification = selectors.sample_verify(sample)
    # Read by NoteSampleDetailOut beside the sample's own fields.
    sample.branch_ids = sorted(sample.branches.values_list("pk", flat=True))  # type: ignore[attr-defined]
    sample.members = members  # type: ignore[attr-defined]
    sample.verified = verification.matches if verification.recorded else None  # type: ignore[attr-defined]
    return sample


@router.get("/samples", response=list[NoteSampleOut], summary="Note samples the caller sees")
@paginate(Pagination)
def sample_list(request: HttpRequest, campaign: int | None = None) -> QuerySet[Sample]:
    found = access.visible_samples(request.user)
    if campaign is not None:
        found = found.filter(campaign_id=campaign)
    return found.order_by("-drawn_at", "-pk")


@router.get(
    "/samples/{int:sample_id}",
    response={200: NoteSampleDetailOut, **ERRORS},
    summary="One note sample, with the members drawn",
)
def sample_detail(request: HttpRequest, sample_id: int) -> Sample:
    return _sample_detail(request, access.get_sample_for_user(request.user, sample_id))


@router.post(
    "/samples",
    response={201: NoteSampleDetailOut, **ERRORS},
    summary="Draw a stratified random sample of the members with reading notes",
)
def sample_create(request: AuthenticatedHttpRequest, payload: NoteSampleIn) -> Status:
    user = request.user
    campaign = access.get_supervision_campaign_for_user(
        user, payload.campaign_id, need=access.can_draw_sample
    )
    round_ = None
    if payload.round_id is not None:
        round_ = access.get_round_for_user(user, payload.round_id)
    try:
        sample = services.sample_draw(
            campaign=campaign,
            title=payload.title,
            share=payload.share,
            minimum_per_branch=payload.minimum_per_branch,
            seed=payload.seed,
            round=round_,
            actor=user,
        )
    except ValidationError as error:
        raise _invalid(error) from error
    return Status(201, _sample_detail(request, access.get_sample_for_user(user, sample.pk)))


# --- Assessments --------------------------------------------------------------------------


class NoteAssessmentOut(Schema):
    id: int
    campaign_id: int
    member_id: int
    member_name: str
    branch_id: int
    level: str
    sampled_id: int | None
    books: str
    content: str
    practice: str
    attitude: str
    grade: str
    note_type_id: int | None
    note_type_name: str | None
    comment: str
    assessed_at: datetime.datetime

    @staticmethod
    def resolve_member_name(obj: NoteAssessment) -> str:
        return obj.member.name

    @staticmethod
    def resolve_branch_id(obj: NoteAssessment) -> int:
        return obj.member.branch_id

    @staticmethod
    def resolve_note_type_name(obj: NoteAssessment) -> str | None:
        return obj.note_type.name if obj.note_type is not None else None


class NoteAssessmentIn(Schema):
    level: Literal["college", "general_branch"]
    sampled_id: int | None = Field(None, description="College level: the sampled member")
    campaign_id: int | None = Field(None, description="General-branch level: the campaign")
    member_id: int | None = Field(None, description="General-branch level: the member")
    books: CriterionIn
    content: CriterionIn
    practice: CriterionIn
    attitude: CriterionIn
    grade: Literal["excellent", "good", "pass", "insufficient"]
    note_type_id: int | None = None
    comment: str = Field("", max_length=services.MAX_COMMENT)


@router.get(
    "/assessments", response=list[NoteAssessmentOut], summary="Note assessments the caller sees"
)
@paginate(Pagination)
def assessment_list(
    request: HttpRequest,
    campaign: int | None = None,
    level: Literal["college", "general_branch"] | None = None,
    member: int | None = None,
) -> QuerySet[NoteAssessment]:
    found = access.visible_assessments(request.user)
    if campaign is not None:
        found = found.filter(campaign_id=campaign)
    if level is not None:
        found = found.filter(level=level)
    if member is not None:
        found = found.filter(member_id=member)
    return found.order_by("member__branch__path", "member__name", "level", "pk")


def _unprocessable(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


@router.post(
    "/assessments",
    response={200: NoteAssessmentOut, 201: NoteAssessmentOut, **ERRORS},
    summary="Assess a member's reading notes by content (201 new, 200 changed)",
)
def assessment_save(request: AuthenticatedHttpRequest, payload: NoteAssessmentIn) -> Status:
    user = request.user
    sampled = None
    if payload.level == NoteAssessment.Level.COLLEGE:
        if payload.sampled_id is None:
            raise _unprocessable("sampled_id", _("学院督查组评阅须给出抽中党员（sampled_id）。"))
        sampled = access.get_sampled_for_user(user, payload.sampled_id)
        campaign = sampled.sample.campaign
        member = sampled.member
    else:
        if payload.campaign_id is None or payload.member_id is None:
            raise _unprocessable(
                "member_id", _("党总支评阅须给出活动（campaign_id）和党员（member_id）。")
            )
        campaign = access.get_supervision_campaign_for_user(
            user,
            payload.campaign_id,
            need=lambda u, c: access.can_assess_notes(u, c, NoteAssessment.Level.GENERAL_BRANCH),
        )
        member = access.get_member_to_assess_for_user(user, payload.member_id)
    note_type: NoteType | None = None
    if payload.note_type_id is not None:
        note_type = access.get_note_type_for_user(user, payload.note_type_id)
    try:
        assessment, created = services.assessment_save(
            campaign=campaign,
            member=member,
            level=payload.level,
            sampled=sampled,
            books=payload.books,
            content=payload.content,
            practice=payload.practice,
            attitude=payload.attitude,
            grade=payload.grade,
            note_type=note_type,
            comment=payload.comment,
            actor=user,
        )
    except ValidationError as error:
        raise _invalid(error) from error
    fresh = access.visible_assessments(user).filter(pk=assessment.pk).first() or assessment
    return Status(201 if created else 200, fresh)


# --- Note types and exemplars ------------------------------------------------------------------


class NoteTypeOut(Schema):
    id: int
    campaign_id: int
    name: str
    description: str
    order: int


@router.get("/note-types", response=list[NoteTypeOut], summary="Note types of the campaigns")
def note_type_list(request: HttpRequest, campaign: int | None = None) -> QuerySet[NoteType]:
    found = access.visible_note_types(request.user)
    if campaign is not None:
        found = found.filter(campaign_id=campaign)
    return found.order_by("campaign_id", "order", "pk")


class NoteExemplarOut(Schema):
    id: int
    campaign_id: int
    title: str
    material: str
    body: str = Field(..., description="Sanitised HTML")
    note_type: str
    comment: str
    consent: Literal["consented", "anonymised"]
    author: str | None = Field(None, description="Null when anonymised")
    branch: str | None = Field(None, description="Null when anonymised")
    published_at: datetime.datetime
    withdrawn_at: datetime.datetime | None


@router.get(
    "/exemplars", response=list[NoteExemplarOut], summary="Exemplary reading notes published"
)
@paginate(Pagination)
def exemplar_list(request: HttpRequest, campaign: int | None = None) -> list[dict[str, Any]]:
    found = access.visible_exemplars(request.user)
    if campaign is not None:
        found = found.filter(campaign_id=campaign)
    return [
        {**vars(selectors.exemplar_card(e)), "id": e.pk, "campaign_id": e.campaign_id}
        for e in found.order_by("-published_at", "-pk")
    ]
