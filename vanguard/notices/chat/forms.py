"""The form that adds a group-chat robot; the checks and the write are
`chat.services.chat_robot_add`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vanguard.lib.forms import offer_choices
from vanguard.notices.models import ChatRobot
from vanguard.organization.forms import MarksInvalidFields, UnitChoiceField
from vanguard.organization.models import Unit


class ChatRobotForm(MarksInvalidFields, forms.Form):
    unit = UnitChoiceField(
        queryset=Unit.objects.none(),
        label=_("所属组织"),
        help_text=_("这个组织及其下属组织的通知、截止提醒和每日进展会发到群里。"),
    )
    kind = forms.ChoiceField(label=_("类型"), choices=ChatRobot.Kind.choices)
    name = forms.CharField(
        label=_("名称"),
        max_length=50,
        required=False,
        help_text=_("便于识别，例如“支部委员群”。"),
    )
    webhook_url = forms.CharField(
        label=_("机器人地址（Webhook）"),
        max_length=500,
        help_text=_(
            "在群设置的“群机器人”中添加机器人后复制的地址。保存后只显示开头和末尾，"
            "请勿把地址发给他人：拿到地址的人都能往群里发消息。"
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    secret = forms.CharField(
        label=_("加签密钥（仅钉钉）"),
        max_length=200,
        required=False,
        help_text=_("钉钉机器人安全设置选择“加签”时显示的以 SEC 开头的密钥；没有则留空。"),
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units.order_by("path")
        offer_choices(field)
