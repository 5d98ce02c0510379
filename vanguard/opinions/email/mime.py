"""Reading one e-mail message (电子信箱), whatever its encoding: bytes in, a
`ParsedEmail` out. No database and no network here: storing the message as an
opinion is `email.services`, fetching it from a mailbox is `email.polling`.

Mail from Chinese clients arrives in GBK / GB2312 / GB18030, Big5 or UTF-8, with
headers that declare the wrong charset or carry raw 8-bit bytes. Decoding never
fails: valid UTF-8 under another label is read as UTF-8, else the declared charset
is tried first, then UTF-8 and GB18030 strictly, and the last resort replaces what
cannot be read.

The text is what the sender's client showed them: the plain version of a message
that also has HTML (unless it is empty), HTML read as a browser lays it out,
format=flowed lines joined, the pieces of a mixed message in order, the signed
content of a signed one, byte-order marks out and emoji joiners in; forwarded
messages follow, marked, without their addresses; quoted history is left out (see
"What the sender wrote"). Mail no person wrote as an opinion (auto-replies, bounces,
read receipts, invitations) is refused as `EmailNotOpinion`, with the reason.

The sender is the opinion's source: it is kept apart (`sender`, `sender_address`)
from the text fed back to the member. So are the notes on attachments that were not
kept or could not be read (`notes`: their file names can name the sender), and a
signature below the standard delimiter is left out of the body. The Message-ID is
kept only hashed (`message_id_hash`), enough to import a message once per campaign.
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
from collections.abc import Iterator
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
# How much of one text part is read for forwards, quotes and signatures: what lies
# beyond is past the cut at TEXT_MAX_CHARS anyway, and a 20 MB part is not scanned
# line by line for nothing.
TEXT_SCAN_CHARS = 4 * TEXT_MAX_CHARS
# HTML carries far more markup than text (Outlook's Word HTML twenty times as much).
HTML_SCAN_CHARS = 40 * TEXT_MAX_CHARS

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


class EmailNotOpinion(EmailParseError):
    """The message is mail that no person wrote as an opinion (an auto-reply, a bounce,
    a read receipt, a meeting invitation): skipped, the reason as its message."""


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
            if self.body or self.subject:
                return self.body or self.subject
            return _("（邮件没有正文，见附件）") if self.attachments else _("（邮件没有正文）")


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
    except (LookupError, ValueError):  # ValueError: a NUL in the name
        return None


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Text from bytes in a declared (perhaps wrong) charset. Never raises."""
    declared = (charset or "").strip().strip('"').lower()
    strong = None if declared in WEAK_CHARSETS else _codec(declared)
    weak = _codec(declared) if declared in WEAK_CHARSETS else None
    if strong and strong != "utf-8" and _utf8_despite_label(data, strong):
        return data.decode("utf-8")
    candidates = [codec for codec in (strong, "utf-8", "gb18030", weak) if codec]
    for codec in candidates:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode(strong or "gb18030", errors="replace")


# Codecs where a character takes more than one byte (or a BOM says which).
_MULTIBYTE_CODECS = (
    "gb", "big5", "cp950", "cp932", "cp949", "euc", "shift_jis", "iso2022", "hz", "johab", "utf",
)  # fmt: skip
_HIGH_BYTES = bytes(range(0x80))


# What GBK or Big5 bytes read as UTF-8 by accident turn into (Latin, Greek, Cyrillic,
# Arabic … letters, private use) and Chinese text in UTF-8 hardly contains; the
# middle dot of names (买买提·艾力) is allowed.
_NOT_CHINESE_TEXT = re.compile(r"[\u0080-\u00b6\u00b8-\u1fff\ue000-\uf8ff]")


