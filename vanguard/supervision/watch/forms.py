"""Forms of the watch list; the choices come from the view, limited by access."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vanguard.lib.forms import offer_choices
from vanguard.organization.models import Member, Unit
from vanguard.supervision.models import WatchEntry
from vanguard.supervision.watch.services import NAME_MAX, TEXT_MAX


def member_label(member: Member) -> str:
    return gettext("%(name)s（%(login)s）") % {"name": member.name, "login": member.number}


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class WatchForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类别"), choices=WatchEntry.Kind.choices, widget=forms.RadioSelect
    )
    branch = forms.ModelChoiceField(label=_("支部"), queryset=Unit.objects.none())
    member = forms.ModelChoiceField(
        label=_("党员"),
        queryset=Member.objects.none(),
        required=False,
        empty_label=_("— 重点支部不选党员 —"),
        help_text=_("重点人须选择党员；选择支部后刷新可见该支部党员。"),
    )
    reason = forms.CharField(
        label=_("列入原因"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(
        self, *args: Any, branches: QuerySet[Unit], members: QuerySet[Member], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches  # type: ignore[attr-defined]
        offer_choices(self.fields["branch"])
        self.fields["member"].queryset = members  # type: ignore[attr-defined]
        member_field: Any = self.fields["member"]
        member_field.label_from_instance = member_label


class TalkForm(forms.Form):
    held_on = forms.DateField(label=_("谈话日期"), widget=DATE)
    talked_by = forms.CharField(
        label=_("谈话人"), max_length=NAME_MAX, help_text=_("例如：活动第一责任人")
    )
    gist = forms.CharField(
        label=_("谈话要点"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    follow_up = forms.CharField(
        label=_("后续跟进"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CloseForm(forms.Form):
    note = forms.CharField(
        label=_("解除说明"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
