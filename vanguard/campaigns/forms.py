"""Forms for managing campaigns and approving phase transitions (转段). They only
validate input; the writes are `campaigns.services`."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanguard.campaigns import requirements
from vanguard.campaigns.models import BALLOT_SECRECY_FLOOR, Campaign, Phase, Requirement
from vanguard.lib.dates import BoundedDateField
from vanguard.lib.forms import offer_choices
from vanguard.organization.forms import MarksInvalidFields, UnitChoiceField
from vanguard.organization.models import Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def requirement_kinds() -> list[tuple[str, str]]:
    return requirements.kind_choices()


def _choice_params() -> list[requirements.ChoiceParam]:
    """The choice parameters that have a field on the requirement form, each field once,
    in the order their kinds were registered."""
    found: dict[str, requirements.ChoiceParam] = {}
    for kind in requirements.REGISTRY.values():
        for param in kind.params:
            if isinstance(param, requirements.ChoiceParam) and param.field is not None:
                found.setdefault(param.field.name, param)
    return list(found.values())


def _param_fields(kind: str) -> list[tuple[str, str]]:
    """[(form field, parameter)] of the parameters a kind takes from the form: its choice
    parameters, each on its own field, and a minimum on the shared "min" field."""
    spec = requirements.REGISTRY.get(kind)
    found: list[tuple[str, str]] = []
    for param in spec.params if spec else ():
        if isinstance(param, requirements.ChoiceParam) and param.field is not None:
            found.append((param.field.name, param.name))
        elif isinstance(param, requirements.IntParam) and param.name == "min":
            found.append(("min", "min"))
    return found


class CampaignCreateForm(MarksInvalidFields, forms.Form):
    kind = forms.ChoiceField(label=_("模板"), choices=Campaign.Kind.choices)
    name = forms.CharField(
        label=_("名称"),
        max_length=120,
        required=False,
        help_text=_("不填则使用模板名称。"),
    )
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("组织范围"))
    start_on = BoundedDateField(
        label=_("开始日期"),
        widget=DATE,
        help_text=_("各阶段日期按模板从这一天起算，之后可逐一修改。"),
    )
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units
        offer_choices(field)
        today = timezone.localdate()
        self.fields["year"].initial = today.year
        self.fields["start_on"].initial = today


class CampaignCloneForm(MarksInvalidFields, forms.Form):
    name = forms.CharField(label=_("名称"), max_length=120)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    start_on = BoundedDateField(
        label=_("新的开始日期"),
        widget=DATE,
        required=False,
        help_text=_("不填则各阶段日期顺延一年。"),
    )

    def __init__(self, *args: Any, source: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = source.year + 1
        self.fields["name"].initial = source.name


class CampaignForm(MarksInvalidFields, forms.Form):
    name = forms.CharField(label=_("名称"), max_length=120)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    status = forms.ChoiceField(label=_("状态"), choices=Campaign.Status.choices)
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    ballot_secrecy_minimum = forms.IntegerField(
        label=_("公布得票所需最少选票数"),
        min_value=BALLOT_SECRECY_FLOOR,
        max_value=1000,
        initial=BALLOT_SECRECY_FLOOR,
        help_text=_("收回选票少于这个数时，只公布收回选票张数，不公布各人得票。不能少于 3。"),
        error_messages={
            "min_value": _(
                "不能少于 %(limit_value)s 张：选票太少时，投票人减去自己的选票就能推知他人的投票。"
            )
        },
    )


class PhaseForm(MarksInvalidFields, forms.Form):
    name = forms.CharField(label=_("名称"), max_length=60)
    starts_on = BoundedDateField(label=_("开始日期"), widget=DATE)
    ends_on = BoundedDateField(label=_("结束日期"), widget=DATE)
    status = forms.ChoiceField(label=_("状态"), choices=Phase.Status.choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts_on: datetime.date | None = data.get("starts_on")
        ends_on: datetime.date | None = data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("结束日期不能早于开始日期。"))
        return data


class RequirementForm(MarksInvalidFields, forms.Form):
    """A requirement's kind and parameters. Each kind's choice parameter (the kind of
    study work, the kind of meeting …) has a field of its own, added from the registry
    after `kind`; the minimum is one field for every kind that has one."""

    kind = forms.ChoiceField(label=_("检查项"))
    min = forms.IntegerField(
        label=_("最少数量"),
        min_value=1,
        max_value=100,
        required=False,
        help_text=_("篇数或次数；不填则为 1。"),
    )
    label = forms.CharField(
        label=_("要求说明"),
        max_length=120,
        required=False,
        help_text=_("不填则按检查项自动生成。"),
    )

    def __init__(self, *args: Any, requirement: Requirement | None = None, **kwargs: Any) -> None:
        if requirement is not None and "initial" not in kwargs:
            params = requirement.params or {}
            initial = {
                "kind": requirement.kind,
                "label": requirement.label,
                "min": params.get("min"),
            }
            for field_name, param_name in _param_fields(requirement.kind):
                initial[field_name] = params.get(param_name)
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = requirement_kinds()
        choice_params = _choice_params()
        for param in choice_params:
            assert param.field is not None
            blank = [("", _("任意类型"))] if param.allow_none else []
            self.fields[param.field.name] = forms.ChoiceField(
                label=str(param.field.label),
                choices=[*blank, *param.choices()],
                required=False,
                help_text=str(param.field.help_text),
            )
        self.order_fields(
            ["kind", *(param.field.name for param in choice_params if param.field), "min"]
        )

    def params(self) -> dict[str, Any]:
        """The parameters of the chosen kind, from the fields that carry them."""
        data = self.cleaned_data
        params: dict[str, Any] = {}
        for field_name, param_name in _param_fields(data["kind"]):
            value = data.get(field_name)
            if value in (None, ""):
                continue
            params[param_name] = value
        return params


class TransitionForm(MarksInvalidFields, forms.Form):
    from_phase = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("转段理由"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写转段理由。")},
    )
    override = forms.BooleanField(
        label=_("要求尚未全部完成，仍然批准转段（将记录为“未完成要求”）"), required=False
    )


class BulkTransitionForm(TransitionForm):
    from_phase = forms.TypedChoiceField(label=_("从哪个阶段转出"), coerce=int)  # type: ignore[assignment]

    def __init__(self, *args: Any, phases: list[Phase], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["from_phase"]
        assert isinstance(field, forms.ChoiceField)
        # The last phase has nowhere to go.
        field.choices = [(phase.pk, phase.name) for phase in phases[:-1]]
