"""A corpus of upload files, each built here, each sent through both real upload paths:
a member's reading note (`study.services.work_create`, some through the page) and an
opinion e-mail's attachment (`opinions.email.mime.email_parse` on a real
`email.message`, stored by `opinions.email.services.email_store`).

Every case says what a person would notice: the file is kept, cleaned (read back from
storage: a photo carries no GPS position or phone model, a Word file no author,
company or comment author, a PDF no Info dictionary), under a clean name with the
extension of its real kind; or it is refused with a message naming the file and the
reason, and nothing is written.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import struct
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable
from email.message import EmailMessage as MailMessage
from pathlib import Path
from urllib.parse import quote

import docx
import openpyxl
import pillow_heif
import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageCms
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, TextStringObject
from reportlab.pdfgen import canvas

from conftest import Cast, Org, fresh_copy
from vanguard.lib import uploads
from vanguard.opinions.email import mime
from vanguard.opinions.email import services as email_services
from vanguard.opinions.models import EmailAttachment, EmailMessage, Opinion
from vanguard.study import services as study_services
from vanguard.study.models import StudyWork
from vanguard.study.tests import factories

pillow_heif.register_heif_opener()


@pytest.fixture
def _org_and_cast(org_and_cast_of_the_module, db) -> tuple[Org, Cast]:
    """The organisation and cast, built once for the module (conftest) instead of for
    each of its many short tests, where building them was a third of a test's time;
    each test gets its own copies, and what it writes is rolled back after it."""
    return fresh_copy(org_and_cast_of_the_module)


@pytest.fixture
def org(_org_and_cast) -> Org:
    return _org_and_cast[0]


@pytest.fixture
def cast(_org_and_cast) -> Cast:
    return _org_and_cast[1]


AUTHOR = "张三丰"
COMPANY = "某某信息技术有限公司"
PHONE = "Pixel 9 Pro"
OPINION = "建议学习讨论多联系本单位实际。"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# --- Builders -------------------------------------------------------------------


def _gps_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Google"  # Make
    exif[0x0110] = PHONE  # Model
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)}  # GPS
    return exif


def _photo(size: tuple[int, int] = (64, 40), mode: str = "RGB") -> Image.Image:
    image = Image.new(mode, size)
    for x in range(size[0]):
        for y in range(size[1]):
            value = (x * 4 % 256, y * 6 % 256, 128)
            image.putpixel((x, y), value if mode == "RGB" else (*value, 255))
    return image


def _save(image: Image.Image, fmt: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **params)
    return out.getvalue()


def jpeg_gps() -> bytes:
    # Orientation 6: the phone was held sideways; the stored photo must stand upright.
    return _save(_photo(), "JPEG", exif=_gps_exif(orientation=6), quality=90)


def jpeg_plain() -> bytes:
    return _save(_photo(), "JPEG", quality=85)


def jpeg_cmyk() -> bytes:
    return _save(_photo().convert("CMYK"), "JPEG")


def jpeg_with_xmp() -> bytes:
    xmp = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>{AUTHOR}</dc:creator></x:xmpmeta>'
    return _save(_photo(), "JPEG", xmp=xmp.encode())


def png_text_chunks() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", AUTHOR)
    info.add_itxt("Comment", f"拍摄者 {AUTHOR}")
    return _save(_photo(mode="RGBA"), "PNG", pnginfo=info, exif=_gps_exif())


def png_icc() -> bytes:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return _save(_photo(), "PNG", icc_profile=profile)


def png_palette() -> bytes:
    image = _photo().convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    return _save(image, "PNG", transparency=0)


def heic_gps() -> bytes:
    return _save(_photo(), "HEIF", exif=_gps_exif().tobytes(), quality=80)


def png_then_html() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"<html><script>alert(document.cookie)</script></html>"


def png_trailing_script() -> bytes:
    return _save(_photo(), "PNG") + b"<script>alert(1)</script>"


def jpeg_then_zip() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("run.exe", b"MZ" + b"\0" * 100)
    return jpeg_plain() + archive.getvalue()


def jpeg_truncated() -> bytes:
    data = _save(_photo((400, 300)), "JPEG", quality=95)
    return data[: len(data) // 2]


def png_truncated() -> bytes:
    data = _save(_photo((200, 100)), "PNG")
    return data[: len(data) // 2]


def png_bad_crc() -> bytes:
    data = bytearray(_save(_photo(), "PNG"))
    at = data.index(b"IDAT") + 8
    data[at : at + 8] = b"\x00garbage"
    return bytes(data)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_pixel_bomb() -> bytes:
    """A real 30000 × 30000 (900-megapixel) one-bit PNG: about 110 KB on disk, about
    900 MB once decoded."""
    side = 30000
    row = b"\x00" * (1 + side // 8)
    compressor = zlib.compressobj(9)
    chunks = [compressor.compress(row * 1000) for _ in range(side // 1000)]
    idat = b"".join(chunks) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def jpeg_pixel_bomb() -> bytes:
    """A small JPEG whose frame header claims 60000 × 60000 pixels."""
    data = bytearray(jpeg_plain())
    at = data.index(b"\xff\xc0") + 5
    data[at : at + 4] = struct.pack(">HH", 60000, 60000)
    return bytes(data)


def heic_truncated() -> bytes:
    data = heic_gps()
    return data[: len(data) // 2]


def heic_garbage() -> bytes:
    return b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 400


def gif() -> bytes:
    return _save(_photo(), "GIF")


def webp() -> bytes:
    return _save(_photo(), "WEBP")


def svg_script() -> bytes:
    return (
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" '
        b'height="10"><script>alert(document.domain)</script><rect width="10" height="10"/>'
        b"</svg>"
    )


def html_page() -> bytes:
    return b"<!DOCTYPE html><html><body><script>fetch('/api/v1/')</script></body></html>"


def _reportlab(author: str = AUTHOR, pages: int = 1) -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    pdf.setAuthor(author)
    pdf.setTitle("学习心得")
    pdf.setCreator("WPS Office")
    pdf.setSubject(COMPANY)
    for number in range(pages):
        pdf.drawString(72, 720, f"page {number + 1}")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def pdf_with_metadata() -> bytes:
    return _reportlab()


def pdf_with_xmp_and_script() -> bytes:
    reader = PdfReader(io.BytesIO(_reportlab()))
    writer = PdfWriter(clone_from=reader)
    writer.add_metadata({"/Author": AUTHOR, "/Producer": COMPANY})
    xmp = DecodedStreamObject()
    xmp.set_data(f"<x:xmpmeta><dc:creator>{AUTHOR}</dc:creator></x:xmpmeta>".encode())
    xmp.update({NameObject("/Type"): NameObject("/Metadata")})
    writer._root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hello');"),
        }
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_encrypted() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_reportlab())))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_owner_password_only() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_reportlab())))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_truncated() -> bytes:
    data = _reportlab(pages=3)
    return data[: len(data) // 2]


def pdf_garbage() -> bytes:
    return b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\n%%EOF\n"


def pdf_no_pages() -> bytes:
    writer = PdfWriter()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_page_info() -> bytes:
    """A PDF whose page carries its own XMP stream and an action on opening."""
    reader = PdfReader(io.BytesIO(_reportlab()))
    writer = PdfWriter(clone_from=reader)
    page = writer.pages[0]
    stream = DecodedStreamObject()
    stream.set_data(f"<x:xmpmeta>{AUTHOR}</x:xmpmeta>".encode())
    page[NameObject("/Metadata")] = writer._add_object(stream)
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert(1)"),
        }
    )
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): action})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_commented() -> bytes:
    """A PDF with a reviewer's comment, which names its author."""
    from pypdf.annotations import Text

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_reportlab())))
    note = Text(rect=(50, 550, 200, 650), text="请补充材料", open=True)
    note[NameObject("/T")] = TextStringObject(AUTHOR)
    writer.add_annotation(page_number=0, annotation=note)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _rezip(data: bytes, *, add: dict[str, bytes] | None = None, edit=None) -> bytes:
    """A copy of a ZIP with parts added or changed (`edit(name, bytes) -> bytes`)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            part = source.read(info.filename)
            if edit is not None:
                part = edit(info.filename, part)
            target.writestr(info.filename, part, zipfile.ZIP_DEFLATED)
        for name, part in (add or {}).items():
            target.writestr(name, part, zipfile.ZIP_DEFLATED)
    return out.getvalue()


PEOPLE_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<w15:people xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">'
    f'<w15:person w15:author="{AUTHOR}"><w15:presenceInfo w15:providerId="AD" '
    'w15:userId="zhangsanfeng@example.edu.cn"/></w15:person></w15:people>'
).encode()


def docx_personal() -> bytes:
    """A Word file with its author, last editor, company, manager, a comment with its
    author and initials, and people.xml naming the author's account."""
    document = docx.Document()
    paragraph = document.add_paragraph("学习《党章》的体会：")
    run = paragraph.add_run("全心全意为人民服务。")
    document.add_comment(run, text="这里再展开", author=AUTHOR, initials="ZSF")
    document.core_properties.author = AUTHOR
    document.core_properties.last_modified_by = AUTHOR
    document.core_properties.title = "读书笔记"
    out = io.BytesIO()
    document.save(out)

    def edit(name: str, part: bytes) -> bytes:
        if name == "docProps/app.xml":
            return part.replace(
                b"</Properties>",
                f"<Company>{COMPANY}</Company><Manager>{AUTHOR}</Manager></Properties>".encode(),
            )
        return part

    return _rezip(out.getvalue(), add={"word/people.xml": PEOPLE_XML}, edit=edit)