def _utf8_despite_label(data: bytes, codec: str) -> bool:
    """UTF-8 sent under another label (a form or script that says GB2312 or
    windows-1252 out of habit). Under a single-byte label, valid UTF-8 is taken as
    UTF-8: such text is hardly ever valid UTF-8 by chance. GBK text is, more often
    (a random GB2312 character one time in seven, three in a row about one time in
    three hundred), so under a Chinese label UTF-8 is taken only from 6 bytes on and
    only if it reads as Chinese text; three random GB2312 characters then pass about
    once in ten thousand, four or more not once in 200,000 tries."""
    if data.isascii() or codec.startswith(("utf-16", "utf-32", "utf_16", "utf_32")):
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if not codec.startswith(_MULTIBYTE_CODECS):
        return True
    return len(data.translate(None, _HIGH_BYTES)) >= 6 and not _NOT_CHINESE_TEXT.search(text)


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


# Control and direction characters, zero-width spaces, left-to-right and right-to-left
# marks, and byte-order marks (U+FEFF: at the start of a part, or stray inside) are
# taken out. The zero-width joiner and non-joiner (U+200D, U+200C) stay, and so do
# variation selectors (U+FE0E, U+FE0F): they hold emoji sequences together (👨‍👩‍👧‍👦
# is four people and three joiners) and shape the scripts that need them.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)


def clean_line(text: str) -> str:
    """One line of header text: control and direction characters out, spaces squeezed."""
    return " ".join(_CONTROL.sub("", text).split())


