"""The paper forms (纸质表格) for what a branch does on paper, laid out as ruled A4
forms on the plumbing of `vanguard.documents` (the embedded CJK font, `pdf.para`'s
escaping, `word.a4_document`):

- 民主评议党员测评表 (`appraisal_sheets_pdf`): the sheet one voter fills in — the
  candidates and a box for each of the four grades, and nothing about the voter. The
  run of N sheets is ONE sheet laid out once and its pages repeated N times
  (`_repeat`), so every sheet of a run is the same page object: no copy number, no
  serial, no date or mark that differs between sheets, by construction (README).
- 民主评议党员测评汇总表 (`tally_sheet_pdf`): the counting committee's sheet —
  candidates × grades with empty cells, the count of sheets, and lines to sign for
  the counters (计票人) and scrutineers (监票人). Its totals are then typed in once, on
  the ballots app's paper-totals page.
- 征求意见表 (`survey_form_pdf`, `survey_form_docx`): the written survey handed out
  on paper — for each member of the branch, the survey's aspects as rows, the four
  ratings and room to write; no name field. In Word too, for a secretary to edit.
"""

from __future__ import annotations

import io
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Table, TableStyle

from vanguard.ballots.models import Grade
from vanguard.documents import pdf, word
from vanguard.documents.text import xml_safe
from vanguard.materials.paper.selectors import BallotSheet, SurveySheet
from vanguard.opinions.intake.forms import RATING_CHOICES

RULE = colors.HexColor("#333333")
SHADE = colors.HexColor("#F2F2F2")
BLANK_DATE = "＿＿＿＿年＿＿月＿＿日"


def _clean(text: Any) -> str:
    return xml_safe(text or "")


def _styles() -> dict[str, ParagraphStyle]:
    s = pdf.styles()
    return {
        "subtitle": ParagraphStyle("vg-paper-subtitle", parent=s.body, alignment=TA_CENTER),
        "note": ParagraphStyle("vg-paper-note", parent=s.body, fontSize=10, leading=15),
        "head": ParagraphStyle("vg-paper-head", parent=s.cell, alignment=TA_CENTER, fontSize=10.5),
        "name": ParagraphStyle(
            "vg-paper-name", parent=s.cell, alignment=TA_LEFT, fontSize=11, leading=16.5
        ),
        "number": ParagraphStyle(
            "vg-paper-number", parent=s.cell, alignment=TA_CENTER, fontSize=11, leading=16.5
        ),
        "sign": ParagraphStyle("vg-paper-sign", parent=s.body, fontSize=11, leading=22),
        "member": ParagraphStyle(
            "vg-paper-member", parent=s.body, fontSize=11.5, spaceBefore=3 * mm, spaceAfter=1 * mm
        ),
    }


def _ruled(rows: list[list[Any]], widths_mm: list[float], *, row_height_mm: float) -> Table:
    """A ruled grid with a shaded header row; every body row at least `row_height_mm`
    tall, its text centred in height."""
    heights = [None] + [row_height_mm * mm] * (len(rows) - 1)
    table = Table(rows, colWidths=[w * mm for w in widths_mm], rowHeights=heights, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.8, RULE),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, 0), 4),
                ("BOTTOMPADDING", (0, 0), (-1, 0), 4),
            ]
        )
    )
    return table


def _subtitle(unit: str, campaign: str, year: int | None = None) -> str:
    if year is None:
        return f"{_clean(unit)}　{_clean(campaign)}"
    return _("%(unit)s　%(campaign)s（%(year)s 年度）") % {
        "unit": _clean(unit),
        "campaign": _clean(campaign),
        "year": year,
    }


# --- 民主评议党员测评表 -------------------------------------------------------------------


def appraisal_title() -> str:
    return _("民主评议党员测评表")


def appraisal_instructions() -> list[str]:
    return [
        _("填写说明："),
        _(
            "1. 请对下列每位正式党员，在您评定的等次栏内划“√”，每人只划一个等次；"
            "未划或划了多个等次的，该党员记为未评定。"
        ),
        _("2. 本表不写姓名，不作任何记号，填好后折叠投入票箱。"),
        _("3. 预备党员参加评议，不评定等次，不列入名单。"),
    ]


GRADE_COLUMN_MM = 27
NUMBER_COLUMN_MM = 12
# Tallest and shortest row of the sheet's table: a short list gets room to tick, a long
# one (about 30 names) still fits one page.
ROW_MAX_MM, ROW_MIN_MM = 10.0, 6.5
TABLE_ROOM_MM = 190.0


