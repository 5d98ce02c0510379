"""Reading one e-mail message (电子信箱), whatever its encoding: bytes in, a
`ParsedEmail` out. No database and no network here: storing the message as an
opinion is `email.services`, fetching it from a mailbox is `email.polling`.

Mail from Chinese clients arrives in GBK / GB2312 / GB18030, Big5 or UTF-8, with
headers that declare the wrong charset or carry raw 8-bit bytes. Decoding never
fails: the declared charset is tried first, then UTF-8 and GB18030 strictly, and
the last resort replaces what cannot be read.

The sender is the opinion's source: it is kept apart (`sender`, `sender_address`)
from the text fed back to the member. So are the notes on attachments that were not
kept (`notes`: their file names can name the sender), and a signature below the
standard delimiter is left out of the body. The Message-ID is kept only hashed
(`message_id_hash`), enough to import a message once per campaign.
"""

from __future__ import annotations

import codecs
import dataclasses
import datetime
import email
import email.header
import email.utils
import hashlib
import re
import unicodedata
from email.message import Message
from html.parser import HTMLParser
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vanguard.lib import uploads

DEFAULT_EMAIL_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
TEXT_MAX_CHARS = 50_000

# Names that run code when opened on a Windows or Unix desktop.
EXECUTABLE_SUFFIXES = frozenset(
    {
        ".exe", ".com", ".bat", ".cmd", ".scr", ".pif", ".msi", ".msp", ".dll", ".cpl",
        ".js", ".jse", ".vbs", ".vbe", ".wsf", ".wsh", ".hta", ".ps1", ".psm1", ".jar",
        ".lnk", ".reg", ".sh", ".app", ".apk", ".elf", ".bin", ".run",
    }
)  # fmt: skip
EXECUTABLE_MAGIC = (
    b"MZ",  # Windows PE / DOS
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",  # Mach-O
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal / Java class
    b"#!",  # a script with an interpreter line
)

# Charsets as mail clients name them → the codec that reads them best (supersets).
CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "gb_2312-80": "gb18030",
    "euc-cn": "gb18030",
    "x-euc-cn": "gb18030",
    "big5": "cp950",
    "x-big5": "cp950",
    "big5-hkscs": "big5hkscs",
    "utf8": "utf-8",
}
# Declarations that say little: often attached to GBK bytes by old clients.
WEAK_CHARSETS = frozenset(
    {"", "us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1", "unknown-8bit", "x-unknown"}
)


class EmailParseError(ValueError):
    """The bytes are not an e-mail message we can import (the message says why)."""


@dataclasses.dataclass
class ParsedAttachment:
    name: str
    content_type: str
    data: bytes


@dataclasses.dataclass
class ParsedEmail:
    message_id_hash: str
    subject: str
    sender: str
    sender_address: str
    sent_on: datetime.date | None
    body: str
    attachments: list[ParsedAttachment]
    # Attachments not kept, with their names: for the sorters, never in the text that
    # is fed back to the member (a file name can name the sender).
    notes: list[str]

    @property
    def opinion_text(self) -> str:
        with translation.override(settings.LANGUAGE_CODE):
            return self.body or self.subject or _("（邮件没有正文）")


def email_max_bytes() -> int:
    return int(getattr(settings, "OPINION_EMAIL_MAX_BYTES", DEFAULT_EMAIL_MAX_BYTES))


def attachment_max_bytes() -> int:
    return int(getattr(settings, "OPINION_ATTACHMENT_MAX_BYTES", DEFAULT_ATTACHMENT_MAX_BYTES))


# --- Decoding -------------------------------------------------------------------


