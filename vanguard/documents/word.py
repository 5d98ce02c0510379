"""The Word primitive every document shares: an A4 document with the margins and
fonts of the paper forms (Times New Roman for Latin text, SimSun for Chinese)."""

from __future__ import annotations

from typing import Any


def a4_document(*, title: str) -> Any:
    """A new python-docx Document on A4 with 20 mm side and 18 mm top and bottom
    margins, 10.5 pt body text, Chinese in SimSun, titled `title`, by Vanguard."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin = section.bottom_margin = Mm(18)
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(10.5)
    # Chinese text takes the East Asian font, set apart from the Latin one.
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "SimSun")
    document.core_properties.title = title
    document.core_properties.author = "Vanguard"
    return document


def refilled(document: Any, *, title: str) -> Any:
    """`document` (from `a4_document`) emptied of its text and retitled, to be filled
    again: many documents of the same make-up (a branch's hundreds of forms) written one
    after another from one, instead of python-docx reading its template for each. Only
    the body is emptied: a document that added parts (pictures) or styles is not reused."""
    body = document.element.body
    for child in list(body):
        if child is not body.sectPr:
            body.remove(child)
    document.core_properties.title = title
    return document
