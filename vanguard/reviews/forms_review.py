"""Forms of the reviewers' side: the branch's review of a submitted version (the three
criteria, the written feedback, and the verdict from the button pressed), the note
on the grade facts of rounds 2 and 3 (the facts themselves are the system's), and the
committee's word (one document,
or many at once)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vanguard.reviews.models import CRITERIA, BranchReview

YES_NO = (("yes", _("是")), ("no", _("否")))
GRADE_FACT_MAX = 300


def _text(label: Any, *, rows: int = 3, required: bool = False, help_text: Any = "") -> Any:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class BranchReviewForm(forms.Form):
    """The branch reviewer's judgement. The verdict is the name of the button pressed
    (通过，报党委 / 退回修改); returning needs reasons."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    verdict = forms.ChoiceField(
        choices=BranchReview.Verdict.choices,
        error_messages={"required": _("请选择“通过，报党委”或“退回修改”。")},
    )
    achievements = _text(_("肯定成绩"))
    problems = _text(_("指出问题"))
    directions = _text(_("提出整改方向"))
    reasons = _text(
        _("退回理由"),
        rows=4,
        help_text=_("退回修改时必填，党员会看到这些理由。每条理由可单独一行。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in CRITERIA:
            self.fields[f"{name}_ok"] = forms.ChoiceField(
                label=label,
                choices=YES_NO,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("请对“%(criterion)s”选择“是”或“否”。") % {"criterion": label}
                },
            )
            self.fields[f"{name}_comment"] = forms.CharField(
                label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    def criteria_rows(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [(label, self[f"{name}_ok"], self[f"{name}_comment"]) for name, label in CRITERIA]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("verdict") == BranchReview.Verdict.RETURN
            and not (data.get("reasons") or "").strip()
        ):
            self.add_error("reasons", _("退回修改时必须写明退回理由。"))
        return data

    def criteria(self) -> dict[str, dict[str, Any]]:
        return {
            name: {
                "ok": self.cleaned_data[f"{name}_ok"] == "yes",
                "comment": self.cleaned_data.get(f"{name}_comment", ""),
            }
            for name, _label in CRITERIA
        }


class RoundNoteForm(forms.Form):
    """Rounds 2 and 3: the votes and grades are read from the system and shown; the
    branch writes only what the system cannot know."""

    note = forms.CharField(
        label=_("补充说明"),
        max_length=GRADE_FACT_MAX,
        required=False,
        help_text=_(
            "选填。投票结果和等级由系统读取，无需填写；这里只写系统无从得知的情况，"
            "例如评议未在系统中进行。"
        ),
    )


class CommitteeResponseForm(forms.Form):
    text = _text(
        _("党委意见"), rows=5, required=True, help_text=_("这段意见会返回给党员本人和所在支部。")
    )

    def __init__(self, *args: Any, label: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["text"].label = label
        self.fields["text"].error_messages["required"] = _("请填写党委意见。")


class BulkResponseForm(forms.Form):
    """One text of the committee's for several documents of a branch at once."""

    documents = forms.TypedMultipleChoiceField(
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少勾选一份材料。")},
    )
    text = _text(_("党委意见"), rows=4, required=True)

    def __init__(self, *args: Any, document_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["documents"].choices = [(pk, str(pk)) for pk in document_ids]  # type: ignore[attr-defined]
        self.fields["documents"].error_messages["invalid_choice"] = _(
            "所选材料中有的已不在待党委意见状态，请刷新页面。"
        )
        self.fields["text"].error_messages["required"] = _("请填写党委意见。")
