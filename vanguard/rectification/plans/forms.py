"""Forms of the plans workflow. Their choices (who may be responsible, what an item
may answer, the meetings an update may point at) come from the view, already limited
by access and by `plans.selectors`; an opinion is offered by its token, never its id."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vanguard.meetings.models import Meeting
from vanguard.organization.models import Member
from vanguard.rectification.models import Activity, Item, Tag
from vanguard.rectification.plans.selectors import LinkChoice
from vanguard.rectification.plans.services import REASON_MAX, SUMMARY_MAX, TEXT_MAX
from vanguard.study.models import StudySession

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _link_label(choice: LinkChoice) -> str:
    shown = choice.shown
    head = f"{shown.label}（{shown.detail}）" if shown.detail else shown.label
    text = shown.text if len(shown.text) <= 80 else shown.text[:80] + "…"
    return f"{head}：{text}"


class ItemForm(forms.Form):
    problem = forms.CharField(
        label=_("存在问题"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("从反馈意见中选一条时会自动填入，可以改写。"),
    )
    measure = forms.CharField(
        label=_("整改措施"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    responsible = forms.ModelChoiceField(
        label=_("责任人"), queryset=Member.objects.none(), required=False
    )
    standard = forms.CharField(
        label=_("完成标准"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    deadline = forms.DateField(label=_("完成时限"), widget=DATE)
    tags = forms.MultipleChoiceField(
        label=_("关联"),
        choices=Tag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("与年度考核、聘岗及教学、科研、培养学生工作挂钩的，请勾选。"),
    )
    links = forms.MultipleChoiceField(
        label=_("整改依据"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("这条事项回应的意见或检查结论。"),
    )

    def __init__(
        self,
        *args: Any,
        people: QuerySet[Member],
        link_choices: list[LinkChoice],
        default_person: Member | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if default_person is not None:  # a member's own plan: they are responsible
            del self.fields["responsible"]
        else:
            field: Any = self.fields["responsible"]
            field.queryset = people
            field.label_from_instance = lambda m: m.name
            field.empty_label = gettext("— 未指定 —")
        links: Any = self.fields["links"]
        links.choices = [(choice.key, _link_label(choice)) for choice in link_choices]
        if not link_choices:
            del self.fields["links"]


class UpdateForm(forms.Form):
    on = forms.DateField(label=_("日期"), widget=DATE)
    text = forms.CharField(
        label=_("进展情况"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    evidence = forms.FileField(
        label=_("佐证材料"),
        required=False,
        help_text=_("照片（JPEG、PNG、HEIC）、PDF 或 Word 文件。"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,.pdf,.docx"}),
    )
    meeting = forms.ModelChoiceField(
        label=_("参加的会议"), queryset=Meeting.objects.none(), required=False
    )
    study_session = forms.ModelChoiceField(
        label=_("参加的学习活动"), queryset=StudySession.objects.none(), required=False
    )
    activity = forms.ModelChoiceField(
        label=_("整改活动"), queryset=Activity.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("事项状态"),
        required=False,
        choices=[
            ("", _("— 不变 —")),
            (Item.Status.IN_PROGRESS, _("进行中")),
            (Item.Status.DONE, _("已完成")),
        ],
    )

    def __init__(
        self,
        *args: Any,
        meetings: QuerySet[Meeting],
        sessions: QuerySet[StudySession],
        activities: QuerySet[Activity],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (
            ("meeting", meetings),
            ("study_session", sessions),
            ("activity", activities),
        ):
            field: Any = self.fields[name]
            field.queryset = queryset
        if not meetings.exists():
            del self.fields["meeting"]
        if not sessions.exists():
            del self.fields["study_session"]
        if not activities.exists():
            del self.fields["activity"]


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("事项状态"),
        choices=[
            (Item.Status.PLANNED, _("计划中")),
            (Item.Status.IN_PROGRESS, _("进行中")),
            (Item.Status.DONE, _("已完成")),
        ],
    )


class SubmitForm(forms.Form):
    summary = forms.CharField(
        label=_("整改思路"),
        max_length=SUMMARY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("可选：总体上怎样整改。"),
    )


class ReviewForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("审阅结论"),
        widget=forms.RadioSelect,
        choices=[("approve", _("审核通过")), ("return", _("退回修改"))],
    )
    reason = forms.CharField(
        label=_("退回理由"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回时必填：哪里要改。"),
    )


class VerifyForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("验收结论"),
        widget=forms.RadioSelect,
        choices=[("verified", _("验收通过")), ("reopened", _("未通过，退回继续整改"))],
    )
    note = forms.CharField(
        label=_("验收意见"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("未通过时必填：还缺什么。"),
    )


class StartForm(forms.Form):
    unit = forms.IntegerField(widget=forms.HiddenInput)
