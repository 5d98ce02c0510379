"""The branch meeting record book (支部大会记录本) of one branch in one campaign, as the
paper book is kept: a cover (branch, campaign, general branch, years), a contents
list, then each meeting on its own page(s) as a ruled form — 时间 (date, start–end),
地点, 主持人, 记录人, 应到 / 实到 / 缺席, 缺席人员及原因, 议程, 会议记录, 决议事项 —
the campaign's required meetings marked 【必开会议】, a democratic appraisal meeting
with its vote's published result, and a closing page naming any required meeting not
held (未召开). As a PDF (reportlab, on `vanguard.documents.pdf`) and as Word
(python-docx, on `vanguard.documents.word`), with the same content.

Everything comes from `selectors.meeting_book`; the text of both documents is built
once here (`cover_lines`, `contents_rows`, `facts`, `sections`, `vote_lines`,
`vote_grid`, `closing_lines`). All text is plain: `pdf.para()` escapes it, Word stores
it as text (`xml_safe` drops what XML cannot hold).
"""

from __future__ import annotations

import io
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Spacer, Table, TableStyle

from vanguard.ballots.models import Grade
from vanguard.campaigns.models import Campaign
from vanguard.documents import pdf, word
from vanguard.documents.text import xml_safe
from vanguard.materials.meeting_book import selectors
from vanguard.materials.meeting_book.selectors import (
    Attendance,
    BookMeeting,
    MeetingBook,
    VoteResult,
)
from vanguard.organization.models import Unit

RULE = colors.HexColor("#333333")
LABEL_SHADE = colors.HexColor("#F2F2F2")
LABEL_WIDTH = 30 * mm  # seven characters (缺席人员及原因) on one line
# The facts' four columns, in mm: 时间 | its date and times | 地点 | the place (the
# second label is three characters at most: 地点, 记录人).
FACT_WIDTHS_MM = (30, 72, 22, 46)
PADDING = 4  # points, above and below each cell
# The least height of the boxes a secretary writes in on paper (议程, 会议记录, 决议事项):
# an empty box still leaves room, as the printed book does.
MIN_HEIGHT_MM = {"agenda": 18, "minutes": 60, "decisions": 22}


def title() -> str:
    return _("支部大会记录本")


def _clean(text: Any) -> str:
    return xml_safe(text or "")


def _date(value: Any) -> str:
    return date_format(value, "DATE_FORMAT")


def required_mark(page: BookMeeting) -> str:
    """ "【必开会议】支部动员会" for a required meeting, else its kind."""
    if page.required:
        return _("【必开会议】%(kind)s") % {"kind": page.kind_label}
    return page.kind_label


def number_text(index: int) -> str:
    return _("第 %(n)d 次会议") % {"n": index}


def time_text(page: BookMeeting) -> str:
    """ "2026年5月21日 18:00—23:00": the date with the start and end times."""
    day = _date(page.held_on)
    if not page.starts:
        return day
    if page.ends:
        return _("%(date)s %(start)s—%(end)s") % {
            "date": day,
            "start": page.starts,
            "end": page.ends,
        }
    return _("%(date)s %(start)s") % {"date": day, "start": page.starts}


def counts_text(attendance: Attendance) -> str:
    if attendance.source == selectors.NOT_RECORDED:
        return _("未记录出勤")
    return _("应到 %(expected)d 人，实到 %(present)d 人，缺席 %(absent)d 人") % {
        "expected": attendance.expected,
        "present": attendance.present,
        "absent": attendance.absent,
    }


def absences_text(attendance: Attendance) -> str:
    if attendance.source == selectors.NOT_RECORDED:
        return "—"
    if not attendance.absences:
        return _("无")
    if attendance.source == selectors.FROM_VOTE:  # the roll records no reasons
        return _("、").join(a.name for a in attendance.absences)
    return _("；").join(
        _("%(name)s（%(reason)s）") % {"name": a.name, "reason": _clean(a.reason)}
        if a.reason
        else _("%(name)s（未记录原因）") % {"name": a.name}
        for a in attendance.absences
    )


def source_note(page: BookMeeting) -> str:
    """Where the attendance comes from, when it is not the meeting's own record."""
    if page.from_vote_only:
        return _(
            "本次会议未登记会议记录；以下出勤据民主评议投票的到会名册"
            "（名册不记录缺席原因），评议结果据投票计票。"
        )
    if page.attendance.source == selectors.FROM_VOTE:
        return _("会议记录未另行登记出勤，以下出勤据民主评议投票的到会名册（名册不记录缺席原因）。")
    return ""