def _codec(charset: str | None) -> str | None:
    """The Python codec for a declared charset, or None if Python knows no such codec."""
    name = (charset or "").strip().strip('"').lower()
    name = CHARSET_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name if name else None
    except LookupError:
        return None


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Text from bytes in a declared (perhaps wrong) charset. Never raises."""
    declared = (charset or "").strip().strip('"').lower()
    strong = None if declared in WEAK_CHARSETS else _codec(declared)
    weak = _codec(declared) if declared in WEAK_CHARSETS else None
    candidates = [codec for codec in (strong, "utf-8", "gb18030", weak) if codec]
    for codec in candidates:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode(strong or "gb18030", errors="replace")


def decode_header(value: Any) -> str:
    """A header's text: RFC 2047 encoded words, raw 8-bit bytes in any of the
    encodings above, or a mixture — decoded as well as can be, never raising."""
    if value is None:
        return ""
    try:
        chunks = email.header.decode_header(value)
    except Exception:  # a broken encoded word: read the header as it stands
        chunks = [(str(value), None)]
    parts = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            # Raw 8-bit header bytes come back as surrogate escapes; recover them.
            chunk = chunk.encode("utf-8", "surrogateescape")
        parts.append(decode_bytes(chunk, charset))
    text = clean_line("".join(parts))
    if not text and str(value).strip():
        # An encoded word that decodes to nothing (bad base64): show it as it came.
        text = clean_line(str(value).encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
    return text


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean_line(text: str) -> str:
    """One line of header text: control and direction characters out, spaces squeezed."""
    return " ".join(_CONTROL.sub("", text).split())


def _clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    # A signature below the standard delimiter ("-- ") names the sender: leave it out.
    head, delimiter, _signature = text.partition("\n-- \n")
    text = head if delimiter else text
    lines = [line.rstrip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if len(text) > TEXT_MAX_CHARS:
        text = text[:TEXT_MAX_CHARS] + "\n" + _("（正文过长，以下从略）")
    return text


class _HtmlText(HTMLParser):
    BLOCKS = frozenset(
        {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"}
    )
    SKIP = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # HTMLParser is lenient; this is only a guard
        return re.sub(r"<[^>]*>", " ", html)
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(lines)


# --- Parsing --------------------------------------------------------------------


def _is_attachment(part: Message) -> bool:
    if part.is_multipart():
        return False
    try:
        disposition = part.get_content_disposition()
        filename = part.get_filename()
    except Exception:
        return True
    return disposition == "attachment" or bool(filename)


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _charset(part: Message) -> str | None:
    try:
        return part.get_content_charset()
    except Exception:
        return None


def _body(message: Message) -> str:
    plain = html = None
    for part in message.walk():
        if part.is_multipart() or _is_attachment(part):
            continue
        content_type = part.get_content_type()
        if content_type == "text/plain" and plain is None:
            plain = decode_bytes(_payload(part), _charset(part))
        elif content_type == "text/html" and html is None:
            html = decode_bytes(_payload(part), _charset(part))
    if plain is not None and plain.strip():
        return _clean_text(plain)
    if html is not None:
        return _clean_text(html_to_text(html))
    return ""


def _safe_name(name: str, number: int) -> str:
    name = clean_line(name)
    # Only the last part of a path counts, whichever slashes the sender used.
    name = PureWindowsPath(PurePosixPath(name).name).name.strip(". ")
    name = unicodedata.normalize("NFC", name)
    return name[:200] or _("附件%(number)s") % {"number": number}


_RAW_FILENAME = re.compile(r'(?:file)?name\s*=\s*(?:"([^"]*)"|([^;\s]+))', re.IGNORECASE)


def _filename(part: Message) -> str:
    """The attachment's name as it was sent. A name in raw 8-bit bytes (GBK or UTF-8
    straight in the header, as some clients do) would come out of `get_filename`
    as replacement characters, so it is read from the raw header instead."""
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    if name and "\ufffd" not in name and not _has_surrogates(name):
        return name
    for header in ("content-disposition", "content-type"):
        for key, value in part.raw_items():
            if key.lower() != header or not isinstance(value, str):
                continue
            match = _RAW_FILENAME.search(value)
            if match:
                return match.group(1) if match.group(1) is not None else match.group(2)
    return name


def _has_surrogates(text: str) -> bool:
    return any("\udc80" <= char <= "\udcff" for char in text)


def is_executable(name: str, data: bytes) -> bool:
    suffix = PurePosixPath(name.lower()).suffix
    return suffix in EXECUTABLE_SUFFIXES or data.startswith(EXECUTABLE_MAGIC)


def _attachments(message: Message, limit: int) -> tuple[list[ParsedAttachment], list[str]]:
    kept: list[ParsedAttachment] = []
    notes: list[str] = []
    number = 0
    for part in message.walk():
        if not _is_attachment(part):
            continue
        number += 1
        name = _safe_name(decode_header(_filename(part)), number)
        data = _payload(part)
        # Opened and cleaned by the one upload gate (`lib.uploads`): judged by content,
        # stored without metadata; a refusal is noted for the sorters, the text is kept.
        try:
            clean = uploads.inspect_upload(
                data, name=name, kinds=uploads.EMAIL_KINDS, max_bytes=limit
            )
        except uploads.UploadRefused as refused:
            notes.append(
                _("附件 %(name)s 未保存：%(reason)s")
                % {"name": refused.name, "reason": refused.reason}
            )
        else:
            kept.append(ParsedAttachment(clean.name, clean.content_type, clean.data))
    return kept, notes


def _date(message: Message) -> datetime.date | None:
    value = message.get("Date")
    if not value:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    if timezone.is_naive(moment):
        return moment.date()
    return timezone.localtime(moment).date()


def _hash(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


def _message_id_hash(message: Message, sender: str, subject: str, body: str) -> str:
    message_id = message.get("Message-ID")
    if message_id is not None:
        value = "".join(str(message_id).split()).strip("<>")
        if value:
            return _hash("message-id", value)
    # No Message-ID: the same date, sender, subject and text are the same message.
    return _hash("content", str(message.get("Date") or ""), sender, subject, body)


def email_parse(raw: bytes) -> ParsedEmail:
    """Read one message (the bytes of an .eml file or an IMAP fetch).

    Raises EmailParseError if the bytes are empty, too large or not an e-mail."""
    if not raw or not raw.strip():
        raise EmailParseError(_("文件是空的"))
    if len(raw) > email_max_bytes():
        raise EmailParseError(
            _("邮件超过 %(size)s MB 的大小限制") % {"size": email_max_bytes() // (1024 * 1024)}
        )
    message = email.message_from_bytes(raw)
    if message.get("From") is None and message.get("Message-ID") is None:
        raise EmailParseError(_("不是电子邮件（找不到发件人和邮件编号）"))
    subject = decode_header(message.get("Subject"))[:300]
    sender = decode_header(message.get("From"))[:300]
    address = email.utils.parseaddr(sender)[1][:200]
    # Notes written into the opinion are data: in the site's language, not the visitor's.
    with translation.override(settings.LANGUAGE_CODE):
        body = _body(message)
        attachments, notes = _attachments(message, attachment_max_bytes())
    return ParsedEmail(
        message_id_hash=_message_id_hash(message, sender, subject, body),
        subject=subject,
        sender=sender,
        sender_address=address,
        sent_on=_date(message),
        body=body,
        attachments=attachments,
        notes=notes,
    )
