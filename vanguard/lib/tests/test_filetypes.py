"""File kinds are told by content, not by name."""

from __future__ import annotations

import io
import zipfile

import pytest

from vanguard.lib import filetypes


def _zip(names: list[str]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    buffer.seek(0)
    return buffer


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"%PDF-1.7\n%...", filetypes.PDF),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", filetypes.PNG),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", filetypes.JPEG),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20, filetypes.DOC),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", filetypes.HEIC),
        (b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00", filetypes.HEIC),
    ],
)
def test_known_kinds_are_recognised_by_their_first_bytes(content, kind):
    assert filetypes.detect(io.BytesIO(content)) == kind


def test_a_windows_executable_is_not_recognised_whatever_its_name():
    assert filetypes.detect(io.BytesIO(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100)) is None


def test_a_zip_with_a_word_document_inside_is_docx():
    assert filetypes.detect(_zip(["[Content_Types].xml", "word/document.xml"])) == filetypes.DOCX


def test_any_other_zip_is_refused():
    assert filetypes.detect(_zip(["xl/workbook.xml"])) is None


def test_a_broken_zip_is_refused():
    assert filetypes.detect(io.BytesIO(b"PK\x03\x04garbage")) is None


def test_an_empty_file_is_refused_and_the_file_is_left_at_its_start():
    file = io.BytesIO(b"")
    assert filetypes.detect(file) is None
    pdf = io.BytesIO(b"%PDF-1.4 rest")
    filetypes.detect(pdf)
    assert pdf.tell() == 0
