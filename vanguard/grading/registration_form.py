"""The member appraisal registration form (党员评议登记表), one per member, in the layout
offices file on paper: a ruled form with the member's facts, the personal summary
(个人总结), the democratic appraisal's votes (民主评议情况), the branch's initial
grade (支部初评意见) and the committee's approval (党委审批意见), each with a line to
sign and date. As a PDF (reportlab, with the embedded CJK font and the long-text
pieces of `vanguard.documents.pdf`) and as Word (python-docx); the PDF also as a
branch bundle, one member per page. The form is grading's record, so it lives here;
`documents` only knows how to lay text out.

Everything on the form comes from `RegistrationData` (`selectors_registration.py`),
which has already left out what is not yet decided. All text is plain: `pdf.para()`
escapes it, and Word stores it as text, so `<script>` or `&` prints as written.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Spacer, Table, TableStyle

from vanguard.ballots.models import Grade
from vanguard.documents import pdf, word
from vanguard.documents.text import xml_safe
from vanguard.grading.selectors_registration import RegistrationData

LABEL_WIDTH = 26 * mm  # six characters (民主评议情况) on one line
PADDING = 4  # points, above and below each cell
EXTRA_MIN_MM = 12  # a section a higher app adds: as tall as its lines, at least this


def _clean(text: Any) -> str:
    return xml_safe(text or "")


def _date(value: date | None) -> str:
    if value is None:
        return _("　　年　　月　　日")
    return date_format(value, "DATE_FORMAT")


def title() -> str:
    return _("党员评议登记表")


@dataclass(frozen=True)
class Section:
    """One ruled row of the form below the facts: a label on the left, and on the right
    paragraphs, an optional small grid (the vote counts) and a signature line."""

    label: str
    lines: list[str] = field(default_factory=list)
    grid: list[list[str]] | None = None
    signature: str = ""
    min_height_mm: float = 0
    compact: bool = False  # smaller type: a section a higher app adds in the room left


def facts(data: RegistrationData) -> list[tuple[str, str, str, str]]:
    return [
        (_("姓名"), data.name, _("工号或学号"), data.number),
        (_("所在支部"), data.branch_name, _("党小组"), data.party_group_name or "—"),
        (_("人员类别"), data.category, _("党员类别"), data.standing),
        (
            _("入党时间"),
            date_format(data.joined_on, "DATE_FORMAT") if data.joined_on else "",
            _("评议年度"),
            str(data.campaign_year),
        ),
    ]


def _signature(signer: str, on: date | None) -> str:
    return _("%(signer)s：＿＿＿＿＿＿＿　　日期：%(date)s") % {
        "signer": signer,
        "date": _date(on),
    }


def _appraisal(data: RegistrationData) -> Section:
    label = _("民主评议情况")
    if data.probationary:
        return Section(label, [_("预备党员参加民主评议，不定等次。")], min_height_mm=18)
    appraisal = data.appraisal
    if appraisal is None:  # no closed vote yet: an empty grid, as on the paper form
        header = [*(str(grade) for _value, grade in Grade.choices), _("有效票")]
        return Section(
            label,
            grid=[header, [""] * len(header)],
            lines=[_("票数（张）")],
            min_height_mm=24,
        )
    where = {"unit": appraisal.unit_name, "date": _date(appraisal.held_on)}
    if appraisal.withheld:  # too few ballots for secrecy, or no quorum: no counts
        held_only = _("%(unit)s，%(date)s投票。") % where
        return Section(label, [held_only, appraisal.withheld], min_height_mm=24)
    held = _("%(unit)s，%(date)s投票，票数（张）：") % where
    header = [grade for grade, _votes in appraisal.counts]
    votes = [str(n) for _grade, n in appraisal.counts]
    if appraisal.blank:
        header.append(_("未评定"))
        votes.append(str(appraisal.blank))
    header.append(_("有效票"))
    votes.append(str(appraisal.ballots))
    return Section(label, [held], grid=[header, votes], min_height_mm=24)


def sections(data: RegistrationData) -> list[Section]:
    summary = (
        pdf.squeeze_blank_lines(_clean(data.summary)).split("\n") if data.summary.strip() else []
    )
    result = [
        Section(
            _("个人总结"),
            summary,
            signature=_signature(_("本人（签字）"), data.summary_submitted_on),
            min_height_mm=80,
        ),
        _appraisal(data),
        Section(
            _("支部初评意见"),
            [
                _("初评等次：%(grade)s") % {"grade": data.initial_grade},
                _("评定理由：%(text)s") % {"text": _clean(data.initial_rationale)},
            ],
            signature=_signature(_("支部书记（签字）"), data.initial_submitted_on),
            min_height_mm=34,
        ),
        Section(
            _("党委审批意见"),
            [
                _("审批等次：%(grade)s") % {"grade": data.approved_grade},
                *([_clean(data.committee_opinion)] if data.committee_opinion else []),
            ],
            signature=_signature(_("党委（盖章）"), data.approved_on),
            min_height_mm=34,
        ),
    ]
    if data.outcome:
        lines = [
            _("%(outcome)s（%(date)s）") % {"outcome": data.outcome, "date": _date(data.outcome_on)}
        ]
        if data.outcome_note:
            lines.append(_clean(data.outcome_note))
        result.append(Section(_("处置结果"), lines, min_height_mm=16))
    # What higher apps add (`registration_sections`), each kept to a few lines.
    result += [
        Section(
            extra.label,
            [_clean(line) for line in extra.lines],
            min_height_mm=EXTRA_MIN_MM,
            compact=True,
        )
        for extra in data.extra
    ]
    return result


def subtitle(data: RegistrationData) -> str:
    return _("%(campaign)s（%(year)s 年度）") % {
        "campaign": data.campaign_name,
        "year": data.campaign_year,
    }


# --- PDF ---------------------------------------------------------------------------

RULE = colors.HexColor("#333333")


def _pdf_styles() -> dict[str, ParagraphStyle]:
    s = pdf.styles()
    return {
        "label": ParagraphStyle("vg-form-label", parent=s.cell, alignment=TA_CENTER),
        "value": ParagraphStyle("vg-form-value", parent=s.cell),
        "body": ParagraphStyle("vg-form-body", parent=s.body, spaceAfter=1 * mm),
        "sign": ParagraphStyle(
            "vg-form-sign", parent=s.cell, alignment=TA_RIGHT, spaceBefore=3 * mm
        ),
        "subtitle": ParagraphStyle("vg-form-subtitle", parent=s.small, alignment=TA_CENTER),
        "grid": ParagraphStyle("vg-form-grid", parent=s.cell, alignment=TA_CENTER),
    }


def _ruled(table: Table, *, label_columns: Sequence[int]) -> Table:
    commands: list[Any] = [
        ("GRID", (0, 0), (-1, -1), 0.8, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), PADDING),
        ("BOTTOMPADDING", (0, 0), (-1, -1), PADDING),
    ]
    for column in label_columns:
        commands += [
            ("BACKGROUND", (column, 0), (column, -1), colors.HexColor("#F2F2F2")),
            ("VALIGN", (column, 0), (column, -1), "MIDDLE"),
        ]
    table.setStyle(TableStyle(commands))
    return table


def facts_table(rows: Sequence[tuple[str, str, str, str]]) -> Table:
    """The ruled facts at the head of a form, two to a row (label, value, label, value),
    the labels shaded: the layout of this form, which other forms about a member (the
    rectification plan's export) share."""
    st = _pdf_styles()
    value_width = (pdf.content_width() - 2 * LABEL_WIDTH) / 2
    cells = [
        [
            pdf.para(a, st["label"]),
            pdf.para(_clean(b), st["value"]),
            pdf.para(c, st["label"]),
            pdf.para(_clean(d), st["value"]),
        ]
        for a, b, c, d in rows
    ]
    return _ruled(
        Table(cells, colWidths=[LABEL_WIDTH, value_width, LABEL_WIDTH, value_width]),
        label_columns=(0, 2),
    )


def _height(flowables: Sequence[Flowable], width: float) -> float:
    total = 0.0
    for flowable in flowables:
        _width, height = flowable.wrap(width, A4[1])
        total += height + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return total


def _pdf_form(data: RegistrationData) -> list[Flowable]:
    s = pdf.styles()
    st = _pdf_styles()
    width = pdf.content_width()
    story: list[Flowable] = [
        pdf.para(title(), s.title),
        pdf.para(subtitle(data), st["subtitle"]),
        pdf.spacer(3),
    ]
    story.append(facts_table(facts(data)))
    rows: list[list[Any]] = []
    heights: list[float] = []
    commands: list[Any] = [
        ("BOX", (0, 0), (-1, -1), 0.8, RULE),
        ("LINEAFTER", (0, 0), (0, -1), 0.8, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), PADDING),
        ("BOTTOMPADDING", (0, 0), (-1, -1), PADDING),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F2F2F2")),
        ("VALIGN", (0, 0), (0, -1), "MIDDLE"),
    ]
    inner = width - LABEL_WIDTH - 12  # the cell's width inside its padding (6 + 6)
    for section in sections(data):
        cell: list[Flowable] = [
            piece
            for line in section.lines
            for piece in pdf.paras(line, st["value" if section.compact else "body"], width=inner)
        ]
        if section.grid is not None:
            grid = Table(
                [[pdf.para(c, st["grid"]) for c in row] for row in section.grid],
                colWidths=[inner / len(section.grid[0])] * len(section.grid[0]),
            )
            grid.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#777777")),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F2F2F2")),
                    ]
                )
            )
            cell.append(grid)
        if section.signature:
            sign = pdf.para(section.signature, st["sign"])
            # The signature line sits at the foot of the box, as on the paper form.
            gap = section.min_height_mm * mm - 2 * PADDING - _height([*cell, sign], inner)
            if gap > 0:
                cell.append(Spacer(1, gap))
            cell.append(sign)
        # A table row never breaks across pages: a long section (a personal summary of
        # any length) takes several rows, drawn as one box.
        parts = _rows_of(cell, inner)
        first = len(rows)
        for index, part in enumerate(parts):
            rows.append([pdf.para(section.label, st["label"]) if index == 0 else "", part])
            heights.append(section.min_height_mm * mm if len(parts) == 1 else 0)
        last = len(rows) - 1
        commands.append(("LINEBELOW", (0, last), (-1, last), 0.8, RULE))
        if last > first:
            commands += [
                ("BOTTOMPADDING", (0, first), (-1, last - 1), 0),
                ("TOPPADDING", (0, first + 1), (-1, last), 0),
                ("VALIGN", (0, first), (0, first), "TOP"),
            ]
    table = Table(rows, colWidths=[LABEL_WIDTH, width - LABEL_WIDTH], minRowHeights=heights)
    table.setStyle(TableStyle(commands))
    story.append(table)
    return story