def _appraisal_story(sheet: BallotSheet) -> list[Flowable]:
    s = pdf.styles()
    st = _styles()
    grades = [str(label) for _value, label in Grade.choices]
    name_width = pdf.content_width() / mm - NUMBER_COLUMN_MM - GRADE_COLUMN_MM * len(grades)
    held = date_format(sheet.held_on, "DATE_FORMAT") if sheet.held_on is not None else BLANK_DATE
    story: list[Flowable] = [
        pdf.para(appraisal_title(), s.title),
        pdf.para(
            _subtitle(sheet.unit_name, sheet.campaign_name, sheet.campaign_year), st["subtitle"]
        ),
        pdf.para(_("评议日期：%(date)s") % {"date": held}, st["subtitle"]),
        pdf.spacer(2),
        *[pdf.para(line, st["note"]) for line in appraisal_instructions()],
        pdf.spacer(3),
    ]
    header = [
        pdf.para(_("序号"), st["head"]),
        pdf.para(_("党员姓名"), st["head"]),
        *[pdf.para(grade, st["head"]) for grade in grades],
    ]
    rows: list[list[Any]] = [header]
    for number, name in enumerate(sheet.candidates, start=1):
        rows.append(
            [pdf.para(str(number), st["number"]), pdf.para(_clean(name), st["name"])]
            + [""] * len(grades)
        )
    if not sheet.candidates:
        story.append(pdf.para(_("本次评议没有需要评定等次的正式党员。"), s.small))
        return story
    height = max(ROW_MIN_MM, min(ROW_MAX_MM, TABLE_ROOM_MM / (len(rows))))
    story.append(
        _ruled(
            rows,
            [NUMBER_COLUMN_MM, name_width, *[GRADE_COLUMN_MM] * len(grades)],
            row_height_mm=height,
        )
    )
    return story