def cover_lines(book: MeetingBook) -> list[tuple[str, str]]:
    lines = [(_("党支部"), book.branch_name)]
    if book.general_branch_name:
        lines.append((_("党总支"), book.general_branch_name))
    if book.committee_name:
        lines.append((_("党委"), book.committee_name))
    lines += [(_("活动"), book.campaign_name), (_("年度"), book.years)]
    return lines


def contents_header() -> list[str]:
    return [_("序号"), _("日期"), _("会议名称"), _("会议类型")]


def contents_rows(book: MeetingBook) -> list[list[str]]:
    rows = [
        [str(index), _date(page.held_on), _clean(page.title), required_mark(page)]
        for index, page in enumerate(book.meetings, start=1)
    ]
    rows.append(["", "", _("必开会议召开情况"), ""])
    return rows


def facts(page: BookMeeting) -> list[tuple[str, str, str, str]]:
    return [
        (_("时间"), time_text(page), _("地点"), _clean(page.place) or "—"),
        (_("主持人"), _clean(page.host) or "—", _("记录人"), _clean(page.recorder) or "—"),
    ]


def sections(page: BookMeeting) -> list[tuple[str, str, str]]:
    """(key, label, text) of the ruled rows under the facts, in the book's order."""
    rows = [
        ("counts", _("出席情况"), counts_text(page.attendance)),
        ("absences", _("缺席人员及原因"), absences_text(page.attendance)),
    ]
    note = source_note(page)
    if note:
        rows.append(("note", _("说明"), note))
    if not page.from_vote_only:
        rows += [
            ("agenda", _("议程"), _clean(page.agenda)),
            ("minutes", _("会议记录"), _clean(page.minutes)),
            ("decisions", _("决议事项"), _clean(page.decisions)),
        ]
    return rows


def vote_lines(vote: VoteResult) -> list[str]:
    """The vote in sentences: who voted, when, the ballots counted, and (when the
    per-candidate counts are withheld) why."""
    lines = []
    if vote.opened_at is not None and vote.closed_at is not None:
        lines.append(
            _("%(unit)s投票时间：%(start)s—%(end)s。")
            % {
                "unit": vote.unit_name,
                "start": selectors.time_text(vote.opened_at),
                "end": selectors.end_text(vote.opened_at, vote.closed_at),
            }
        )
    lines.append(
        _("名册 %(voters)d 人，到会 %(present)d 人，收回有效选票 %(ballots)d 张。")
        % {"voters": vote.voters, "present": vote.present, "ballots": vote.ballots}
    )
    if not vote.published:
        lines.append(vote.withheld_reason)
    if vote.not_graded:
        lines.append(
            _("预备党员参加评议，不定等次：%(names)s。") % {"names": _("、").join(vote.not_graded)}
        )
    return lines


def vote_grid(vote: VoteResult) -> list[list[str]]:
    """The published counts: a header, then one row per candidate ([] when withheld)."""
    if not vote.published:
        return []
    header = [_("序号"), _("姓名"), *(str(label) for _value, label in Grade.choices)]
    if vote.has_blank:
        header.append(_("未评定"))
    rows = [header]
    for index, candidate in enumerate(vote.candidates, start=1):
        row = [str(index), candidate.name, *(str(n) for n in candidate.counts)]
        if vote.has_blank:
            row.append(str(candidate.blank))
        rows.append(row)
    return rows


def vote_heading(vote: VoteResult) -> str:
    return _("民主评议结果（%(unit)s，票数）") % {"unit": vote.unit_name}


def closing_title() -> str:
    return _("必开会议召开情况")


def closing_rows(book: MeetingBook) -> list[list[str]]:
    rows = []
    for required in book.required:
        if not required.held:
            state = _("未召开")
        elif required.from_vote_only:
            state = _("已投票评议，会议记录未登记")
        else:
            state = _("已召开")
        rows.append([required.label, required.requirement, state])
    return rows


def closing_lines(book: MeetingBook) -> list[str]:
    if not book.required:
        return [_("本活动未规定支部必开会议。")]
    if book.missing:
        return [
            _("以下必开会议未召开：%(names)s。")
            % {"names": _("、").join(r.label for r in book.missing)}
        ]
    return [_("本活动规定的必开会议均已召开。")]


