"""Reusable plumbing for PDF documents with Chinese text (reportlab).

reportlab's built-in CJK font `STSong-Light` is *not embedded* in the file: a
reader without `poppler-data` and a CJK font shows blanks. So the WenQuanYi Micro
Hei font (Debian `fonts-wqy-microhei`) is embedded when it is installed, and
`STSong-Light` is the fallback only when it is missing. Noto CJK (PostScript
outlines) is refused by reportlab, hence WQY.

Text handed to `para()` is plain text: it is escaped, so a `<script>` or `&` in an
opinion prints as written instead of being read as reportlab markup.

Any length of text lays out (issue 10, finding 12). A reportlab table row never breaks
across pages — a row taller than the page stops the whole document with a
`LayoutError` — and one huge paragraph is re-laid out on every page it runs on. So
user text is cut into `pieces()` of a few lines each: `paras()` makes one paragraph of
each, and `table()` gives each piece of a long cell its own row, drawn as one cell.
(reportlab's `splitInRow` was tried: it took minutes on a long cell.)
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

WQY_PATH = os.environ.get("VANGUARD_PDF_FONT", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
EMBEDDED_FONT = "WQY"
RULE_COLOUR = colors.HexColor("#999999")
FALLBACK_FONT = "STSong-Light"


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """The registered name of the font that prints Chinese: the embedded WQY font
    when installed, else reportlab's (non-embedded) STSong-Light."""
    if os.path.exists(WQY_PATH):
        pdfmetrics.registerFont(TTFont(EMBEDDED_FONT, WQY_PATH, subfontIndex=0))
        return EMBEDDED_FONT
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle


@lru_cache(maxsize=1)
def styles() -> Styles:
    font = cjk_font()

    def style(name: str, size: float, **extra: Any) -> ParagraphStyle:
        # wordWrap="CJK" breaks lines between Chinese characters (no spaces to break at).
        return ParagraphStyle(
            name, fontName=font, fontSize=size, leading=size * 1.5, wordWrap="CJK", **extra
        )

    return Styles(
        title=style("vg-title", 18, alignment=1, spaceAfter=4 * mm),
        heading=style("vg-heading", 13, spaceBefore=4 * mm, spaceAfter=2 * mm),
        body=style("vg-body", 10.5, spaceAfter=1.5 * mm),
        small=style("vg-small", 9, textColor=colors.HexColor("#555555")),
        cell=style("vg-cell", 9.5),
    )


class LaidOutOnce(Paragraph):
    """A paragraph that breaks its lines once for each width it is given.

    reportlab asks a table cell's paragraph for its size up to five times at the same
    width (to measure a row, to size the table, to split it at the end of a page, to
    draw it), and each time broke every line again, character by character for
    Chinese: most of a long document's time. The lines depend on the width alone (not
    on the height offered), so the same width gets the lines already broken. A
    paragraph that `split` has since changed (its lines dropped) is laid out again."""

    _laid_out: tuple[Any, ...] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        done = self._laid_out
        if (
            done is not None
            and done[0] == availWidth
            and done[1] is self.style
            and done[2] is self.frags
            and done[3] is getattr(self, "blPara", None)
        ):
            self.width, self.height = done[4]
            return done[4]
        size = super().wrap(availWidth, availHeight)
        blPara = getattr(self, "blPara", None)
        self._laid_out = (availWidth, self.style, self.frags, blPara, size) if blPara else None
        return size


def para(text: Any, style: ParagraphStyle | None = None) -> Paragraph:
    """A paragraph of plain text (escaped; line breaks kept)."""
    safe = escape(str(text)).replace("\n", "<br/>")
    return LaidOutOnce(safe, style or styles().body)


# The most lines of text in one piece: a table row of that many lines (even if Latin
# words wrap early and double it) is far shorter than a page.
PIECE_LINES = 12
CELL_PADDING = 6  # reportlab's default left + right padding of a table cell, in points


