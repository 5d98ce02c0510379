"""Forms of the notices app; the writes are `notices.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vanguard.lib.forms import offer_choices
from vanguard.notices.models import NoticePreference
from vanguard.organization.forms import MarksInvalidFields, UnitChoiceField
from vanguard.organization.models import Unit


class NoticeForm(MarksInvalidFields, forms.Form):
    unit = UnitChoiceField(
        queryset=Unit.objects.none(),
        label=_("发送范围"),
        help_text=_("通知发给这个组织及其下属的全部组织和党员。"),
    )
    title = forms.CharField(label=_("标题"), max_length=200)
    body = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units.order_by("path")
        offer_choices(field)


class NoticePreferenceForm(forms.Form):
    email = forms.ChoiceField(
        label=_("邮件提醒"),
        choices=NoticePreference.Email.choices,
        widget=forms.RadioSelect,
        help_text=_("系统内的提醒总会保留在本页；这里只决定是否以及怎样发邮件。"),
    )
