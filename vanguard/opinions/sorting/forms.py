"""Forms of the sorting pages: one compact form per opinion card (subject, aspect,
kind), setting aside with a reason, merging, and opening a further round."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vanguard.opinions.models import Aspect, Opinion
from vanguard.opinions.sorting.services import MAX_REASON, SORTED_KINDS


class SortForm(forms.Form):
    subject = forms.ChoiceField(label=_("意见对象"))
    aspect = forms.ChoiceField(label=_("方面"), required=False)
    kind = forms.ChoiceField(label=_("性质"), widget=forms.RadioSelect)

    def __init__(
        self,
        *args: Any,
        subject_choices: list[tuple[Any, Any]],
        aspects: list[Aspect],
        opinion: Opinion | None = None,
        **kwargs: Any,
    ) -> None:
        if opinion is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_for(opinion)
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = subject_choices  # type: ignore[attr-defined]
        aspect_choices = [("", _("— 不区分方面 —"))] + [(str(a.pk), a.name) for a in aspects]
        self.fields["aspect"].choices = aspect_choices  # type: ignore[attr-defined]
        self.fields["kind"].choices = [  # type: ignore[attr-defined]
            (value, label) for value, label in Opinion.Kind.choices if value in SORTED_KINDS
        ]
        self.aspects = {str(a.pk): a for a in aspects}

    def chosen_subject(self) -> tuple[str, int | None]:
        """("member", pk), ("branch", pk) or ("committee", None)."""
        raw = self.cleaned_data["subject"]
        kind, _sep, pk = raw.partition(":")
        return kind, int(pk) if pk.isdigit() else None

    def chosen_aspect(self) -> Aspect | None:
        return self.aspects.get(self.cleaned_data.get("aspect") or "")


def initial_for(opinion: Opinion) -> dict[str, Any]:
    subject = ""
    if opinion.subject_kind == Opinion.SubjectKind.MEMBER and opinion.subject_member_id:
        subject = f"member:{opinion.subject_member_id}"
    elif opinion.subject_kind == Opinion.SubjectKind.BRANCH and opinion.subject_unit_id:
        subject = f"branch:{opinion.subject_unit_id}"
    elif opinion.subject_kind == Opinion.SubjectKind.COMMITTEE:
        subject = "committee"
    return {
        "subject": subject,
        "aspect": str(opinion.aspect_id) if opinion.aspect_id else "",
        "kind": opinion.kind if opinion.kind in SORTED_KINDS else "",
    }


class SetAsideForm(forms.Form):
    reason = forms.CharField(
        label=_("搁置原因"),
        max_length=MAX_REASON,
        help_text=_("例如：与本次活动无关、内容无法核实。意见不会被删除。"),
    )


class MergeForm(forms.Form):
    into = forms.ChoiceField(
        label=_("与哪条意见重复"),
        help_text=_("本条意见将合并到所选意见，原文保留。"),
    )

    def __init__(self, *args: Any, candidates: list[Opinion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— 请选择 —"))] + [
            (str(o.pk), f"#{o.pk} {o.text[:40]}") for o in candidates
        ]
        self.fields["into"].choices = choices  # type: ignore[attr-defined]


class RoundForm(forms.Form):
    reason = forms.CharField(
        label=_("开展新一轮征求意见的原因"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例如：首轮肯定和表扬的意见多、不足意见反馈少，组织小组分头面对面征求意见。"),
    )
