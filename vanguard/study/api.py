"""JSON API of the study app: members' study work (reading notes, reflections,
essays) — the caller's own and those in their scope — with writing a text note
through `services.work_create` (sanitised like the page's editor); study sessions
and lectures, and a session's attendance for those who keep its records. Every
object comes through `study.access`."""

import datetime
from typing import Annotated, Any, cast

from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from vanguard.accounts.models import User
from vanguard.campaigns import access as campaigns_access
from vanguard.campaigns.models import Campaign
from vanguard.campaigns.selectors import active_campaign_for_unit
from vanguard.lib.api.errors import ApiError, ErrorOut
from vanguard.lib.api.fields import SchemaName
from vanguard.lib.api.pagination import Pagination
from vanguard.study import access, services
from vanguard.study.models import Attendance, StudySession, StudyWork

StudyWorkKind = Annotated[StudyWork.Kind, SchemaName("StudyWorkKind")]
router = Router(tags=["study"])

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class WorkOut(Schema):
    id: int
    campaign_id: int
    member_id: int
    member_name: str
    branch_name: str
    kind: str
    kind_display: str
    title: str
    material: str
    has_attachment: bool
    submitted_at: datetime.datetime
    updated_at: datetime.datetime
    reviewed_at: datetime.datetime | None
    is_locked: bool
    entered_by_role: str = Field(
        description="Entered on the member's behalf (代录) by an officer in this role "
        "(e.g. branch_secretary); empty when the member entered it"
    )

    @staticmethod
    def resolve_member_name(obj: StudyWork) -> str:
        return obj.member.name

    @staticmethod
    def resolve_branch_name(obj: StudyWork) -> str:
        return obj.member.branch.name

    @staticmethod
    def resolve_kind_display(obj: StudyWork) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_has_attachment(obj: StudyWork) -> bool:
        return bool(obj.attachment)


class WorkDetailOut(WorkOut):
    body: str = Field(description="Sanitised HTML")
    attachment_type: str


class WorkIn(Schema):
    kind: StudyWorkKind
    title: str = Field(..., max_length=200)
    material: str = Field(..., max_length=200, description="The book or material studied")
    body: str = Field(..., max_length=100_000, description="HTML (sanitised) or plain text")
    campaign_id: int | None = Field(
        None, description="Default: the campaign active for the caller's branch"
    )


class SessionOut(Schema):
    id: int
    campaign_id: int
    unit_id: int
    unit_name: str
    kind: str
    kind_display: str
    topic: str
    materials: str
    speaker: str
    place: str
    starts_at: datetime.datetime
    present: int

    @staticmethod
    def resolve_unit_name(obj: StudySession) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_kind_display(obj: StudySession) -> str:
        return str(obj.get_kind_display())


class AttendanceOut(Schema):
    member_id: int
    member_name: str
    branch_name: str
    status: str
    reason: str
    method: str
    recorded_at: datetime.datetime

    @staticmethod
    def resolve_member_name(obj: Attendance) -> str:
        return obj.member.name

    @staticmethod
    def resolve_branch_name(obj: Attendance) -> str:
        return obj.member.branch.name


# --- Study work -------------------------------------------------------------------


@router.get("/works", response=list[WorkOut], summary="Study work the caller may see")
@paginate(Pagination)
def work_list(
    request: HttpRequest,
    mine: bool = False,
    campaign: int | None = None,
    kind: StudyWorkKind | None = None,
    member: int | None = None,
) -> QuerySet[StudyWork]:
    works = access.visible_study_works(request.user)
    if mine:
        # The API authenticated them (vanguard/api/auth.py).
        works = works.filter(member__user=cast(User, request.user))
    if campaign is not None:
        works = works.filter(campaign_id=campaign)
    if kind is not None:
        works = works.filter(kind=kind)
    if member is not None:
        works = works.filter(member_id=member)
    return works.order_by("-submitted_at", "-pk")


@router.get(
    "/works/{int:work_id}", response={200: WorkDetailOut, **ERRORS}, summary="One study work"
)
def work_detail(request: HttpRequest, work_id: int) -> StudyWork:
    return access.get_study_work_for_user(request.user, work_id)


def _campaign_for(request: HttpRequest, campaign_id: int | None, branch_path: str) -> Campaign:
    if campaign_id is None:
        campaign = active_campaign_for_unit(branch_path)
    else:
        campaign = campaigns_access.get_campaign_for_user(request.user, campaign_id)
        if campaign.status != Campaign.Status.ACTIVE or not branch_path.startswith(
            campaign.unit.path
        ):
            campaign = None
    if campaign is None:
        raise ApiError(
            422,
            _("数据有误"),
            [{"field": "campaign_id", "message": _("您所在的支部没有正在进行的这项活动。")}],
        )
    return campaign


@router.post(
    "/works",
    response={201: WorkDetailOut, **ERRORS},
    summary="Submit a written study work (text; uploads are made on the page)",
)
def work_create(request: HttpRequest, payload: WorkIn) -> Status:
    member = access.get_author_for_user(request.user, active_only=True)
    campaign = _campaign_for(request, payload.campaign_id, member.branch.path)
    work = services.work_create(
        member=member,
        campaign=campaign,
        kind=payload.kind,
        title=payload.title,
        material=payload.material,
        body=payload.body,
    )
    return Status(201, access.get_study_work_for_user(request.user, work.pk))


# --- Sessions and attendance ------------------------------------------------------


@router.get("/sessions", response=list[SessionOut], summary="Study sessions and lectures")
@paginate(Pagination)
def session_list(
    request: HttpRequest, campaign: int | None = None, unit: int | None = None
) -> QuerySet[StudySession]:
    sessions = access.visible_study_sessions(request.user)
    if campaign is not None:
        sessions = sessions.filter(campaign_id=campaign)
    if unit is not None:
        sessions = sessions.filter(unit_id=unit)
    return sessions.annotate(
        present=Count("attendance", filter=Q(attendance__status=Attendance.Status.PRESENT))
    ).order_by("-starts_at", "-pk")


@router.get(
    "/sessions/{int:session_id}/attendance",
    response={200: list[AttendanceOut], **ERRORS},
    summary="Who came to a session (for those who keep its records)",
)
def session_attendance(request: HttpRequest, session_id: int) -> list[Attendance]:
    session = access.get_study_session_for_user(
        request.user, session_id, need=access.can_keep_session
    )
    return list(
        session.attendance.select_related("member", "member__branch").order_by(
            "member__branch__path", "member__number"
        )
    )