def footer(book: MeetingBook) -> str:
    return f"{book.branch_name} · {title()}"


def signature_line() -> str:
    return _("主持人（签字）：＿＿＿＿＿＿　　记录人（签字）：＿＿＿＿＿＿")


# --- PDF ---------------------------------------------------------------------------


def _styles() -> dict[str, ParagraphStyle]:
    s = pdf.styles()
    return {
        "cover-title": ParagraphStyle(
            "vg-book-cover", parent=s.title, fontSize=30, leading=40, spaceAfter=0
        ),
        "cover-line": ParagraphStyle("vg-book-cover-line", parent=s.body, fontSize=14, leading=22),
        "cover-label": ParagraphStyle(
            "vg-book-cover-label", parent=s.body, fontSize=14, leading=22, alignment=TA_CENTER
        ),
        "heading": ParagraphStyle("vg-book-heading", parent=s.title, fontSize=16, leading=24),
        "mark": ParagraphStyle(
            "vg-book-mark", parent=s.body, alignment=TA_CENTER, textColor=colors.HexColor("#B00000")
        ),
        "label": ParagraphStyle("vg-book-label", parent=s.cell, alignment=TA_CENTER),
        "value": ParagraphStyle("vg-book-value", parent=s.cell, fontSize=10.5, leading=15.75),
        "grid": ParagraphStyle("vg-book-grid", parent=s.cell, alignment=TA_CENTER),
        "sign": ParagraphStyle("vg-book-sign", parent=s.cell, alignment=2, spaceBefore=4 * mm),
    }


def _pdf_cover(book: MeetingBook) -> list[Flowable]:
    st = _styles()
    width = pdf.content_width()
    lines = Table(
        [
            [pdf.para(label, st["cover-label"]), pdf.para(_clean(value), st["cover-line"])]
            for label, value in cover_lines(book)
        ],
        colWidths=[30 * mm, width - 60 * mm],
    )
    lines.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (1, 0), (1, -1), 0.6, RULE),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("TOPPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return [
        Spacer(1, 60 * mm),
        pdf.para(title(), st["cover-title"]),
        Spacer(1, 50 * mm),
        lines,
        PageBreak(),
    ]


def _pdf_contents(book: MeetingBook) -> list[Flowable]:
    st = _styles()
    width = pdf.content_width()
    story: list[Flowable] = [pdf.para(_("目录"), st["heading"]), pdf.spacer(3)]
    if book.meetings:
        story.append(
            pdf.table(
                [contents_header(), *contents_rows(book)],
                col_widths=[12 * mm, 30 * mm, width - 92 * mm, 50 * mm],
            )
        )
    else:
        story.append(pdf.para(_("本活动中本支部尚未召开会议。")))
    story.append(PageBreak())
    return story


def _facts_table(page: BookMeeting) -> Table:
    """时间 / 地点 and 主持人 / 记录人, two to a row, the labels shaded."""
    st = _styles()
    table = Table(
        [
            [
                pdf.para(a, st["label"]),
                pdf.para(b, st["value"]),
                pdf.para(c, st["label"]),
                pdf.para(d, st["value"]),
            ]
            for a, b, c, d in facts(page)
        ],
        colWidths=[width * mm for width in FACT_WIDTHS_MM],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.8, RULE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), PADDING),
                ("BOTTOMPADDING", (0, 0), (-1, -1), PADDING),
                ("BACKGROUND", (0, 0), (0, -1), LABEL_SHADE),
                ("BACKGROUND", (2, 0), (2, -1), LABEL_SHADE),
            ]
        )
    )
    return table


