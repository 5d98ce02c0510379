"""A member's rectification plan and how it was carried out (党员整改计划及落实情况), for
the annual assessment (年度考核) and post appointment (聘岗): as a PDF laid out as an
office files it (the member's facts, the plan's summary, a ruled table of the items,
how each was carried out and verified, lines to sign and date) on the plumbing of
`vanguard.documents.pdf`, and as an Excel workbook (one row per item, a sheet of the
updates, a sheet of the plan's facts) on `vanguard.documents.xlsx`.

Everything comes from `PlanExport` (`selectors.plan_export`); what an item answers is
shown as `link_shown` shows it, never a source. All text is plain: `pdf.para()`
escapes it, and a workbook cell holds it as text (formula-like text neutralised).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether

from vanguard.documents import pdf, xlsx
from vanguard.documents.text import xml_safe
from vanguard.grading import registration_form
from vanguard.rectification.exports.selectors import ItemRow, PlanExport, UpdateRow
from vanguard.rectification.selectors import LinkShown


def title() -> str:
    return _("党员整改计划及落实情况")


def subtitle(export: PlanExport) -> str:
    return _("%(campaign)s（%(year)s 年度）") % {"campaign": export.campaign, "year": export.year}


def _date(value: datetime.date | None) -> str:
    return date_format(value, "DATE_FORMAT") if value is not None else "—"


def _short_date(value: datetime.date | None) -> str:
    return value.isoformat() if value is not None else "—"


def _counts(export: PlanExport) -> str:
    parts = [_("%(label)s %(n)d 项") % {"label": label, "n": n} for label, n in export.counts if n]
    text = _("共 %(n)d 项") % {"n": len(export.items)}
    if parts:
        text += _("：") + _("，").join(parts)
    if export.overdue:
        text += _("；已逾期 %(n)d 项") % {"n": export.overdue}
    return text


def _tags(export: PlanExport) -> str:
    return (
        _("，").join(
            _("%(label)s %(n)d 项") % {"label": label, "n": n} for label, n in export.tag_counts
        )
        or "—"
    )


def facts(export: PlanExport) -> list[tuple[str, str, str, str]]:
    """The member's facts and the plan's state, two to a row as on the registration form."""
    return [
        (_("姓名"), export.name, _("工号或学号"), export.number),
        (_("所在支部"), export.branch, _("党小组"), export.party_group or "—"),
        (_("计划状态"), export.status, _("审核通过"), _date(export.approved_on)),
        (_("提交时间"), _date(export.submitted_on), _("导出日期"), _date(export.made_on)),
    ]


def overview(export: PlanExport) -> str:
    """The items in one sentence: how many in each state, how many tied to what."""
    text = _("整改事项%(counts)s。") % {"counts": _counts(export)}
    if export.tag_counts:
        text += _("其中关联%(tags)s。") % {"tags": _tags(export)}
    return text


def link_text(shown: LinkShown) -> str:
    """What an item answers, in one entry: its kind and qualifier, then its text."""
    head = f"{shown.label} · {shown.detail}" if shown.detail else shown.label
    return f"{head}{_('：')}{shown.text}" if shown.text else head


def problem_text(row: ItemRow) -> str:
    lines = [row.problem]
    lines += [_("【整改依据】%(link)s") % {"link": link_text(link)} for link in row.links]
    return "\n".join(lines)


def measure_text(row: ItemRow) -> str:
    if not row.tags:
        return row.measure
    return row.measure + "\n" + _("【关联】%(tags)s") % {"tags": _("、").join(row.tags)}


def status_text(row: ItemRow) -> str:
    lines = [row.status]
    if row.overdue:
        lines.append(_("已逾期"))
    return "\n".join(lines)


def update_text(update: UpdateRow | None) -> str:
    if update is None:
        return _("尚无进展记录")
    lines = [f"{_date(update.on)}{_('：')}{update.text}" if update.text else _date(update.on)]
    return "\n".join([*lines, *update.evidence])


def verification_text(row: ItemRow) -> str:
    if row.verified_on is None:
        if row.done_on is not None:
            return _("%(date)s完成，待验收") % {"date": _date(row.done_on)}
        return _("未验收")
    head = _("%(date)s验收（%(who)s）") % {"date": _date(row.verified_on), "who": row.verified_by}
    return f"{head}\n{row.verify_note}" if row.verify_note else head


def signature_lines() -> list[str]:
    blank = _("　　年　　月　　日")
    return [
        _("本人（签字）：＿＿＿＿＿＿＿　　日期：%(date)s") % {"date": blank},
        _("支部书记（签字）：＿＿＿＿＿＿＿　　日期：%(date)s") % {"date": blank},
    ]


# --- PDF ------------------------------------------------------------------------------

# The items' table on A4 portrait (170 mm): what is written long gets the width.
ITEM_COLUMNS_MM = (12, 37, 36, 15, 27, 24, 19)
PROGRESS_COLUMNS_MM = (12, 88, 70)


def _styles() -> dict[str, ParagraphStyle]:
    s = pdf.styles()
    return {
        "subtitle": ParagraphStyle("vg-plan-subtitle", parent=s.small, alignment=TA_CENTER),
        "sign": ParagraphStyle(
            "vg-plan-sign", parent=s.body, alignment=TA_RIGHT, spaceBefore=5 * mm
        ),
    }


def _clean(text: Any) -> str:
    return xml_safe(text)


def plan_pdf(export: PlanExport) -> bytes:
    s = pdf.styles()
    st = _styles()
    name = title()
    story: list[Flowable] = [
        pdf.para(name, s.title),
        pdf.para(subtitle(export), st["subtitle"]),
        pdf.spacer(3),
        registration_form.facts_table(facts(export)),
        pdf.spacer(2),
        pdf.para(overview(export)),
        pdf.para(_("整改思路"), s.heading),
    ]
    if export.summary.strip():
        story.extend(pdf.paras(pdf.squeeze_blank_lines(_clean(export.summary))))
    else:
        story.append(pdf.para(_("（未填写）"), s.small))

    story.append(pdf.para(_("整改事项"), s.heading))
    if export.items:
        header = [_("序号"), _("问题"), _("措施"), _("责任人"), _("完成标准"), _("时限"), _("状态")]
        rows = [
            [
                str(row.number),
                _clean(problem_text(row)),
                _clean(measure_text(row)),
                _clean(row.responsible or "—"),
                _clean(row.standard),
                _short_date(row.deadline),
                status_text(row),
            ]
            for row in export.items
        ]
        story.append(pdf.table([header, *rows], col_widths=[w * mm for w in ITEM_COLUMNS_MM]))

        story.append(pdf.para(_("落实情况"), s.heading))
        header = [_("序号"), _("最新进展与佐证"), _("验收情况")]
        rows = [
            [str(row.number), _clean(update_text(row.latest)), _clean(verification_text(row))]
            for row in export.items
        ]
        story.append(pdf.table([header, *rows], col_widths=[w * mm for w in PROGRESS_COLUMNS_MM]))
    else:
        story.append(pdf.para(_("还没有整改事项。"), s.small))

    # The lines to sign stay together, under the last table.
    story.append(KeepTogether([pdf.para(line, st["sign"]) for line in signature_lines()]))
    footer = f"{export.name} · {name}"
    return pdf.render(story, title=f"{name}-{export.name}", footer=_clean(footer))


# --- Excel ----------------------------------------------------------------------------


def _item_columns() -> list[xlsx.Column]:
    c = xlsx.Column
    return [
        c(_("序号"), 6),
        c(_("姓名"), 10),
        c(_("工号或学号"), 12),
        c(_("所在支部"), 22, wrap=True),
        c(_("存在问题"), 36, wrap=True),
        c(_("整改依据"), 36, wrap=True),
        c(_("整改措施"), 36, wrap=True),
        c(_("责任人"), 10),
        c(_("完成标准"), 28, wrap=True),
        c(_("完成时限"), 12),
        c(_("状态"), 10),
        c(_("是否逾期"), 10),
        c(_("关联"), 18, wrap=True),
        c(_("最新进展日期"), 14),
        c(_("最新进展"), 36, wrap=True),
        c(_("完成日期"), 12),
        c(_("验收日期"), 12),
        c(_("验收人"), 10),
        c(_("验收意见"), 28, wrap=True),
    ]


def _item_row(export: PlanExport, row: ItemRow) -> list[Any]:
    latest = row.latest
    progress = "\n".join([latest.text, *latest.evidence]).strip() if latest else ""
    return [
        row.number,
        export.name,
        export.number,
        export.branch,
        row.problem,
        "\n".join(link_text(link) for link in row.links),
        row.measure,
        row.responsible,
        row.standard,
        row.deadline,
        row.status,
        _("是") if row.overdue else _("否"),
        _("、").join(row.tags),
        latest.on if latest else None,
        progress,
        row.done_on,
        row.verified_on,
        row.verified_by,
        row.verify_note,
    ]


def _update_columns() -> list[xlsx.Column]:
    c = xlsx.Column
    return [
        c(_("事项序号"), 10),
        c(_("日期"), 12),
        c(_("进展情况"), 50, wrap=True),
        c(_("佐证"), 40, wrap=True),
    ]


def plan_xlsx(export: PlanExport) -> bytes:
    workbook = xlsx.new_workbook()
    xlsx.table_sheet(
        workbook,
        _("整改事项"),
        _item_columns(),
        (_item_row(export, row) for row in export.items),
    )
    xlsx.table_sheet(
        workbook,
        _("进展记录"),
        _update_columns(),
        ([u.item_number, u.on, u.text, "\n".join(u.evidence)] for u in export.updates),
    )
    xlsx.table_sheet(
        workbook,
        _("计划概况"),
        [xlsx.Column(_("项目"), 14), xlsx.Column(_("内容"), 80, wrap=True)],
        [
            *((label, value) for a, b, c, d in facts(export) for label, value in ((a, b), (c, d))),
            (_("活动"), subtitle(export)),
            (_("整改事项"), overview(export)),
            (_("整改思路"), export.summary),
        ],
    )
    workbook.properties.title = xml_safe(f"{title()}-{export.name}")
    workbook.properties.creator = "Vanguard"
    return xlsx.workbook_bytes(workbook)
