"""The Word primitive every document shares: an A4 document with the margins and
fonts of the paper forms (Times New Roman for Latin text, SimSun for Chinese)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
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


# The parts a refilled document writes afresh: its text and its title.
_VARYING = ("word/document.xml", "docProps/core.xml")


class Batch:
    """One A4 document written out many times, refilled between (a branch's hundreds of
    registration forms): python-docx reads its template once (`refilled`), and the
    parts no fill changes — styles, theme, fonts, settings: nearly all of a file's
    bytes — are serialised and compressed once; each file then serialises only its
    text (word/document.xml) and title (docProps/core.xml), and the zip is put
    together around the stored parts. A fill that adds a part, a relationship or a
    style is saved by python-docx instead, whole."""

    def __init__(self, *, title: str) -> None:
        self.document = a4_document(title=title)
        first = _saved(self.document)
        self._make_up = self._make_up_now()
        self._entries: list[tuple[str, _Entry | None]] = []
        with zipfile.ZipFile(io.BytesIO(first)) as package:
            year, month, day, hour, minute, second = package.infolist()[0].date_time
            # The time python-docx stamped on the first file, in the zip's DOS format.
            self._stamp = (
                hour << 11 | minute << 5 | second // 2,
                (year - 1980) << 9 | month << 5 | day,
            )
            for info in package.infolist():
                fresh = info.filename in _VARYING
                self._entries.append((info.filename, None if fresh else _stored(first, info)))

    def refill(self, *, title: str) -> Any:
        """The document emptied and retitled, to be filled again."""
        return refilled(self.document, title=title)

    def save(self) -> bytes:
        if self._make_up_now() != self._make_up:
            return _saved(self.document)
        package = self.document.part.package
        fresh = {
            "word/document.xml": self.document.part.blob,
            "docProps/core.xml": package._core_properties_part.blob,
        }
        entries = [entry or _compressed(name, fresh[name]) for name, entry in self._entries]
        return _zip(entries, stamp=self._stamp)

    def _make_up_now(self) -> tuple[Any, ...]:
        package = self.document.part.package
        return (
            tuple(str(part.partname) for part in package.iter_parts()),
            self.document.part.rels.xml,
            len(self.document.styles.element),
        )


def _saved(document: Any) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# name, CRC-32, compressed bytes (raw deflate), uncompressed size
_Entry = tuple[str, int, bytes, int]


def _stored(data: bytes, info: zipfile.ZipInfo) -> _Entry:
    """An entry of a zip as it is stored, compressed (read past its local header)."""
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise ValueError(info.filename)
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length
    return info.filename, info.CRC, data[start : start + info.compress_size], info.file_size


def _compressed(name: str, content: bytes) -> _Entry:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return name, zlib.crc32(content), packer.compress(content) + packer.flush(), len(content)


def _zip(entries: list[_Entry], *, stamp: tuple[int, int]) -> bytes:
    """A zip of deflated entries with ASCII names (the parts of a .docx), each dated
    `stamp` (DOS time, date)."""
    dos_time, dos_date = stamp
    out = io.BytesIO()
    central = []
    for name, crc, data, size in entries:
        encoded = name.encode("ascii")
        offset = out.tell()
        out.write(
            struct.pack(
                "<IHHHHHIIIHH",
                0x04034B50,
                20,
                0,
                8,
                dos_time,
                dos_date,
                crc,
                len(data),
                size,
                len(encoded),
                0,
            )
        )
        out.write(encoded)
        out.write(data)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                dos_time,
                dos_date,
                crc,
                len(data),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    start = out.tell()
    for record in central:
        out.write(record)
    out.write(
        struct.pack(
            "<IHHHHIIH",
            0x06054B50,
            0,
            0,
            len(central),
            len(central),
            out.tell() - start,
            start,
            0,
        )
    )
    return out.getvalue()
