"""JSON API of the reviews app: self-analysis documents, their versions and the
review verdicts. Every object comes through `reviews.access`, which decides who may
act on it (a refusal's 403 says why); every write through `reviews.services` (the
state machine). A stale draft save answers 409 with both texts — the saved one and
the caller's — so nothing is lost."""

import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from vanguard.accounts.http import AuthenticatedHttpRequest
from vanguard.accounts.models import User
from vanguard.lib.api.errors import ApiError, ErrorOut
from vanguard.lib.api.fields import SchemaName
from vanguard.lib.api.pagination import Pagination
from vanguard.lib.people import person_name
from vanguard.organization import access as organization_access
from vanguard.reviews import access, selectors, services
from vanguard.reviews.models import SECTIONS, SelfAnalysis, SubmittedVersion

SelfAnalysisState = Annotated[SelfAnalysis.State, SchemaName("SelfAnalysisState")]
router = Router(tags=["reviews"])

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
TEXT_MAX = 100_000


class Sections(Schema):
    problems: str = ""
    roots: str = ""
    direction: str = ""
    summary: str = ""


class DocumentOut(Schema):
    id: int
    campaign_id: int
    member_id: int
    member_name: str
    branch_name: str
    state: str
    state_display: str
    current_round: int

    @staticmethod
    def resolve_member_name(obj: SelfAnalysis) -> str:
        return obj.member.name

    @staticmethod
    def resolve_branch_name(obj: SelfAnalysis) -> str:
        return obj.member.branch.name

    @staticmethod
    def resolve_state_display(obj: SelfAnalysis) -> str:
        return str(obj.get_state_display())


class VersionOut(Schema):
    number: int
    round: int
    submitted_at: datetime.datetime


class VersionDetailOut(VersionOut, Sections):
    pass


class CriterionOut(Schema):
    criterion: str
    label: str
    ok: bool | None
    comment: str


class EventOut(Schema):
    at: datetime.datetime
    kind: str = Field(description="submitted | review | committee")
    round: int
    by: str
    version: int | None = None
    verdict: str | None = None
    reasons: str = ""
    criteria: list[CriterionOut] = []
    achievements: str = ""
    problems: str = ""
    directions: str = ""
    text: str = Field("", description="The committee's guidance, opinion or approval")


class DocumentDetailOut(Schema):
    id: int
    campaign_id: int
    member_id: int
    member_name: str
    branch_name: str
    state: str
    state_display: str
    current_round: int
    draft: Sections | None = Field(None, description="The working draft: the author only")
    draft_version: int | None = None
    versions: list[VersionOut]
    history: list[EventOut]


class DraftIn(Sections):
    base_version: int = Field(..., ge=0, description="The draft_version the edit started from")
    problems: str = Field("", max_length=TEXT_MAX)
    roots: str = Field("", max_length=TEXT_MAX)
    direction: str = Field("", max_length=TEXT_MAX)
    summary: str = Field("", max_length=TEXT_MAX)


class ConflictOut(Schema):
    detail: str
    errors: list = []
    current_version: int
    current: Sections = Field(description="The text saved by the other save")
    yours: Sections = Field(description="The text this request tried to save (not saved)")


class SubmitIn(Schema):
    base_version: int = Field(..., ge=0)


class CriterionIn(Schema):
    ok: bool
    comment: str = Field("", max_length=2000)


class ReviewIn(Schema):
    version: int = Field(..., description="The version number reviewed (the latest)")
    criteria: dict[str, CriterionIn]
    verdict: Literal["pass", "return"]
    reasons: str = Field("", max_length=TEXT_MAX)
    achievements: str = Field("", max_length=TEXT_MAX)
    problems: str = Field("", max_length=TEXT_MAX)
    directions: str = Field("", max_length=TEXT_MAX)


class ResponseIn(Schema):
    text: str = Field(..., max_length=TEXT_MAX)


def _name(user: User | None) -> str:
    return person_name(user)  # “（账号已删除）” when the account is gone


def _sections(obj: Any) -> dict[str, str]:
    return {name: getattr(obj, name) for name, _label in SECTIONS}


def _detail(request: HttpRequest, document: SelfAnalysis) -> dict[str, Any]:
    author = access.can_edit_self_analysis(request.user, document)
    history = []
    for event in selectors.history(document):
        item: dict[str, Any] = {
            "at": event.at,
            "kind": event.kind,
            "round": event.round,
            "by": _name(event.who),
            "version": event.version.number if event.version else None,
        }
        if event.review is not None:
            review = event.review
            item.update(
                verdict=review.verdict,
                reasons=review.reasons,
                achievements=review.achievements,
                problems=review.problems,
                directions=review.directions,
                criteria=[
                    {
                        "criterion": name,
                        "label": label,
                        "ok": ok,
                        "comment": comment,
                    }
                    for name, (label, ok, comment) in zip(
                        services.CRITERION_NAMES, event.criteria, strict=True
                    )
                ],
            )
        if event.response is not None:
            item["text"] = event.response.text
        history.append(item)
    return {
        "id": document.pk,
        "campaign_id": document.campaign_id,
        "member_id": document.member_id,
        "member_name": document.member.name,
        "branch_name": document.member.branch.name,
        "state": document.state,
        "state_display": str(document.get_state_display()),
        "current_round": document.current_round,
        "draft": _sections(document) if author else None,
        "draft_version": document.draft_version if author else None,
        "versions": list(selectors.versions(document)),
        "history": history,
    }


