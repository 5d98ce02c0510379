"""The stage summary as a branch hands it in on paper: an A4 document titled
"XX党支部XX阶段工作小结", the campaign under it, the branch and the date, the five
sections headed 一、二、… with their paragraphs indented two characters, and the
branch's line to sign and stamp. As a PDF (reportlab on `vanguard.documents.pdf`,
with its embedded CJK font and long-text pieces) and as Word (python-docx on
`vanguard.documents.word.a4_document`). A summary the committee has not yet accepted
says so under its title.

All text is plain: `pdf.para()` escapes it, and Word stores it as text, so `<script>`
or `&` prints as written; characters no document can hold are dropped (`xml_safe`).
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Table, TableStyle

from vanguard.documents import pdf, word
from vanguard.documents.text import xml_safe
from vanguard.materials.stage_summary.models import SECTIONS, StageSummary

# Section numbers as an official document writes them (一、二、…); English: 1. 2. …
NUMERALS = (
    pgettext_lazy("section number", "一"),
    pgettext_lazy("section number", "二"),
    pgettext_lazy("section number", "三"),
    pgettext_lazy("section number", "四"),
    pgettext_lazy("section number", "五"),
    pgettext_lazy("section number", "六"),
    pgettext_lazy("section number", "七"),
    pgettext_lazy("section number", "八"),
    pgettext_lazy("section number", "九"),
    pgettext_lazy("section number", "十"),
)


def title(summary: StageSummary) -> str:
    return _("%(branch)s%(phase)s阶段工作小结") % {
        "branch": summary.branch.name,
        "phase": summary.phase.name,
    }


def subtitle(summary: StageSummary) -> str:
    return _("%(campaign)s（%(year)s 年度）") % {
        "campaign": summary.campaign.name,
        "year": summary.campaign.year,
    }


def dated(summary: StageSummary) -> date:
    """The summary's date: accepted, else submitted, else saved, else today."""
    for value in (summary.accepted_at, summary.submitted_at, summary.saved_at):
        if value is not None:
            return timezone.localdate(value)
    return timezone.localdate()


def long_date(value: date) -> str:
    return _("%(year)d年%(month)d月%(day)d日") % {
        "year": value.year,
        "month": value.month,
        "day": value.day,
    }


def status_note(summary: StageSummary) -> str:
    """ "" for an accepted summary; else its state, so a draft is never taken for the
    accepted text."""
    if summary.state == StageSummary.State.ACCEPTED:
        return ""
    return _("（%(state)s，非党委审定稿）") % {"state": summary.get_state_display()}


def headings() -> list[tuple[str, str]]:
    """(section name, "一、工作开展情况") in order."""
    return [
        (name, _("%(n)s、%(label)s") % {"n": NUMERALS[index], "label": label})
        for index, (name, label) in enumerate(SECTIONS)
    ]


def paragraphs(text: str) -> list[str]:
    """A section's text as its paragraphs: one per line, blank lines dropped."""
    return [line.strip() for line in xml_safe(text).splitlines() if line.strip()]


def byline_parts(summary: StageSummary) -> tuple[str, str]:
    return (
        _("党支部：%(branch)s") % {"branch": summary.branch.name},
        _("日期：%(date)s") % {"date": long_date(dated(summary))},
    )


def byline(summary: StageSummary) -> str:
    return "　　　".join(byline_parts(summary))


def signature(summary: StageSummary) -> list[str]:
    return [
        _("中共%(branch)s（盖章）") % {"branch": summary.branch.name},
        _("支部书记（签字）：＿＿＿＿＿＿"),
        long_date(dated(summary)),
    ]


def file_stem(summary: StageSummary) -> str:
    return title(summary)


# --- PDF --------------------------------------------------------------------------------

BODY_SIZE = 12
INDENT = 2 * BODY_SIZE  # two Chinese characters


