"""The one gate every uploaded file passes (上传文件检查): a reading-note attachment, an
opinion e-mail's attachment, any file a person hands in.

A file is judged by really opening it, never by its name or its first bytes alone:
images are decoded by Pillow within a pixel limit, PDFs parsed by pypdf, Word files
read as ZIP archives whose declared sizes are checked before anything is inflated.
What is stored is not the upload but a clean copy: images re-encoded (EXIF
orientation applied; EXIF, XMP and text chunks dropped, the ICC profile kept), PDFs
rewritten without their Info dictionary and XMP metadata, Word files without author,
company and comment authors. HEIC photos, which office browsers do not show, become
JPEG. The kinds each field takes are the caller's choice (`STUDY_KINDS`,
`EMAIL_KINDS`).

`inspect_upload` returns the clean bytes with their kind, content type and a clean
name (bidi and other invisible format characters removed, the extension set from the
detected kind), or raises `UploadRefused` whose message names the file and the reason.
This module imports no app.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable
from pathlib import PurePosixPath, PureWindowsPath
from typing import IO, Any

from django.utils.translation import gettext as _

from vanguard.lib import filetypes
from vanguard.lib.filetypes import CONTENT_TYPES, DOC, DOCX, EXTENSIONS, HEIC, JPEG, PDF, PNG

logger = logging.getLogger(__name__)

# What each kind of upload accepts (HEIC is accepted as a photo and stored as JPEG).
STUDY_KINDS = frozenset({PDF, DOCX, JPEG, PNG, HEIC})
EMAIL_KINDS = frozenset({PDF, DOCX, JPEG, PNG, HEIC})

# A phone photo is 12–50 megapixels; anything larger is refused before it is decoded
# (a 900-megapixel PNG of a few kilobytes would take gigabytes of memory).
MAX_PIXELS = 50_000_000
# A Word file: its declared inflated size, its number of parts, and how much one part
# may inflate (a ratio over 200 with more than 1 MB inflated is a ZIP bomb, not text).
DOCX_MAX_INFLATED = 64 * 1024 * 1024
DOCX_MAX_PARTS = 2000
DOCX_MAX_RATIO = 200
# A Word part whose authors are scrubbed is parsed whole (lxml): no larger than this.
DOCX_MAX_PARSED_PART = 16 * 1024 * 1024
PDF_MAX_PAGES = 2000
JPEG_QUALITY = 90

MB = 1024 * 1024

_ZIP = b"PK\x03\x04"
_EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe")
_EXECUTABLE_SUFFIXES = frozenset(
    {".exe", ".com", ".bat", ".cmd", ".scr", ".pif", ".msi", ".dll", ".js", ".vbs", ".hta",
     ".ps1", ".jar", ".lnk", ".sh", ".wsf", ".cpl"}
)  # fmt: skip
_WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


class UploadRefused(ValueError):
    """A file that is not stored. `name` is the cleaned name as the person gave it,
    `reason` says why (translated); `str()` is a sentence naming both."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(_("文件“%(name)s”没有保存：%(reason)s") % {"name": name, "reason": reason})


@dataclasses.dataclass(frozen=True)
class CleanUpload:
    data: bytes
    kind: str  # one of filetypes' kinds; a converted HEIC photo is JPEG
    content_type: str
    name: str  # cleaned, with the extension of `kind`

    @property
    def is_image(self) -> bool:
        return self.kind in (JPEG, PNG)


def megabytes(size: int) -> str:
    """A size in MB as a person reads it: "10 MB", "2.5 MB", "10.01 MB", "0.00095 MB"."""
    value = size / MB
    text = f"{value:.2f}" if value >= 0.01 or size == 0 else f"{value:.2g}"
    if "e" in text:
        text = f"{value:.6f}"
    return f"{text.rstrip('0').rstrip('.') if '.' in text else text} MB"


