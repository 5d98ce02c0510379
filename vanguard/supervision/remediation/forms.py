"""Forms of make-up work (补课) and guidance. The choices (branches, members, the
people who may be responsible) come from the view, already limited by access."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vanguard.accounts.models import User
from vanguard.lib.forms import offer_choices
from vanguard.organization.models import Member, Unit
from vanguard.supervision.remediation.services import ATTENDEES_MAX, NAME_MAX, TEXT_MAX


def member_label(member: Member) -> str:
    return gettext("%(name)s（%(login)s）") % {"name": member.name, "login": member.number}


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def person_label(user: User) -> str:
    member = getattr(user, "member", None)
    name = user.get_full_name() or (member.name if member is not None else "")
    return (
        gettext("%(name)s（%(login)s）") % {"name": name, "login": user.username}
        if name
        else user.username
    )


class BranchChoiceForm(forms.Form):
    """The first step when no branch is given: which branch (a GET form)."""

    branch = forms.ModelChoiceField(label=_("支部"), queryset=Unit.objects.none())

    def __init__(self, *args: Any, branches: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches  # type: ignore[attr-defined]
        offer_choices(self.fields["branch"])


class OrderForm(forms.Form):
    branch = forms.ModelChoiceField(
        label=_("支部"), queryset=Unit.objects.none(), widget=forms.HiddenInput
    )
    member = forms.ModelChoiceField(
        label=_("党员"),
        queryset=Member.objects.none(),
        required=False,
        empty_label=_("— 对整个支部 —"),
        help_text=_("对个别党员补课时选择该党员；不选则为支部补课。"),
    )
    reason = forms.CharField(
        label=_("补课原因"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("写明哪里不足、要补做什么。"),
    )
    deadline = forms.DateField(label=_("完成期限"), widget=DATE)
    responsible = forms.ChoiceField(
        label=_("责任人"),
        required=False,
        help_text=_("不选：党员补课由本人负责，支部补课由支部书记负责。"),
    )
    check_record = forms.IntegerField(required=False, widget=forms.HiddenInput)
    assessment = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        branches: QuerySet[Unit],
        members: QuerySet[Member],
        people: list[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches  # type: ignore[attr-defined]
        offer_choices(self.fields["branch"])
        self.fields["member"].queryset = members  # type: ignore[attr-defined]
        member_field: Any = self.fields["member"]
        member_field.label_from_instance = member_label
        self.people = {str(user.pk): user for user in people}
        self.fields["responsible"].choices = [  # type: ignore[attr-defined]
            ("", _("— 默认 —")),
            *((str(user.pk), person_label(user)) for user in people),
        ]

    def chosen_responsible(self) -> User | None:
        return self.people.get(self.cleaned_data.get("responsible") or "")


class ReportForm(forms.Form):
    report = forms.CharField(
        label=_("完成情况"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("写明补做了什么，材料放在哪里。"),
    )


class VerifyForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("复查结论"),
        widget=forms.RadioSelect,
        choices=[("verified", _("复查通过")), ("reopened", _("复查未通过，退回补课"))],
    )
    note = forms.CharField(
        label=_("复查意见"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("未通过时必填：还缺什么。"),
    )


class GuidanceForm(forms.Form):
    branch = forms.ModelChoiceField(label=_("支部"), queryset=Unit.objects.none())
    held_on = forms.DateField(label=_("指导日期"), widget=DATE)
    given_by = forms.CharField(label=_("指导人"), max_length=NAME_MAX)
    attendees = forms.CharField(
        label=_("参加人员"),
        max_length=ATTENDEES_MAX,
        required=False,
        help_text=_("例如：支部委员会全体成员"),
    )
    report = forms.CharField(
        label=_("支部汇报"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    instructions = forms.CharField(
        label=_("传达的要求"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    agreed = forms.CharField(
        label=_("商定的措施"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    lagging = forms.BooleanField(label=_("该支部进度滞后"), required=False)

    def __init__(self, *args: Any, branches: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches  # type: ignore[attr-defined]
        offer_choices(self.fields["branch"])