def _pdf_styles() -> dict[str, ParagraphStyle]:
    s = pdf.styles()
    return {
        "title": ParagraphStyle(
            "vg-stage-title", parent=s.title, fontSize=20, leading=30, spaceAfter=2 * mm
        ),
        "subtitle": ParagraphStyle("vg-stage-subtitle", parent=s.small, alignment=TA_CENTER),
        "note": ParagraphStyle(
            "vg-stage-note", parent=s.small, alignment=TA_CENTER, spaceBefore=1 * mm
        ),
        "byline": ParagraphStyle("vg-stage-byline", parent=s.body, fontSize=11, leading=16),
        "heading": ParagraphStyle(
            "vg-stage-heading",
            parent=s.heading,
            fontSize=14,
            leading=21,
            spaceBefore=5 * mm,
            keepWithNext=1,
        ),
        "body": ParagraphStyle(
            "vg-stage-body",
            parent=s.body,
            fontSize=BODY_SIZE,
            leading=BODY_SIZE * 1.8,
            firstLineIndent=INDENT,
            spaceBefore=1 * mm,
            spaceAfter=0,
        ),
        "more": ParagraphStyle(
            "vg-stage-more",
            parent=s.body,
            fontSize=BODY_SIZE,
            leading=BODY_SIZE * 1.8,
            spaceAfter=0,
        ),
        "sign": ParagraphStyle(
            "vg-stage-sign",
            parent=s.body,
            fontSize=BODY_SIZE,
            leading=BODY_SIZE * 1.8,
            alignment=TA_RIGHT,
        ),
    }


# A paragraph longer than this is cut into pieces (`pdf.paras`: a huge paragraph is laid
# out again on every page it runs on); a shorter one stays whole, so its lines run on
# without a break where a piece would end.
WHOLE_PARAGRAPH = 3000


def _body(text: str, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    found: list[Flowable] = []
    for line in paragraphs(text):
        if len(line) <= WHOLE_PARAGRAPH:
            found.append(pdf.para(line, st["body"]))
            continue
        first, *rest = pdf.pieces(line, width=pdf.content_width(), style=st["more"])
        found.append(pdf.para(first, st["body"]))
        found.extend(pdf.para(piece, st["more"]) for piece in rest)
    return found or [pdf.para(_("（无）"), st["body"])]


def _byline_table(summary: StageSummary, style: ParagraphStyle) -> Table:
    """The branch on the left and the date on the right, on one line under the title."""
    left, right = byline_parts(summary)
    right_style = ParagraphStyle("vg-stage-byline-right", parent=style, alignment=TA_RIGHT)
    table = Table(
        [[pdf.para(left, style), pdf.para(right, right_style)]],
        colWidths=[pdf.content_width() * 0.62, pdf.content_width() * 0.38],
    )
    table.setStyle(
        TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)])
    )
    return table


def stage_summary_pdf(*, summary: StageSummary) -> bytes:
    st = _pdf_styles()
    name = title(summary)
    story: list[Flowable] = [
        pdf.para(name, st["title"]),
        pdf.para(subtitle(summary), st["subtitle"]),
    ]
    note = status_note(summary)
    if note:
        story.append(pdf.para(note, st["note"]))
    story += [pdf.spacer(2), _byline_table(summary, st["byline"]), pdf.spacer(2)]
    for field, heading in headings():
        story.append(pdf.para(heading, st["heading"]))
        story.extend(_body(getattr(summary, field), st))
    sign: list[Flowable] = [pdf.spacer(8)]
    sign += [pdf.para(line, st["sign"]) for line in signature(summary)]
    story.append(KeepTogether(sign))
    return pdf.render(story, title=name, footer=name)


# --- Word ------------------------------------------------------------------------------

TITLE_FONT = "SimHei"
BODY_FONT = "FangSong"
WORD_BODY_SIZE = 14  # 四号


def _font(run: Any, name: str, size: float, *, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def stage_summary_docx(*, summary: StageSummary) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    name = title(summary)
    document = word.a4_document(title=name)

    def centred(text: str, font: str, size: float, *, bold: bool = False) -> None:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(paragraph.add_run(text), font, size, bold=bold)

    centred(name, TITLE_FONT, 20, bold=True)
    centred(subtitle(summary), BODY_FONT, 10.5)
    note = status_note(summary)
    if note:
        centred(note, BODY_FONT, 10.5)
    centred(byline(summary), BODY_FONT, 12)
    for field, heading in headings():
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.space_before = Pt(10)
        paragraph.paragraph_format.keep_with_next = True
        _font(paragraph.add_run(heading), TITLE_FONT, 14, bold=True)
        for line in paragraphs(getattr(summary, field)) or [_("（无）")]:
            body = document.add_paragraph()
            body.paragraph_format.first_line_indent = Pt(WORD_BODY_SIZE * 2)
            body.paragraph_format.line_spacing = 1.5
            _font(body.add_run(line), BODY_FONT, WORD_BODY_SIZE)
    document.add_paragraph()
    for line in signature(summary):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _font(paragraph.add_run(line), BODY_FONT, 14)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
