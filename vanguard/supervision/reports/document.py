"""A round's inspection report (检查情况通报) for a general branch, or the whole college:
what was checked (the items, the dates, the groups), each branch's finding on each item
with its note, the make-up work (补课) ordered with its status, and the figures. As a PDF
(reportlab, with the embedded CJK font and the long-text pieces of
`vanguard.documents.pdf`) and as Word (python-docx).

Everything comes from `RoundReport` (`selectors.round_report`), which never reads the
watch list. All text is plain: `pdf.para()` escapes it, Word stores it as text."""

from __future__ import annotations

import io
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib.units import mm

from vanguard.documents import pdf, word
from vanguard.documents.text import xml_safe
from vanguard.supervision.reports.selectors import BranchReport, RoundReport


def _clean(text: Any) -> str:
    return xml_safe(text or "")


def _date(value: Any) -> str:
    return date_format(value, "DATE_FORMAT") if value else "—"


def title(report: RoundReport) -> str:
    return _("检查情况通报：%(round)s（%(unit)s）") % {
        "round": report.round.title,
        "unit": report.unit.name,
    }


def facts(report: RoundReport) -> list[tuple[str, str]]:
    r = report.round
    groups = _("；").join(
        _("%(name)s（组长：%(leader)s；成员：%(members)s）")
        % {
            "name": name,
            "leader": leader or "—",
            "members": _("、").join(members) or "—",
        }
        for name, leader, members in report.groups
    )
    return [
        (_("活动"), r.campaign.name),
        (_("阶段"), r.phase.name),
        (_("检查范围"), report.unit.name),
        (_("检查时间"), f"{_date(r.starts_on)} — {_date(r.due_on)}"),
        (_("检查项目"), _("、").join(report.items) or "—"),
        (_("督查组"), groups or "—"),
    ]


def figures(report: RoundReport) -> list[tuple[str, str]]:
    rows = [
        (
            _("已检查支部"),
            _("%(checked)d / %(all)d 个")
            % {"checked": report.checked, "all": len(report.branches)},
        ),
    ]
    rows += [
        (_("检查结论：%(finding)s") % {"finding": label}, str(n))
        for label, n in report.finding_totals
    ]
    if report.sampled:
        rows.append((_("抽查读书笔记"), _("%(n)d 人") % {"n": report.sampled}))
        rows.append((_("已评阅"), _("%(n)d 人") % {"n": report.read}))
    rows.append(
        (
            _("补课通知"),
            _("；").join(f"{label} {n}" for label, n in report.orders_by_status) or _("无"),
        )
    )
    return rows


def branch_heading(branch: BranchReport) -> str:
    if not branch.checked:
        return _("%(branch)s（尚未检查）") % {"branch": branch.branch.name}
    who = _("，").join(x for x in (branch.group, branch.checked_by) if x)
    return _("%(branch)s（%(date)s检查%(who)s）") % {
        "branch": branch.branch.name,
        "date": _date(branch.checked_on),
        "who": _("，") + who if who else "",
    }


def _order_rows(branch: BranchReport) -> list[list[str]]:
    return [
        [
            _clean(o.who or _("全支部")),
            _clean(o.reason),
            _date(o.deadline),
            _clean(o.responsible or "—"),
            o.status,
        ]
        for o in branch.orders
    ]


def _order_header() -> list[str]:
    return [_("对象"), _("补课原因"), _("完成期限"), _("责任人"), _("状态")]


# --- PDF ------------------------------------------------------------------------------------


def round_report_pdf(report: RoundReport) -> bytes:
    s = pdf.styles()
    width = pdf.content_width()
    name = title(report)
    story: list = [pdf.para(name, s.title)]
    story.append(
        pdf.table(
            [[_("项目"), _("内容")], *([label, _clean(v)] for label, v in facts(report))],
            col_widths=[28 * mm, width - 28 * mm],
        )
    )
    if report.round.note:
        story.extend(pdf.paras(_clean(report.round.note), s.small))

    story.append(pdf.para(_("总体情况"), s.heading))
    story.append(
        pdf.table(
            [[_("项目"), _("数量")], *([label, v] for label, v in figures(report))],
            col_widths=[width * 0.4, width * 0.6],
        )
    )
    if report.by_item:
        header = [_("检查项目"), *(label for label, _n in report.finding_totals)]
        rows = [[row.label, *(str(n) for n in row.counts)] for row in report.by_item]
        story.append(pdf.spacer())
        story.append(pdf.table([header, *rows]))

    story.append(pdf.para(_("各支部检查情况"), s.heading))
    if not report.branches:
        story.append(pdf.para(_("本轮检查不涉及该单位的支部。")))
    for branch in report.branches:
        story.append(pdf.para(branch_heading(branch), s.heading))
        if branch.checked:
            rows = [[_("检查项目"), _("结论"), _("具体情况")]]
            rows += [[f.item, f.finding or "—", _clean(f.note)] for f in branch.findings]
            story.append(pdf.table(rows, col_widths=[width * 0.2, width * 0.14, width * 0.66]))
            if branch.summary:
                story.append(pdf.para(_("检查情况："), s.small))
                story.extend(pdf.paras(_clean(branch.summary)))
        if branch.orders:
            story.append(pdf.para(_("补课通知："), s.small))
            story.append(
                pdf.table(
                    [_order_header(), *_order_rows(branch)],
                    col_widths=[
                        width * 0.14,
                        width * 0.42,
                        width * 0.16,
                        width * 0.14,
                        width * 0.14,
                    ],
                )
            )
    return pdf.render(story, title=name, footer=name)


# --- Word -----------------------------------------------------------------------------------


def round_report_docx(report: RoundReport) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    name = title(report)
    document = word.a4_document(title=_clean(name))

    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(_clean(name))
    run.bold = True
    run.font.size = Pt(16)

    def grid(rows: list[list[str]]) -> None:
        table = document.add_table(rows=0, cols=len(rows[0]))
        table.style = "Table Grid"
        for index, values in enumerate(rows):
            cells = table.add_row().cells
            for cell, value in zip(cells, values, strict=False):
                cell.text = _clean(value)
                if index == 0:
                    for r in cell.paragraphs[0].runs:
                        r.bold = True

    def subheading(text: str) -> None:
        paragraph = document.add_paragraph()
        run = paragraph.add_run(_clean(text))
        run.bold = True
        run.font.size = Pt(13)

    grid([[_("项目"), _("内容")], *([label, v] for label, v in facts(report))])
    if report.round.note:
        document.add_paragraph(_clean(report.round.note))

    subheading(_("总体情况"))
    grid([[_("项目"), _("数量")], *([label, v] for label, v in figures(report))])
    if report.by_item:
        document.add_paragraph()
        grid(
            [
                [_("检查项目"), *(label for label, _n in report.finding_totals)],
                *([row.label, *(str(n) for n in row.counts)] for row in report.by_item),
            ]
        )

    subheading(_("各支部检查情况"))
    if not report.branches:
        document.add_paragraph(_("本轮检查不涉及该单位的支部。"))
    for branch in report.branches:
        subheading(branch_heading(branch))
        if branch.checked:
            grid(
                [
                    [_("检查项目"), _("结论"), _("具体情况")],
                    *([f.item, f.finding or "—", f.note] for f in branch.findings),
                ]
            )
            if branch.summary:
                document.add_paragraph(_("检查情况："))
                for line in _clean(branch.summary).split("\n"):
                    document.add_paragraph(line)
        if branch.orders:
            document.add_paragraph(_("补课通知："))
            grid([_order_header(), *_order_rows(branch)])

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
