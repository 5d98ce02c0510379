"""The meeting form. It validates the input; `services.meeting_create` and
`services.meeting_update` apply the rules (phase dates, who may be absent).

Attendance is not a Django field: the page lists every member expected, all
present by default; the recorder ticks `absent` for those who were not there and
types a `reason_<member id>` for each. A reason typed without the tick counts as
absent too (the recorder plainly meant it)."""

from __future__ import annotations

import datetime
import re
import secrets
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vanguard.campaigns.models import Campaign, Phase
from vanguard.lib.dates import BoundedDateField
from vanguard.meetings.models import Meeting
from vanguard.organization.forms import BranchChoiceField, MarksInvalidFields
from vanguard.organization.models import Unit

TEXT = {"autocomplete": "off"}
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_submission_token() -> str:
    return secrets.token_urlsafe(24)


class PhaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Phase) -> str:
        return gettext("%(campaign)s · %(phase)s（%(start)s 至 %(end)s）") % {
            "campaign": obj.campaign.name,
            "phase": obj.name,
            "start": f"{obj.starts_on:%Y-%m-%d}",
            "end": f"{obj.ends_on:%Y-%m-%d}",
        }


class MeetingForm(MarksInvalidFields, forms.Form):
    unit = BranchChoiceField(
        queryset=Unit.objects.none(),
        label=_("召开单位"),
        empty_label=None,
        error_messages={
            "required": _("请选择召开会议的单位。"),
            "invalid_choice": _("不能为这个单位记录会议：它不在您负责的范围内。"),
        },
    )
    kind = forms.ChoiceField(
        label=_("会议类型"),
        choices=Meeting.Kind.choices,
        error_messages={"required": _("请选择会议类型。")},
    )
    title = forms.CharField(
        label=_("会议名称"),
        max_length=200,
        required=False,
        # The unit and the kind are chosen above: the usual title is made from them.
        help_text=_("选填。留空则为单位名称加会议类型，例如“某某党支部支部动员会”。"),
        widget=forms.TextInput(attrs=TEXT),
    )
    held_on = BoundedDateField(
        label=_("会议日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("请填写会议日期。"),
            "invalid": _("会议日期的格式应为 年-月-日，例如 2026-05-08。"),
        },
    )
    held_time = forms.TimeField(
        label=_("开始时间"),
        initial=datetime.time(14, 0),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": _("请填写开始时间。"),
            "invalid": _("开始时间的格式应为 时:分，例如 14:30。"),
        },
    )
    ends_time = forms.TimeField(
        label=_("结束时间"),
        required=False,
        help_text=_("选填。早于开始时间表示次日结束，例如 19:00 开始、00:30 结束。"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("结束时间的格式应为 时:分，例如 17:30。")},
    )
    place = forms.CharField(
        label=_("地点"), max_length=100, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    host = forms.CharField(
        label=_("主持人"), max_length=50, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    recorder = forms.CharField(
        label=_("记录人"), max_length=50, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    phase = PhaseChoiceField(
        queryset=Phase.objects.none(),
        required=False,
        label=_("所属阶段"),
        empty_label=_("（按会议类型和日期自动归入）"),
        error_messages={"invalid_choice": _("所选阶段不属于正在进行的活动。")},
    )
    agenda = forms.CharField(
        label=_("议程"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    minutes = forms.CharField(
        label=_("会议记录"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    decisions = forms.CharField(
        label=_("决定事项"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    # One per form shown (see `new_submission_token`): the same form saved twice records
    # one meeting. A token that is not one of ours is dropped, never an error the
    # person could not correct.
    submission_token = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        units: Any = None,
        campaigns: Any = None,
        attendance_url: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if units is None:  # editing: the unit stays
            del self.fields["unit"]
            del self.fields["submission_token"]
        else:
            field = self.fields["unit"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = units
        phases = self.fields["phase"]
        assert isinstance(phases, forms.ModelChoiceField)
        phases.queryset = (
            Phase.objects.filter(
                campaign__in=campaigns if campaigns is not None else Campaign.objects.none()
            )
            .select_related("campaign")
            .order_by("campaign", "order")
        )
        if attendance_url:
            # Choosing another unit or kind reloads the attendance list (htmx).
            reload = {
                "hx-get": attendance_url,
                "hx-trigger": "change",
                "hx-include": "#id_unit, #id_kind",
                "hx-target": "#attendance",
                "hx-swap": "outerHTML",
            }
            for name in ("unit", "kind"):
                if name in self.fields:
                    self.fields[name].widget.attrs.update(reload)

    def clean_submission_token(self) -> str:
        token = self.cleaned_data.get("submission_token") or ""
        return token if TOKEN.fullmatch(token) else ""

    def held_at(self) -> datetime.datetime:
        day, time = self.cleaned_data["held_on"], self.cleaned_data["held_time"]
        return timezone.make_aware(datetime.datetime.combine(day, time))

    def ends_at(self) -> datetime.datetime | None:
        """The end: a time of day, on the meeting's day, or on the next day when it is
        earlier than the start (a meeting from 19:00 to 00:30). A time rather than a
        second date field, because a meeting never lasts a day (the service refuses more
        than 24 hours) and an evening meeting that runs past midnight is the only case a
        second date would serve: one field fewer to fill on a phone. An end equal to the
        start stays on the same day, and the service refuses it."""
        day, time = self.cleaned_data["held_on"], self.cleaned_data.get("ends_time")
        if time is None:
            return None
        if time < self.cleaned_data["held_time"]:
            day += datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(day, time))

    @staticmethod
    def initial_for(meeting: Meeting) -> dict[str, Any]:
        local = timezone.localtime(meeting.held_at)
        end = timezone.localtime(meeting.ends_at) if meeting.ends_at else None
        return {
            "kind": meeting.kind,
            "title": meeting.title,
            "held_on": local.date(),
            "held_time": local.time().replace(second=0, microsecond=0),
            "ends_time": end.time().replace(second=0, microsecond=0) if end else None,
            "place": meeting.place,
            "host": meeting.host,
            "recorder": meeting.recorder,
            "phase": meeting.phase_id,
            "agenda": meeting.agenda,
            "minutes": meeting.minutes,
            "decisions": meeting.decisions,
        }


def absences_from(data: QueryDict, member_ids: set[int]) -> dict[int, str]:
    """Who the recorder marked absent, with the reasons typed: {member id: reason}.
    Ids that are not on the list are kept, so that the service names them."""
    marked: dict[int, str] = {}
    for raw in data.getlist("absent"):
        try:
            marked[int(raw)] = ""
        except ValueError:
            continue
    for member_id in member_ids:
        reason = data.get(f"reason_{member_id}", "").strip()
        if reason:
            marked[member_id] = reason
    for member_id in marked:
        if not marked[member_id]:
            marked[member_id] = data.get(f"reason_{member_id}", "").strip()
    return marked