def kinds_text(kinds: Iterable[str]) -> str:
    """The accepted kinds in the words the user sees, e.g. "PDF、Word（.docx）、JPEG、PNG
    照片、HEIC 照片（转为 JPEG）"."""
    words = {
        PDF: "PDF",
        DOCX: _("Word 文档（.docx）"),
        JPEG: _("JPEG 照片"),
        PNG: _("PNG 图片"),
        HEIC: _("HEIC 照片（保存为 JPEG）"),
    }
    return _("、").join(str(words[kind]) for kind in (PDF, DOCX, JPEG, PNG, HEIC) if kind in kinds)


# --- Names ------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def clean_name(name: str) -> str:
    """The last part of a path, without control characters, bidi marks and other
    invisible format characters (a right-to-left override can make "gpj.exe" read
    "exe.jpg"), spaces squeezed, NFC. May be empty."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = "".join(char for char in name if unicodedata.category(char) not in ("Cc", "Cf"))
    name = PureWindowsPath(PurePosixPath(name).name).name
    return _SPACES.sub(" ", name).strip(". ")[:200]


def _named(name: str, kind: str) -> str:
    stem = PurePosixPath(name).stem if "." in name else name
    stem = stem.strip(". ")[:150] or _("附件")
    return f"{stem}{EXTENSIONS[kind]}"


# --- The gate ---------------------------------------------------------------------


def inspect_upload(
    source: bytes | IO[bytes] | Any, *, name: str, kinds: frozenset[str], max_bytes: int
) -> CleanUpload:
    """Open the file and return a clean copy of it, or raise UploadRefused.

    `source` is bytes or an open binary file (a Django UploadedFile); it is read at
    most `max_bytes + 1` bytes. `kinds` are the kinds this field accepts."""
    shown = clean_name(name) or _("（未命名）")
    data = _read(source, max_bytes)
    if len(data) > max_bytes:
        size = getattr(source, "size", None)
        actual = size if isinstance(size, int) and size > max_bytes else len(data)
        raise UploadRefused(
            shown,
            _(
                "文件有 %(size)s（%(size_bytes)s 字节），"
                "超过了 %(limit)s（%(limit_bytes)s 字节）的上限。"
            )
            % {
                "size": megabytes(actual),
                "size_bytes": actual,
                "limit": megabytes(max_bytes),
                "limit_bytes": max_bytes,
            },
        )
    if not data:
        raise UploadRefused(shown, _("文件是空的（0 字节）。"))
    kind = _kind(data, shown)
    if kind not in kinds:
        raise UploadRefused(shown, _not_accepted(kind, kinds))
    try:
        if kind in (JPEG, PNG, HEIC):
            clean, kind = _clean_image(data, kind, shown)
        elif kind == PDF:
            clean = _clean_pdf(data, shown)
        else:
            clean = _clean_docx(data, shown)
    except UploadRefused:
        raise
    except MemoryError:
        raise UploadRefused(shown, _("文件太复杂，无法检查。")) from None
    except Exception as error:
        # A parser's surprise on a hostile file is a refusal, never a 500 (and never an
        # e-mail lost with its opinion). The type only: the name may identify a sender.
        logger.warning("upload check failed on a %s file: %s", kind, type(error).__name__)
        raise UploadRefused(shown, _("文件太复杂，无法检查。")) from None
    return CleanUpload(clean, kind, CONTENT_TYPES[kind], _named(shown, kind))


def _read(source: Any, max_bytes: int) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    source.seek(0)
    try:
        return bytes(source.read(max_bytes + 1))
    finally:
        source.seek(0)


def _kind(data: bytes, shown: str) -> str:
    if data.startswith(_EXECUTABLE_MAGIC) or data.startswith(b"#!"):
        raise UploadRefused(shown, _("这是可执行程序，不是文档或照片。"))
    if data.startswith(_ZIP):
        return DOCX  # whether it is a Word document at all is checked when it is opened
    kind = filetypes.sniff_head(data[:16])
    if kind is not None:
        return kind
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<svg", b"<?xml")) and b"<svg" in data[:4096].lower():
        raise UploadRefused(shown, _("SVG 图形可以含有脚本，不接受；请另存为 PNG 或 JPEG。"))
    if head.startswith((b"<!doctype", b"<html", b"<script", b"<")):
        raise UploadRefused(shown, _("这是网页（HTML）文件，不是文档或照片。"))
    if PurePosixPath(shown.lower()).suffix in _EXECUTABLE_SUFFIXES:
        raise UploadRefused(shown, _("这是可执行文件或脚本，不接受。"))
    return ""


def _not_accepted(kind: str, kinds: frozenset[str]) -> str:
    accepted = kinds_text(kinds)
    if kind == DOC:
        return _(
            "旧版 Word 文件（.doc）可能带有宏，不接受；请在 Word 中另存为 .docx 后再上传。"
            "可以上传：%(kinds)s。"
        ) % {"kinds": accepted}
    return _("文件内容不是可以上传的类型。可以上传：%(kinds)s。") % {"kinds": accepted}


# --- Images -----------------------------------------------------------------------

_heif_ready: bool | None = None


def _heif() -> bool:
    """Register the HEIC opener once; False if pillow-heif is not installed."""
    global _heif_ready
    if _heif_ready is None:
        try:
            import pillow_heif

            pillow_heif.register_heif_opener()
            _heif_ready = True
        except ImportError:
            _heif_ready = False
    return _heif_ready


def _clean_image(data: bytes, kind: str, shown: str) -> tuple[bytes, str]:
    from PIL import Image, ImageOps

    formats = {JPEG: ("JPEG", "MPO"), PNG: ("PNG",), HEIC: ("HEIF",)}[kind]
    if kind == HEIC and not _heif():
        raise UploadRefused(shown, _("无法转换 HEIC 照片；请在手机上改存为 JPEG 后再上传。"))
    broken = _("照片已损坏或不完整，无法打开。")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Opening reads only the header: the size is known before any pixel is decoded.
            with Image.open(io.BytesIO(data), formats=list(formats)) as probe:
                _check_pixels(probe, shown)
                probe.verify()  # PNG checksums, structure
            with Image.open(io.BytesIO(data), formats=list(formats)) as image:
                _check_pixels(image, shown)
                image.load()  # every pixel: a truncated file fails here
                icc = image.info.get("icc_profile")
                # In place, and the pixels copied once more into a bare image: at most
                # two copies of a photo are held at a time.
                ImageOps.exif_transpose(image, in_place=True)
                clean = _without_metadata(image)
    except UploadRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRefused(shown, _pixels_text()) from None
    except (OSError, SyntaxError, ValueError, TypeError, IndexError, KeyError, EOFError):
        raise UploadRefused(shown, broken) from None
    out = io.BytesIO()
    extra: dict[str, Any] = {"icc_profile": icc} if icc else {}
    if kind == PNG:
        clean.save(out, format="PNG", optimize=False, **extra)
        return out.getvalue(), PNG
    if clean.mode not in ("RGB", "L", "CMYK"):
        clean = clean.convert("RGB")
    clean.save(out, format="JPEG", quality=JPEG_QUALITY, **extra)
    return out.getvalue(), JPEG


def _pixels_text() -> str:
    return _("图片像素过多（超过 %(mp)s 百万像素），无法处理。") % {"mp": MAX_PIXELS // 1_000_000}


def _check_pixels(image: Any, shown: str) -> None:
    width, height = image.size
    if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
        raise UploadRefused(shown, _pixels_text())


def _without_metadata(image: Any) -> Any:
    """The pixels alone: a new image carries no EXIF, XMP or text chunks of the old."""
    from PIL import Image

    if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "CMYK", "I;16", "I"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    clean = Image.new(image.mode, image.size)
    if image.mode == "P":
        clean.putpalette(image.getpalette() or [])
    clean.paste(image, (0, 0))
    if "transparency" in image.info:
        clean.info["transparency"] = image.info["transparency"]
    return clean


# --- PDF --------------------------------------------------------------------------


def _clean_pdf(data: bytes, shown: str) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    broken = _("PDF 文件已损坏或不完整，无法打开。")
    # A complete PDF ends with %%EOF; pypdf would quietly rebuild a truncated one.
    if b"%%EOF" not in data[-1024:]:
        raise UploadRefused(shown, broken)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadRefused(
                shown, _("PDF 文件有密码保护（已加密），无法检查；请去掉密码后再上传。")
            )
        pages = len(reader.pages)
        if pages == 0:
            raise UploadRefused(shown, _("PDF 文件没有页面。"))
        if pages > PDF_MAX_PAGES:
            raise UploadRefused(
                shown, _("PDF 文件超过 %(pages)s 页，无法处理。") % {"pages": PDF_MAX_PAGES}
            )
        writer = PdfWriter()
        for page in reader.pages:
            # Page-level XMP and actions do not come along; the document's Info
            # dictionary, XMP, scripts and open actions stay behind with the reader.
            for key in ("/Metadata", "/AA", "/PieceInfo"):
                if key in page:
                    del page[key]
            _scrub_annotations(page)
            writer.add_page(page)
        writer.metadata = None
        out = io.BytesIO()
        writer.write(out)
    except UploadRefused:
        raise
    except (PyPdfError, OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        raise UploadRefused(shown, broken) from None
    except RecursionError:
        raise UploadRefused(shown, broken) from None
    return out.getvalue()


def _scrub_annotations(page: Any) -> None:
    """A PDF comment names its author in /T (and a reply's popup repeats it)."""
    from pypdf.generic import NameObject, TextStringObject

    annotations = page.get("/Annots")
    if annotations is None:
        return
    for reference in annotations.get_object():
        annotation = reference.get_object()
        if hasattr(annotation, "keys") and "/T" in annotation:
            annotation[NameObject("/T")] = TextStringObject("")


# --- Word (.docx) -----------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
_PERSONAL_PROPS = {
    "docProps/core.xml": ("creator", "lastModifiedBy"),
    "docProps/app.xml": ("Company", "Manager"),
}


def _clean_docx(data: bytes, shown: str) -> bytes:
    not_word = _("这是 ZIP 压缩包，不是 Word 文档（.docx）。")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise UploadRefused(shown, _("Word 文档已损坏或不完整，无法打开。")) from None
    with archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        if "word/document.xml" not in names or "[Content_Types].xml" not in names:
            if any(name.startswith("xl/") for name in names):
                raise UploadRefused(shown, _("这是 Excel 表格（.xlsx），不是 Word 文档。"))
            if any(name.startswith("ppt/") for name in names):
                raise UploadRefused(shown, _("这是 PowerPoint 演示文稿，不是 Word 文档。"))
            raise UploadRefused(shown, not_word)
        _check_zip(infos, shown)
        types = _read_part(archive, "[Content_Types].xml", shown)
        lowered = types.lower()
        if b"macroenabled" in lowered or b"vbaproject" in lowered or b"activex" in lowered:
            raise UploadRefused(shown, _macros_text())
        if _WORD_MAIN.encode() not in types:
            raise UploadRefused(
                shown, _("这不是普通的 Word 文档（可能是模板或带宏的文档），请另存为 .docx。")
            )
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as clean:
            for info in infos:
                if info.is_dir():
                    continue
                part = _read_part(archive, info.filename, shown)
                if info.filename.endswith(".xml") or info.filename.endswith(".rels"):
                    part = _scrub_part(info.filename, part, shown)
                elif info.filename.startswith(("word/media/", "docProps/thumbnail")):
                    part = _strip_picture_metadata(part)
                target = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
                target.compress_type = zipfile.ZIP_DEFLATED
                clean.writestr(target, part)
    return out.getvalue()


def _strip_picture_metadata(data: bytes) -> bytes:
    """A picture inside a Word file without its EXIF (GPS, camera), XMP, comments and
    text chunks, losslessly: JPEG segments and PNG chunks are dropped, pixels kept.
    Anything else is left as it is."""
    if data.startswith(b"\xff\xd8"):
        return _strip_jpeg(data)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _strip_png(data)
    return data


# JPEG segments kept before the image data: the tables and frame, JFIF (APP0), ICC
# (APP2) and Adobe's colour transform (APP14); EXIF/XMP (APP1), Photoshop (APP13),
# other APPn and comments (COM) go.
_JPEG_DROPPED = frozenset({0xE1, *range(0xE3, 0xEE), 0xEF, 0xFE})


def _strip_jpeg(data: bytes) -> bytes:
    out = bytearray(data[:2])
    at = 2
    while at + 4 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0xDA:  # start of scan: the rest is image data
            out += data[at:]
            return bytes(out)
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        if length < 2 or at + 2 + length > len(data):
            return data
        if marker not in _JPEG_DROPPED:
            out += data[at : at + 2 + length]
        at += 2 + length
    return data


_PNG_DROPPED = frozenset({b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"})


def _strip_png(data: bytes) -> bytes:
    out = bytearray(data[:8])
    at = 8
    while at + 12 <= len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        kind = data[at + 4 : at + 8]
        end = at + 12 + length
        if end > len(data):
            return data
        if kind not in _PNG_DROPPED:
            out += data[at:end]
        at = end
        if kind == b"IEND":
            return bytes(out)
    return data


def _macros_text() -> str:
    return _("Word 文档带有宏或 ActiveX 控件，不接受；请另存为不含宏的 .docx。")


def _check_zip(infos: list[zipfile.ZipInfo], shown: str) -> None:
    """Everything that can be judged from the archive's directory, before inflating."""
    bomb = _("Word 文档解压后过大（疑似压缩炸弹），不接受。")
    if len(infos) > DOCX_MAX_PARTS:
        raise UploadRefused(shown, bomb)
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise UploadRefused(shown, _("Word 文档已损坏（有重名的部件）。"))
    total = 0
    for info in infos:
        lowered = info.filename.lower()
        if info.flag_bits & 0x1:
            raise UploadRefused(shown, _("Word 文档有密码保护，无法检查。"))
        if (
            lowered.endswith("vbaproject.bin")
            or lowered.endswith("vbadata.xml")
            or "/activex/" in f"/{lowered}"
        ):
            raise UploadRefused(shown, _macros_text())
        if "embeddings/" in lowered and (
            lowered.rsplit("/", 1)[-1].startswith("oleobject")
            or PurePosixPath(lowered).suffix in _EXECUTABLE_SUFFIXES
        ):
            raise UploadRefused(shown, _("Word 文档里嵌有程序或 OLE 对象，不接受。"))
        total += info.file_size
        if total > DOCX_MAX_INFLATED:
            raise UploadRefused(shown, bomb)
        if info.file_size > MB and info.file_size > DOCX_MAX_RATIO * max(info.compress_size, 1):
            raise UploadRefused(shown, bomb)


def _read_part(archive: zipfile.ZipFile, name: str, shown: str) -> bytes:
    """A part, inflated no further than its declared size (zipfile stops there, and
    a part whose data runs past it fails its checksum)."""
    info = archive.getinfo(name)
    try:
        with archive.open(info) as part:
            data = part.read(info.file_size + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
        raise UploadRefused(shown, _("Word 文档已损坏或不完整，无法打开。")) from None
    if len(data) > info.file_size:
        raise UploadRefused(shown, _("Word 文档已损坏或不完整，无法打开。"))
    return data


def _scrub_part(name: str, data: bytes, shown: str) -> bytes:
    """The part without the people who wrote it: core/app properties' creator,
    last editor, company and manager; comment and revision authors and initials;
    people.xml's names and account ids."""
    personal = _PERSONAL_PROPS.get(name)
    is_word_part = name.startswith("word/") and name.endswith(".xml")
    if personal is None and not is_word_part:
        return data
    if is_word_part and b"author" not in data and b"initials" not in data:
        return data
    if len(data) > DOCX_MAX_PARSED_PART:
        raise UploadRefused(shown, _("文件太复杂，无法检查。"))
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        raise UploadRefused(
            shown, _("Word 文档已损坏（%(part)s 无法读取）。") % {"part": name}
        ) from None
    if personal is not None:
        for element in list(root):
            if etree.QName(element).localname in personal:
                root.remove(element)
    else:
        presence = []
        for element in root.iter():
            for attribute in (f"{{{_W}}}author", f"{{{_W}}}initials", f"{{{_W15}}}author"):
                if attribute in element.attrib:
                    element.set(attribute, "")
            if element.tag == f"{{{_W15}}}presenceInfo":  # the account's e-mail address
                presence.append(element)
        for element in presence:
            element.getparent().remove(element)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))