def _normalised(text: str) -> str:
    """Line ends of one kind, invisible characters out."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _clean_text(text: str) -> str:
    """Normalised, trailing spaces off, runs of blank lines squeezed to one."""
    lines = [line.rstrip() for line in _normalised(text).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _bounded(text: str) -> str:
    if len(text) > TEXT_MAX_CHARS:
        text = text[:TEXT_MAX_CHARS] + "\n" + _("（正文过长，以下从略）")
    return text


class _HtmlText(HTMLParser):
    """The text a reader of an HTML message sees: paragraphs and headings apart by a
    blank line, `<br>` and block ends as line breaks, whitespace collapsed as a
    browser does, script/style/head content left out, entities decoded. Quoted
    history (`<blockquote>`) comes out with "> " before its lines, as a plain-text
    client would write it, so replies are read the same way in both."""

    PARAGRAPHS = frozenset(
        {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "hr"}
    )
    LINES = frozenset({"div", "li", "tr", "dt", "dd", "section", "article", "header", "footer"})
    CELLS = frozenset({"td", "th"})
    SKIP = frozenset({"script", "style", "head", "title", "template", "noscript", "xml"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0
        self.quote = 0
        self.pre = 0
        self.newlines = 0  # line breaks written since the last text
        self.at_line_start = True
        self.lists: list[list[int]] = []  # open lists: [1 if numbered, items so far]

    def _break(self, count: int) -> None:
        if not self.out:
            return  # nothing written yet: no leading blank lines
        while self.newlines < count:
            self.out.append("\n")
            self.newlines += 1
        self.at_line_start = True

    def _write(self, text: str) -> None:
        if self.at_line_start:
            text = text.lstrip(" ")
            if not text:
                return
            if self.quote:
                self.out.append(">" * self.quote + " ")
            self.at_line_start = False
        self.out.append(text)
        self.newlines = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif self.skipping:
            return
        elif tag == "br":
            self.out.append("\n")
            self.newlines += 1
            self.at_line_start = True
        elif tag in self.PARAGRAPHS:
            self._break(2)
            if tag == "blockquote":
                self.quote += 1
            elif tag == "pre":
                self.pre += 1
        elif tag in self.LINES:
            self._break(1)
            if tag == "li" and self.lists:
                numbered, count = self.lists[-1]
                self.lists[-1][1] = count + 1
                self._write(f"{count + 1}. " if numbered else "• ")
        elif tag in ("ol", "ul"):
            self._break(2 if not self.lists else 1)
            self.lists.append([int(tag == "ol"), 0])
        elif tag in self.CELLS and not self.at_line_start:
            self._write(" ")

    def handle_startendtag(self, tag: str, attrs: Any) -> None:
        if tag not in self.SKIP:  # an empty <script/> hides nothing after it
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif self.skipping:
            return
        elif tag in self.PARAGRAPHS:
            if tag == "blockquote":
                self.quote = max(0, self.quote - 1)
            elif tag == "pre":
                self.pre = max(0, self.pre - 1)
            self._break(2)
        elif tag in self.LINES:
            self._break(1)
        elif tag in ("ol", "ul"):
            if self.lists:
                self.lists.pop()
            self._break(2 if not self.lists else 1)

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.pre:
            for number, line in enumerate(data.replace("\r\n", "\n").split("\n")):
                if number:
                    self.out.append("\n")
                    self.newlines += 1
                    self.at_line_start = True
                if line:
                    self._write(line)
            return
        # Source line breaks and runs of spaces are one space on the screen.
        text = re.sub(r"[ \t\n\r\f]+", " ", data)
        if text.strip(" ") or not self.at_line_start:
            self._write(text)


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # HTMLParser is lenient; this is only a guard
        return re.sub(r"<[^>]*>", " ", html)
    # A no-break space (&nbsp;) is a space to whoever reads the text.
    lines = (re.sub(r"[ \xa0]+", " ", line).strip() for line in "".join(parser.out).split("\n"))
    return "\n".join(lines)


# --- What the sender wrote ------------------------------------------------------
#
# A message's text is the sender's own words, then whatever they forwarded, each
# forwarded message under a line of its own ("—— 转发的邮件 ——") with its subject and
# date. Never its From / To / Cc: opinions are shown without their source, and a
# forwarded message's addresses and display names name people just as the sender's
# own do. A forward comes as a `message/rfc822` part (at any depth) or "inline",
# below a separator line that mail clients write ("---------- Forwarded message
# ---------", "-------- 转发的消息 --------", Outlook's "发件人: … 发送时间: …" block).
#
# Quoted history in a reply is left out: the "> " lines at the bottom, the line
# "在 … 写道：" / "On … wrote:" above them (it names the person quoted), and in a
# reply ("Re:", "回复：", "答复：") an Outlook-style "原始邮件" block. The history is the
# college's own notice or an earlier message, already imported on its own; the
# opinion is what the sender wrote now. Quotes the sender answers line by line
# (their own text follows) are kept, without the attribution line; so is a reply
# that is nothing but quotes.
#
# A signature below the standard delimiter ("-- ") names its writer and is left
# out, the sender's and each forwarded message's alike.

_REPLY_SUBJECT = re.compile(r"^\s*(re|aw|sv|回复|回覆|答复|答覆)\s*[:：]", re.IGNORECASE)
_FORWARD_SEPARATOR = re.compile(
    r"^\s*(?:[-_=—–]{2,}\s*"
    r"(?:forwarded message|forwarded e-?mail|转发的?(?:邮件|消息|信件)(?:信息)?)"
    r"\s*[-_=—–]{2,}"
    r"|(?:begin forwarded message|开始转发的邮件|以下是转发的邮件|转发的邮件)\s*[:：])\s*$",
    re.IGNORECASE,
)
_ORIGINAL_SEPARATOR = re.compile(
    r"^\s*[-_=—–]{2,}\s*(?:original message|original|原始邮件|原邮件)\s*[-_=—–]{2,}\s*$",
    re.IGNORECASE,
)
_RULE = re.compile(r"^\s*[-_]{10,}\s*$")
_HEADER_LINE = re.compile(
    r"^\s*\**\s*(from|sent|date|to|cc|bcc|subject|reply-to|发件人|发送时间|时间|日期|收件人|抄送|"
    r"密送|主题|回复至)\s*\**\s*[:：](.*)$",
    re.IGNORECASE,
)
_SUBJECT_HEADERS = frozenset({"subject", "主题"})
_DATE_HEADERS = frozenset({"sent", "date", "发送时间", "时间", "日期"})
_FROM_HEADERS = frozenset({"from", "发件人"})
_ATTRIBUTION = re.compile(r"(wrote|写道|寫道)\s*[:：]\s*$", re.IGNORECASE)
_ATTRIBUTION_START = re.compile(r"^\s*(on\s|在|于)", re.IGNORECASE)
FORWARD_DEPTH = 5  # forwards of forwards: deeper ones are left unread
MIME_DEPTH = 40  # multiparts inside multiparts: deeper ones are left unread


def _is_reply(subject: str) -> bool:
    return bool(_REPLY_SUBJECT.match(subject))


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _header(line: str) -> tuple[str, str] | None:
    match = _HEADER_LINE.match(line)
    # Gmail's HTML writes the names in bold, which comes through as "*From:*".
    return (match.group(1).lower(), match.group(2).strip(" *\t")) if match else None


def _outlook_block_at(lines: list[str], start: int) -> bool:
    """Outlook writes a forwarded or replied-to message below a block of "From: / Sent:
    / To: / Subject:" (or 发件人 / 发送时间 / 收件人 / 主题) lines, often with no separator."""
    first = _header(lines[start])
    if first is None or first[0] not in _FROM_HEADERS:
        return False
    names = {found[0] for line in lines[start + 1 : start + 8] if (found := _header(line))}
    return bool(names & _DATE_HEADERS) and bool(names & _SUBJECT_HEADERS)


