"""What kind of file an upload really is, judged by its content (magic bytes), never
by its name: an executable renamed ``.pdf`` is still an executable.

Only the kinds members hand in as study work are recognised: PDF, Word (.docx and
the old .doc), and photos of handwritten notes (JPEG, PNG, HEIC).

First bytes only say what a file claims to be: an upload is judged and stored by
`lib.uploads.inspect_upload`, which opens the whole file. These helpers name the kinds
and tell the kind of a file already stored (to serve it with its content type).
"""

from __future__ import annotations

import zipfile
from typing import IO

PDF = "pdf"
DOCX = "docx"
DOC = "doc"
JPEG = "jpeg"
PNG = "png"
HEIC = "heic"

CONTENT_TYPES = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    DOC: "application/msword",
    JPEG: "image/jpeg",
    PNG: "image/png",
    HEIC: "image/heic",
}
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx", DOC: ".doc", JPEG: ".jpg", PNG: ".png", HEIC: ".heic"}
IMAGES = frozenset({JPEG, PNG, HEIC})

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}


def sniff_head(head: bytes) -> str | None:
    """The kind of file whose first bytes are `head`, for every kind but .docx
    (a .docx is a ZIP file; only its contents tell it from any other ZIP)."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(_OLE):
        return DOC
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return HEIC
    return None


def detect(file: IO[bytes]) -> str | None:
    """The kind of an open binary file (one of the constants above), or None if it is
    none of them. The file is left at its start."""
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    try:
        if head.startswith(_ZIP):
            return DOCX if _is_word_document(file) else None
        return sniff_head(head)
    finally:
        file.seek(0)


def _is_word_document(file: IO[bytes]) -> bool:
    try:
        with zipfile.ZipFile(file) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