def _ruled_sections(page: BookMeeting) -> Table:
    """The label | text rows of a meeting's form; a long text (minutes of any length)
    takes several table rows drawn as one box, so it runs on to the next page."""
    st = _styles()
    width = pdf.content_width()
    inner = width - LABEL_WIDTH - 12
    rows: list[list[Any]] = []
    heights: list[float] = []
    commands: list[Any] = [
        ("BOX", (0, 0), (-1, -1), 0.8, RULE),
        ("LINEAFTER", (0, 0), (0, -1), 0.8, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), PADDING),
        ("BOTTOMPADDING", (0, 0), (-1, -1), PADDING),
        ("BACKGROUND", (0, 0), (0, -1), LABEL_SHADE),
        # A box that runs on to the next page is closed at the foot of this one and
        # opened again at the head of the next.
        ("LINEBELOW", (0, "splitlast"), (-1, "splitlast"), 0.8, RULE),
        ("LINEABOVE", (0, "splitfirst"), (-1, "splitfirst"), 0.8, RULE),
    ]
    for key, label, text in sections(page):
        parts = pdf.pieces(pdf.squeeze_blank_lines(text), width=inner, style=st["value"]) or [""]
        first = len(rows)
        for index, part in enumerate(parts):
            rows.append(
                [pdf.para(label, st["label"]) if index == 0 else "", pdf.para(part, st["value"])]
            )
            heights.append(MIN_HEIGHT_MM.get(key, 0) * mm if len(parts) == 1 else 0)
        last = len(rows) - 1
        commands.append(("LINEBELOW", (0, last), (-1, last), 0.8, RULE))
        if last == first:
            commands.append(("VALIGN", (0, first), (0, first), "MIDDLE"))
        else:
            commands += [
                ("BOTTOMPADDING", (0, first), (-1, last - 1), 0),
                ("TOPPADDING", (0, first + 1), (-1, last), 0),
            ]
    table = Table(rows, colWidths=[LABEL_WIDTH, width - LABEL_WIDTH], minRowHeights=heights)
    table.setStyle(TableStyle(commands))
    return table


def _pdf_vote(vote: VoteResult) -> list[Flowable]:
    st = _styles()
    s = pdf.styles()
    story: list[Flowable] = [pdf.spacer(4), pdf.para(vote_heading(vote), s.heading)]
    story += [pdf.para(line, st["value"]) for line in vote_lines(vote)]
    grid = vote_grid(vote)
    if grid:
        width = pdf.content_width()
        counts = len(grid[0]) - 2
        name_width = 36 * mm
        number_width = 12 * mm
        rest = (width - name_width - number_width) / counts
        table = Table(
            [[pdf.para(c, st["grid"]) for c in row] for row in grid],
            colWidths=[number_width, name_width, *([rest] * counts)],
            repeatRows=1,
        )
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#777777")),
                    ("BACKGROUND", (0, 0), (-1, 0), LABEL_SHADE),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        story += [pdf.spacer(2), table]
    return story


def _pdf_meeting(index: int, page: BookMeeting) -> list[Flowable]:
    st = _styles()
    story: list[Flowable] = [
        pdf.para(number_text(index), pdf.styles().small),
        pdf.para(_clean(page.title), st["heading"]),
        pdf.para(required_mark(page), st["mark"] if page.required else st["grid"]),
        pdf.spacer(3),
        _facts_table(page),
        _ruled_sections(page),
    ]
    # The vote's result and the signatures together: on this page if they fit, else
    # they start the next (a long grid runs on under its repeated header).
    tail: list[Flowable] = [flowable for vote in page.votes for flowable in _pdf_vote(vote)]
    tail.append(pdf.para(signature_line(), st["sign"]))
    story += [KeepTogether(tail), PageBreak()]
    return story


def _pdf_closing(book: MeetingBook) -> list[Flowable]:
    st = _styles()
    width = pdf.content_width()
    story: list[Flowable] = [pdf.para(closing_title(), st["heading"]), pdf.spacer(3)]
    rows = closing_rows(book)
    if rows:
        story.append(
            pdf.table(
                [[_("会议"), _("活动要求"), _("召开情况")], *rows],
                col_widths=[50 * mm, width - 100 * mm, 50 * mm],
            )
        )
        story.append(pdf.spacer(3))
    story += [pdf.para(line) for line in closing_lines(book)]
    return story


def book_pdf(book: MeetingBook) -> bytes:
    story = _pdf_cover(book) + _pdf_contents(book)
    for index, page in enumerate(book.meetings, start=1):
        story += _pdf_meeting(index, page)
    story += _pdf_closing(book)
    return pdf.render(story, title=f"{title()}-{book.branch_name}", footer=_clean(footer(book)))


def meeting_book_pdf(*, campaign: Campaign, branch: Unit) -> bytes:
    """The branch's meeting record book in the campaign, as a PDF (A4)."""
    return book_pdf(selectors.meeting_book(campaign=campaign, branch=branch))