def _forwarded_headers(lines: list[str], start: int) -> tuple[str, str, int]:
    """The subject and date of an inline forward's header block starting at `start`
    (blank lines first are passed over), and where its text begins. The addresses in
    the block are dropped, continuation lines of an address list with them."""
    subject = date = ""
    index = start
    while index < len(lines) and not lines[index].strip():
        index += 1
    last = ""
    while index < len(lines):
        line = lines[index]
        found = _header(line)
        if found is not None:
            last, value = found
            if last in _SUBJECT_HEADERS:
                subject = clean_line(value)
            elif last in _DATE_HEADERS:
                date = _date_text(value)
        elif (
            line.strip()
            and last
            and last not in _SUBJECT_HEADERS | _DATE_HEADERS
            and (line[:1].isspace() or "@" in line)
        ):
            pass  # an address list wrapped onto the next line
        else:
            break
        index += 1
    return subject, date, index


def _date_text(value: str) -> str:
    """A forwarded message's date as a day (2026-05-12) when it can be read, else as
    it was written."""
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        moment = None
    if moment is None:
        return clean_line(value)[:60]
    return (moment if timezone.is_naive(moment) else timezone.localtime(moment)).date().isoformat()


def _forward_block(subject: str, date: str, text: str) -> str:
    lines = [_("—— 转发的邮件 ——")]
    if subject:
        lines.append(_("主题：%(subject)s") % {"subject": subject})
    if date:
        lines.append(_("日期：%(date)s") % {"date": date})
    return "\n".join(lines) + ("\n\n" + text if text else "")


def _without_signature(text: str, *, html: bool) -> str:
    lines = text.split("\n")
    for index, line in enumerate(lines):
        # HTML collapses the delimiter's trailing space: "--" alone is one there.
        if line == "-- " or (html and line.strip() == "--"):
            return "\n".join(lines[:index])
    return text


def _without_history(text: str) -> str:
    """The sender's words without the quoted history of a reply (see above)."""
    lines = text.split("\n")
    # The bottom run of quoted (and blank) lines is the history.
    end = len(lines)
    while end and (not lines[end - 1].strip() or _is_quoted(lines[end - 1])):
        end -= 1
    history = any(_is_quoted(line) for line in lines[end:])
    # Whether the next line with something on it is quoted, for every line at once.
    quoted_next = [False] * len(lines)
    for index in range(len(lines) - 2, -1, -1):
        later = lines[index + 1]
        quoted_next[index] = _is_quoted(later) if later.strip() else quoted_next[index + 1]
    kept: list[str] = []
    for index, line in enumerate(lines[:end] if history else lines):
        if _ATTRIBUTION.search(line) and ((history and index == end - 1) or quoted_next[index]):
            # "在 2026年5月12日，张三 <zhang@…> 写道：" names the person quoted; a long
            # one is wrapped, its first half on the line before.
            if kept and not _ATTRIBUTION_START.match(line) and _ATTRIBUTION_START.match(kept[-1]):
                kept.pop()
            continue
        kept.append(line)
    own = "\n".join(kept)
    if history and not own.strip():
        # Nothing but quotes: they are what the sender sent.
        return "\n".join(line for line in lines if not _ATTRIBUTION.search(line))
    return own


