"""Forms of the intake channels. They validate the input; `intake.services` applies
the rules. The survey answer form is not a Django form: its fields (one rating and
one comment per member and aspect) come from the campaign's aspects and the
branch's members, and `services.check_answers` reads them."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vanguard.lib.dates import BoundedDateField
from vanguard.lib.forms import offer_choices
from vanguard.opinions.intake.services import COMMENT_MAX_LENGTH, TEXT_MAX_LENGTH
from vanguard.opinions.models import Aspect, OpinionRecord
from vanguard.organization.forms import BranchChoiceField, MarksInvalidFields
from vanguard.organization.models import Member, Unit

RATING_CHOICES = (
    ("good", _("好")),
    ("fair", _("较好")),
    ("average", _("一般")),
    ("poor", _("较差")),
)
TEXT = {"autocomplete": "off"}
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_token() -> str:
    """A form's one-time submission token: random, tied to no one."""
    return secrets.token_urlsafe(24)


def about_choices(members: Iterable[Member]) -> list[tuple[str, Any]]:
    """Who an opinion may concern: the branch, the committee, or a member (names only)."""
    choices: list[tuple[str, Any]] = [
        ("branch", _("本支部")),
        ("committee", _("党委")),
    ]
    named = [(f"member:{member.pk}", member.name) for member in members]
    if named:
        choices.append((gettext("党员个人"), named))
    return choices


class _AboutMixin:
    def _set_about(self, members: Iterable[Member]) -> None:
        self.fields["about"].choices = about_choices(members)  # type: ignore[attr-defined]


def _text_field(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": TEXT_MAX_LENGTH}),
        error_messages={
            "required": _("请填写意见内容。"),
            "max_length": _("意见内容最多 %(limit_value)d 字，现在有 %(show_value)d 字。"),
        },
    )