def pieces(text: Any, *, width: float, style: ParagraphStyle) -> list[str]:
    """Plain text cut into pieces of at most about PIECE_LINES lines of `width` points:
    at line breaks where it can, and between characters inside a longer line (a line
    of 20,000 characters with no space or punctuation is cut too). Blank lines in a row
    print as one: thousands of them would print pages of nothing. Always at least one
    piece; the pieces hold every character of the text, in order."""
    per_line = max(1, int(width // style.fontSize))  # a Chinese character is 1 em wide
    limit = per_line * PIECE_LINES
    result: list[str] = []
    current: list[str] = []
    used = 0
    lines = str(text).split("\n")
    for number, line in enumerate(lines):
        if not line.strip() and number and not lines[number - 1].strip():
            continue
        # A full segment fills a piece by itself, so a cut never lands inside a piece.
        for segment in [line[i : i + limit] for i in range(0, len(line), limit)] or [""]:
            cost = max(1, -(-len(segment) // per_line))
            if current and used + cost > PIECE_LINES:
                result.append("\n".join(current))
                current, used = [], 0
            current.append(segment)
            used += cost
    result.append("\n".join(current))
    return result


def squeeze_blank_lines(text: str) -> str:
    """Blank lines in a row as one (see `pieces`), for text printed line by line."""
    return re.sub(r"\n[^\S\n]*(?:\n[^\S\n]*)+\n", "\n\n", text)


def paras(
    text: Any, style: ParagraphStyle | None = None, *, width: float | None = None
) -> list[Paragraph]:
    """Plain text of any length as paragraphs of a few lines each (see `pieces`)."""
    style = style or styles().body
    width = content_width() if width is None else width
    return [para(piece, style) for piece in pieces(text, width=width, style=style)]


def table(rows: Iterable[Iterable[Any]], *, col_widths: list[float] | None = None) -> Table:
    """A ruled table; each cell is plain text (or a flowable), the first row a header.

    A text cell of any length lays out: a long one is cut into pieces (`pieces`), one
    table row each, and the rows of one entry are drawn as one cell (no rule between
    them, no padding at the joins), so the entry runs on to the next page under the
    repeated header."""
    cell = styles().cell
    grid = [list(row) for row in rows]
    columns = max((len(row) for row in grid), default=1)
    widths = col_widths or [content_width() / columns] * columns
    data: list[list[Flowable]] = []
    commands: list[Any] = [
        ("BOX", (0, 0), (-1, -1), 0.5, RULE_COLOUR),
        ("LINEAFTER", (0, 0), (-2, -1), 0.5, RULE_COLOUR),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    for row in grid:
        cut = [
            [c] if isinstance(c, Flowable) else pieces(c, width=w - CELL_PADDING, style=cell)
            for c, w in zip(row, widths, strict=False)
        ]
        height = max((len(parts) for parts in cut), default=1)
        first = len(data)
        for index in range(height):
            cells = []
            for parts in cut:
                part = parts[index] if index < len(parts) else ""
                cells.append(part if isinstance(part, Flowable) else para(part, cell))
            data.append(cells)
        last = len(data) - 1
        commands.append(("LINEBELOW", (0, last), (-1, last), 0.5, RULE_COLOUR))
        if last > first:
            commands += [
                ("BOTTOMPADDING", (0, first), (-1, last - 1), 0),
                ("TOPPADDING", (0, first + 1), (-1, last), 0),
            ]
    result = Table(data, colWidths=col_widths, repeatRows=1)
    result.setStyle(TableStyle(commands))
    return result


def spacer(height_mm: float = 3) -> Spacer:
    return Spacer(1, height_mm * mm)


def render(story: list[Flowable], *, title: str, footer: str = "") -> bytes:
    """The PDF bytes of a story on A4, with the title in the metadata and a footer
    (text and page number) on every page."""
    buffer = io.BytesIO()
    font = cjk_font()

    def on_page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(colors.HexColor("#777777"))
        text = f"{footer}  {doc.page}" if footer else str(doc.page)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, text)
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author="Vanguard",
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def content_width() -> float:
    return A4[0] - 40 * mm