def _unflow(text: str, *, delsp: bool) -> str:
    """Text sent as format=flowed (RFC 3676) with its soft line breaks joined: a line
    ending in a space goes on with the next one at the same quote depth."""
    out: list[str] = []
    current: str | None = None
    current_depth = 0
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]  # space-stuffing
        flowed = content.endswith(" ") and content != "-- "
        if flowed and delsp:
            content = content[:-1]
        if current is not None and depth == current_depth:
            current += content
        else:
            if current is not None:
                out.append(_quoted(current, current_depth))
            current, current_depth = content, depth
        if not flowed:
            out.append(_quoted(current, current_depth))
            current = None
    if current is not None:
        out.append(_quoted(current, current_depth))
    return "\n".join(out)


def _quoted(text: str, depth: int) -> str:
    return (">" * depth + " " + text) if depth else text


def _read_text(text: str, *, subject: str, html: bool, depth: int) -> tuple[str, list[str]]:
    """One text part read: the sender's own words, and the blocks of what it forwards
    inline, each already marked."""
    # Trailing spaces kept: "-- " is a signature's delimiter.
    text = _normalised(text[:TEXT_SCAN_CHARS])
    lines = text.split("\n")
    for index, line in enumerate(lines):
        forward = bool(_FORWARD_SEPARATOR.match(line))
        original = not forward and (
            bool(_ORIGINAL_SEPARATOR.match(line)) or _outlook_block_at(lines, index)
        )
        if not (forward or original):
            continue
        before = lines[:index]
        while before and (not before[-1].strip() or _RULE.match(before[-1])):
            before.pop()  # the rule Outlook draws above its block
        own = _own_words("\n".join(before), html=html)
        if original and _is_reply(subject):
            return own, []  # a reply's history (Outlook, QQ Mail): left out
        start = index + 1 if not _header(line) else index
        inner_subject, date, begins = _forwarded_headers(lines, start)
        if depth >= FORWARD_DEPTH:
            return own, [_forward_block(inner_subject, date, "")]
        inner, further = _read_text(
            "\n".join(lines[begins:]), subject=inner_subject, html=html, depth=depth + 1
        )
        return own, [_forward_block(inner_subject, date, inner), *further]
    return _own_words(text, html=html), []


def _own_words(text: str, *, html: bool) -> str:
    return _clean_text(_without_history(_without_signature(text, html=html)))


# --- Parsing --------------------------------------------------------------------


def _is_attachment(part: Message) -> bool:
    """A file the sender attached. A forwarded message is not one (its text is read,
    its own attachments are attachments), nor is a signature, an encrypted body or an
    Outlook winmail.dat (`_read` notes what cannot be read)."""
    if part.is_multipart():
        return False
    if part.get_content_type() in SIGNATURE_TYPES | ENCRYPTED_TYPES or _is_tnef(part):
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


# --- Reading the parts ------------------------------------------------------------

# Parts that are neither text nor a file the sender meant to send: the signature of
# a signed message, an encrypted body, and Outlook's winmail.dat (TNEF, which holds
# the formatted body and attachments in a form only Outlook reads).
SIGNATURE_TYPES = frozenset(
    {"application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature"}
)
ENCRYPTED_TYPES = frozenset(
    {"application/pkcs7-mime", "application/x-pkcs7-mime", "application/pgp-encrypted"}
)
TNEF_TYPES = frozenset({"application/ms-tnef", "application/vnd.ms-tnef"})