def docx_gps_photo() -> bytes:
    """A Word file with a phone photo pasted in: the photo keeps its GPS in Word."""
    document = docx.Document()
    document.add_paragraph("手写笔记的照片：")
    document.add_picture(io.BytesIO(jpeg_gps()))
    document.add_picture(io.BytesIO(png_text_chunks()))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_tracked_change() -> bytes:
    document = docx.Document()
    document.add_paragraph("正文")
    out = io.BytesIO()
    document.save(out)

    def edit(name: str, part: bytes) -> bytes:
        if name == "word/document.xml":
            insertion = (
                f'<w:p><w:ins w:id="1" w:author="{AUTHOR}" w:date="2026-05-01T00:00:00Z">'
                "<w:r><w:t>插入的话</w:t></w:r></w:ins></w:p><w:sectPr"
            )
            return part.replace(b"<w:sectPr", insertion.encode(), 1)
        return part

    return _rezip(out.getvalue(), edit=edit)


def _plain_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("心得")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _types(data: bytes, old: str, new: str) -> bytes:
    return _rezip(
        data,
        edit=lambda name, part: (
            part.replace(old.encode(), new.encode()) if name == "[Content_Types].xml" else part
        ),
    )


MACRO_TYPE = "application/vnd.ms-word.document.macroEnabled.main+xml"


