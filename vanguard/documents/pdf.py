"""Reusable plumbing for PDF documents with Chinese text (reportlab).

reportlab's built-in CJK font `STSong-Light` is *not embedded* in the file: a
reader without `poppler-data` and a CJK font shows blanks. So the WenQuanYi Micro
Hei font (Debian `fonts-wqy-microhei`) is embedded when it is installed, and
`STSong-Light` is the fallback only when it is missing. Noto CJK (PostScript
outlines) is refused by reportlab, hence WQY.

Text handed to `para()` is plain text: it is escaped, so a `<script>` or `&` in an
opinion prints as written instead of being read as reportlab markup.
"""

from __future__ import annotations

import io
import os
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


def para(text: Any, style: ParagraphStyle | None = None) -> Paragraph:
    """A paragraph of plain text (escaped; line breaks kept)."""
    safe = escape(str(text)).replace("\n", "<br/>")
    return Paragraph(safe, style or styles().body)


def table(rows: Iterable[Iterable[Any]], *, col_widths: list[float] | None = None) -> Table:
    """A ruled table; each cell is plain text (or a flowable), the first row a header."""
    cell = styles().cell
    data = [[c if isinstance(c, Flowable) else para(c, cell) for c in row] for row in rows]
    result = Table(data, colWidths=col_widths, repeatRows=1)
    result.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
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