# Taller than any section's minimum height (80 mm), far shorter than a page.
ROW_HEIGHT = 90 * mm


def _rows_of(flowables: list[Flowable], width: float) -> list[list[Flowable]]:
    """The flowables in groups of at most ROW_HEIGHT (a flowable taller than that —
    none is, the text comes in pieces — makes a group by itself)."""
    groups: list[list[Flowable]] = [[]]
    used = 0.0
    for flowable in flowables:
        height = _height([flowable], width)
        if groups[-1] and used + height > ROW_HEIGHT:
            groups.append([])
            used = 0.0
        groups[-1].append(flowable)
        used += height
    return groups


def registration_form_pdf(data: RegistrationData) -> bytes:
    name = title()
    return pdf.render(_pdf_form(data), title=name, footer=f"{data.name} · {name}")


def registration_forms_pdf(forms: Sequence[RegistrationData]) -> bytes:
    """A branch's forms in one PDF, each member starting on a new page."""
    name = title()
    story: list[Flowable] = []
    for index, data in enumerate(forms):
        if index:
            story.append(PageBreak())
        story.extend(_pdf_form(data))
    if not story:
        story.append(pdf.para(_("本支部没有在册党员。")))
    footer = f"{forms[0].branch_name} · {name}" if forms else name
    return pdf.render(story, title=name, footer=footer)