# --- Word --------------------------------------------------------------------------


def book_docx(book: MeetingBook) -> bytes:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Mm, Pt, RGBColor

    document = word.a4_document(title=f"{title()}-{book.branch_name}")
    fact_widths = [Mm(width) for width in FACT_WIDTHS_MM]
    label_width, wide_width = fact_widths[0], Mm(sum(FACT_WIDTHS_MM[1:]))

    def centred(text: str, *, size: float = 0, bold: bool = False, red: bool = False) -> Any:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if red:
            run.font.color.rgb = RGBColor(0xB0, 0, 0)
        return paragraph

    def page_break() -> None:
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def label_cell(cell: Any, text: str, width: Any = None) -> None:
        cell.text = text
        cell.width = width or label_width
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER

    def lines_into(cell: Any, text: str) -> None:
        first = cell.paragraphs[0]
        for index, line in enumerate(pdf.squeeze_blank_lines(text).split("\n")):
            paragraph = first if index == 0 else cell.add_paragraph()
            paragraph.add_run(line)

    def grid(rows: list[list[str]], widths: list[Any] | None = None) -> Any:
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        table.style = "Table Grid"
        if widths:
            table.autofit = False
            for column, width in zip(table.columns, widths, strict=True):
                column.width = width
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                cell = table.cell(r, c)
                cell.text = value
                if widths:
                    cell.width = widths[c]
        return table

    # The cover.
    for _n in range(6):
        document.add_paragraph()
    centred(title(), size=30, bold=True)
    for _n in range(5):
        document.add_paragraph()
    for label, value in cover_lines(book):
        centred(f"{label}：{_clean(value)}", size=14)
    page_break()

    # The contents.
    centred(_("目录"), size=16, bold=True)
    if book.meetings:
        grid(
            [contents_header(), *contents_rows(book)],
            [Mm(12), Mm(34), Mm(74), Mm(50)],
        )
    else:
        document.add_paragraph(_("本活动中本支部尚未召开会议。"))

    # Each meeting on its own page.
    for index, page in enumerate(book.meetings, start=1):
        page_break()
        document.add_paragraph(number_text(index))
        centred(_clean(page.title), size=16, bold=True)
        centred(required_mark(page), red=page.required)
        table = document.add_table(rows=0, cols=4)
        table.style = "Table Grid"
        table.autofit = False
        for column, width in zip(table.columns, fact_widths, strict=True):
            column.width = width
        for a, b, c, d in facts(page):
            cells = table.add_row().cells
            label_cell(cells[0], a)
            cells[1].text, cells[1].width = b, fact_widths[1]
            label_cell(cells[2], c, fact_widths[2])
            cells[3].text, cells[3].width = d, fact_widths[3]
        for key, label, text in sections(page):
            row = table.add_row()
            if key in MIN_HEIGHT_MM:
                row.height = Mm(MIN_HEIGHT_MM[key])
                row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
            label_cell(row.cells[0], label)
            body = row.cells[1].merge(row.cells[3])
            body.width = wide_width
            lines_into(body, text)
        for vote in page.votes:
            heading = document.add_paragraph()
            heading.add_run(vote_heading(vote)).bold = True
            for line in vote_lines(vote):
                document.add_paragraph(line)
            rows = vote_grid(vote)
            if rows:
                counts = len(rows[0]) - 2
                rest = Mm(int((170 - 12 - 36) / counts))
                grid(rows, [Mm(12), Mm(36), *([rest] * counts)])
        sign = document.add_paragraph(signature_line())
        sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    # The closing page.
    page_break()
    centred(closing_title(), size=16, bold=True)
    rows = closing_rows(book)
    if rows:
        grid([[_("会议"), _("活动要求"), _("召开情况")], *rows], [Mm(50), Mm(70), Mm(50)])
    for line in closing_lines(book):
        document.add_paragraph(line)

    # One section: its footer is every page's.
    footer_paragraph = document.sections[0].footer.paragraphs[0]
    footer_paragraph.text = _clean(footer(book))
    footer_paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def meeting_book_docx(*, campaign: Campaign, branch: Unit) -> bytes:
    """The branch's meeting record book in the campaign, as a Word document (A4)."""
    return book_docx(selectors.meeting_book(campaign=campaign, branch=branch))