@dataclasses.dataclass
class _Reading:
    own: list[str] = dataclasses.field(default_factory=list)
    forwarded: list[str] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)

    def text(self) -> str:
        return "\n\n".join(part for part in (*self.own, *self.forwarded) if part)


def _children(part: Message) -> list[Message]:
    payload = part.get_payload()
    return (
        [child for child in payload if isinstance(child, Message)]
        if isinstance(payload, list)
        else []
    )


def _is_tnef(part: Message) -> bool:
    if part.get_content_type() in TNEF_TYPES:
        return True
    try:
        return (part.get_filename() or "").strip().lower() == "winmail.dat"
    except Exception:
        return False


def _read(part: Message, reading: _Reading, *, subject: str, depth: int, level: int = 0) -> None:
    """Add what one part says to `reading`, walking into multiparts as the sender's
    client would show them. `depth` counts forwards, `level` parts inside parts."""
    if level > MIME_DEPTH:
        return
    content_type = part.get_content_type()
    if part.get_content_maintype() == "message" and content_type != "message/delivery-status":
        inner = next(iter(_children(part)), None)
        if inner is not None:
            reading.forwarded.append(_forwarded(inner, reading.notes, depth=depth + 1))
        return
    if part.is_multipart():
        children = _children(part)
        subtype = part.get_content_subtype()
        if subtype == "alternative":
            _read_alternative(children, reading, subject=subject, depth=depth, level=level + 1)
        elif subtype == "signed":
            # The signed content, then its signature: the content is the message.
            for child in children[:1]:
                _read(child, reading, subject=subject, depth=depth, level=level + 1)
        elif subtype == "encrypted":
            reading.notes.append(_("邮件已加密，无法读取正文"))
        elif subtype == "related":
            root = _related_root(part, children)
            if root is not None:
                _read(root, reading, subject=subject, depth=depth, level=level + 1)
        else:  # mixed, parallel, digest …: each in turn
            for child in children:
                _read(child, reading, subject=subject, depth=depth, level=level + 1)
        return
    if _is_tnef(part):
        reading.notes.append(_("附件 winmail.dat 是 Outlook 专用格式（TNEF），无法读取，未保存"))
        return
    if content_type in ENCRYPTED_TYPES:
        reading.notes.append(_("邮件已加密，无法读取正文"))
        return
    if _is_attachment(part) or content_type not in ("text/plain", "text/html"):
        return  # attachments, inline images, calendars (`_not_an_opinion`) …
    text = decode_bytes(_payload(part), _charset(part))
    if content_type == "text/html":
        text = html_to_text(text[:HTML_SCAN_CHARS])
        own, forwards = _read_text(text, subject=subject, html=True, depth=depth)
    else:
        if str(part.get_param("format") or "").lower() == "flowed":
            delsp = str(part.get_param("delsp") or "").lower() == "yes"
            text = _unflow(text.replace("\r\n", "\n").replace("\r", "\n"), delsp=delsp)
        own, forwards = _read_text(text, subject=subject, html=False, depth=depth)
    reading.own.append(own)
    reading.forwarded.extend(forwards)


def _read_alternative(
    children: list[Message], reading: _Reading, *, subject: str, depth: int, level: int
) -> None:
    """The same text in several forms: the plain one unless it is empty, else the
    richest (the last) that says something."""
    versions = []
    for child in children:
        version = _Reading()
        _read(child, version, subject=subject, depth=depth, level=level)
        versions.append((child.get_content_type(), version))
    chosen = next((v for kind, v in versions if kind == "text/plain" and v.text().strip()), None)
    if chosen is None:
        chosen = next((v for _kind, v in reversed(versions) if v.text().strip()), None)
    if chosen is not None:
        reading.own += chosen.own
        reading.forwarded += chosen.forwarded
        reading.notes += chosen.notes


