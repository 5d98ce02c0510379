"""JSON API of the meetings app: the meetings a caller may see, one meeting with its
attendance counts (and the attendance itself for officers over its unit), and
recording a meeting through `services.meeting_create`, under the same rules as
the pages (`meetings.access`)."""

import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from vanguard.accounts import idempotency
from vanguard.accounts.http import AuthenticatedHttpRequest
from vanguard.campaigns import access as campaigns_access
from vanguard.campaigns.models import Phase
from vanguard.lib.api.errors import ApiError, ErrorOut
from vanguard.lib.api.fields import DateTime, SchemaName
from vanguard.lib.api.pagination import Pagination
from vanguard.meetings import access, selectors, services
from vanguard.meetings.models import Meeting, MeetingAttendance
from vanguard.organization import access as organization_access
from vanguard.organization.models import Unit

MeetingKind = Annotated[Meeting.Kind, SchemaName("MeetingKind")]
router = Router(tags=["meetings"])

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
# The service's field names, as the caller spelled them in the JSON body.
BODY_FIELD_OF = {"unit": "unit_id", "phase": "phase_id", "attendance": "absent"}


class MeetingOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    kind: str
    kind_display: str
    title: str
    held_at: datetime.datetime
    ends_at: datetime.datetime | None
    place: str
    host: str
    recorder: str
    campaign_id: int | None
    phase_id: int | None
    phase_name: str | None
    expected: int
    present: int
    absent: int

    @staticmethod
    def resolve_unit_name(obj: Meeting) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_kind_display(obj: Meeting) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_phase_name(obj: Meeting) -> str | None:
        return obj.phase.name if obj.phase_id else None  # type: ignore[union-attr]

    @staticmethod
    def resolve_expected(obj: Any) -> int:
        return obj.expected_count

    @staticmethod
    def resolve_present(obj: Any) -> int:
        return obj.present_count

    @staticmethod
    def resolve_absent(obj: Any) -> int:
        return obj.absent_count


class MeetingAttendanceOut(Schema):
    member_id: int
    member_name: str
    branch_name: str
    status: str
    reason: str


class MeetingDetailOut(MeetingOut):
    agenda: str
    minutes: str
    decisions: str
    my_status: str | None = None
    attendance: list[MeetingAttendanceOut] | None = Field(
        None, description="Each member's attendance; null for callers who see only the counts"
    )

    @staticmethod
    def resolve_attendance(obj: Any) -> list[dict[str, Any]] | None:
        return obj.attendance_rows


class AbsenceIn(Schema):
    member_id: int
    reason: str = Field(..., max_length=200)


class MeetingIn(Schema):
    unit_id: int
    kind: MeetingKind
    title: str = Field(..., max_length=200)
    held_at: DateTime
    ends_at: DateTime | None = Field(
        None, description="When it ended: after held_at, within 24 hours of it"
    )
    place: str = Field("", max_length=100)
    host: str = Field("", max_length=50)
    recorder: str = Field("", max_length=50)
    agenda: str = ""
    minutes: str = ""
    decisions: str = ""
    phase_id: int | None = None
    absent: list[AbsenceIn] = Field(
        default_factory=list, description="Members absent, with reasons; everyone else present"
    )


def _detail(request: HttpRequest, meeting: Meeting) -> Meeting:
    """The meeting, with its counts, the caller's own attendance and (for officers)
    everyone's, set on it for MeetingDetailOut."""
    user = request.user
    counts = selectors.attendance_counts(meeting)
    member = organization_access.member_of(user)
    mine = (
        MeetingAttendance.objects.filter(meeting=meeting, member=member)
        .values_list("status", flat=True)
        .first()
        if member is not None
        else None
    )
    attendance = None
    if access.can_view_meeting_attendance(user, meeting):
        attendance = [
            {
                "member_id": row.member_id,
                "member_name": row.member.name,
                "branch_name": row.member.branch.name,
                "status": row.status,
                "reason": row.reason,
            }
            for row in selectors.meeting_attendance(meeting)
        ]
    meeting.expected_count = counts["expected"]  # type: ignore[attr-defined]
    meeting.present_count = counts["present"]  # type: ignore[attr-defined]
    meeting.absent_count = counts["absent"]  # type: ignore[attr-defined]
    meeting.my_status = mine  # type: ignore[attr-defined]
    meeting.attendance_rows = attendance  # type: ignore[attr-defined]
    return meeting


@router.get("/", response=list[MeetingOut], summary="Meetings the caller may see")
@paginate(Pagination)
def meeting_list(
    request: HttpRequest,
    unit: int | None = None,
    kind: MeetingKind | None = None,
    campaign: int | None = None,
) -> QuerySet[Meeting]:
    within = None
    if unit is not None:
        within = Unit.objects.filter(pk=unit).first()
        if within is None:
            return Meeting.objects.none()
    return selectors.meeting_list(request.user, unit=within, kind=kind, campaign_id=campaign)


@router.get(
    "/{int:meeting_id}",
    response={200: MeetingDetailOut, **ERRORS},
    summary="One meeting with its attendance counts",
)
def meeting_detail(request: HttpRequest, meeting_id: int) -> Meeting:
    return _detail(request, access.get_meeting_for_user(request.user, meeting_id))


@router.post(
    "/",
    response={201: MeetingDetailOut, **ERRORS},
    summary="Record a meeting with its attendance",
)
def meeting_create(request: AuthenticatedHttpRequest, payload: MeetingIn) -> Status:
    """Sent again with the same `Idempotency-Key` header (a retry after a lost answer),
    it returns the meeting the first request recorded instead of a second one."""
    user = request.user
    key = idempotency.key_of(request)
    unit = campaigns_access.get_records_unit_for_user(
        user, payload.unit_id, need=campaigns_access.can_keep_records
    )
    phase = None
    if payload.phase_id is not None:
        phase = Phase.objects.filter(pk=payload.phase_id).first()
        if phase is None:
            raise ApiError(
                422,
                _("数据有误"),
                [{"field": "phase_id", "message": _("所选阶段不属于本单位正在进行的活动。")}],
            )
    try:
        meeting = services.meeting_create(
            unit=unit,
            kind=payload.kind,
            title=payload.title,
            held_at=payload.held_at,
            ends_at=payload.ends_at,
            place=payload.place,
            host=payload.host,
            recorder=payload.recorder,
            agenda=payload.agenda,
            minutes=payload.minutes,
            decisions=payload.decisions,
            phase=phase,
            absences={item.member_id: item.reason for item in payload.absent},
            actor=user,
            submission_token=idempotency.token(user=user, key=key, scope="meetings"),
        )
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {BODY_FIELD_OF.get(field, field): found for field, found in error.message_dict.items()}
        ) from error
    return Status(201, _detail(request, access.get_meeting_for_user(user, meeting.pk)))