def docm() -> bytes:
    with_macro = _rezip(_plain_docx(), add={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"0" * 64})
    return _types(with_macro, f"{DOCX_TYPE}.main+xml", MACRO_TYPE)


def docx_macro_type_only() -> bytes:
    return _types(_plain_docx(), f"{DOCX_TYPE}.main+xml", MACRO_TYPE)


def docx_template() -> bytes:
    template = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
    return _types(_plain_docx(), f"{DOCX_TYPE}.main+xml", template)


def docx_activex() -> bytes:
    return _rezip(_plain_docx(), add={"word/activeX/activeX1.xml": b"<ax:ocx/>"})


def docx_ole_object() -> bytes:
    return _rezip(_plain_docx(), add={"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0" * 8})


def docx_embedded_exe() -> bytes:
    return _rezip(_plain_docx(), add={"word/embeddings/setup.exe": b"MZ" + b"\0" * 64})


def _bomb(size: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        with zipfile.ZipFile(io.BytesIO(_plain_docx())) as source:
            for info in source.infolist():
                if info.filename != "word/document.xml":
                    archive.writestr(info.filename, source.read(info.filename))
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            block = b" " * (1024 * 1024)
            for _ in range(size // len(block)):
                part.write(block)
    return out.getvalue()


def docx_zip_bomb() -> bytes:
    """A Word file whose document.xml inflates to 200 MB (about 200 KB compressed)."""
    return _bomb(200 * 1024 * 1024)


def docx_ratio_bomb() -> bytes:
    """Under the total limit, but one part inflates a thousandfold."""
    return _bomb(20 * 1024 * 1024)


def docx_lying_sizes() -> bytes:
    """The directory claims document.xml is 100 bytes; its data inflates far beyond."""
    data = bytearray(_rezip(_plain_docx(), edit=lambda name, part: part + b" " * 100_000))
    name = b"word/document.xml"
    at = data.index(b"PK\x01\x02")
    while True:
        at = data.index(b"PK\x01\x02", at)
        length = struct.unpack("<H", data[at + 28 : at + 30])[0]
        if data[at + 46 : at + 46 + length] == name:
            data[at + 24 : at + 28] = struct.pack("<I", 100)
            return bytes(data)
        at += 4


def docx_truncated() -> bytes:
    data = _plain_docx()
    return data[: len(data) - 300]


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("笔记.txt", "学习笔记".encode())
    return out.getvalue()


def xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["姓名", "意见"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pptx_like() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("ppt/presentation.xml", "<p:presentation/>")
    return out.getvalue()


def old_doc() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2048


def empty() -> bytes:
    return b""


def exe() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def shell_script() -> bytes:
    return b"#!/bin/sh\nrm -rf ~\n"


def text_file() -> bytes:
    return "这是纯文本的读书笔记。".encode()


# --- Checks on what was stored -----------------------------------------------------


def no_personal_bytes(data: bytes) -> None:
    for secret in (AUTHOR, COMPANY, PHONE, "zhangsanfeng@example.edu.cn"):
        assert secret.encode() not in data, secret
        assert secret.encode("utf-16-be") not in data, secret


def clean_image(fmt: str, size: tuple[int, int] = (64, 40), icc: bool = False):
    def check(data: bytes) -> None:
        no_personal_bytes(data)
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            assert image.format == fmt
            assert image.size == size
            assert not image.getexif(), "EXIF left in the stored photo"
            assert "xmp" not in image.info and "XML:com.adobe.xmp" not in image.info
            assert not {"Author", "Comment"} & set(image.info)
            assert bool(image.info.get("icc_profile")) is icc
        assert b"GPS" not in data and b"Exif" not in data
        assert b"<script" not in data and b"PK\x03\x04" not in data

    return check


def clean_pdf(data: bytes) -> None:
    no_personal_bytes(data)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 1
    assert reader.metadata is None
    assert "/Metadata" not in reader.trailer["/Root"]
    assert "/Metadata" not in reader.pages[0] and "/AA" not in reader.pages[0]
    assert b"/JavaScript" not in data and b"/Author" not in data


def clean_docx(data: bytes) -> None:
    no_personal_bytes(data)
    document = docx.Document(io.BytesIO(data))
    assert document.core_properties.author == ""
    assert document.core_properties.last_modified_by == ""
    assert document.core_properties.title == "读书笔记" or document.paragraphs
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("word/media/"):
                with Image.open(io.BytesIO(archive.read(name))) as picture:
                    picture.load()  # still a whole picture
                    assert not picture.getexif(), name
                    assert not {"Author", "Comment"} & set(picture.info), name
        app = archive.read("docProps/app.xml")
        assert b"<Company>" not in app and b"<Manager>" not in app
        for name in archive.namelist():
            if name.startswith("word/comments"):
                assert b'w:author=""' in archive.read(name) or b"w:author" not in archive.read(name)


# --- The corpus ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Case:
    id: str
    filename: str
    build: Callable[[], bytes]
    kind: str | None  # the stored kind; None: refused
    expect: str  # accepted: the stored name; refused: a part of the reason
    check: Callable[[bytes], None] | None = None
    limit_delta: int | None = None  # the size limit is set to len(file) + this

    @property
    def data(self) -> bytes:
        return _built(self.build)


@functools.cache
def _built(build: Callable[[], bytes]) -> bytes:
    return build()


BROKEN_PHOTO = "照片已损坏或不完整"
BROKEN_PDF = "PDF 文件已损坏或不完整"
NOT_ACCEPTED = "文件内容不是可以上传的类型"
MACROS = "带有宏或 ActiveX"
BOMB = "疑似压缩炸弹"
PIXELS = "图片像素过多"

CORPUS = [
    # Photos: re-encoded, upright, without EXIF/GPS/XMP/text; HEIC becomes JPEG.
    Case(
        "jpeg-gps", "IMG_2041.JPG", jpeg_gps, "jpeg", "IMG_2041.jpg", clean_image("JPEG", (40, 64))
    ),
    Case("jpeg-plain", "手写笔记.jpeg", jpeg_plain, "jpeg", "手写笔记.jpg", clean_image("JPEG")),
    Case("jpeg-cmyk", "扫描.jpg", jpeg_cmyk, "jpeg", "扫描.jpg", clean_image("JPEG")),
    Case("jpeg-xmp", "xmp.jpg", jpeg_with_xmp, "jpeg", "xmp.jpg", clean_image("JPEG")),
    Case("png-text", "截图.png", png_text_chunks, "png", "截图.png", clean_image("PNG")),
    Case("png-icc", "icc.png", png_icc, "png", "icc.png", clean_image("PNG", icc=True)),
    Case("png-palette", "p.png", png_palette, "png", "p.png", clean_image("PNG")),
    Case("heic-gps", "IMG_0001.HEIC", heic_gps, "jpeg", "IMG_0001.jpg", clean_image("JPEG")),
    Case(
        "jpeg-rtl-exe", "笔记\u202egpj.exe", jpeg_plain, "jpeg", "笔记gpj.jpg", clean_image("JPEG")
    ),
    Case("jpeg-invisible", "读书\u200b笔\u2066记\ufeff.jpg", jpeg_plain, "jpeg", "读书笔记.jpg"),
    Case("jpeg-named-exe", "notes.exe", jpeg_plain, "jpeg", "notes.jpg", clean_image("JPEG")),
    Case("jpeg-named-pdf", "报告.pdf", jpeg_plain, "jpeg", "报告.jpg", clean_image("JPEG")),
    Case("png-trailing-script", "a.png", png_trailing_script, "png", "a.png", clean_image("PNG")),
    Case("jpeg-zip-polyglot", "b.jpg", jpeg_then_zip, "jpeg", "b.jpg", clean_image("JPEG")),
    Case("png-then-html", "logo.png", png_then_html, None, BROKEN_PHOTO),
    Case("jpeg-truncated", "半张.jpg", jpeg_truncated, None, BROKEN_PHOTO),
    Case("png-truncated", "半张.png", png_truncated, None, BROKEN_PHOTO),
    Case("png-bad-crc", "坏.png", png_bad_crc, None, BROKEN_PHOTO),
    Case("png-pixel-bomb", "大图.png", png_pixel_bomb, None, PIXELS),
    Case("jpeg-pixel-bomb", "大图.jpg", jpeg_pixel_bomb, None, PIXELS),
    Case("heic-truncated", "IMG_0002.HEIC", heic_truncated, None, BROKEN_PHOTO),
    Case("heic-garbage", "IMG_0003.HEIC", heic_garbage, None, BROKEN_PHOTO),
    Case("gif", "动图.gif", gif, None, NOT_ACCEPTED),
    Case("webp", "图.webp", webp, None, NOT_ACCEPTED),
    Case("svg-script", "图标.svg", svg_script, None, "SVG"),
    Case("html", "页面.html", html_page, None, "HTML"),
    # PDF: rewritten without Info, XMP, scripts, page actions.
    Case("pdf-metadata", "心得.pdf", pdf_with_metadata, "pdf", "心得.pdf", clean_pdf),
    Case("pdf-xmp-js", "x.pdf", pdf_with_xmp_and_script, "pdf", "x.pdf", clean_pdf),
    Case("pdf-page-xmp-aa", "y.pdf", pdf_page_info, "pdf", "y.pdf", clean_pdf),
    Case("pdf-comment-author", "批注.pdf", pdf_commented, "pdf", "批注.pdf", clean_pdf),
    Case("pdf-encrypted", "加密.pdf", pdf_encrypted, None, "已加密"),
    Case("pdf-owner-password", "限制.pdf", pdf_owner_password_only, None, "已加密"),
    Case("pdf-truncated", "半份.pdf", pdf_truncated, None, BROKEN_PDF),
    Case("pdf-garbage", "乱码.pdf", pdf_garbage, None, BROKEN_PDF),
    Case("pdf-no-pages", "空白.pdf", pdf_no_pages, None, "没有页面"),
    # Word: a ZIP with the parts it must have and none it must not; authors scrubbed.
    Case("docx-personal", "论文.docx", docx_personal, "docx", "论文.docx", clean_docx),
    Case("docx-tracked", "修订.docx", docx_tracked_change, "docx", "修订.docx", clean_docx),
    Case("docx-gps-photo", "配图.docx", docx_gps_photo, "docx", "配图.docx", clean_docx),
    Case("docx-named-doc", "旧名.doc", docx_personal, "docx", "旧名.docx", clean_docx),
    Case("docm", "宏.docm", docm, None, MACROS),
    Case("docx-macro-type", "宏.docx", docx_macro_type_only, None, MACROS),
    Case("docx-template", "模板.docx", docx_template, None, "不是普通的 Word 文档"),
    Case("docx-activex", "控件.docx", docx_activex, None, MACROS),
    Case("docx-ole", "嵌入.docx", docx_ole_object, None, "OLE"),
    Case("docx-embedded-exe", "嵌入程序.docx", docx_embedded_exe, None, "OLE"),
    Case("docx-zip-bomb", "炸弹.docx", docx_zip_bomb, None, BOMB),
    Case("docx-ratio-bomb", "比率.docx", docx_ratio_bomb, None, BOMB),
    Case("docx-lying-sizes", "谎报.docx", docx_lying_sizes, None, "Word 文档已损坏"),
    Case("docx-truncated", "半份.docx", docx_truncated, None, "Word 文档已损坏"),
    Case("zip-named-docx", "压缩.docx", plain_zip, None, "ZIP 压缩包"),
    Case("xlsx", "名单.xlsx", xlsx, None, "Excel"),
    Case("pptx", "课件.pptx", pptx_like, None, "PowerPoint"),
    Case("doc", "笔记.doc", old_doc, None, ".doc"),
    # Anything else.
    Case("empty", "空.pdf", empty, None, "0 字节"),
    Case("exe-as-pdf", "心得.pdf", exe, None, "可执行程序"),
    Case("shell-script", "run.txt", shell_script, None, "可执行程序"),
    Case("bat-name", "run.bat", text_file, None, "可执行文件"),
    Case("text", "笔记.txt", text_file, None, NOT_ACCEPTED),
    # Size limits, exact to the byte.
    Case("limit-minus-1", "上限.pdf", pdf_with_metadata, "pdf", "上限.pdf", clean_pdf, 1),
    Case("limit", "上限.pdf", pdf_with_metadata, "pdf", "上限.pdf", clean_pdf, 0),
    Case("limit-plus-1", "超限.pdf", pdf_with_metadata, None, "超过了", None, -1),
]
IDS = [case.id for case in CORPUS]


def test_the_corpus_is_large_and_named_uniquely():
    assert len(CORPUS) >= 40
    assert len(set(IDS)) == len(IDS)


# --- The inspector alone --------------------------------------------------------------


@pytest.mark.parametrize("case", CORPUS, ids=IDS)
def test_inspector(case):
    limit = len(case.data) + case.limit_delta if case.limit_delta is not None else 10 * 1024**2
    if case.kind is None:
        with pytest.raises(uploads.UploadRefused) as refused:
            uploads.inspect_upload(
                case.data, name=case.filename, kinds=uploads.STUDY_KINDS, max_bytes=limit
            )
        assert case.expect in refused.value.reason
        assert refused.value.name == uploads.clean_name(case.filename)
        return
    clean = uploads.inspect_upload(
        case.data, name=case.filename, kinds=uploads.STUDY_KINDS, max_bytes=limit
    )
    assert (clean.kind, clean.name) == (case.kind, case.expect)
    assert clean.content_type == uploads.CONTENT_TYPES[case.kind]
    if case.check:
        case.check(clean.data)


# --- Through a reading note ---------------------------------------------------------


def _stored(prefix: str) -> list[str]:
    root = Path(default_storage.location) / prefix
    return [str(path) for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.mark.django_db
@pytest.mark.parametrize("case", CORPUS, ids=IDS)
def test_reading_note_attachment(case, org, cast, settings):
    campaign = factories.make_campaign(org)
    if case.limit_delta is not None:
        settings.STUDY_UPLOAD_MAX_BYTES = len(case.data) + case.limit_delta
    upload = SimpleUploadedFile(case.filename, case.data)

    def submit() -> StudyWork:
        return study_services.work_create(
            member=cast.member_record,
            campaign=campaign,
            kind=StudyWork.Kind.READING_NOTE,
            title="读《党章》笔记",
            material="《中国共产党章程》",
            body="",
            upload=upload,
        )

    if case.kind is None:
        with pytest.raises(ValidationError) as error:
            submit()
        message = error.value.message_dict["attachment"][0]
        assert f"文件“{uploads.clean_name(case.filename)}”没有保存：" in message
        assert case.expect in message
        assert not StudyWork.objects.exists()
        assert _stored("study") == []
        return
    work = submit()
    assert (work.attachment_type, work.attachment_name) == (case.kind, case.expect)
    with work.attachment.open("rb") as file:
        stored = file.read()
    if case.check:
        case.check(stored)


# --- Through an opinion e-mail -----------------------------------------------------


def _mail(case: Case) -> bytes:
    message = MailMessage()
    message["From"] = "张三 <zhang@example.cn>"
    message["To"] = "yijian@example.edu.cn"
    message["Subject"] = "意见"
    message["Message-ID"] = f"<{case.id}@example.cn>"
    message["Date"] = "Tue, 12 May 2026 09:30:00 +0800"
    message.set_content(OPINION)
    message.add_attachment(
        case.data, maintype="application", subtype="octet-stream", filename=case.filename
    )
    return message.as_bytes()


@pytest.mark.django_db
@pytest.mark.parametrize("case", CORPUS, ids=IDS)
def test_email_attachment(case, org, settings):
    campaign = factories.make_campaign(org)
    if case.limit_delta is not None:
        settings.OPINION_ATTACHMENT_MAX_BYTES = len(case.data) + case.limit_delta
    parsed = mime.email_parse(_mail(case))
    opinion = email_services.email_store(campaign=campaign, branch=org.branch_a1, parsed=parsed)
    assert opinion is not None
    assert opinion.text == OPINION  # the opinion is taken whatever its attachment
    message = opinion.email
    if case.kind is None:
        name = uploads.clean_name(case.filename)
        assert message.attachment_notes.startswith(f"附件 {name} 未保存：")
        assert case.expect in message.attachment_notes
        assert name not in opinion.text
        assert not message.attachments.exists()
        assert _stored("opinions") == []
        return
    assert message.attachment_notes == ""
    attachment = message.attachments.get()
    assert (attachment.name, attachment.content_type) == (
        case.expect,
        uploads.CONTENT_TYPES[case.kind],
    )
    with attachment.file.open("rb") as file:
        stored = file.read()
    assert attachment.size == len(stored)
    if case.check:
        case.check(stored)


# --- Pages and serving ----------------------------------------------------------------

BY_ID = {case.id: case for case in CORPUS}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("case_id", "inline"),
    [("jpeg-gps", True), ("heic-gps", True), ("docx-personal", False), ("pdf-xmp-js", False)],
)
def test_reading_note_page_serves_the_clean_file_with_safe_headers(
    client, org, cast, case_id, inline
):
    case = BY_ID[case_id]
    factories.make_campaign(org)
    client.force_login(cast.member)
    response = client.post(
        reverse("study:work_create"),
        {
            "kind": "reading_note",
            "title": "读《党章》笔记",
            "material": "《中国共产党章程》",
            "attachment": SimpleUploadedFile(case.filename, case.data),
        },
    )
    assert response.status_code == 302
    work = StudyWork.objects.get()
    response = client.get(reverse("study:work_file", args=[work.pk]))
    assert response["Content-Type"] == uploads.CONTENT_TYPES[case.kind]
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline" if inline else "attachment")
    assert f'filename="{case.expect}"' in disposition or quote(case.expect) in disposition
    body = b"".join(response.streaming_content)
    case.check(body)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "case_id", ["png-then-html", "pdf-encrypted", "docm", "docx-zip-bomb", "empty"]
)
def test_reading_note_page_refuses_naming_the_file(client, org, cast, case_id):
    case = BY_ID[case_id]
    factories.make_campaign(org)
    client.force_login(cast.member)
    response = client.post(
        reverse("study:work_create"),
        {
            "kind": "reading_note",
            "title": "读《党章》笔记",
            "material": "《中国共产党章程》",
            "attachment": SimpleUploadedFile(case.filename, case.data),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f"文件“{case.filename}”没有保存：" in html
    assert case.expect in html
    assert not StudyWork.objects.exists()
    assert _stored("study") == []


@pytest.mark.django_db
def test_the_form_says_what_is_accepted_and_the_limit_in_mb(client, org, cast, settings):
    settings.STUDY_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    factories.make_campaign(org)
    client.force_login(cast.member)
    html = client.get(reverse("study:work_create")).content.decode()
    accepted = "PDF、Word 文档（.docx）、JPEG 照片、PNG 图片、HEIC 照片（保存为 JPEG）"
    assert f"可以上传：{accepted}，不超过 10 MB" in html


def test_a_refusal_over_the_limit_says_the_size_in_mb():
    data = pdf_with_metadata()
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.inspect_upload(
            data + b"\n" * (10 * 1024 * 1024),
            name="扫描件.pdf",
            kinds=uploads.STUDY_KINDS,
            max_bytes=10 * 1024 * 1024,
        )
    assert str(refused.value).startswith("文件“扫描件.pdf”没有保存：文件有 10")
    assert "超过了 10 MB（10485760 字节）的上限" in str(refused.value)


@pytest.mark.django_db
def test_an_email_attachment_is_downloaded_cleaned_with_safe_headers(client, org, cast):
    case = BY_ID["jpeg-rtl-exe"]
    campaign = factories.make_campaign(org)
    parsed = mime.email_parse(_mail(case))
    email_services.email_store(campaign=campaign, branch=org.branch_a1, parsed=parsed)
    attachment = EmailAttachment.objects.get()
    client.force_login(cast.gb_secretary)  # sorts the branch, not of it
    response = client.get(reverse("opinions:email_attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    disposition = response["Content-Disposition"]
    assert "%E7%AC%94%E8%AE%B0gpj.jpg" in disposition  # 笔记gpj.jpg
    assert "%E2%80%AE" not in disposition  # no right-to-left override
    case.check(b"".join(response.streaming_content))
    assert Opinion.objects.count() == EmailMessage.objects.count() == 1


# --- Hostile files are refused quickly -------------------------------------------------


@pytest.mark.parametrize(
    "case_id",
    ["png-pixel-bomb", "jpeg-pixel-bomb", "docx-zip-bomb", "docx-ratio-bomb", "docx-lying-sizes"],
)
def test_hostile_files_are_refused_before_anything_is_inflated(case_id):
    """Refused from what the file declares (pixel count, the zip's sizes), not after
    decoding it: Python's memory during the check stays far below what the file would
    inflate to (hundreds of MB). Times are measured and reported, not asserted here."""
    case = BY_ID[case_id]
    data = case.data
    tracemalloc.start()
    try:
        with pytest.raises(uploads.UploadRefused):
            uploads.inspect_upload(
                data, name=case.filename, kinds=uploads.STUDY_KINDS, max_bytes=10 * 1024**2
            )
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024**2


@pytest.mark.django_db
@pytest.mark.parametrize(("delta", "imported"), [(1, True), (0, True), (-1, False)])
def test_an_eml_file_is_limited_to_the_byte(org, settings, delta, imported):
    """VANGUARD_OPINION_EMAIL_MAX_BYTES: a saved message of limit − 1 or limit bytes is
    imported, one of limit + 1 refused, naming the file and both sizes in MB."""
    campaign = factories.make_campaign(org)
    raw = _mail(BY_ID["jpeg-gps"])
    settings.OPINION_EMAIL_MAX_BYTES = len(raw) + delta
    result = email_services.eml_upload(
        campaign=campaign, branch=org.branch_a1, files=[SimpleUploadedFile("意见.eml", raw)]
    )
    if imported:
        assert result.errors == [] and len(result.imported) == 1
        assert EmailAttachment.objects.count() == 1
        return
    limit = len(raw) - 1
    assert result.errors == [
        f"意见.eml：邮件超过 {uploads.megabytes(limit)}（{limit} 字节）的大小限制，"
        f"这封有 {uploads.megabytes(len(raw))}"
    ]
    assert not Opinion.objects.exists() and _stored("opinions") == []
