"""The container of a roster file, checked before any spreadsheet parser sees it (文件检查).

An .xlsx is a zip of XML parts. Before openpyxl opens it, this module refuses, each
with a message naming the file:

- what is not an .xlsx at all: an empty file, a CSV or other text renamed .xlsx, an old
  binary .xls, a password-protected workbook (an OLE container holding
  `EncryptionInfo` and `EncryptedPackage` instead of the zip), a zip without workbook
  parts;
- a macro-enabled workbook (`.xlsm`, a `vbaProject.bin` part, a macroEnabled content
  type), whatever its name says;
- a zip bomb, from the central directory alone (declared sizes, their total, the
  compression ratio of each large part), and, when the parts are read, any part that
  inflates past the size its header declared (a lying header): decompression stops at
  the declared size plus one byte, so memory stays bounded whatever the file claims.

`check_container` is cheap (the central directory and the small content-types part)
and runs on upload, before the file is stored. `inspect_container` runs in the job,
before parsing: the same checks, then every part inflated once in bounded chunks, the
merged cell ranges (名册中的合并单元格) of each worksheet noted on the way, since
openpyxl's streaming reader does not report them.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from django.utils.translation import gettext as _

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# An honest roster of 30,000 rows is a few MB of XML and about 100 parts at most.
MAX_PARTS = 2_000
MAX_TOTAL_BYTES = 160 * 1024 * 1024  # every part, inflated
# Parts other than worksheets (shared strings, styles …) are read whole into memory by
# openpyxl, so they get a tighter bound; worksheets are streamed.
MAX_HELD_PART_BYTES = 32 * 1024 * 1024
MAX_CONTENT_TYPES_BYTES = 1024 * 1024
# Deflate reaches about 1,000:1 on runs of one byte; XML of a real roster compresses
# 5-20:1 and a sheet of a million blank formatted rows about 150:1. A large part far
# beyond that is a bomb.
MAX_RATIO = 400
RATIO_APPLIES_FROM = 4 * 1024 * 1024
CHUNK = 256 * 1024

WORKBOOK_CONTENT_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
)
_MERGE = re.compile(
    rb"<(?:\w+:)?mergeCell\s[^>]*?ref=\"([A-Za-z]{1,3}\d{1,7}:[A-Za-z]{1,3}\d{1,7})\""
)
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")


class ContainerRefused(Exception):
    """The file is not one we read; the message says why and names the file."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass
class ContainerInfo:
    # worksheet part (e.g. "xl/worksheets/sheet1.xml") → its merged ranges ("B3:B7")
    merged: dict[str, list[str]] = field(default_factory=dict)


def _not_xlsx(name: str) -> str:
    return _(
        "文件“%(name)s”不是 Excel 工作簿（.xlsx）。请用名册模板填写后保存为 .xlsx 再上传。"
    ) % {"name": name}


def _refuse(message: str, code: str) -> ContainerRefused:
    return ContainerRefused(message, code)


def _looks_like_text(head: bytes) -> bool:
    """UTF-8 or GB18030 text (a CSV saved by Excel or WPS) with no control characters but
    tabs and line breaks. The head may end inside a multi-byte character."""
    for encoding in ("utf-8-sig", "gb18030"):
        for cut in range(4):
            try:
                text = head[: len(head) - cut].decode(encoding)
            except UnicodeDecodeError:
                continue
            return not any(ord(char) < 32 and char not in "\t\r\n" for char in text)
    return False


def _ole_kind(handle: IO[bytes]) -> str:
    """'encrypted' (a password-protected OOXML), 'xls' (an old binary workbook) or
    'other' (another OLE document, e.g. an old .doc), from the container's stream names."""
    import olefile

    handle.seek(0)
    try:
        with olefile.OleFileIO(handle) as ole:
            streams = {"/".join(entry).lower() for entry in ole.listdir(streams=True)}
    except Exception:  # olefile raises several kinds for a damaged container
        return "other"
    if {"encryptioninfo", "encryptedpackage"} <= streams:
        return "encrypted"
    if "workbook" in streams or "book" in streams:
        return "xls"
    return "other"


def _check_head(handle: IO[bytes], name: str) -> None:
    handle.seek(0)
    head = handle.read(4096)
    handle.seek(0)
    if not head:
        raise _refuse(_("文件“%(name)s”是空的。") % {"name": name}, "empty")
    if head.startswith(OLE_MAGIC) or head.startswith(OLE_MAGIC[:4]):
        kind = _ole_kind(handle)
        handle.seek(0)
        if kind == "encrypted":
            raise _refuse(
                _(
                    "文件“%(name)s”设置了打开密码，系统无法读取。"
                    "请在 Excel 中打开它，取消密码（文件 → 信息 → 保护工作簿 → 用密码进行加密，"
                    "清空密码）并保存后再上传。"
                )
                % {"name": name},
                "encrypted",
            )
        if kind == "xls":
            raise _refuse(
                _("文件“%(name)s”是旧版 Excel（.xls）格式。请在 Excel 中“另存为” .xlsx 后再上传。")
                % {"name": name},
                "xls",
            )
        raise _refuse(_not_xlsx(name), "not_xlsx")
    if not head.startswith(ZIP_MAGIC):
        if _looks_like_text(head):
            raise _refuse(
                _(
                    "文件“%(name)s”是文本文件（如 CSV），只是扩展名改成了 .xlsx。"
                    "请在 Excel 中打开它，再“另存为” Excel 工作簿（.xlsx）后上传。"
                )
                % {"name": name},
                "text",
            )
        raise _refuse(_not_xlsx(name), "not_xlsx")