def _fetch(request: HttpRequest, pk: object, need: access.Capability | None = None) -> SelfAnalysis:
    """The document through `reviews.access`; a refusal keeps its Chinese reason in the 403."""
    try:
        return access.get_self_analysis_for_user(request.user, pk, need=need)
    except PermissionDenied as refused:
        raise ApiError(403, str(refused) or _("无权执行此操作")) from None


@router.get("/mine", response={200: DocumentDetailOut, **ERRORS}, summary="My self-analysis")
def mine(request: HttpRequest) -> dict[str, Any]:
    member = organization_access.member_of(request.user)
    document = services.document_for_member(member=member) if member else None
    # No member record or no campaign: there is no document (404).
    return _detail(request, _fetch(request, document.pk if document else None))


@router.get("/documents", response=list[DocumentOut], summary="Documents the caller may see")
@paginate(Pagination)
def document_list(
    request: HttpRequest,
    campaign: int | None = None,
    state: SelfAnalysisState | None = None,
    branch: int | None = None,
) -> QuerySet[SelfAnalysis]:
    documents = access.visible_self_analyses(request.user)
    if campaign is not None:
        documents = documents.filter(campaign_id=campaign)
    if state is not None:
        documents = documents.filter(state=state)
    if branch is not None:
        documents = documents.filter(member__branch_id=branch)
    return documents.order_by("member__branch__path", "member__name", "pk")


@router.get(
    "/documents/{int:document_id}",
    response={200: DocumentDetailOut, **ERRORS},
    summary="One document with its versions and history",
)
def document_detail(request: HttpRequest, document_id: int) -> dict[str, Any]:
    return _detail(request, _fetch(request, document_id))


@router.get(
    "/documents/{int:document_id}/versions/{int:number}",
    response={200: VersionDetailOut, **ERRORS},
    summary="One submitted version",
)
def version_detail(request: HttpRequest, document_id: int, number: int) -> SubmittedVersion:
    return access.get_version(_fetch(request, document_id), number)


@router.put(
    "/documents/{int:document_id}/draft",
    response={200: DocumentDetailOut, 409: ConflictOut, **ERRORS},
    summary="Save the draft (the author; refused with 409 if saved since base_version)",
)
def draft_save(request: AuthenticatedHttpRequest, document_id: int, payload: DraftIn) -> Any:
    document = _fetch(request, document_id, access.can_edit_self_analysis)
    yours = {name: getattr(payload, name) for name, _label in SECTIONS}
    try:
        saved = services.draft_save(
            document=document, data=yours, base_version=payload.base_version, user=request.user
        )
    except services.StaleDraft as stale:
        return Status(
            409,
            {
                "detail": str(stale),
                "errors": [],
                "current_version": stale.current_version,
                "current": _sections(stale.current),
                "yours": yours,
            },
        )
    return _detail(request, saved)


@router.post(
    "/documents/{int:document_id}/submit",
    response={201: VersionDetailOut, 409: ConflictOut, **ERRORS},
    summary="Submit the saved draft as the next version (a repeat returns the same version)",
)
def document_submit(request: AuthenticatedHttpRequest, document_id: int, payload: SubmitIn) -> Any:
    document = _fetch(request, document_id, access.can_edit_self_analysis)
    try:
        version = services.document_submit(
            document=document, base_version=payload.base_version, user=request.user
        )
    except services.StaleDraft as stale:
        return Status(
            409,
            {
                "detail": str(stale),
                "errors": [],
                "current_version": stale.current_version,
                "current": _sections(stale.current),
                "yours": _sections(stale.current),
            },
        )
    return Status(201, version)


@router.post(
    "/documents/{int:document_id}/reviews",
    response={201: DocumentDetailOut, **ERRORS},
    summary="The branch's verdict on the latest version (pass, or return with reasons)",
)
def branch_review(request: AuthenticatedHttpRequest, document_id: int, payload: ReviewIn) -> Status:
    document = _fetch(request, document_id, access.can_branch_review)
    version = document.versions.filter(number=payload.version).first()
    if version is None:
        raise ApiError(422, _("数据有误"), [{"field": "version", "message": _("没有这个版本。")}])
    services.branch_review(
        document=document,
        version=version,
        reviewer=request.user,
        criteria={name: item.dict() for name, item in payload.criteria.items()},
        verdict=payload.verdict,
        reasons=payload.reasons,
        achievements=payload.achievements,
        problems=payload.problems,
        directions=payload.directions,
    )
    document.refresh_from_db()
    return Status(201, _detail(request, document))


@router.post(
    "/documents/{int:document_id}/committee-response",
    response={201: DocumentDetailOut, **ERRORS},
    summary="The committee's guidance, opinion or approval, closing the round",
)
def committee_respond(
    request: AuthenticatedHttpRequest, document_id: int, payload: ResponseIn
) -> Status:
    document = _fetch(request, document_id, access.can_committee_respond)
    services.committee_respond(document=document, text=payload.text, user=request.user)
    document.refresh_from_db()
    return Status(201, _detail(request, document))
