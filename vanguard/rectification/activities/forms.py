"""Forms of branch activities. Their choices (branches, members, treasurers) come from
the view, already limited by access; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vanguard.accounts.models import User
from vanguard.lib.forms import offer_choices
from vanguard.organization.models import Member, Unit
from vanguard.rectification.activities.services import (
    IDEA_MAX,
    NOTE_MAX,
    TEXT_MAX,
    TITLE_MAX,
)
from vanguard.rectification.models import Activity, Idea

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def member_label(member: Member) -> str:
    return gettext("%(name)s（%(number)s）") % {"name": member.name, "number": member.number}


def login_label(user: User) -> str:
    member = getattr(user, "member", None)
    return member_label(member) if member is not None else user.username


class BranchChoiceForm(forms.Form):
    """The first step when the person keeps several branches (a GET form)."""

    branch = forms.ModelChoiceField(label=_("支部"), queryset=Unit.objects.none())

    def __init__(self, *args: Any, branches: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches  # type: ignore[attr-defined]
        offer_choices(self.fields["branch"])


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("活动类型"), choices=Activity.Kind.choices)
    title = forms.CharField(
        label=_("活动名称"),
        max_length=TITLE_MAX,
        help_text=_("例如：交一次特殊党费、金点子征集、文明离校倡议"),
    )
    held_on = forms.DateField(label=_("活动日期"), required=False, widget=DATE)
    description = forms.CharField(
        label=_("活动说明"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # Choices by the members' ids as text, matched here rather than in the database
    # (a ModelMultipleChoiceField sends any number typed into the query, and one past
    # 64 bits is a database error instead of a refused choice).
    participants = forms.MultipleChoiceField(
        label=_("参加党员"), required=False, widget=forms.CheckboxSelectMultiple
    )
    participants_note = forms.CharField(
        label=_("其他参加人员"),
        max_length=NOTE_MAX,
        required=False,
        help_text=_("例如：入党积极分子 12 人"),
    )
    outcomes = forms.CharField(
        label=_("成效"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    treasurer = forms.ModelChoiceField(
        label=_("经管人"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— 暂由支部书记经管 —"),
        help_text=_("特殊党费捐助：由谁登记每人的捐助金额。只有经管人和本人能看到个人金额。"),
    )

    def __init__(
        self, *args: Any, members: QuerySet[Member], treasurers: QuerySet[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.members = {str(member.pk): member for member in members}
        participants: Any = self.fields["participants"]
        participants.choices = [(pk, member_label(m)) for pk, m in self.members.items()]
        treasurer: Any = self.fields["treasurer"]
        treasurer.queryset = treasurers
        treasurer.label_from_instance = login_label

    def clean_participants(self) -> list[Member]:
        return [self.members[pk] for pk in self.cleaned_data["participants"]]


class DonationForm(forms.Form):
    member = forms.ModelChoiceField(label=_("党员"), queryset=Member.objects.none())
    # The amount's rules (more than zero, at most two decimals) are the service's, so
    # that the page and the API refuse alike with the same words.
    amount = forms.DecimalField(
        label=_("金额（元）"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"invalid": _("请填写金额，例如 100 或 12.50。")},
    )
    given_on = forms.DateField(label=_("捐助日期"), required=False, widget=DATE)

    def __init__(self, *args: Any, members: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        member: Any = self.fields["member"]
        member.queryset = members
        member.label_from_instance = member_label
        offer_choices(member)


class IdeaForm(forms.Form):
    text = forms.CharField(
        label=_("我的金点子"), max_length=IDEA_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    anonymous = forms.BooleanField(
        label=_("匿名提出（不留姓名，谁也看不到是谁提的）"), required=False
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("研究结果"),
        widget=forms.RadioSelect,
        choices=[
            (Idea.Decision.ADOPTED, _("采纳")),
            (Idea.Decision.DECLINED, _("暂不采纳")),
        ],
    )
    note = forms.CharField(
        label=_("说明"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("暂不采纳时必填：为什么。"),
    )


class ToItemForm(forms.Form):
    measure = forms.CharField(
        label=_("整改措施"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    standard = forms.CharField(
        label=_("完成标准"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    deadline = forms.DateField(label=_("完成时限"), widget=DATE)
    responsible = forms.ModelChoiceField(
        label=_("责任人"),
        queryset=Member.objects.none(),
        required=False,
        empty_label=_("— 支部 —"),
    )

    def __init__(self, *args: Any, members: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        responsible: Any = self.fields["responsible"]
        responsible.queryset = members
        responsible.label_from_instance = member_label