class BoxForm(MarksInvalidFields, _AboutMixin, forms.Form):
    """The suggestion box (意见箱). `website` is a honeypot: hidden from people by CSS,
    filled in only by bots."""

    about = forms.ChoiceField(
        label=_("意见涉及"),
        error_messages={
            "required": _("请选择意见涉及的对象。"),
            "invalid_choice": _("请选择意见涉及的对象。"),
        },
    )
    text = _text_field(_("意见或建议"))
    contact = forms.CharField(
        label=_("联系方式（可不填）"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs=TEXT),
        help_text=_("只有负责梳理意见的同志能看到，被提意见的党员看不到。"),
        error_messages={"max_length": _("联系方式最多 %(limit_value)d 字。")},
    )
    website = forms.CharField(
        label=_("请勿填写此项"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    # One per form shown: the same form sent twice leaves one opinion. A token that is
    # not one of ours is dropped, never an error the person could not correct.
    submission_token = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, members: Iterable[Member] = (), **kwargs: Any):
        kwargs.setdefault("initial", {"about": "branch", "submission_token": new_token()})
        super().__init__(*args, **kwargs)
        self._set_about(members)

    def clean_submission_token(self) -> str:
        token = self.cleaned_data.get("submission_token") or ""
        return token if TOKEN.fullmatch(token) else ""


class SurveyCreateForm(MarksInvalidFields, forms.Form):
    branch = BranchChoiceField(
        queryset=Unit.objects.none(),
        label=_("支部"),
        empty_label=None,
        error_messages={
            "required": _("请选择支部。"),
            "invalid_choice": _("不能为这个支部发起调查：它不在您负责的范围内。"),
        },
    )
    title = forms.CharField(
        label=_("标题（可不填）"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs=TEXT),
    )

    def __init__(self, *args: Any, branches: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches  # type: ignore[attr-defined]


class InviteForm(MarksInvalidFields, forms.Form):
    """Who gets a link: members of the survey's branch ticked from its roster (Vanguard
    knows their names: nobody types them), other Party members and people outside the
    Party typed one a line."""

    members = forms.ModelMultipleChoiceField(
        queryset=Member.objects.none(),
        label=_("本支部党员"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("所选党员不在本支部名册中，或已收到邀请。")},
    )
    inside = forms.CharField(
        label=_("其他党内调查对象（每行一个姓名）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    outside = forms.CharField(
        label=_("党外调查对象（每行一个姓名）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, members: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members  # type: ignore[attr-defined]
        self.fields["members"].label_from_instance = lambda member: member.name  # type: ignore[attr-defined]

    def names(self, field: str) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data.get(field, "").splitlines() if line.strip()
        ]

    def inside_names(self, *, everyone: bool) -> list[str]:
        """The Party members to invite: the ticked members of the branch (all of them not
        yet invited, with `everyone`), then the names typed."""
        field: Any = self.fields["members"]
        members = field.queryset if everyone else self.cleaned_data["members"]
        return [member.name for member in members] + self.names("inside")


class RecordForm(MarksInvalidFields, forms.ModelForm):
    branch = BranchChoiceField(
        queryset=Unit.objects.none(),
        label=_("支部"),
        empty_label=None,
        error_messages={
            "required": _("请选择支部。"),
            "invalid_choice": _("不能为这个支部记录：它不在您负责的范围内。"),
        },
    )

    class Meta:
        model = OpinionRecord
        fields = ("kind", "held_on", "place", "participants", "notes")
        field_classes = {"held_on": BoundedDateField}
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "place": forms.TextInput(attrs=TEXT),
            "participants": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "participants": _("参加人员是意见的来源，被提意见的党员看不到。"),
        }
        error_messages = {
            "held_on": {"required": _("请填写日期。"), "invalid": _("日期格式应为 2005-03-20。")},
            "kind": {"required": _("请选择形式。")},
        }

    field_order = ("branch", "kind", "held_on", "place", "participants", "notes")

    def __init__(self, *args: Any, branches: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches  # type: ignore[attr-defined]
        offer_choices(self.fields["kind"])


class AspectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Aspect) -> str:
        return obj.name


class RecordOpinionForm(MarksInvalidFields, _AboutMixin, forms.Form):
    about = forms.ChoiceField(
        label=_("意见涉及"),
        error_messages={
            "required": _("请选择意见涉及的对象。"),
            "invalid_choice": _("请选择意见涉及的对象。"),
        },
    )
    aspect = AspectChoiceField(
        queryset=Aspect.objects.none(),
        label=_("方面（可不选）"),
        required=False,
        empty_label=_("（未定）"),
        error_messages={"invalid_choice": _("这个方面不属于本次活动。")},
    )
    text = _text_field(_("意见内容"))
    source = forms.CharField(
        label=_("提出人（可不填）"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs=TEXT),
        help_text=_("被提意见的党员看不到提出人。"),
    )

    def __init__(self, *args: Any, members: Iterable[Member], aspects: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._set_about(members)
        self.fields["aspect"].queryset = aspects  # type: ignore[attr-defined]


def answer_sections(
    *,
    members: Iterable[Member],
    aspects: Iterable[Aspect],
    data: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """What the survey page shows: one collapsible section per member, one row per aspect
    with its rating buttons and comment box, the values typed so far and any error."""
    data = data or {}
    errors = errors or {}
    aspects = list(aspects)
    sections = []
    for member in members:
        rows = []
        filled = False
        for aspect in aspects:
            prefix = f"m{member.pk}-{aspect.key}"
            rating = str(data.get(f"{prefix}-rating", "") or "")
            comment = str(data.get(f"{prefix}-comment", "") or "")
            filled = filled or bool(rating or comment.strip())
            rows.append(
                {
                    "aspect": aspect,
                    "rating_name": f"{prefix}-rating",
                    "comment_name": f"{prefix}-comment",
                    "rating": rating,
                    "comment": comment,
                    "error": errors.get(f"{prefix}-rating") or errors.get(f"{prefix}-comment"),
                    "choices": [
                        {"value": value, "label": label, "id": f"{prefix}-{value}"}
                        for value, label in RATING_CHOICES
                    ],
                }
            )
        has_error = any(row["error"] for row in rows)
        sections.append(
            {"member": member, "rows": rows, "open": filled or has_error, "has_error": has_error}
        )
    return sections


COMMENT_MAX = COMMENT_MAX_LENGTH