def _macro_refusal(name: str) -> ContainerRefused:
    return _refuse(
        _(
            "文件“%(name)s”是启用宏的工作簿（含 VBA 宏），为安全起见不予导入。"
            "请在 Excel 中“另存为” Excel 工作簿（.xlsx，不含宏）后再上传。"
        )
        % {"name": name},
        "macro",
    )


def bomb_message(name: str) -> str:
    return _(
        "文件“%(name)s”解压后异常巨大（可能是“压缩炸弹”），不予读取。"
        "请用名册模板重新填写并保存后再上传。"
    ) % {"name": name}


def _bomb_refusal(name: str) -> ContainerRefused:
    return _refuse(bomb_message(name), "bomb")


def _central_directory(handle: IO[bytes], name: str) -> tuple[zipfile.ZipFile, bytes]:
    """The open zip and its content-types part, after the checks the central directory
    allows: part count, declared sizes and ratios, encryption, macro parts."""
    if name.lower().endswith((".xlsm", ".xltm", ".xlsb")):
        raise _macro_refusal(name)
    handle.seek(0)
    try:
        archive = zipfile.ZipFile(handle)
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _refuse(_not_xlsx(name), "not_xlsx") from None
    if len(infos) > MAX_PARTS:
        raise _bomb_refusal(name)
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise _refuse(
                _("文件“%(name)s”是加了密码的压缩文件，不是 Excel 工作簿。") % {"name": name},
                "encrypted",
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _refuse(_not_xlsx(name), "not_xlsx")
        size = info.file_size
        total += size
        if (
            total > MAX_TOTAL_BYTES
            or (size > MAX_HELD_PART_BYTES and not _is_worksheet(info.filename))
            or (size > RATIO_APPLIES_FROM and size > MAX_RATIO * max(info.compress_size, 1))
        ):
            raise _bomb_refusal(name)
        if info.filename.lower().rsplit("/", 1)[-1] == "vbaproject.bin":
            raise _macro_refusal(name)
    try:
        types_info = archive.getinfo("[Content_Types].xml")
    except KeyError:
        raise _refuse(_not_xlsx(name), "not_xlsx") from None
    if types_info.file_size > MAX_CONTENT_TYPES_BYTES:
        raise _bomb_refusal(name)
    content_types = _inflate(handle, types_info, name)
    lowered = content_types.lower()
    if b"macroenabled" in lowered or b"vbaproject" in lowered:
        raise _macro_refusal(name)
    if not any(kind.encode() in content_types for kind in WORKBOOK_CONTENT_TYPES):
        raise _refuse(_not_xlsx(name), "not_xlsx")
    return archive, content_types


def _is_worksheet(part: str) -> bool:
    return part.startswith("xl/worksheets/") and part.endswith(".xml")


def _compressed_stream(handle: IO[bytes], info: zipfile.ZipInfo, name: str) -> int:
    """Seek to the compressed data of a part (past its local header); its offset."""
    handle.seek(info.header_offset)
    header = handle.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or header[:4] != ZIP_MAGIC:
        raise _refuse(_not_xlsx(name), "not_xlsx")
    name_length, extra_length = _LOCAL_HEADER.unpack(header)[-2:]
    handle.seek(info.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
    return handle.tell()


def _chunks(handle: IO[bytes], info: zipfile.ZipInfo, name: str) -> Iterator[bytes]:
    """The inflated bytes of one part, chunk by chunk, never more than its declared size:
    a part that inflates past its header's size is refused as soon as it does."""
    _compressed_stream(handle, info, name)
    left_in = info.compress_size
    left_out = info.file_size
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    crc = 0
    pending = b""
    while True:
        if inflater is not None and pending:
            data = inflater.decompress(pending, min(CHUNK, left_out + 1))
            pending = inflater.unconsumed_tail
        else:
            if left_in <= 0:
                break
            raw = handle.read(min(CHUNK, left_in))
            if not raw:
                raise _refuse(_not_xlsx(name), "not_xlsx")
            left_in -= len(raw)
            if inflater is None:
                data = raw
            else:
                data = inflater.decompress(raw, min(CHUNK, left_out + 1))
                pending = inflater.unconsumed_tail
        if len(data) > left_out:
            raise _bomb_refusal(name)
        left_out -= len(data)
        crc = zlib.crc32(data, crc)
        if data:
            yield data
        if inflater is not None and inflater.eof:
            break
    if left_out != 0 or crc != info.CRC:
        raise _refuse(_not_xlsx(name), "not_xlsx")


def _inflate(handle: IO[bytes], info: zipfile.ZipInfo, name: str) -> bytes:
    return b"".join(_chunks(handle, info, name))


def check_container(handle: IO[bytes], name: str) -> None:
    """The cheap checks, made on upload: first bytes, central directory, content types."""
    _check_head(handle, name)
    archive, _types = _central_directory(handle, name)
    archive.close()
    handle.seek(0)


def inspect_container(handle: IO[bytes], name: str) -> ContainerInfo:
    """Every check, each part inflated once in bounded chunks; the merged ranges noted."""
    _check_head(handle, name)
    archive, _types = _central_directory(handle, name)
    info = ContainerInfo()
    try:
        for part in archive.infolist():
            if part.is_dir():
                continue
            sheet = _is_worksheet(part.filename)
            merged: list[str] = []
            carry = b""
            for data in _chunks(handle, part, name):
                if sheet:
                    window = carry + data
                    merged.extend(m.decode() for m in _MERGE.findall(window))
                    # Keep the tail in case a mergeCell element is cut between chunks;
                    # drop what was matched so that nothing is counted twice.
                    last = window.rfind(b"<")
                    carry = window[last:] if last >= 0 and window.find(b">", last) < 0 else b""
            if merged:
                info.merged[part.filename] = merged
    finally:
        archive.close()
    handle.seek(0)
    return info
