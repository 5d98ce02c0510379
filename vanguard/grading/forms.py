"""Forms of the grading pages. The proposals form is read straight from the POST
(`grade_<member id>`, `rationale_<member id>`): one pair per formal member."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django import forms
from django.utils.translation import gettext_lazy as _

from vanguard.grading.models import UnqualifiedCase
from vanguard.lib.dates import BoundedDateField

DATE = forms.DateInput(attrs={"type": "date"})


def entries_from_post(data, member_ids) -> dict[int, tuple[str, str]]:
    return {pk: (data.get(f"grade_{pk}", ""), data.get(f"rationale_{pk}", "")) for pk in member_ids}


class SubmitForm(forms.Form):
    excellent_explanation = forms.CharField(
        label=_("优秀超出比例的说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审批意见"), choices=[("approve", _("同意")), ("return", _("退回修改"))]
    )
    reason = forms.CharField(
        label=_("退回理由"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RuleForm(forms.Form):
    """The cap on excellent, typed as a fraction ("1/3"), a percentage ("30%") or a
    decimal ("0.3")."""

    cap = forms.CharField(label=_("优秀比例上限"), max_length=10)

    def clean_cap(self) -> Fraction:
        text = self.cleaned_data["cap"].strip().replace("％", "%").replace("／", "/")
        message = _("请填写分数、百分数或小数，例如 1/3、30% 或 0.3。")
        try:
            if re.fullmatch(r"\d{1,3}\s*/\s*\d{1,3}", text):
                top, bottom = (int(part) for part in text.split("/"))
                if bottom == 0:
                    raise forms.ValidationError(message)
                value = Fraction(top, bottom)
            elif text.endswith("%"):
                value = Fraction(Decimal(text[:-1].strip())) / 100
            else:
                value = Fraction(Decimal(text))
        except (InvalidOperation, ValueError) as error:
            raise forms.ValidationError(message) from error
        value = value.limit_denominator(100)
        if not (0 <= value <= 1):
            raise forms.ValidationError(_("优秀比例须在 0 到 1 之间。"))
        return value


class TalkForm(forms.Form):
    talk_on = BoundedDateField(label=_("谈话日期"), widget=DATE)
    talk_note = forms.CharField(label=_("谈话情况"), widget=forms.Textarea(attrs={"rows": 3}))


class PrereviewForm(forms.Form):
    prereview_on = BoundedDateField(label=_("预审日期"), widget=DATE)
    prereview_agrees = forms.TypedChoiceField(
        label=_("预审意见"),
        choices=[("1", _("同意拟评为不合格")), ("0", _("不同意"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    prereview_note = forms.CharField(label=_("预审说明"), widget=forms.Textarea(attrs={"rows": 3}))


class VoteForm(forms.Form):
    vote_on = BoundedDateField(label=_("支部大会表决日期"), widget=DATE)
    votes_for = forms.IntegerField(label=_("赞成"), min_value=0)
    votes_against = forms.IntegerField(label=_("反对"), min_value=0)
    votes_abstain = forms.IntegerField(label=_("弃权"), min_value=0)
    proposed_outcome = forms.ChoiceField(
        label=_("支部建议处置"), choices=UnqualifiedCase.Outcome.choices
    )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("处置结果"), choices=UnqualifiedCase.Outcome.choices)
    outcome_on = BoundedDateField(label=_("处置日期"), widget=DATE)
    outcome_note = forms.CharField(
        label=_("处置说明（如改正期限）"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


STEP_FORMS = {
    "talk": TalkForm,
    "prereview": PrereviewForm,
    "vote": VoteForm,
    "outcome": OutcomeForm,
}
