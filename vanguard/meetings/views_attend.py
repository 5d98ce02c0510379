"""A branch officer records, with one tap, that they took part in one of the branch's
party groups' appraisal meetings: who they are is known, nothing is typed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vanguard.accounts.access import Person
from vanguard.accounts.http import AuthenticatedHttpRequest
from vanguard.meetings import access, services
from vanguard.meetings.models import Meeting, MeetingAttendance
from vanguard.organization.access import member_of


def officer_attendance(user: Person, meeting: Meeting) -> dict[str, Any] | None:
    """For the meeting page: whether the person may record their attendance as an
    officer, and whether it is recorded; None when the button is not for them."""
    if not access.can_attend_as_officer(user, meeting):
        return None
    member = member_of(user)
    recorded = MeetingAttendance.objects.filter(
        meeting=meeting, member=member, status=MeetingAttendance.Status.PRESENT
    ).exists()
    return {"recorded": recorded}


@login_required
@require_POST
def attend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = access.get_meeting_for_user(request.user, pk, need=access.can_attend_as_officer)
    member = member_of(request.user)
    attended = request.POST.get("attended", "1") != "0"
    try:
        services.meeting_attend_as_officer(
            meeting=meeting,
            member=member,  # type: ignore[arg-type]
            attended=attended,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("已登记您列席本次评议。") if attended else _("已取消您的列席登记。"),
        )
    return redirect("meetings:detail", pk=meeting.pk)
