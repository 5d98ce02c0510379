"""The feedback sheet (反馈表) as a printable PDF: the same content as the page,
built from the same `FeedbackSheet` (feedback/selectors.py), so the same
hiding rules apply — no source, contact, sender, participants or date; the channel
only where it cannot identify the source; survey answers only as qualifying
aggregates.

Opinions, comments and the member's response are of any length (an e-mailed opinion
may hold 50,000 characters): they go through `pdf.table()` and `pdf.paras()`, which
cut them into pieces that run on across pages (documents/pdf.py)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from reportlab.lib.units import mm

from vanguard.documents import pdf
from vanguard.opinions.feedback.selectors import FeedbackSheet


def feedback_sheet_pdf(sheet: FeedbackSheet) -> bytes:
    s = pdf.styles()
    member = sheet.member
    title = _("党员意见反馈表")
    story: list = [pdf.para(title, s.title)]
    lines = [
        (_("姓名"), member.name),
        (_("所在支部"), member.branch.name),
        (_("活动"), sheet.campaign.name if sheet.campaign else "—"),
    ]
    width = pdf.content_width()
    story.append(
        pdf.table([[label, value] for label, value in lines], col_widths=[30 * mm, width - 30 * mm])
    )
    story.append(pdf.spacer())
    story.append(
        pdf.para(
            _("本表汇总征求到的关于您的意见，不显示意见的提出人、联系方式和具体日期。"),
            s.small,
        )
    )

    story.append(pdf.para(_("意见"), s.heading))
    if not sheet.groups:
        story.append(pdf.para(_("暂无梳理后的意见。")))
    for group in sheet.groups:
        story.append(pdf.para(group.name, s.heading))
        rows = [[_("性质"), _("意见内容"), _("渠道")]]
        for item in group.items:
            rows.append([item.kind_display, item.text, item.channel_display])
        story.append(pdf.table(rows, col_widths=[width * 0.14, width * 0.68, width * 0.18]))

    story.append(pdf.para(_("书面调查汇总"), s.heading))
    if not sheet.surveys:
        story.append(
            pdf.para(
                _("问卷汇总在调查结束、且至少 %(n)d 人作答后显示。") % {"n": sheet.min_respondents}
            )
        )
    for survey in sheet.surveys:
        story.append(
            pdf.para(
                _("%(title)s（%(n)d 人作答）") % {"title": survey.title, "n": survey.respondents},
                s.body,
            )
        )
        if survey.aspects:
            header = [_("方面"), *(label for label, _count in survey.aspects[0].counts)]
            rows = [header]
            for aspect in survey.aspects:
                rows.append([aspect.name, *(str(count) for _label, count in aspect.counts)])
            story.append(pdf.table(rows))
        for aspect in survey.aspects:
            if aspect.comments:
                story.append(pdf.para(_("%(aspect)s：意见") % {"aspect": aspect.name}, s.small))
                for comment in aspect.comments:
                    story.extend(pdf.paras("· " + comment))

    story.append(pdf.para(_("本人确认"), s.heading))
    ack = sheet.acknowledgement
    if ack is None:
        story.append(pdf.para(_("尚未确认。")))
    else:
        story.append(pdf.para(_("已阅知本反馈表。")))
        if ack.response:
            story.append(pdf.para(_("如何回应："), s.small))
            story.extend(pdf.paras(ack.response))
    return pdf.render(story, title=str(title), footer=f"{member.name} · {title}")