def _related_root(part: Message, children: list[Message]) -> Message | None:
    start = str(part.get_param("start") or "").strip()
    if start:
        for child in children:
            if str(child.get("Content-ID") or "").strip() == start:
                return child
    return children[0] if children else None


def _forwarded(inner: Message, notes: list[str], *, depth: int) -> str:
    """A forwarded message (`message/rfc822`) as a marked block: its subject, its date
    and its text, never its addresses."""
    subject = decode_header(inner.get("Subject"))[:300]
    day = _date(inner)
    reading = _Reading()
    if depth <= FORWARD_DEPTH:
        _read(inner, reading, subject=subject, depth=depth)
    notes.extend(reading.notes)
    return _forward_block(subject, day.isoformat() if day else "", reading.text())


def _body(message: Message) -> tuple[str, list[str]]:
    """The opinion's text, and notes for the sorters on what could not be read."""
    reading = _Reading()
    _read(message, reading, subject=decode_header(message.get("Subject")), depth=0)
    return _bounded(reading.text()), reading.notes


def _own_parts(part: Message, level: int = 0) -> Iterator[Message]:
    """The parts of the message itself, not of the messages it forwards."""
    yield part
    if part.get_content_maintype() != "message" and level < MIME_DEPTH:
        for child in _children(part):
            yield from _own_parts(child, level + 1)


def _not_an_opinion(message: Message) -> str | None:
    """Why a message is mail that no person wrote as an opinion (RFC 3834's
    Auto-Submitted, the de-facto auto-reply headers, RFC 6522's multipart/report for
    bounces and read receipts, a bounce's MAILER-DAEMON sender, a calendar invitation
    or answer), or None."""
    if message.get_content_type() == "multipart/report":
        report = str(message.get_param("report-type") or "").lower()
        if report == "disposition-notification":
            return _("已读回执，不是意见")
        if report == "delivery-status":
            return _("退信（投递失败或延迟的通知），不是意见")
        return _("系统自动发出的报告，不是意见")
    sender = email.utils.parseaddr(decode_header(message.get("From")))[1]
    if sender.partition("@")[0].lower() == "mailer-daemon":
        return _("退信（投递失败或延迟的通知），不是意见")
    auto = str(message.get("Auto-Submitted") or "").partition(";")[0].strip().lower()
    flagged = any(
        str(message.get(name) or "").strip().lower() not in ("", "no", "false", "0")
        for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply")
    )
    precedence = str(message.get("Precedence") or "").strip().lower()
    if auto == "auto-replied" or flagged or precedence == "auto_reply":
        return _("自动回复（如外出通知），不是意见")
    if auto and auto != "no":
        return _("系统自动发出的邮件，不是意见")
    for part in _own_parts(message):
        if part.get_content_type() == "text/calendar" and not _is_attachment(part):
            return _("会议邀请或日程答复，不是意见")
    return None


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
        # Said in MB as the limit is set (a limit under 1 MB is not "0 MB").
        raise EmailParseError(
            _("邮件超过 %(limit)s 的大小限制，这封有 %(size)s")
            % {"limit": uploads.megabytes(email_max_bytes()), "size": uploads.megabytes(len(raw))}
        )
    message = email.message_from_bytes(raw)
    if message.get("From") is None and message.get("Message-ID") is None:
        raise EmailParseError(_("不是电子邮件（找不到发件人和邮件编号）"))
    reason = _not_an_opinion(message)
    if reason is not None:
        raise EmailNotOpinion(reason)
    subject = decode_header(message.get("Subject"))[:300]
    sender = decode_header(message.get("From"))[:300]
    address = email.utils.parseaddr(sender)[1][:200]
    # Notes written into the opinion are data: in the site's language, not the visitor's.
    with translation.override(settings.LANGUAGE_CODE):
        body, unread = _body(message)
        attachments, notes = _attachments(message, attachment_max_bytes())
    notes = unread + notes
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
