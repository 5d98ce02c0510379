"""Forms of the stage summary pages: the editor (five sections and the version it
started from), the redraft's choice of edited sections to replace, a reviewer's
decision."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vanguard.materials.stage_summary.models import SECTIONS, StageSummaryDecision
from vanguard.materials.stage_summary.services import REASON_MAX, SECTION_MAX


class SummaryForm(forms.Form):
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in SECTIONS:
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                max_length=SECTION_MAX,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 8}),
            )

    def section_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _label in SECTIONS]


class RedraftForm(forms.Form):
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    replace = forms.MultipleChoiceField(
        label=_("改用数据生成的文字（这些栏目您已修改过）"),
        choices=SECTIONS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class DecisionForm(forms.Form):
    version_number = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    verdict = forms.ChoiceField(label=_("审阅结论"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("意见或退回理由"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回修改时必须写明理由。"),
    )

    def __init__(self, *args: Any, verdicts: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(StageSummaryDecision.Verdict.choices)
        verdict = self.fields["verdict"]
        assert isinstance(verdict, forms.ChoiceField)
        verdict.choices = [(v, labels[v]) for v in verdicts]
