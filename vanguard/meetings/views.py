"""Meeting pages: the list, one meeting, and the record form (new and edit) with its
attendance list. Every meeting, and the unit a meeting is recorded for, comes through
`meetings.access`, which answers 404 or 403; the writes are `meetings.services`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from vanguard.accounts.access import Person
from vanguard.accounts.http import AuthenticatedHttpRequest
from vanguard.campaigns import access as campaigns_access
from vanguard.campaigns.models import Campaign
from vanguard.meetings import access, selectors, services
from vanguard.meetings.forms import MeetingForm, absences_from, new_submission_token
from vanguard.meetings.models import Meeting, MeetingAttendance
from vanguard.meetings.views_attend import officer_attendance
from vanguard.organization import access as organization_access
from vanguard.organization.models import Member, Unit

PAGE_SIZE = 30
# The form's fields that map onto a service error's field names.
FORM_FIELD_OF = {"held_at": "held_on", "ends_at": "ends_time"}


def _kind(raw: str | None, default: str = "") -> str:
    return raw if raw in Meeting.Kind.values else default


def _default_kind(unit: Unit) -> str:
    if unit.kind == Unit.Kind.PARTY_GROUP:
        return Meeting.Kind.PARTY_GROUP
    if unit.kind == Unit.Kind.BRANCH:
        return Meeting.Kind.MOBILISATION
    return Meeting.Kind.ALL_MEMBER


def _chosen_unit(units: QuerySet[Unit], raw: Any) -> Unit | None:
    try:
        return units.filter(pk=int(raw)).first() if raw else None
    except (TypeError, ValueError):
        return None


def _rows(attendees: list[Member], absent: dict[int, str]) -> list[dict[str, Any]]:
    return [
        {"member": m, "absent": m.pk in absent, "reason": absent.get(m.pk, "")} for m in attendees
    ]


def _active_campaigns(user: Person) -> QuerySet[Campaign]:
    return campaigns_access.visible_campaigns(user).filter(status=Campaign.Status.ACTIVE)


def _show_errors(form: MeetingForm, error: ValidationError) -> list[str]:
    """Put a service's errors on the form's fields; the attendance ones are returned."""
    attendance: list[str] = []
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return attendance
    for field, found in error.message_dict.items():
        name = FORM_FIELD_OF.get(field, field)
        if field == "attendance":
            attendance.extend(found)
        elif name in form.fields:
            form.add_error(name, found)
            form.fields[name].widget.attrs.update(
                {"aria-invalid": "true", "aria-describedby": f"{form[name].auto_id}_error"}
            )
        else:
            form.add_error(None, found)
    return attendance


def _form_data(form: MeetingForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "kind": data["kind"],
        "title": data["title"],
        "held_at": form.held_at(),
        "ends_at": form.ends_at(),
        "place": data["place"],
        "host": data["host"],
        "recorder": data["recorder"],
        "agenda": data["agenda"],
        "minutes": data["minutes"],
        "decisions": data["decisions"],
    }


@login_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    kind = _kind(request.GET.get("kind"))
    units = list(access.list_filter_units(user))
    unit = access.list_filter_unit_for_user(user, request.GET.get("unit"))
    meetings = selectors.meeting_list(user, unit=unit, kind=kind or None)
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/list.html",
        {
            "page": page,
            "kind": kind,
            "kinds": Meeting.Kind.choices,
            # The branch filter, for officers who see more than one branch.
            "units": units if len(units) > 1 else [],
            "unit": unit,
            "filter_query": urlencode(
                {k: v for k, v in (("kind", kind), ("unit", unit.pk if unit else "")) if v}
            ),
            "can_record": campaigns_access.record_units(user).exists(),
            # The way to the branches' meeting record books (支部大会记录本), for the
            # officers and observers who read branches' records (materials decides whose).
            "can_read_books": campaigns_access.progress_units(user).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    units = access.recordable_units(user)
    unit = access.get_default_record_unit_for_user(user)
    source = request.POST if request.method == "POST" else request.GET
    unit = _chosen_unit(units, source.get("unit")) or unit
    kind = _kind(source.get("kind"), _default_kind(unit))
    attendees = list(selectors.expected_attendees(unit=unit, kind=kind))
    options: dict[str, Any] = {
        "units": units,
        "campaigns": _active_campaigns(user),
        "attendance_url": reverse("meetings:attendance_rows"),
    }
    attendance_errors: list[str] = []
    if request.method == "POST":
        form = MeetingForm(request.POST, **options)
        absences = absences_from(request.POST, {m.pk for m in attendees})
        if form.is_valid():
            try:
                meeting = services.meeting_create(
                    unit=form.cleaned_data["unit"],
                    phase=form.cleaned_data["phase"],
                    absences=absences,
                    actor=user,
                    submission_token=form.cleaned_data["submission_token"],
                    **_form_data(form),
                )
            except ValidationError as error:
                attendance_errors = _show_errors(form, error)
            else:
                messages.success(
                    request,
                    _("已记录会议“%(title)s”：应到 %(expected)d 人，缺席 %(absent)d 人。")
                    % {
                        "title": meeting.title,
                        "expected": len(attendees),
                        "absent": len(absences),
                    },
                )
                return redirect("meetings:detail", pk=meeting.pk)
    else:
        form = MeetingForm(
            initial={
                "unit": unit.pk,
                "kind": kind,
                "held_on": timezone.localdate(),
                # Whoever records the meeting usually chaired it (the secretary): their
                # name, known, rather than typed; another name may replace it.
                "host": getattr(organization_access.member_of(user), "name", ""),
                "submission_token": new_submission_token(),
            },
            **options,
        )
        absences = {}
    return render(
        request,
        "meetings/form.html",
        {
            "form": form,
            "meeting": None,
            "rows": _rows(attendees, absences),
            "attendance_errors": attendance_errors,
        },
    )


@login_required
@require_GET
def attendance_rows(request: HttpRequest) -> HttpResponse:
    """The attendance list of the unit and kind chosen so far, for htmx to swap in."""
    unit = access.get_record_unit_for_user(request.user, request.GET.get("unit"))
    kind = _kind(request.GET.get("kind"), _default_kind(unit))
    attendees = list(selectors.expected_attendees(unit=unit, kind=kind))
    return render(
        request,
        "meetings/_attendance.html",
        {"rows": _rows(attendees, {}), "attendance_errors": []},
    )


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = access.get_meeting_for_user(user, pk)
    show_names = access.can_view_meeting_attendance(user, meeting)
    member = organization_access.member_of(user)
    own = (
        MeetingAttendance.objects.filter(meeting=meeting, member=member).first()
        if member is not None
        else None
    )
    rows = selectors.meeting_attendance(meeting) if show_names else []
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "counts": selectors.attendance_counts(meeting),
            "show_names": show_names,
            "absent_rows": [r for r in rows if r.status == MeetingAttendance.Status.ABSENT],
            "present_rows": [r for r in rows if r.status == MeetingAttendance.Status.PRESENT],
            "own": own,
            "can_edit": campaigns_access.can_keep_records(user, meeting.unit),
            "officer_attendance": officer_attendance(user, meeting),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = access.get_meeting_for_user(user, pk, need=access.can_edit_meeting)
    recorded = selectors.meeting_attendance(meeting)
    attendees = sorted([row.member for row in recorded], key=lambda m: (m.branch.path, m.number))
    known = {m.pk for m in attendees}
    kind = (
        _kind(request.POST.get("kind"), meeting.kind) if request.method == "POST" else meeting.kind
    )
    attendees += [
        m for m in selectors.expected_attendees(unit=meeting.unit, kind=kind) if m.pk not in known
    ]
    options: dict[str, Any] = {"units": None, "campaigns": _active_campaigns(user)}
    attendance_errors: list[str] = []
    if request.method == "POST":
        form = MeetingForm(request.POST, **options)
        absences = absences_from(request.POST, {m.pk for m in attendees})
        if form.is_valid():
            try:
                services.meeting_update(
                    meeting=meeting,
                    actor=user,
                    data=_form_data(form),
                    phase=form.cleaned_data["phase"],
                    absences=absences,
                )
            except ValidationError as error:
                attendance_errors = _show_errors(form, error)
            else:
                messages.success(request, _("已保存会议“%(title)s”。") % {"title": meeting.title})
                return redirect("meetings:detail", pk=meeting.pk)
        meeting.refresh_from_db()
    else:
        form = MeetingForm(initial=MeetingForm.initial_for(meeting), **options)
        absences = {
            row.member_id: row.reason
            for row in recorded
            if row.status == MeetingAttendance.Status.ABSENT
        }
    return render(
        request,
        "meetings/form.html",
        {
            "form": form,
            "meeting": meeting,
            "rows": _rows(attendees, absences),
            "attendance_errors": attendance_errors,
        },
    )