# --- Word --------------------------------------------------------------------------


def registration_form_docx(data: RegistrationData) -> bytes:
    document = word.a4_document(title=_docx_title(data))
    _docx_form(document, data)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def registration_forms_docx(forms: Iterable[RegistrationData]) -> Iterator[bytes]:
    """Many members' forms as Word files, one for each in order, the same files as
    `registration_form_docx` gives one by one in a third of the time (a branch bundle
    writes hundreds): the A4 document is made once and refilled for each member, its
    unchanging parts compressed once (`word.Batch`)."""
    batch = word.Batch(title=title())
    for data in forms:
        _docx_form(batch.refill(title=_docx_title(data)), data)
        yield batch.save()


def _docx_title(data: RegistrationData) -> str:
    return f"{title()}-{data.name}"


def _docx_form(document: Any, data: RegistrationData) -> None:
    """The form written into an empty A4 document. Cells are reached through the rows'
    own `w:tc` elements and a section's body spans its three columns by `gridSpan`
    directly: python-docx's `row.cells` and `merge()` walk the whole table's grid each
    time, and `table.style = name` searches every style twice — most of a form's time."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt
    from docx.table import _Cell

    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(title())
    run.bold = True
    run.font.size = Pt(18)
    sub = document.add_paragraph(subtitle(data))
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    grid_style = document.styles["Table Grid"].style_id

    label_width = Mm(26)
    value_width = Mm(59)
    wide_width = Mm(144)
    table = document.add_table(rows=0, cols=4)
    table._tbl.tblPr.style = grid_style
    table.autofit = False
    for column, width in zip(
        table.columns, (label_width, value_width, label_width, value_width), strict=True
    ):
        column.width = width

    def label_cell(cell: Any, text: str) -> None:
        cell.text = text
        cell.width = label_width
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER

    def cells_of(row: Any, parent: Any) -> list[Any]:
        return [_Cell(tc, parent) for tc in row._tr.tc_lst]

    for a, b, c, d in facts(data):
        cells = cells_of(table.add_row(), table)
        label_cell(cells[0], a)
        cells[1].text, cells[1].width = _clean(b), value_width
        label_cell(cells[2], c)
        cells[3].text, cells[3].width = _clean(d), value_width

    for part in sections(data):
        row = table.add_row()
        row.height, row.height_rule = Mm(part.min_height_mm), WD_ROW_HEIGHT_RULE.AT_LEAST
        tcs = row._tr.tc_lst
        label_cell(_Cell(tcs[0], table), part.label)
        # The body spans columns 2-4 (what `merge` makes of three empty cells in a row).
        body_tc = tcs[1]
        for spanned in tcs[2:]:
            body_tc.grid_span += spanned.grid_span
            body_tc.getparent().remove(spanned)
        body = _Cell(body_tc, table)
        body.width = wide_width
        first = body.paragraphs[0]
        for index, line in enumerate(part.lines):
            paragraph = first if index == 0 else body.add_paragraph()
            paragraph.add_run(line)
        if part.grid is not None:
            grid = body.add_table(rows=len(part.grid), cols=len(part.grid[0]))
            grid._tbl.tblPr.style = grid_style
            for grid_row, values in zip(grid.rows, part.grid, strict=True):
                for cell, value in zip(cells_of(grid_row, grid), values, strict=True):
                    cell.text = value
                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        if part.signature:
            sign = body.add_paragraph(part.signature)
            sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
