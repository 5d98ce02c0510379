"""Forms of the note workflow: drawing a sample, assessing a member's notes, note
types and publishing an exemplar. The assessment has no field for length: notes are
judged by their content alone."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from vanguard.lib.forms import offer_choices
from vanguard.organization.forms import MarksInvalidFields
from vanguard.study.models import StudyWork
from vanguard.supervision.models import Criterion, Exemplar, NoteAssessment, NoteType, Round
from vanguard.supervision.notes import sampling, services


class SampleForm(MarksInvalidFields, forms.Form):
    title = forms.CharField(label=_("抽查名称"), max_length=services.MAX_TITLE)
    round = forms.ModelChoiceField(
        label=_("督查轮次"),
        queryset=Round.objects.none(),
        required=False,
        empty_label=_("— 全部支部 —"),
        help_text=_("选择轮次时，只在该轮次检查的支部中抽取。"),
    )
    share = forms.DecimalField(
        label=_("抽查比例"),
        min_value=Decimal("0.01"),
        max_value=Decimal("1.00"),
        max_digits=3,
        decimal_places=2,
        initial=Decimal("0.50"),
        help_text=_("每个支部抽取有读书笔记的党员的比例，例如 0.50 即一半。"),
    )
    minimum_per_branch = forms.IntegerField(
        label=_("每支部至少"), min_value=0, max_value=services.MAX_MINIMUM, initial=1
    )
    seed = forms.IntegerField(
        label=_("随机种子"),
        min_value=0,
        max_value=2**sampling.SEED_BITS - 1,
        help_text=_("已随机生成；也可以填入公开约定的数（例如当天某个公开的号码）。"),
    )

    def __init__(self, *args: Any, rounds: QuerySet[Round], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = rounds  # type: ignore[attr-defined]


def _radios(label: Any, choices: Any) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=choices, widget=forms.RadioSelect)


class AssessmentForm(MarksInvalidFields, forms.Form):
    books = _radios(_("书目"), Criterion.choices)
    content = _radios(_("内容"), Criterion.choices)
    practice = _radios(_("联系实际"), Criterion.choices)
    attitude = _radios(_("态度"), Criterion.choices)
    grade = _radios(_("质量等级"), NoteAssessment.Grade.choices)
    note_type = forms.ModelChoiceField(
        label=_("笔记类型"),
        queryset=NoteType.objects.none(),
        required=False,
        empty_label=_("— 未分类 —"),
    )
    comment = forms.CharField(
        label=_("评语"),
        required=False,
        max_length=services.MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    CRITERIA = ("books", "content", "practice", "attitude")

    def __init__(
        self,
        *args: Any,
        types: QuerySet[NoteType],
        assessment: NoteAssessment | None = None,
        **kwargs: Any,
    ) -> None:
        if assessment is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "books": assessment.books,
                "content": assessment.content,
                "practice": assessment.practice,
                "attitude": assessment.attitude,
                "grade": assessment.grade,
                "note_type": assessment.note_type_id,
                "comment": assessment.comment,
            }
        super().__init__(*args, **kwargs)
        self.fields["note_type"].queryset = types  # type: ignore[attr-defined]

    def criteria(self) -> list[forms.BoundField]:
        return [self[name] for name in self.CRITERIA]


class NoteTypeForm(MarksInvalidFields, forms.Form):
    name = forms.CharField(label=_("类型名称"), max_length=services.MAX_TYPE_NAME)
    description = forms.CharField(
        label=_("特点"),
        required=False,
        max_length=services.MAX_TYPE_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    order = forms.IntegerField(label=_("顺序"), min_value=0, max_value=999, required=False)


class ExemplarForm(MarksInvalidFields, forms.Form):
    work = forms.ModelChoiceField(label=_("读书笔记"), queryset=StudyWork.objects.none())
    note_type = forms.ModelChoiceField(
        label=_("笔记类型"),
        queryset=NoteType.objects.none(),
        required=False,
        empty_label=_("— 未分类 —"),
    )
    consent = forms.ChoiceField(
        label=_("署名方式"), choices=Exemplar.Consent.choices, widget=forms.RadioSelect
    )
    consent_confirmed = forms.BooleanField(
        label=_("作者本人已同意署名展示"),
        required=False,
        help_text=_("选择署名时必须确认；匿名展示时不显示作者和所在支部。"),
    )
    comment = forms.CharField(
        label=_("推荐理由"),
        max_length=services.MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, works: QuerySet[StudyWork], types: QuerySet[NoteType], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        work_field = self.fields["work"]
        work_field.queryset = works  # type: ignore[attr-defined]
        work_field.label_from_instance = (  # type: ignore[attr-defined]
            lambda w: f"{w.member.branch.name} · {w.member.name} · {w.title}"
        )
        self.fields["note_type"].queryset = types  # type: ignore[attr-defined]
        offer_choices(work_field)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("consent") == Exemplar.Consent.CONSENTED and not data.get("consent_confirmed"):
            self.add_error("consent_confirmed", _("署名展示须先征得作者本人同意。"))
        return data
