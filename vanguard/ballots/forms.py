"""Forms of the ballot pages. The ballot form is built from the session's candidates:
one field per candidate, four large radio options each."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vanguard.ballots.models import Grade
from vanguard.lib.forms import offer_choices


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("投票码"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "inputmode": "text",
                "class": "ballot-code",
            }
        ),
    )


class GradesForm(forms.Form):
    """One required choice of the four grades for every candidate on the roll."""

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidate_entries = list(candidates)
        for entry in self.candidate_entries:
            self.fields[f"c{entry.member_id}"] = forms.ChoiceField(
                label=entry.member.name,
                choices=Grade.choices,
                widget=forms.RadioSelect(attrs={"class": "grade-radio"}),
                error_messages={"required": _("请为这位党员评定等次。")},
            )

    @staticmethod
    def all_qualified(candidates: Iterable[Any]) -> dict[str, str]:
        """The initial data of "全部合格，再改个别": every candidate 合格, for the voter
        to change the exceptions (nothing is preselected otherwise)."""
        return {f"c{entry.member_id}": Grade.QUALIFIED for entry in candidates}

    def grades(self) -> dict[str, str]:
        return {
            str(entry.member_id): self.cleaned_data[f"c{entry.member_id}"]
            for entry in self.candidate_entries
        }


class CreateSessionForm(forms.Form):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("支部或党小组"), queryset=None)
    # The democratic appraisal meeting (民主评议会) the vote belongs to, if recorded.
    meeting: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("民主评议会"), queryset=None, required=False, empty_label=_("（暂不关联）")
    )

    quorum_percent = forms.IntegerField(
        label=_("有效投票比例（收回选票须超过名册人数的百分之几）"),
        min_value=0,
        max_value=99,
        initial=50,
        required=False,  # left empty: more than half (50)
    )

    def __init__(self, *args, units=None, **kwargs):
        from vanguard.meetings.models import Meeting

        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        offer_choices(self.fields["unit"])
        self.fields["meeting"].queryset = (
            Meeting.objects.filter(kind=Meeting.Kind.DEMOCRATIC_APPRAISAL, unit__in=units)
            .select_related("unit")
            .order_by("-held_at")
        )
        self.fields["meeting"].label_from_instance = lambda m: (
            f"{m.unit.name} · {m.held_at:%Y-%m-%d} · {m.title}"
        )

    def clean(self):
        data = super().clean()
        meeting, unit = data.get("meeting"), data.get("unit")
        if meeting is not None and unit is not None and meeting.unit_id != unit.pk:
            self.add_error("meeting", _("所选民主评议会不是该支部或党小组的会议。"))
        return data


class CardsForm(forms.Form):
    spares = forms.IntegerField(label=_("备用卡数量"), min_value=0, max_value=200, initial=3)


def _count_widget() -> forms.NumberInput:
    return forms.NumberInput(attrs={"inputmode": "numeric", "min": "0", "step": "1"})


class PaperTotalsForm(forms.Form):
    """The paper ballots' totals: how many were collected, and for every candidate the
    number of each grade. One block of four inputs per candidate (a row on a wide
    screen). Only parsing here; every rule is in `services.paper_totals_enter`."""

    ballots = forms.IntegerField(
        label=_("收回的纸质选票张数"),
        widget=_count_widget(),
        error_messages={
            "required": _("请填写收回的纸质选票张数。"),
            "invalid": _("纸质选票张数须为整数。"),
        },
    )

    def __init__(
        self, *args: Any, candidates: Iterable[Any] = (), paper: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.candidate_entries = list(candidates)
        self.candidate_errors: dict[str, list[str]] = {}
        if paper is not None and not self.is_bound:
            self.initial["ballots"] = paper.ballots
        for entry in self.candidate_entries:
            for value, label in Grade.choices:
                where = {"name": entry.member.name, "grade": label}
                name = self.field_name(entry.member_id, value)
                self.fields[name] = forms.IntegerField(
                    label=label,
                    widget=_count_widget(),
                    error_messages={
                        "required": _("请填写%(name)s的“%(grade)s”票数（没有则填 0）。") % where,
                        "invalid": _("%(name)s的“%(grade)s”票数须为整数。") % where,
                    },
                )
                if paper is not None and not self.is_bound:
                    self.initial[name] = paper.counts.get(str(entry.member_id), {}).get(value)

    @staticmethod
    def field_name(member_id: int | str, grade: str) -> str:
        return f"c{member_id}_{grade}"

    def blocks(self) -> list[dict[str, Any]]:
        """For the template: one block per candidate, its four inputs and its errors."""
        return [
            {
                "entry": entry,
                "fields": [self[self.field_name(entry.member_id, g)] for g in Grade.values],
                "errors": self.candidate_errors.get(str(entry.member_id), []),
            }
            for entry in self.candidate_entries
        ]

    def counts(self) -> dict[str, dict[str, int]]:
        return {
            str(entry.member_id): {
                g: self.cleaned_data[self.field_name(entry.member_id, g)] for g in Grade.values
            }
            for entry in self.candidate_entries
        }

    def add_refusal(self, error: Any) -> None:
        """Put the service's refusal beside the input at fault: "ballots", a candidate
        ("counts.<id>"), one count ("counts.<id>.<grade>"), or the whole form."""
        if not hasattr(error, "error_dict"):
            for message in error.messages:
                self.add_error(None, message)
            return
        for key, errors in error.error_dict.items():
            messages = [m for e in errors for m in e.messages]
            parts = key.split(".")
            if key == "ballots":
                for message in messages:
                    self.add_error("ballots", message)
            elif len(parts) == 3 and self.field_name(parts[1], parts[2]) in self.fields:
                for message in messages:
                    self.add_error(self.field_name(parts[1], parts[2]), message)
            elif len(parts) == 2:
                self.candidate_errors.setdefault(parts[1], []).extend(messages)
            else:
                for message in messages:
                    self.add_error(None, message)

    def all_errors(self) -> list[str]:
        """Every message, in the order of the page, for the summary at its top (on a
        phone the input at fault may be far down)."""
        found = [str(m) for m in self.non_field_errors()]
        found += [str(m) for m in self["ballots"].errors]
        for block in self.blocks():
            found += block["errors"]
            for field in block["fields"]:
                found += [str(m) for m in field.errors]
        return found
