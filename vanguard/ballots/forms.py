"""Forms of the ballot pages. The ballot form is built from the session's candidates:
one field per candidate, four large radio options each."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vanguard.ballots.models import Grade


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

    def grades(self) -> dict[str, str]:
        return {
            str(entry.member_id): self.cleaned_data[f"c{entry.member_id}"]
            for entry in self.candidate_entries
        }


class CreateSessionForm(forms.Form):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("支部或党小组"), queryset=None)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class CardsForm(forms.Form):
    spares = forms.IntegerField(label=_("备用卡数量"), min_value=0, max_value=200, initial=3)