def _repeat(single: bytes, copies: int) -> bytes:
    """`copies` runs of the pages of `single`, one after another. The pages are added
    from the one laid-out sheet, so each run shares its content streams with every
    other: the sheets cannot differ."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(single))
    writer = PdfWriter()
    for _copy in range(copies):
        for page in reader.pages:
            writer.add_page(page)
    writer.add_metadata({"/Title": appraisal_title(), "/Author": "Vanguard"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def appraisal_sheets_pdf(sheet: BallotSheet, *, copies: int) -> bytes:
    """`copies` identical blank appraisal sheets, each starting on a new page."""
    name = appraisal_title()
    single = pdf.render(_appraisal_story(sheet), title=name, footer=name)
    return _repeat(single, copies)


# --- 民主评议党员测评汇总表 -----------------------------------------------------------------


def tally_title() -> str:
    return _("民主评议党员测评汇总表")


# The tally grid's rows: room to count with strokes (正), and a branch of about 20
# candidates with the signatures still on one page.
TALLY_ROW_MAX_MM, TALLY_ROW_MIN_MM = 11.0, 7.5
TALLY_ROOM_MM = 170.0


def tally_signatures() -> list[str]:
    return [
        _("计票人（签字）：＿＿＿＿＿＿＿＿　　＿＿＿＿＿＿＿＿"),
        _("监票人（签字）：＿＿＿＿＿＿＿＿　　＿＿＿＿＿＿＿＿"),
        _("汇总日期：%(date)s") % {"date": BLANK_DATE},
    ]


def tally_sheet_pdf(sheet: BallotSheet) -> bytes:
    s = pdf.styles()
    st = _styles()
    grades = [str(label) for _value, label in Grade.choices]
    extra = [_("未评定"), _("合计")]
    widths = [NUMBER_COLUMN_MM, 0.0, *[23.0] * len(grades), 17.0, 17.0]
    widths[1] = pdf.content_width() / mm - sum(widths)
    story: list[Flowable] = [
        pdf.para(tally_title(), s.title),
        pdf.para(
            _subtitle(sheet.unit_name, sheet.campaign_name, sheet.campaign_year), st["subtitle"]
        ),
        pdf.spacer(2),
        pdf.para(
            _(
                "应参加评议 %(voters)d 人。发出测评表＿＿＿张，收回＿＿＿张"
                "（当场清点，收回张数不得多于发出张数）。"
            )
            % {"voters": sheet.voters},
            st["note"],
        ),
        pdf.para(
            _(
                "逐张唱票，每位党员各等次的票数记入相应栏内；未划或划了多个等次的记为未评定。"
                "每位党员一行的合计应等于收回张数。"
            ),
            st["note"],
        ),
        pdf.spacer(3),
    ]
    header = [
        pdf.para(_("序号"), st["head"]),
        pdf.para(_("党员姓名"), st["head"]),
        *[pdf.para(label, st["head"]) for label in [*grades, *extra]],
    ]
    rows: list[list[Any]] = [header]
    for number, name in enumerate(sheet.candidates, start=1):
        rows.append(
            [pdf.para(str(number), st["number"]), pdf.para(_clean(name), st["name"])]
            + [""] * (len(grades) + len(extra))
        )
    if sheet.candidates:
        height = max(TALLY_ROW_MIN_MM, min(TALLY_ROW_MAX_MM, TALLY_ROOM_MM / len(rows)))
        story.append(_ruled(rows, widths, row_height_mm=height))
    else:
        story.append(pdf.para(_("本次评议没有需要评定等次的正式党员。"), s.small))
    story.append(pdf.spacer(5))
    # The lines to sign and the note on entering the totals stay together, under the grid.
    closing = [pdf.para(line, st["sign"]) for line in tally_signatures()]
    story.append(KeepTogether([*closing, pdf.spacer(2), pdf.para(tally_entry_note(), s.small)]))
    name = tally_title()
    return pdf.render(story, title=name, footer=f"{_clean(sheet.unit_name)} · {name}")


def tally_entry_note() -> str:
    return _(
        "汇总后，由负责本次投票的同志在系统的“纸质选票票数”页面录入一次："
        "收回张数和每位党员各等次的票数；经另一位党委管理员确认后计入评议结果。"
    )


# --- 征求意见表 -------------------------------------------------------------------------


def survey_title() -> str:
    return _("征求意见表")


def survey_instructions() -> list[str]:
    ratings = _("、").join(str(label) for _value, label in RATING_CHOICES)
    return [
        _(
            "请从以下几个方面评价本支部的党员：每个方面在“%(ratings)s”中选一项划“√”，"
            "并可在右栏写下具体意见；不了解的党员可以不填。"
        )
        % {"ratings": ratings},
        _("本表不填写姓名，不记录填写时间；填好后交回或投入意见箱，由支部统一录入。"),
    ]


SURVEY_ASPECT_MM = 34.0
SURVEY_RATING_MM = 12.0
SURVEY_ROW_MM = 11.0


def survey_form_pdf(sheet: SurveySheet) -> bytes:
    s = pdf.styles()
    st = _styles()
    ratings = [str(label) for _value, label in RATING_CHOICES]
    comment_width = pdf.content_width() / mm - SURVEY_ASPECT_MM - SURVEY_RATING_MM * len(ratings)
    widths = [SURVEY_ASPECT_MM, *[SURVEY_RATING_MM] * len(ratings), comment_width]
    story: list[Flowable] = [
        pdf.para(survey_title(), s.title),
        pdf.para(_subtitle(sheet.branch_name, sheet.title), st["subtitle"]),
        pdf.spacer(2),
        *[pdf.para(line, st["note"]) for line in survey_instructions()],
    ]
    header = [
        pdf.para(_("方面"), st["head"]),
        *[pdf.para(label, st["head"]) for label in ratings],
        pdf.para(_("具体意见"), st["head"]),
    ]
    for number, member in enumerate(sheet.members, start=1):
        rows: list[list[Any]] = [header]
        rows += [
            [pdf.para(_clean(aspect), st["name"])] + [""] * (len(ratings) + 1)
            for aspect in sheet.aspects
        ]
        heading = _("%(n)d. 对 %(name)s 同志的意见") % {"n": number, "name": _clean(member)}
        # A member's block never splits across pages: the reader sees whom each row is about.
        story.append(
            KeepTogether(
                [pdf.para(heading, st["member"]), _ruled(rows, widths, row_height_mm=SURVEY_ROW_MM)]
            )
        )
    if not sheet.members:
        story.append(pdf.para(_("这个支部目前没有在册党员。"), s.small))
    name = survey_title()
    return pdf.render(story, title=name, footer=f"{_clean(sheet.branch_name)} · {name}")


def survey_form_docx(sheet: SurveySheet) -> bytes:
    """The same form in Word, for a secretary who wants to edit it before printing."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    name = survey_title()
    document = word.a4_document(title=f"{name}-{_clean(sheet.branch_name)}")
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(name)
    run.bold = True
    run.font.size = Pt(18)
    sub = document.add_paragraph(_subtitle(sheet.branch_name, sheet.title))
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in survey_instructions():
        document.add_paragraph(line)

    ratings = [str(label) for _value, label in RATING_CHOICES]
    comment_width = pdf.content_width() / mm - SURVEY_ASPECT_MM - SURVEY_RATING_MM * len(ratings)
    widths = [Mm(w) for w in (SURVEY_ASPECT_MM, *[SURVEY_RATING_MM] * len(ratings), comment_width)]
    for number, member in enumerate(sheet.members, start=1):
        title_line = document.add_paragraph()
        title_line.paragraph_format.keep_with_next = True
        title_line.paragraph_format.space_before = Pt(8)
        member_run = title_line.add_run(
            _("%(n)d. 对 %(name)s 同志的意见") % {"n": number, "name": _clean(member)}
        )
        member_run.bold = True
        table = document.add_table(rows=1, cols=len(widths))
        table.style = "Table Grid"
        table.autofit = False
        # The grid's widths are what LibreOffice reads; Word reads the cells'.
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
        for label, cell, width in zip(
            [_("方面"), *ratings, _("具体意见")], table.rows[0].cells, widths, strict=True
        ):
            cell.text = label
            cell.width = width
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            cell.paragraphs[0].paragraph_format.keep_with_next = True
        for index, aspect in enumerate(sheet.aspects, start=1):
            row = table.add_row()
            row.height, row.height_rule = Mm(SURVEY_ROW_MM), WD_ROW_HEIGHT_RULE.AT_LEAST
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = width
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            row.cells[0].text = _clean(aspect)
            # A member's rows stay on one page where Word can (not the last: each
            # member's block would be chained to the next, and all to the first page).
            if index < len(sheet.aspects):
                row.cells[0].paragraphs[0].paragraph_format.keep_with_next = True
    if not sheet.members:
        document.add_paragraph(_("这个支部目前没有在册党员。"))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
