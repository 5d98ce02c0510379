"""Forms of the study pages. They validate input; the writes are `study.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from vanguard.lib import uploads
from vanguard.lib.dates import BoundedDateTimeField
from vanguard.lib.forms import offer_choices
from vanguard.lib.sanitize import clean_html, text_to_html
from vanguard.organization.forms import MarksInvalidFields
from vanguard.organization.models import Member, Unit
from vanguard.study.models import Attendance, StudySession, StudyWork

# What a study work's file may be (`uploads.STUDY_KINDS`), for the browser's file picker;
# the server opens the file and decides (`services.check_upload`).
ACCEPT = ".pdf,.docx,.jpg,.jpeg,.png,.heic,.heif,application/pdf,image/jpeg,image/png,image/heic"


class RichTextMixin:
    """A rich-text field arrives as HTML from the editor (static/js/editor.js sets
    `body_format` to "html"), or as plain text from the bare textarea without JS."""

    def clean_body(self) -> str:
        raw = self.cleaned_data.get("body", "")  # type: ignore[attr-defined]
        if self.data.get("body_format") == "html":  # type: ignore[attr-defined]
            return clean_html(raw)
        return text_to_html(raw)


def _rich_textarea(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "data-rich-text": "true"}),
    )


class PlanForm(MarksInvalidFields, RichTextMixin, forms.Form):
    title = forms.CharField(label=_("标题"), max_length=120)
    body = _rich_textarea(_("计划内容"))


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return "\u3000" * max(obj.depth, 0) + obj.name


class SessionForm(MarksInvalidFields, forms.Form):
    unit = UnitChoiceField(label=_("组织单位"), queryset=Unit.objects.none(), empty_label=None)
    kind = forms.ChoiceField(label=_("类型"), choices=StudySession.Kind.choices)
    topic = forms.CharField(label=_("主题"), max_length=200)
    starts_at = BoundedDateTimeField(
        label=_("开始时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    speaker = forms.CharField(label=_("主讲人"), max_length=100, required=False)
    materials = forms.CharField(
        label=_("学习材料"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class WorkForm(MarksInvalidFields, RichTextMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=StudyWork.Kind.choices)
    title = forms.CharField(label=_("标题"), max_length=200)
    material = forms.CharField(
        label=_("所学书目或材料"),
        max_length=200,
        help_text=_("例如：《党章》、《江泽民论加强和改进执政党建设》"),
    )
    body = _rich_textarea(_("正文"))
    attachment = forms.FileField(
        label=_("上传文件（PDF、Word 或手写笔记的照片）"),
        required=False,
        # An empty file is refused by the upload check, whose message names the file.
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, has_file: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_file = has_file
        self.fields["attachment"].help_text = _(
            "可以上传：%(kinds)s，不超过 %(size)s。可以只写正文，也可以只上传文件。"
        ) % {
            "kinds": uploads.kinds_text(uploads.STUDY_KINDS),
            "size": uploads.megabytes(settings.STUDY_UPLOAD_MAX_BYTES),
        }
        if has_file:
            self.fields["remove_file"] = forms.BooleanField(
                label=_("删除已上传的文件"), required=False
            )


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.name} · {obj.branch.name}"


class ProxyWorkForm(WorkForm):
    """A study work entered on a member's behalf (代录): the work's fields, and whose it
    is, chosen among the members whose branch's records the officer keeps."""

    member = MemberChoiceField(
        label=_("代谁录入"),
        queryset=Member.objects.none(),
        error_messages={
            "required": _("请选择为哪位党员代录。"),
            "invalid_choice": _("不能为这位党员代录：他不在您负责的支部。"),
        },
    )
    field_order = ["member"]

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = members
        offer_choices(field)


class AttendanceForm(forms.Form):
    """One row per expected member: present or absent, and a reason for an absence.
    Field names carry the member's id: `status_<id>`, `reason_<id>`."""

    def __init__(self, *args: Any, members: list, existing: dict, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = []
        for member in members:
            row = existing.get(member.pk)
            status_name, reason_name = f"status_{member.pk}", f"reason_{member.pk}"
            self.fields[status_name] = forms.ChoiceField(
                label=member.name,
                choices=Attendance.Status.choices,
                widget=forms.RadioSelect,
                initial=row.status if row else Attendance.Status.PRESENT,
            )
            self.fields[reason_name] = forms.CharField(
                label=_("%(name)s的缺席原因") % {"name": member.name},
                max_length=200,
                required=False,
                initial=row.reason if row else "",
            )
            self.rows.append(
                {
                    "member": member,
                    "status": self[status_name],
                    "reason": self[reason_name],
                    "method": row.get_method_display() if row else "",
                }
            )
        self.members = {member.pk: member for member in members}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        errors = []
        for pk, member in self.members.items():
            if (
                data.get(f"status_{pk}") == Attendance.Status.ABSENT
                and not (data.get(f"reason_{pk}") or "").strip()
            ):
                self.add_error(f"reason_{pk}", _("缺席须填写原因。"))
                errors.append(member.name)
        if errors:
            raise ValidationError(
                _("请填写这些同志的缺席原因：%(names)s。") % {"names": _("、").join(errors)}
            )
        return data

    def marks(self) -> dict[int, tuple[str, str]]:
        return {
            pk: (self.cleaned_data[f"status_{pk}"], self.cleaned_data.get(f"reason_{pk}", ""))
            for pk in self.members
        }
