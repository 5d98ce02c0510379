"""Forms of the e-mail channel (电子信箱): a mailbox's settings, and the upload of
saved .eml files."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.campaigns.selectors import active_campaign_for_unit
from vanguard.opinions.models import Mailbox
from vanguard.organization.forms import MarksInvalidFields
from vanguard.organization.models import Unit


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return "\u3000" * max(obj.depth, 0) + obj.name


class MailboxForm(MarksInvalidFields, forms.ModelForm):
    branch = UnitChoiceField(
        label=gettext_lazy("归属单位"),
        queryset=Unit.objects.none(),
        empty_label=None,
        help_text=gettext_lazy("收到的邮件交由这个单位梳理，归入它进行中的活动。"),
    )
    password = forms.CharField(
        label=gettext_lazy("密码"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = Mailbox
        fields = (
            "branch",
            "address",
            "host",
            "port",
            "use_ssl",
            "username",
            "password",
            "folder",
            "is_active",
        )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = units  # type: ignore[attr-defined]
        self.fields["port"].widget.attrs.update({"min": 1, "max": 65535})
        if self.instance.pk:
            self.fields["password"].help_text = _("留空则保持原密码不变。")

    def clean_port(self) -> int:
        port = self.cleaned_data["port"]
        if not 1 <= port <= 65535:
            raise forms.ValidationError(_("端口应在 1 到 65535 之间"))
        return port

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password") or ""
        if not password and not self.instance.pk:
            raise forms.ValidationError(_("请填写邮箱密码（或授权码）"))
        return password or self.instance.password

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        branch = data.get("branch")
        if branch is not None:
            campaign = active_campaign_for_unit(branch.path)
            if campaign is None:
                self.add_error("branch", _("这个单位没有进行中的活动，无法设置意见邮箱"))
            else:
                self.instance.campaign = campaign
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".eml,message/rfc822"}))
        # An empty file is refused by the import, with its name in the message.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class EmlUploadForm(MarksInvalidFields, forms.Form):
    unit = UnitChoiceField(
        label=gettext_lazy("归属单位"),
        queryset=Unit.objects.none(),
        empty_label=None,
        help_text=gettext_lazy("邮件导入后交由这个单位梳理。"),
    )
    files = MultipleFileField(  # type: ignore[assignment]
        label=gettext_lazy("邮件文件（.eml，可多选）"),
        error_messages={"required": gettext_lazy("请选择要上传的 .eml 邮件文件")},
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]

    def clean_unit(self) -> Unit:
        unit = self.cleaned_data["unit"]
        campaign = active_campaign_for_unit(unit.path)
        if campaign is None:
            raise forms.ValidationError(_("这个单位没有进行中的活动，无法导入意见"))
        self.cleaned_data["campaign"] = campaign
        return unit
