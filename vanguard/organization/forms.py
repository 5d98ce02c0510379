"""Forms for the member pages. They only validate input; the writes are
`services.member_update` and `services.member_move`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vanguard.accounts.access import Person
from vanguard.lib.dates import BoundedDateField
from vanguard.lib.forms import offer_choices
from vanguard.organization import selectors
from vanguard.organization.models import Member, Unit
from vanguard.organization.services import MEMBER_EDITABLE_FIELDS


class MarksInvalidFields:
    """Marks fields with errors for assistive technology and for Pico's red outline."""

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:  # type: ignore[attr-defined]
                attrs = self.fields[name].widget.attrs  # type: ignore[attr-defined]
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}_error"  # type: ignore[index]


def _choices(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class BranchChoiceField(forms.ModelChoiceField):
    """Branches named with their parent, since two general branches may share branch names."""

    def label_from_instance(self, obj: Unit) -> str:
        parent = obj.parent
        return f"{parent.name} · {obj.name}" if parent is not None else obj.name


class MemberForm(MarksInvalidFields, forms.ModelForm):
    field_order = (
        "name",
        "category",
        "standing",
        "joined_on",
        "party_group",
        "phone",
        "email",
        "is_active",
    )
    party_group = UnitChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        label=_("所在党小组"),
        empty_label=_("（无）"),
        error_messages={"invalid_choice": _("这个党小组不属于本支部，请重新选择。")},
    )

    class Meta:
        model = Member
        fields = MEMBER_EDITABLE_FIELDS
        field_classes = {"joined_on": BoundedDateField}
        widgets = {
            "joined_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "party_group").queryset = selectors.groups_of(self.instance.branch)
        offer_choices(self.fields["category"])
        self.fields["name"].widget.attrs["autocomplete"] = "off"


class MemberMoveForm(MarksInvalidFields, forms.Form):
    to_branch = BranchChoiceField(
        queryset=Unit.objects.none(),
        label=_("转入支部"),
        empty_label=_("（请选择支部）"),
        error_messages={
            "required": _("请选择转入的支部。"),
            "invalid_choice": _("不能转入这个支部：它不在您管理的范围内。"),
        },
    )
    party_group = UnitChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        label=_("转入党小组（可选）"),
        empty_label=_("（无）"),
        error_messages={"invalid_choice": _("这个党小组不属于所选支部，请重新选择。")},
        help_text=_("先选择支部，这里会列出该支部的党小组。"),
    )
    reason = forms.CharField(
        label=_("转接原因"),
        max_length=200,
        error_messages={"required": _("请填写转接原因。")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, member: Member, user: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member
        branches = selectors.movable_branches(user).exclude(pk=member.branch_id)
        _choices(self, "to_branch").queryset = branches.select_related("parent")
        # Choosing a branch reloads the form with that branch's party groups (htmx).
        self.fields["to_branch"].widget.attrs.update(
            {
                "hx-get": reverse("organization:member_move", args=[member.pk]),
                "hx-trigger": "change",
                "hx-include": "#id_reason",
                "hx-target": "#move-form",
                "hx-swap": "outerHTML",
            }
        )
        # Only the groups of the branch chosen so far are offered (and accepted).
        _choices(self, "party_group").queryset = selectors.groups_of(self._chosen_branch(branches))

    def _chosen_branch(self, branches) -> Unit | None:
        raw = self.data.get("to_branch") if self.is_bound else self.initial.get("to_branch")
        if not raw:
            return None
        try:
            return branches.filter(pk=int(raw)).first()
        except (TypeError, ValueError):
            return None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        group = cleaned.get("party_group")
        branch = cleaned.get("to_branch")
        if group is not None and branch is not None and group.parent_id != branch.pk:
            raise ValidationError({"party_group": _("这个党小组不属于所选支部，请重新选择。")})
        return cleaned
